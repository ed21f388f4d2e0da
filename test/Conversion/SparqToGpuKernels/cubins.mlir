// REQUIRES: ptxas
// RUN: %python %S/Inputs/gpu_kernel_numerics.py --sparq-opt sparq-opt --compile-only --arch=sm_80 | FileCheck %s
// RUN: %python %S/Inputs/gpu_kernel_numerics.py --write-cases %t.cases.mlir
// RUN: sparq-opt %t.cases.mlir --convert-sparq-to-gpu-kernels=gpu-arch=sm_80 --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm80.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm80.mlir -o %t.sm80.ptx
// RUN: %ptxas -arch=sm_80 -v %t.sm80.ptx -o %t.sm80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: sparq-opt %t.cases.mlir --convert-sparq-to-gpu-kernels=gpu-arch=sm_90a --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm90a.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm90a.mlir -o %t.sm90a.ptx
// RUN: %ptxas -arch=sm_90a -v %t.sm90a.ptx -o %t.sm90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// Every case of the GPU numerics test (gpu-numerics.mlir) compiles to a
// cubin through the whole pipeline, with the launch configuration of its
// family: GEMV blocks of 256 threads own 8 warps of 4 (M = 1), 2 (M = 2)
// or 1 row; GEMM blocks of 128 threads own 16 x 128 tiles of y.

// CHECK: COMPILED gemv_s4_g128_bias: __sparq_gpu_gemv_s4_g128_m1_n203_k512_bias_f32_f32_sm_80 grid [7, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_s4_g32_unrolled_ragged: {{.*}} grid [2, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_u4_g64_zp_m3: {{.*}} grid [8, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_s8_channel_silu_res: {{.*}} grid [9, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_u8_g32_zp_csr: {{.*}} grid [9, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_lut3_csr: __sparq_gpu_gemv_lut3_m1_n100_k640_csr_f32_i32_i32_f32_sm_80 grid [4, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_lut4_bias_csr_gelu: {{.*}} grid [8, 1, 1] block [256, 1, 1]
// Split-K GEMVs: the splits along grid y (8 of 32 chunks for K = 8192
// int4 and 4096 int8, 3 of 32 chunks for 12288 3-bit and 3072 4-bit
// codes), after a zero fill of y, 256 elements per block.
// CHECK: COMPILED gemv_s4_g128_split_k_bias_res: __sparq_gpu_gemv_s4_g128_m1_n45_k8192_bias_f32_f32_f32_res_ks8_sm_80 grid [2, 8, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: __sparq_gpu_gemv_s4_g128_m1_n45_k8192_bias_f32_f32_f32_res_ks8_sm_80_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_u8_g64_zp_split_k_m2: __sparq_gpu_gemv_u8_g64_m2_n70_k4096_zp_f32_i8_ks8_sm_80 grid [5, 8, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: {{.*}}_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_lut3_split_k_csr: __sparq_gpu_gemv_lut3_m1_n30_k12288_csr_f32_i32_i32_f32_ks3_sm_80 grid [1, 3, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: {{.*}}_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_lut4_split_k_bias_n33: __sparq_gpu_gemv_lut4_m1_n33_k3072_bias_f32_f32_ks3_sm_80 grid [2, 3, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: {{.*}}_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemm_s4_g128: __sparq_gpu_gemm_s4_g128_m40_n200_k256_bias_f32_f32_sm_80 grid [2, 3, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_u4_g32_zp_csr_relu: {{.*}} grid [2, 1, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_s8_channel: {{.*}} grid [1, 3, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_lut4_csr: {{.*}} grid [2, 2, 1] block [128, 1, 1]
// Gated GEMVs: half as many output columns per warp (2 at M = 1, else 1),
// each a gate row and an up row; never split along K.
// CHECK: COMPILED gemv_s4_g128_gated_silu_bias: __sparq_gpu_gemv_s4_g128_m1_n203_k512_bias_f32_f32_silu_gated_sm_80 grid [13, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_u8_g64_zp_gated_gelu_res_m3: {{.*}}_gelu_gated_res_sm_80 grid [9, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_lut3_gated_silu_csr_m2: {{.*}}_silu_gated_sm_80 grid [6, 1, 1] block [256, 1, 1]
// W8A8 (sparq.int_matmul): the same launch configurations.
// CHECK: COMPILED gemv_w8a8_token_channel_bias: __sparq_gpu_gemv_w8a8_m3_n77_k1040_token_channel_bias_f32_f32_f32_sm_80 grid [10, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_w8a8_tensor_m1: __sparq_gpu_gemv_w8a8_m1_n203_k512_tensor_tensor_f32_f32_sm_80 grid [7, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_w8a8_i32: __sparq_gpu_gemv_w8a8_m2_n50_k256_i32_sm_80 grid [4, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_w8a8_split_k_token_channel_bias: __sparq_gpu_gemv_w8a8_m2_n40_k4096_token_channel_bias_f32_f32_f32_ks8_sm_80 grid [3, 8, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: {{.*}}_ks8_sm_80_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemv_w8a8_split_k_i32: __sparq_gpu_gemv_w8a8_m1_n20_k2048_i32_ks4_sm_80 grid [1, 4, 1] block [256, 1, 1]
// CHECK-NEXT: BEFORE IT: {{.*}}_ks4_sm_80_zero_fill grid [1, 1, 1] block [256, 1, 1]
// CHECK: COMPILED gemm_w8a8_tensor: __sparq_gpu_gemm_w8a8_m40_n200_k256_tensor_tensor_f32_f32_sm_80 grid [2, 3, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_w8a8_token_channel_bias: {{.*}} grid [1, 3, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_w8a8_i32: __sparq_gpu_gemm_w8a8_m20_n129_k128_i32_sm_80 grid [2, 2, 1] block [128, 1, 1]
// CHECK: COMPILED gemm_w8a8_f16_result: __sparq_gpu_gemm_w8a8_m24_n64_k320_token_channel_bias_f32_f32_f32_to_f16_sm_80 grid [1, 2, 1] block [128, 1, 1]

// All cases in one module, as PTX for sm_80 and sm_90a: ptxas accepts
// every kernel (27 matmul kernels, 6 zero fills), and none spills.
// PTXAS-COUNT-33: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

