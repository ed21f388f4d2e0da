// REQUIRES: cuda
// RUN: %python %S/Inputs/gpu_kernel_numerics.py --sparq-opt sparq-opt | FileCheck %s

// Runs every kernel family and variant on the GPU (through the CUDA driver
// API) and compares y with a NumPy reference of the op; skipped where no
// GPU is usable. Split-K cases run the launcher's zero fill, then the
// GEMV, on a y filled with NaN (i32: garbage).

// CHECK-NOT: FAIL
// CHECK: PASS gemv_s4_g128_bias
// CHECK: PASS gemv_s4_g32_unrolled_ragged
// CHECK: PASS gemv_u4_g64_zp_m3
// CHECK: PASS gemv_s8_channel_silu_res
// CHECK: PASS gemv_u8_g32_zp_csr
// CHECK: PASS gemv_lut3_csr
// CHECK: PASS gemv_lut4_bias_csr_gelu
// CHECK: PASS gemv_s4_g128_split_k_bias_res
// CHECK: PASS gemv_u8_g64_zp_split_k_m2
// CHECK: PASS gemv_lut3_split_k_csr
// CHECK: PASS gemv_lut4_split_k_bias_n33
// CHECK: PASS gemm_s4_g128
// CHECK: PASS gemm_u4_g32_zp_csr_relu
// CHECK: PASS gemm_s8_channel
// CHECK: PASS gemm_lut4_csr
// CHECK: PASS gemv_s4_g128_gated_silu_bias
// CHECK: PASS gemv_u8_g64_zp_gated_gelu_res_m3
// CHECK: PASS gemv_lut3_gated_silu_csr_m2
// CHECK: PASS gemv_w8a8_token_channel_bias
// CHECK: PASS gemv_w8a8_tensor_m1
// CHECK: PASS gemv_w8a8_i32
// CHECK: PASS gemv_w8a8_split_k_token_channel_bias
// CHECK: PASS gemv_w8a8_split_k_i32
// CHECK: PASS gemm_w8a8_tensor
// CHECK: PASS gemm_w8a8_token_channel_bias
// CHECK: PASS gemm_w8a8_i32
// CHECK: PASS gemm_w8a8_f16_result
