// REQUIRES: ptxas
// RUN: sparq-opt %s --convert-sparq-to-gpu-kernels=gpu-arch=sm_80 --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm80.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm80.mlir -o %t.sm80.ptx
// RUN: FileCheck %s < %t.sm80.ptx
// RUN: %ptxas -arch=sm_80 -v %t.sm80.ptx -o %t.sm80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: sparq-opt %s --convert-sparq-to-gpu-kernels=gpu-arch=sm_90a --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --generate-sparq-gpu-kernels --sparq-gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" -o %t.sm90a.mlir
// RUN: %python %S/Inputs/extract_ptx.py %t.sm90a.mlir -o %t.sm90a.ptx
// RUN: FileCheck %s --check-prefix=SM90A < %t.sm90a.ptx
// RUN: %ptxas -arch=sm_90a -v %t.sm90a.ptx -o %t.sm90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// Split-K GEMVs at decode shapes whose grids would leave most SMs idle:
// each split walks its part of K like the unsplit kernel (128-bit
// non-coherent loads, butterfly reductions), then lane 0 adds its partial
// sum to y with a global f32 atomic add (atom.global.add.f32, relaxed);
// y is zeroed by a kernel of its own first. ptxas
// accepts the 5 GEMVs and their 5 zero-fill kernels for sm_80 and sm_90a
// without spilling.

// PTXAS-COUNT-10: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

// CHECK: .target sm_80
// SM90A: .target sm_90a

// Llama-sized int4 (N = K = 4096, M = 1): 128 blocks, 4 splits of 32 chunks
// on both chips.
// CHECK-LABEL: .entry __sparq_gpu_gemv_s4_g128_m1_n4096_k4096_bias_f32_f32_ks4_sm_80(
// CHECK: %ctaid.y
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK-COUNT-4: atom.global.add.f32
// CHECK-NOT: st.global
// CHECK: ret;
// CHECK-LABEL: .entry __sparq_gpu_gemv_s4_g128_m1_n4096_k4096_bias_f32_f32_ks4_sm_80_zero_fill(
// CHECK: st.global.b32
// CHECK: ret;
// SM90A: .entry __sparq_gpu_gemv_s4_g128_m1_n4096_k4096_bias_f32_f32_ks4_sm_90a(
// SM90A: atom.global.add.f32
// SM90A: .entry __sparq_gpu_gemv_s4_g128_m1_n4096_k4096_bias_f32_f32_ks4_sm_90a_zero_fill(
func.func @gemv_int4(%x: tensor<1x4096xf32>, %w: tensor<4096x2048xi8>,
                     %s: tensor<4096x32xf32>, %b: tensor<4096xf32>)
    -> tensor<1x4096xf32> {
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4)
      : (tensor<1x4096xf32>, tensor<4096x2048xi8>, tensor<4096x32xf32>,
         tensor<4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}

// LUT-4 with CSR outliers and a residual, M = 2 (2 rows per warp): N = 512
// is 32 blocks, 4 splits of 32 chunks; index shuffles as unsplit.
// CHECK-LABEL: .entry __sparq_gpu_gemv_lut4_m2_n512_k4096_{{.*}}_res_ks4_sm_80(
// CHECK: shfl.sync.idx.b32
// CHECK-COUNT-20: shfl.sync.bfly.b32
// CHECK-COUNT-4: atom.global.add.f32
// CHECK-NOT: st.global
// CHECK: ret;
// SM90A: .entry __sparq_gpu_gemv_lut4_m2_n512_k4096_{{.*}}_res_ks4_sm_90a(
// SM90A: .entry __sparq_gpu_gemv_lut4_m2_n512_k4096_{{.*}}_res_ks4_sm_90a_zero_fill(
func.func @gemv_lut4_csr_res(%x: tensor<2x4096xf32>, %idx: tensor<512x2048xi8>,
                             %cb: tensor<512x16xf32>, %rp: tensor<513xi32>,
                             %ci: tensor<1000xi32>, %v: tensor<1000xf32>,
                             %r: tensor<2x512xf32>) -> tensor<2x512xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(4)
      residual(%r)
      : (tensor<2x4096xf32>, tensor<512x2048xi8>, tensor<512x16xf32>,
         tensor<513xi32>, tensor<1000xi32>, tensor<1000xf32>,
         tensor<2x512xf32>) -> tensor<2x512xf32>
  return %y : tensor<2x512xf32>
}

// Per-channel int8, N = 1024: 32 blocks, 8 splits of 32 chunks of 16.
// CHECK-LABEL: .entry __sparq_gpu_gemv_s8_g4096_m1_n1024_k4096_f32_ks8_sm_80(
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-4: atom.global.add.f32
// CHECK: ret;
// SM90A: .entry __sparq_gpu_gemv_s8_g4096_m1_n1024_k4096_f32_ks8_sm_90a(
// SM90A: .entry __sparq_gpu_gemv_s8_g4096_m1_n1024_k4096_f32_ks8_sm_90a_zero_fill(
func.func @gemv_int8(%x: tensor<1x4096xf32>, %w: tensor<1024x4096xi8>,
                     %s: tensor<1024x1xf32>) -> tensor<1x1024xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8)
      : (tensor<1x4096xf32>, tensor<1024x4096xi8>, tensor<1024x1xf32>)
      -> tensor<1x1024xf32>
  return %y : tensor<1x1024xf32>
}

// W8A8, per-tensor x per-channel scales and a bias, M = 1, N = 512, K =
// 4096: 16 blocks, 8 splits of 32 chunks; each split rescales its exact
// i32 part (acc * sa * sw is linear) and adds it in f32.
// CHECK-LABEL: .entry __sparq_gpu_gemv_w8a8_m1_n512_k4096_tensor_channel_bias_f32_f32_f32_ks8_sm_80(
// CHECK: dp4a.s32.s32
// CHECK-COUNT-4: atom.global.add.f32
// CHECK-NOT: st.global
// CHECK: ret;
// SM90A: .entry __sparq_gpu_gemv_w8a8_m1_n512_k4096_tensor_channel_bias_f32_f32_f32_ks8_sm_90a(
func.func @gemv_w8a8(%x: tensor<1x4096xi8>, %w: tensor<512x4096xi8>,
                     %sa: tensor<1x1xf32>, %sw: tensor<512x1xf32>,
                     %b: tensor<512xf32>) -> tensor<1x512xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw) bias(%b)
      : (tensor<1x4096xi8>, tensor<512x4096xi8>, tensor<1x1xf32>,
         tensor<512x1xf32>, tensor<512xf32>) -> tensor<1x512xf32>
  return %y : tensor<1x512xf32>
}

// W8A8 with the i32 result: exact integer atomic adds (the sum does not
// depend on their order).
// CHECK-LABEL: .entry __sparq_gpu_gemv_w8a8_m1_n512_k4096_i32_ks8_sm_80(
// CHECK: dp4a.s32.s32
// CHECK-COUNT-4: atom.global.add.u32
// CHECK-NOT: st.global
// CHECK: ret;
// CHECK-LABEL: .entry __sparq_gpu_gemv_w8a8_m1_n512_k4096_i32_ks8_sm_80_zero_fill(
// CHECK: st.global.b32
// SM90A: .entry __sparq_gpu_gemv_w8a8_m1_n512_k4096_i32_ks8_sm_90a(
func.func @gemv_w8a8_i32(%x: tensor<1x4096xi8>, %w: tensor<512x4096xi8>)
    -> tensor<1x512xi32> {
  %y = sparq.int_matmul %x, %w
      : (tensor<1x4096xi8>, tensor<512x4096xi8>) -> tensor<1x512xi32>
  return %y : tensor<1x512xi32>
}
