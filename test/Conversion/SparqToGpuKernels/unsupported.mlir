// RUN: sparq-opt %s -split-input-file -verify-diagnostics --convert-sparq-to-gpu-kernels | FileCheck %s

// Ops no GPU kernel covers stay for the reference lowering, with a remark
// that says why.

// CHECK-LABEL: func @f16_activations
// CHECK: sparq.qmatmul
func.func @f16_activations(%x: tensor<1x64xf16>, %w: tensor<8x32xi8>,
                           %s: tensor<8x2xf16>) -> tensor<1x8xf16> {
  // expected-remark @below {{no GPU kernel (activations are not f32); left for convert-sparq-to-linalg}}
  %y = sparq.qmatmul %x, %w, %s storage(si4)
      : (tensor<1x64xf16>, tensor<8x32xi8>, tensor<8x2xf16>) -> tensor<1x8xf16>
  return %y : tensor<1x8xf16>
}

// -----

// CHECK-LABEL: func @three_bit_uniform
// CHECK: sparq.qmatmul
func.func @three_bit_uniform(%x: tensor<1x64xf32>, %w: tensor<8x24xi8>,
                             %s: tensor<8x2xf32>) -> tensor<1x8xf32> {
  // expected-remark @below {{no GPU kernel (3-bit weights (kernels exist for 4 and 8 bits)); left for convert-sparq-to-linalg}}
  %y = sparq.qmatmul %x, %w, %s storage(si3)
      : (tensor<1x64xf32>, tensor<8x24xi8>, tensor<8x2xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @group_16
// CHECK: sparq.qmatmul
func.func @group_16(%x: tensor<1x64xf32>, %w: tensor<8x32xi8>,
                    %s: tensor<8x4xf32>) -> tensor<1x8xf32> {
  // expected-remark @below {{no GPU kernel (group size 16 is not a multiple of 32)}}
  %y = sparq.qmatmul %x, %w, %s storage(si4)
      : (tensor<1x64xf32>, tensor<8x32xi8>, tensor<8x4xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @row_blocked_scales
// CHECK: sparq.qmatmul
func.func @row_blocked_scales(%x: tensor<1x64xf32>, %w: tensor<8x32xi8>,
                              %s: tensor<4x2xf32>) -> tensor<1x8xf32> {
  // expected-remark @below {{no GPU kernel (scales are not per output channel)}}
  %y = sparq.qmatmul %x, %w, %s storage(si4)
      : (tensor<1x64xf32>, tensor<8x32xi8>, tensor<4x2xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @lut3_short_k
// CHECK: sparq.lut_matmul
func.func @lut3_short_k(%x: tensor<1x64xf32>, %idx: tensor<8x24xi8>,
                        %cb: tensor<8x8xf32>) -> tensor<1x8xf32> {
  // expected-remark @below {{no GPU kernel (K = 64 is not a multiple of 128, the elements of a lane's chunk of 3-bit weights)}}
  %y = sparq.lut_matmul %x, %idx, %cb bits(3)
      : (tensor<1x64xf32>, tensor<8x24xi8>, tensor<8x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @dynamic_rows
// CHECK: sparq.qmatmul
func.func @dynamic_rows(%x: tensor<?x64xf32>, %w: tensor<8x32xi8>,
                        %s: tensor<8x2xf32>) -> tensor<?x8xf32> {
  // expected-remark @below {{no GPU kernel (dynamic shapes)}}
  %y = sparq.qmatmul %x, %w, %s storage(si4)
      : (tensor<?x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func @w8a8_short_k
// CHECK: sparq.int_matmul
func.func @w8a8_short_k(%x: tensor<1x40xi8>, %w: tensor<8x40xi8>)
    -> tensor<1x8xi32> {
  // expected-remark @below {{no GPU kernel (K = 40 is not a multiple of 16, the elements of a lane's chunk of 8-bit weights); left for convert-sparq-to-linalg}}
  %y = sparq.int_matmul %x, %w
      : (tensor<1x40xi8>, tensor<8x40xi8>) -> tensor<1x8xi32>
  return %y : tensor<1x8xi32>
}

// -----

// CHECK-LABEL: func @w8a8_dynamic
// CHECK: sparq.int_matmul
func.func @w8a8_dynamic(%x: tensor<?x64xi8>, %w: tensor<8x64xi8>)
    -> tensor<?x8xi32> {
  // expected-remark @below {{no GPU kernel (dynamic shapes)}}
  %y = sparq.int_matmul %x, %w
      : (tensor<?x64xi8>, tensor<8x64xi8>) -> tensor<?x8xi32>
  return %y : tensor<?x8xi32>
}
