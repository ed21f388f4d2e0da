// RUN: sparq-opt %s -split-input-file --convert-sparq-to-gpu-kernels | FileCheck %s
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-gpu-kernels="gpu-arch=sm_90a gemv-max-rows=1" | FileCheck %s --check-prefix=SM90
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-gpu-kernels=gemv-split-k=false | FileCheck %s --check-prefix=NOSPLIT
// RUN: not sparq-opt %s --convert-sparq-to-gpu-kernels=gpu-arch=sm_75 2>&1 | FileCheck %s --check-prefix=BAD-ARCH
// RUN: not sparq-opt %s --convert-sparq-to-gpu-kernels=gemv-max-rows=0 2>&1 | FileCheck %s --check-prefix=BAD-ROWS
// BAD-ARCH: gpu-arch must be sm_80 or newer (sm_XX or sm_XXa), got 'sm_75'
// BAD-ROWS: gemv-max-rows must be at least 1, got 0

// Decode-sized int4 matmul with a bias: a call of a GEMV launcher on the
// operands' buffers, declared with its spec.
// CHECK-LABEL: func @int4_gemv_bias
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x128xf32> into tensor<2x128xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<2x128xf32> to memref<2x128xf32, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8x64xi8> to memref<8x64xi8, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8x4xf16> to memref<8x4xf16, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<8xf32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 256 : i64} : memref<2x8xf32>
// CHECK: call @__sparq_gpu_gemv_s4_g32_m2_n8_k128_bias_f16_f32_sm_80(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x8xf32>
// CHECK-NOT: sparq.qmatmul
// CHECK: func.func private @__sparq_gpu_gemv_s4_g32_m2_n8_k128_bias_f16_f32_sm_80({{.*}}) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 32 : i64, k = 128 : i64, m = 2 : i64, n = 8 : i64, outliers = false, residual = false, signed = true, weights = "uniform", zero_points = false}}
// Beyond gemv-max-rows the tensor-core GEMM launcher is called.
// SM90-LABEL: func @int4_gemv_bias
// SM90: call @__sparq_gpu_gemm_s4_g32_m2_n8_k128_bias_f16_f32_sm_90a(
// SM90: family = "gemm"
func.func @int4_gemv_bias(%x: tensor<1x2x128xf32>, %w: tensor<8x64xi8>,
                          %s: tensor<8x4xf16>, %b: tensor<8xf32>)
    -> tensor<1x2x8xf32> {
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4)
      : (tensor<1x2x128xf32>, tensor<8x64xi8>, tensor<8x4xf16>, tensor<8xf32>)
      -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// A gated op at GEMV sizes: one gated GEMV launch writes the 8 product
// columns; each warp reads gate row j and up row 8 + j of the 16. Above
// gemv-max-rows the op runs as its wide GEMM (all 16 rows) and an
// elementwise product: only the GEMV pairs rows.
// CHECK-LABEL: func @int4_gated
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 256 : i64} : memref<1x8xf32>
// CHECK: call @__sparq_gpu_gemv_s4_g32_m1_n8_k128_f32_silu_gated_sm_80(%{{.*}}, %{{.*}}, %{{.*}}, %[[OUT]])
// CHECK-NOT: linalg.generic
// CHECK: %[[WIDE:.*]] = memref.alloc() {alignment = 256 : i64} : memref<16x16xf32>
// CHECK: call @__sparq_gpu_gemm_s4_g32_m16_n16_k128_f32_sm_80(
// CHECK: %[[Y:.*]] = bufferization.to_tensor %[[WIDE]]
// CHECK-DAG: tensor.extract_slice %[[Y]][0, 0] [16, 8] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[Y]][0, 8] [16, 8] [1, 1]
// CHECK: linalg.generic
// CHECK-NOT: sparq.qmatmul
// CHECK: func.func private @__sparq_gpu_gemv_s4_g32_m1_n8_k128_f32_silu_gated_sm_80({{.*}}memref<16x64xi8{{.*}}memref<1x8xf32>) attributes {sparq.gpu_kernel = {activation = "silu", {{.*}}gated = true
func.func @int4_gated(%x: tensor<1x128xf32>, %x16: tensor<16x128xf32>,
                      %w: tensor<16x64xi8>, %s: tensor<16x4xf32>)
    -> (tensor<1x8xf32>, tensor<16x8xf32>) {
  %y = sparq.qmatmul %x, %w, %s storage(si4) activation(silu) gated
      : (tensor<1x128xf32>, tensor<16x64xi8>, tensor<16x4xf32>)
      -> tensor<1x8xf32>
  %z = sparq.qmatmul %x16, %w, %s storage(si4) activation(silu) gated
      : (tensor<16x128xf32>, tensor<16x64xi8>, tensor<16x4xf32>)
      -> tensor<16x8xf32>
  return %y, %z : tensor<1x8xf32>, tensor<16x8xf32>
}

// -----

// Asymmetric int4 with 16 rows: the GEMM launcher; zero points come after
// the scales.
// CHECK-LABEL: func @uint4_zp_gemm
// CHECK: call @__sparq_gpu_gemm_u4_g64_m16_n32_k256_zp_f32_i8_sm_80(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<16x256xf32, strided<[?, 1], offset: ?>>, memref<32x128xi8, strided<[?, 1], offset: ?>>, memref<32x4xf32, strided<[?, 1], offset: ?>>, memref<32x4xi8, strided<[?, 1], offset: ?>>, memref<16x32xf32>) -> ()
// CHECK: family = "gemm", group_size = 64 : i64
// CHECK-SAME: signed = false
// CHECK-SAME: zero_points = true
func.func @uint4_zp_gemm(%x: tensor<16x256xf32>, %w: tensor<32x128xi8>,
                         %s: tensor<32x4xf32>, %z: tensor<32x4xi8>)
    -> tensor<16x32xf32> {
  %y = sparq.qmatmul %x, %w, %s zero_points(%z) storage(ui4)
      : (tensor<16x256xf32>, tensor<32x128xi8>, tensor<32x4xf32>,
         tensor<32x4xi8>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Per-channel int8 with a fused SiLU epilogue and residual, on a vector.
// CHECK-LABEL: func @int8_epilogue
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 64] : tensor<64xf32> into tensor<1x64xf32>
// CHECK: call @__sparq_gpu_gemv_s8_g64_m1_n16_k64_f32_f32_silu_res_sm_80(
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x16xf32> into tensor<16xf32>
// CHECK: activation = "silu"
// CHECK-SAME: residual = true
func.func @int8_epilogue(%x: tensor<64xf32>, %w: tensor<16x64xi8>,
                         %s: tensor<16x1xf32>, %r: tensor<16xf32>)
    -> tensor<16xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si8) activation(silu) residual(%r)
      : (tensor<64xf32>, tensor<16x64xi8>, tensor<16x1xf32>, tensor<16xf32>)
      -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// A 3-bit codebook matmul with CSR outliers: row_ptr, col_ind and values
// follow the codebooks.
// CHECK-LABEL: func @lut3_outliers
// CHECK: call @__sparq_gpu_gemv_lut3_m1_n4_k128_csr_f32_i32_i32_f32_sm_80(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<1x128xf32, strided<[?, 1], offset: ?>>, memref<4x48xi8, strided<[?, 1], offset: ?>>, memref<4x8xf32, strided<[?, 1], offset: ?>>, memref<5xi32, strided<[1], offset: ?>>, memref<3xi32, strided<[1], offset: ?>>, memref<3xf32, strided<[1], offset: ?>>, memref<1x4xf32>) -> ()
// CHECK: bits = 3 : i64
// CHECK-SAME: outliers = true
// CHECK-SAME: weights = "codebook"
func.func @lut3_outliers(%x: tensor<1x128xf32>, %idx: tensor<4x48xi8>,
                         %cb: tensor<4x8xf32>, %rp: tensor<5xi32>,
                         %ci: tensor<3xi32>, %v: tensor<3xf32>)
    -> tensor<1x4xf32> {
  %y = sparq.lut_matmul %x, %idx, %cb outliers(%rp, %ci, %v) bits(3)
      : (tensor<1x128xf32>, tensor<4x48xi8>, tensor<4x8xf32>, tensor<5xi32>,
         tensor<3xi32>, tensor<3xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Two ops of one signature share a launcher.
// CHECK-LABEL: func @shared_launcher
// CHECK: call @[[L:__sparq_gpu_gemv_lut4_m1_n8_k64_f32_sm_80]](
// CHECK: call @[[L]](
// CHECK-COUNT-1: func.func private @__sparq_gpu_gemv_lut4
// CHECK-NOT: func.func private @__sparq_gpu_gemv_lut4
func.func @shared_launcher(%x: tensor<1x64xf32>, %idx: tensor<8x32xi8>,
                           %cb: tensor<8x16xf32>)
    -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %a = sparq.lut_matmul %x, %idx, %cb bits(4)
      : (tensor<1x64xf32>, tensor<8x32xi8>, tensor<8x16xf32>) -> tensor<1x8xf32>
  %b = sparq.lut_matmul %x, %idx, %cb bits(4)
      : (tensor<1x64xf32>, tensor<8x32xi8>, tensor<8x16xf32>) -> tensor<1x8xf32>
  return %a, %b : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// W8A8 with per-token activation scales, per-channel weight scales and a
// bias, on rank-3 activations: the activations and their scales are
// flattened to rows; the launcher takes x, weights, input scales, weight
// scales and bias, and writes f32.
// CHECK-LABEL: func @w8a8_gemv_token_channel_bias
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x64xi8> into tensor<2x64xi8>
// CHECK: %[[SA:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x1xf32> into tensor<2x1xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<2x64xi8> to memref<2x64xi8, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<32x64xi8> to memref<32x64xi8, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %[[SA]] read_only : tensor<2x1xf32> to memref<2x1xf32, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<32x1xf16> to memref<32x1xf16, strided<[?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<32xf32> to memref<32xf32, strided<[1], offset: ?>>
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 256 : i64} : memref<2x32xf32>
// CHECK: call @__sparq_gpu_gemv_w8a8_m2_n32_k64_token_channel_bias_f32_f16_f32_sm_80(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable : memref<2x32xf32> to tensor<2x32xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x32xf32>
// CHECK-NOT: sparq.int_matmul
// CHECK: func.func private @__sparq_gpu_gemv_w8a8_m2_n32_k64_token_channel_bias_f32_f16_f32_sm_80(memref<2x64xi8, strided<[?, 1], offset: ?>>, memref<32x64xi8, strided<[?, 1], offset: ?>>, memref<2x1xf32, strided<[?, 1], offset: ?>>, memref<32x1xf16, strided<[?, 1], offset: ?>>, memref<32xf32, strided<[1], offset: ?>>, memref<2x32xf32>) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 8 : i64, chip = "sm_80", family = "gemv", group_size = 64 : i64, input_scales = "token", k = 64 : i64, m = 2 : i64, n = 32 : i64, outliers = false, residual = false, signed = true, weight_scales = "channel", weights = "w8a8", zero_points = false}}
// SM90-LABEL: func @w8a8_gemv_token_channel_bias
// SM90: call @__sparq_gpu_gemm_w8a8_m2_n32_k64_token_channel_bias_f32_f16_f32_sm_90a(
// SM90: family = "gemm"
func.func @w8a8_gemv_token_channel_bias(%x: tensor<1x2x64xi8>,
                                        %w: tensor<32x64xi8>,
                                        %sa: tensor<1x2x1xf32>,
                                        %sw: tensor<32x1xf16>,
                                        %b: tensor<32xf32>)
    -> tensor<1x2x32xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw) bias(%b)
      : (tensor<1x2x64xi8>, tensor<32x64xi8>, tensor<1x2x1xf32>,
         tensor<32x1xf16>, tensor<32xf32>) -> tensor<1x2x32xf32>
  return %y : tensor<1x2x32xf32>
}

// -----

// Per-tensor scales on a vector: a [1, 1] input scale.
// CHECK-LABEL: func @w8a8_gemv_per_tensor_vector
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 128] : tensor<128xi8> into tensor<1x128xi8>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
// CHECK: call @__sparq_gpu_gemv_w8a8_m1_n16_k128_tensor_tensor_f32_f32_sm_80(
// CHECK: input_scales = "tensor"
// CHECK-SAME: weight_scales = "tensor"
func.func @w8a8_gemv_per_tensor_vector(%x: tensor<128xi8>, %w: tensor<16x128xi8>,
                                       %sa: tensor<1xf32>, %sw: tensor<1x1xf32>)
    -> tensor<16xf32> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw)
      : (tensor<128xi8>, tensor<16x128xi8>, tensor<1xf32>, tensor<1x1xf32>)
      -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// Without scales the result is the i32 accumulator: a GEMM launcher (M =
// 16) writing i32.
// CHECK-LABEL: func @w8a8_gemm_i32
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 256 : i64} : memref<16x24xi32>
// CHECK: call @__sparq_gpu_gemm_w8a8_m16_n24_k128_i32_sm_80(%{{.*}}, %{{.*}}, %[[OUT]]) : (memref<16x128xi8, strided<[?, 1], offset: ?>>, memref<24x128xi8, strided<[?, 1], offset: ?>>, memref<16x24xi32>) -> ()
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable : memref<16x24xi32> to tensor<16x24xi32>
// CHECK: family = "gemm"
// CHECK-SAME: input_scales = "none"
// CHECK-SAME: weight_scales = "none", weights = "w8a8"
func.func @w8a8_gemm_i32(%x: tensor<16x128xi8>, %w: tensor<24x128xi8>)
    -> tensor<16x24xi32> {
  %y = sparq.int_matmul %x, %w
      : (tensor<16x128xi8>, tensor<24x128xi8>) -> tensor<16x24xi32>
  return %y : tensor<16x24xi32>
}

// -----

// A bf16 result: the kernel rescales in f32 and rounds to bf16; the
// launcher's name says so.
// CHECK-LABEL: func @w8a8_bf16_result
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 256 : i64} : memref<2x16xbf16>
// CHECK: call @__sparq_gpu_gemv_w8a8_m2_n16_k64_token_tensor_bf16_bf16_to_bf16_sm_80(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable : memref<2x16xbf16> to tensor<2x16xbf16>
func.func @w8a8_bf16_result(%x: tensor<2x64xi8>, %w: tensor<16x64xi8>,
                            %sa: tensor<2x1xbf16>, %sw: tensor<1x1xbf16>)
    -> tensor<2x16xbf16> {
  %y = sparq.int_matmul %x, %w scales(%sa, %sw)
      : (tensor<2x64xi8>, tensor<16x64xi8>, tensor<2x1xbf16>, tensor<1x1xbf16>)
      -> tensor<2x16xbf16>
  return %y : tensor<2x16xbf16>
}

// -----

// Split-K: a decode GEMV with N = 256 has 8 blocks of 32 rows, far below 4
// waves of the chip's SMs (108 on sm_80, 132 on sm_90a), so K = 4096 (128
// chunks of 32 int4 weights) is split in 4 parts of 32 chunks, the most
// that keeps 32 chunks per split. The split count is part of the name.
// CHECK-LABEL: func @int4_split_k
// CHECK: call @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_f32_res_ks4_sm_80(
// CHECK: func.func private @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_f32_res_ks4_sm_80({{.*}}) attributes {sparq.gpu_kernel = {activation = "none", bias = true, bits = 4 : i64, chip = "sm_80", family = "gemv", group_size = 128 : i64, k = 4096 : i64, k_splits = 4 : i64, m = 1 : i64
// SM90-LABEL: func @int4_split_k
// SM90: call @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_f32_res_ks4_sm_90a(
// SM90: k_splits = 4 : i64
// gemv-split-k=false: one pass over K.
// NOSPLIT-LABEL: func @int4_split_k
// NOSPLIT: call @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_f32_res_sm_80(
// NOSPLIT-NOT: k_splits
func.func @int4_split_k(%x: tensor<1x4096xf32>, %w: tensor<256x2048xi8>,
                        %s: tensor<256x32xf32>, %b: tensor<256xf32>,
                        %r: tensor<1x256xf32>) -> tensor<1x256xf32> {
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) residual(%r)
      : (tensor<1x4096xf32>, tensor<256x2048xi8>, tensor<256x32xf32>,
         tensor<256xf32>, tensor<1x256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

// The same shape with an activation: it cannot be applied to partial
// sums, so K is not split.
// CHECK-LABEL: func @int4_no_split_k_with_activation
// CHECK: call @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_silu_sm_80(
// CHECK-NOT: k_splits
// SM90-LABEL: func @int4_no_split_k_with_activation
// SM90: call @__sparq_gpu_gemv_s4_g128_m1_n256_k4096_bias_f32_f32_silu_sm_90a(
// SM90-NOT: k_splits
func.func @int4_no_split_k_with_activation(
    %x: tensor<1x4096xf32>, %w: tensor<256x2048xi8>, %s: tensor<256x32xf32>,
    %b: tensor<256xf32>) -> tensor<1x256xf32> {
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) activation(silu)
      : (tensor<1x4096xf32>, tensor<256x2048xi8>, tensor<256x32xf32>,
         tensor<256xf32>) -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

// A 3-bit codebook GEMV with N = 64 (2 blocks) and K = 8192 (64 chunks of
// 128 codes): 2 splits of 32 chunks. N = 4096 (128 blocks of 32 rows) is
// 1.2 waves on sm_80: K = 4096 int8 (256 chunks of 16) goes to 4 splits
// (432 / 128, rounded up), the same for a W8A8 i32 result; a W8A8 result
// rounded to f16 has no atomic add and is not split.
// CHECK-LABEL: func @lut3_split_k
// CHECK: call @__sparq_gpu_gemv_lut3_m1_n64_k8192_f32_ks2_sm_80(
// CHECK: call @__sparq_gpu_gemv_s8_g4096_m1_n4096_k4096_f32_ks4_sm_80(
// CHECK: call @__sparq_gpu_gemv_w8a8_m1_n4096_k4096_i32_ks4_sm_80(
// CHECK: call @__sparq_gpu_gemv_w8a8_m1_n4096_k4096_tensor_tensor_f32_f32_to_f16_sm_80(
// CHECK: func.func private @__sparq_gpu_gemv_lut3_m1_n64_k8192_f32_ks2_sm_80({{.*}}k_splits = 2 : i64
// CHECK: func.func private @__sparq_gpu_gemv_s8_g4096_m1_n4096_k4096_f32_ks4_sm_80({{.*}}k_splits = 4 : i64
// CHECK: func.func private @__sparq_gpu_gemv_w8a8_m1_n4096_k4096_i32_ks4_sm_80({{.*}}k_splits = 4 : i64
// CHECK: func.func private @__sparq_gpu_gemv_w8a8_m1_n4096_k4096_tensor_tensor_f32_f32_to_f16_sm_80(
// CHECK-NOT: k_splits
// SM90-LABEL: func @lut3_split_k
// SM90: call @__sparq_gpu_gemv_lut3_m1_n64_k8192_f32_ks2_sm_90a(
func.func @lut3_split_k(%x: tensor<1x8192xf32>, %idx: tensor<64x3072xi8>,
                        %cb: tensor<64x8xf32>, %x8: tensor<1x4096xf32>,
                        %w8: tensor<4096x4096xi8>, %s8: tensor<4096x1xf32>,
                        %xi: tensor<1x4096xi8>, %sa: tensor<1x1xf32>,
                        %sw: tensor<1x1xf32>)
    -> (tensor<1x64xf32>, tensor<1x4096xf32>, tensor<1x4096xi32>,
        tensor<1x4096xf16>) {
  %y = sparq.lut_matmul %x, %idx, %cb bits(3)
      : (tensor<1x8192xf32>, tensor<64x3072xi8>, tensor<64x8xf32>)
      -> tensor<1x64xf32>
  %y8 = sparq.qmatmul %x8, %w8, %s8 storage(si8)
      : (tensor<1x4096xf32>, tensor<4096x4096xi8>, tensor<4096x1xf32>)
      -> tensor<1x4096xf32>
  %yi = sparq.int_matmul %xi, %w8
      : (tensor<1x4096xi8>, tensor<4096x4096xi8>) -> tensor<1x4096xi32>
  %yh = sparq.int_matmul %xi, %w8 scales(%sa, %sw)
      : (tensor<1x4096xi8>, tensor<4096x4096xi8>, tensor<1x1xf32>,
         tensor<1x1xf32>) -> tensor<1x4096xf16>
  return %y, %y8, %yi, %yh
      : tensor<1x64xf32>, tensor<1x4096xf32>, tensor<1x4096xi32>,
        tensor<1x4096xf16>
}
