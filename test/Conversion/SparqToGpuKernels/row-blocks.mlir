// RUN: sparq-opt %s -split-input-file -verify-diagnostics --convert-sparq-to-gpu-kernels | FileCheck %s
// RUN: sparq-opt %s -split-input-file --convert-sparq-to-gpu-kernels=gemv-max-rows=1 2>%t.remarks | FileCheck %s --check-prefix=ONE-ROW
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks

// Above gemv-max-rows, an op the GEMM kernel does not cover (3-bit
// codebooks; K not a multiple of the GEMM's K block) runs on the GEMV kernel
// in blocks of gemv-max-rows rows: each block's activation rows (and
// residual rows) are sliced out, and its results are inserted into the [M, N]
// result. A remark says so.

// CHECK-LABEL: func @lut3_m16
// CHECK-SAME: (%[[X:.*]]: tensor<16x128xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<16x8xf32>
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[X]][0, 0] [8, 128] [1, 1] : tensor<16x128xf32> to tensor<8x128xf32>
// CHECK: bufferization.to_buffer %[[X0]] read_only
// CHECK: call @[[GEMV:__sparq_gpu_gemv_lut3_m8_n8_k128_f32_sm_80]](
// CHECK: %[[Y0:.*]] = bufferization.to_tensor
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[Y0]] into %[[EMPTY]][0, 0] [8, 8] [1, 1]
// CHECK: %[[X1:.*]] = tensor.extract_slice %[[X]][8, 0] [8, 128] [1, 1]
// CHECK: call @[[GEMV]](
// CHECK: %[[Y1:.*]] = bufferization.to_tensor
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[Y1]] into %[[R0]][8, 0] [8, 8] [1, 1]
// CHECK: return %[[R1]]
// CHECK-NOT: sparq.lut_matmul
// CHECK: func.func private @[[GEMV]]({{.*}}) attributes {sparq.gpu_kernel = {{{.*}}family = "gemv"{{.*}}m = 8 : i64
func.func @lut3_m16(%x: tensor<16x128xf32>, %idx: tensor<8x48xi8>,
                    %cb: tensor<8x8xf32>) -> tensor<16x8xf32> {
  // expected-remark @below {{GEMV kernel on blocks of 8 rows (M = 16; the GEMM kernel has no 3-bit codebook variant)}}
  %y = sparq.lut_matmul %x, %idx, %cb bits(3)
      : (tensor<16x128xf32>, tensor<8x48xi8>, tensor<8x8xf32>) -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// -----

// 20 rows with a residual: blocks of 8, 8 and 4 rows (two launchers), the
// residual sliced like the activations; rank-3 activations are flattened
// to rows first.
// CHECK-LABEL: func @short_k_m20_residual
// CHECK: %[[XR:.*]] = tensor.collapse_shape
// CHECK: %[[RR:.*]] = tensor.collapse_shape
// CHECK: tensor.extract_slice %[[XR]][0, 0] [8, 64] [1, 1]
// CHECK: tensor.extract_slice %[[RR]][0, 0] [8, 6] [1, 1]
// CHECK: call @[[M8:__sparq_gpu_gemv_s4_g32_m8_n6_k64_f32_f32_res_sm_80]](
// CHECK: tensor.extract_slice %[[XR]][8, 0] [8, 64] [1, 1]
// CHECK: tensor.extract_slice %[[RR]][8, 0] [8, 6] [1, 1]
// CHECK: call @[[M8]](
// CHECK: tensor.extract_slice %[[XR]][16, 0] [4, 64] [1, 1]
// CHECK: tensor.extract_slice %[[RR]][16, 0] [4, 6] [1, 1]
// CHECK: call @[[M4:__sparq_gpu_gemv_s4_g32_m4_n6_k64_f32_f32_res_sm_80]](
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[16, 0] [4, 6] [1, 1]
// CHECK: tensor.expand_shape {{.*}} into tensor<2x10x6xf32>
// CHECK-DAG: func.func private @[[M8]](
// CHECK-DAG: func.func private @[[M4]](
// With one row per GEMV launch, a block of the residual would start at an
// offset that is not a multiple of 16 bytes (N = 6): left to the reference
// lowering.
// ONE-ROW-LABEL: func @short_k_m20_residual
// ONE-ROW: sparq.qmatmul
// REMARK: remark: GEMV kernel on blocks of 1 rows (M = 16; the GEMM kernel has no 3-bit codebook variant)
// REMARK: remark: no GPU kernel (M = 20 is above gemv-max-rows, the GEMM kernel's K blocks of 128 do not divide K = 64, and GEMV blocks of 1 rows would misalign the residual); left for convert-sparq-to-linalg
func.func @short_k_m20_residual(%x: tensor<2x10x64xf32>, %w: tensor<6x32xi8>,
                                %s: tensor<6x2xf32>, %r: tensor<2x10x6xf32>)
    -> tensor<2x10x6xf32> {
  // expected-remark @below {{GEMV kernel on blocks of 8 rows (M = 20; the GEMM kernel's K blocks of 128 do not divide K = 64)}}
  %y = sparq.qmatmul %x, %w, %s storage(si4) residual(%r)
      : (tensor<2x10x64xf32>, tensor<6x32xi8>, tensor<6x2xf32>, tensor<2x10x6xf32>)
      -> tensor<2x10x6xf32>
  return %y : tensor<2x10x6xf32>
}

// -----

// W8A8 with K = 48 (not a multiple of the int8 GEMM's K block of 64): GEMV
// blocks of 8 and 4 rows, each with its rows of the per-token scales; the
// per-channel scales and bias are shared.
// CHECK-LABEL: func @w8a8_short_k_m12
// CHECK-SAME: (%[[X:.*]]: tensor<12x48xi8>, %[[W:.*]]: tensor<16x48xi8>, %[[SA:.*]]: tensor<12x1xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<12x16xf32>
// CHECK: tensor.extract_slice %[[X]][0, 0] [8, 48] [1, 1] : tensor<12x48xi8> to tensor<8x48xi8>
// CHECK: tensor.extract_slice %[[SA]][0, 0] [8, 1] [1, 1] : tensor<12x1xf32> to tensor<8x1xf32>
// CHECK: call @[[M8:__sparq_gpu_gemv_w8a8_m8_n16_k48_token_channel_bias_f32_f32_f32_sm_80]](
// CHECK: tensor.insert_slice %{{.*}} into %[[EMPTY]][0, 0] [8, 16] [1, 1]
// CHECK: tensor.extract_slice %[[X]][8, 0] [4, 48] [1, 1]
// CHECK: tensor.extract_slice %[[SA]][8, 0] [4, 1] [1, 1]
// CHECK: call @[[M4:__sparq_gpu_gemv_w8a8_m4_n16_k48_token_channel_bias_f32_f32_f32_sm_80]](
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[8, 0] [4, 16] [1, 1]
// CHECK-NOT: sparq.int_matmul
// CHECK-DAG: func.func private @[[M8]](
// CHECK-DAG: func.func private @[[M4]](
// REMARK: remark: GEMV kernel on blocks of 1 rows (M = 12; the GEMM kernel's K blocks of 64 do not divide K = 48)
func.func @w8a8_short_k_m12(%x: tensor<12x48xi8>, %w: tensor<16x48xi8>,
                            %sa: tensor<12x1xf32>, %sw: tensor<16x1xf32>,
                            %b: tensor<16xf32>) -> tensor<12x16xf32> {
  // expected-remark @below {{GEMV kernel on blocks of 8 rows (M = 12; the GEMM kernel's K blocks of 64 do not divide K = 48)}}
  %y = sparq.int_matmul %x, %w scales(%sa, %sw) bias(%b)
      : (tensor<12x48xi8>, tensor<16x48xi8>, tensor<12x1xf32>,
         tensor<16x1xf32>, tensor<16xf32>) -> tensor<12x16xf32>
  return %y : tensor<12x16xf32>
}
