// RUN: sparq-opt %s -split-input-file -canonicalize | FileCheck %s

// Expected bytes follow the layout by hand: element j of a b-bit row sits at
// bits [j*b, j*b+b) of the row's little-endian bitstream.

// 4 bits: [1, 2, 3] -> 0x21 (1 | 2 << 4), 0x03.
// CHECK-LABEL: func @fold_pack_constant_i4
// CHECK: %[[C:.*]] = arith.constant dense<[33, 3]> : tensor<2xi8>
// CHECK-NOT: sparq.pack
// CHECK: return %[[C]]
func.func @fold_pack_constant_i4() -> tensor<2xi8> {
  %c = arith.constant dense<[1, 2, 3]> : tensor<3xi4>
  %p = sparq.pack %c : tensor<3xi4> -> tensor<2xi8>
  return %p : tensor<2xi8>
}

// -----

// Negative values keep their two's complement bits: -1 -> 0xF, -8 -> 0x8,
// so the byte is 0x8F (-113 as i8).
// CHECK-LABEL: func @fold_pack_constant_negative
// CHECK: arith.constant dense<-113> : tensor<1xi8>
func.func @fold_pack_constant_negative() -> tensor<1xi8> {
  %c = arith.constant dense<[-1, -8]> : tensor<2xi4>
  %p = sparq.pack %c : tensor<2xi4> -> tensor<1xi8>
  return %p : tensor<1xi8>
}

// -----

// 3 bits: [1..7, 0] fill exactly three bytes; 0xD1 0x58 0x1F.
// CHECK-LABEL: func @fold_pack_constant_i3
// CHECK: arith.constant dense<{{\[\[}}-47, 88, 31], [0, 0, 0]]> : tensor<2x3xi8>
func.func @fold_pack_constant_i3() -> tensor<2x3xi8> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 0], [0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x8xi3>
  %p = sparq.pack %c : tensor<2x8xi3> -> tensor<2x3xi8>
  return %p : tensor<2x3xi8>
}

// -----

// Unpacking constant bytes: 2 bits, 0x93 = 0b10'01'00'11 -> [3, 0, 1, 2], then
// 0x03 -> [3]; signless i2 prints 3 and 2 as -1 and -2.
// CHECK-LABEL: func @fold_unpack_constant_i2
// CHECK: arith.constant dense<[-1, 0, 1, -2, -1]> : tensor<5xi2>
func.func @fold_unpack_constant_i2() -> tensor<5xi2> {
  %c = arith.constant dense<[-109, 3]> : tensor<2xi8>
  %u = sparq.unpack %c : tensor<2xi8> -> tensor<5xi2>
  return %u : tensor<5xi2>
}

// -----

// CHECK-LABEL: func @pack_of_unpack
// CHECK-SAME: (%[[P:.*]]: tensor<4x4xi8>)
// CHECK-NEXT: return %[[P]]
func.func @pack_of_unpack(%p: tensor<4x4xi8>) -> tensor<4x4xi8> {
  %u = sparq.unpack %p : tensor<4x4xi8> -> tensor<4x7xi4>
  %q = sparq.pack %u : tensor<4x7xi4> -> tensor<4x4xi8>
  return %q : tensor<4x4xi8>
}

// -----

// CHECK-LABEL: func @unpack_of_pack
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xi4>)
// CHECK-NEXT: return %[[X]]
func.func @unpack_of_pack(%x: tensor<4x8xi4>) -> tensor<4x8xi4> {
  %p = sparq.pack %x : tensor<4x8xi4> -> tensor<4x4xi8>
  %u = sparq.unpack %p : tensor<4x4xi8> -> tensor<4x8xi4>
  return %u : tensor<4x8xi4>
}

// -----

// Unpacking to another element type is a reinterpretation, not a no-op.
// CHECK-LABEL: func @unpack_of_pack_other_type
// CHECK: sparq.pack
// CHECK: sparq.unpack
func.func @unpack_of_pack_other_type(%x: tensor<4x8xi4>) -> tensor<4x8x!quant.uniform<i4:f32, 1.0>> {
  %p = sparq.pack %x : tensor<4x8xi4> -> tensor<4x4xi8>
  %u = sparq.unpack %p : tensor<4x4xi8> -> tensor<4x8x!quant.uniform<i4:f32, 1.0>>
  return %u : tensor<4x8x!quant.uniform<i4:f32, 1.0>>
}

// -----

// CHECK-LABEL: func @quantize_of_dequantize
// CHECK-SAME: (%[[P:.*]]: tensor<4x4xi8>,
// CHECK-NEXT: return %[[P]]
func.func @quantize_of_dequantize(%p: tensor<4x4xi8>, %s: tensor<4x2xf32>, %z: tensor<4x2xi8>) -> tensor<4x4xi8> {
  %d = sparq.dequantize %p, %s zero_points(%z) storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x8xf32>
  %q = sparq.quantize %d, %s zero_points(%z) storage(ui4) : (tensor<4x8xf32>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x4xi8>
  return %q : tensor<4x4xi8>
}

// -----

// Requantizing with other parameters or another storage type changes values.
// CHECK-LABEL: func @quantize_of_dequantize_mismatch
// CHECK: sparq.dequantize
// CHECK: sparq.quantize %{{.*}}, %{{.*}} storage(si4)
// CHECK: sparq.dequantize
// CHECK: sparq.quantize %{{.*}}, %[[S2:.*]] storage(ui4)
func.func @quantize_of_dequantize_mismatch(%p: tensor<4x4xi8>, %s: tensor<4x2xf32>, %s2: tensor<4x2xf32>) -> (tensor<4x4xi8>, tensor<4x4xi8>) {
  %d = sparq.dequantize %p, %s storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>) -> tensor<4x8xf32>
  %q = sparq.quantize %d, %s storage(si4) : (tensor<4x8xf32>, tensor<4x2xf32>) -> tensor<4x4xi8>
  %d2 = sparq.dequantize %p, %s storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>) -> tensor<4x8xf32>
  %q2 = sparq.quantize %d2, %s2 storage(ui4) : (tensor<4x8xf32>, tensor<4x2xf32>) -> tensor<4x4xi8>
  return %q, %q2 : tensor<4x4xi8>, tensor<4x4xi8>
}

// -----

// CHECK-LABEL: func @drop_zero_zero_points
// CHECK: sparq.quantize %{{.*}}, %{{.*}} storage(ui4) :
// CHECK: sparq.dequantize %{{.*}}, %{{.*}} storage(ui4) :
// CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} storage(ui4) :
func.func @drop_zero_zero_points(%w: tensor<4x8xf32>, %s: tensor<4x2xf32>, %x: tensor<1x8xf32>) -> (tensor<4x4xi8>, tensor<4x8xf32>, tensor<1x4xf32>) {
  %z = arith.constant dense<0> : tensor<4x2xi8>
  %zf = arith.constant dense<0.0> : tensor<4x2xf32>
  %q = sparq.quantize %w, %s zero_points(%z) storage(ui4) : (tensor<4x8xf32>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x4xi8>
  %d = sparq.dequantize %q, %s zero_points(%zf) storage(ui4) : (tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  %y = sparq.qmatmul %x, %q, %s zero_points(%z) storage(ui4) : (tensor<1x8xf32>, tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<1x4xf32>
  return %q, %d, %y : tensor<4x4xi8>, tensor<4x8xf32>, tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @keep_nonzero_zero_points
// CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui4)
func.func @keep_nonzero_zero_points(%x: tensor<1x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x2xf32>) -> tensor<1x4xf32> {
  %z = arith.constant dense<[[8, 8], [8, 8], [8, 8], [8, 0]]> : tensor<4x2xi8>
  %y = sparq.qmatmul %x, %q, %s zero_points(%z) storage(ui4) : (tensor<1x8xf32>, tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @drop_zero_bias
// CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} outliers(%{{.*}}, %{{.*}}, %{{.*}}) storage(si4) :
// CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bits(2) :
// CHECK: sparq.lut_matmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) bits(2) :
func.func @drop_zero_bias(%x: tensor<1x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x1xf32>,
                          %i: tensor<4x2xi8>, %cb: tensor<4x4xf32>, %b: tensor<4xf32>,
                          %rp: tensor<5xi32>, %ci: tensor<2xi32>, %v: tensor<2xf32>)
    -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %y = sparq.qmatmul %x, %q, %s bias(%zero) outliers(%rp, %ci, %v) storage(si4)
      : (tensor<1x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<4xf32>, tensor<5xi32>, tensor<2xi32>, tensor<2xf32>) -> tensor<1x4xf32>
  %l = sparq.lut_matmul %x, %i, %cb bias(%zero) bits(2) : (tensor<1x8xf32>, tensor<4x2xi8>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %l2 = sparq.lut_matmul %x, %i, %cb bias(%b) bits(2) : (tensor<1x8xf32>, tensor<4x2xi8>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %y, %l, %l2 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func @smooth_by_ones
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @smooth_by_ones(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %ones = arith.constant dense<1.0> : tensor<4xf32>
  %y = sparq.smooth %x, %ones : tensor<2x4xf32>, tensor<4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @merge_smooths
// CHECK-SAME: (%[[X:.*]]: tensor<2x2xf32>)
// CHECK: %[[S:.*]] = arith.constant dense<[1.000000e+00, 1.200000e+01]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = sparq.smooth %[[X]], %[[S]]
// CHECK-NOT: sparq.smooth
// CHECK: return %[[Y]]
func.func @merge_smooths(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %a = arith.constant dense<[0.5, 4.0]> : tensor<2xf32>
  %b = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %y = sparq.smooth %x, %a : tensor<2x2xf32>, tensor<2xf32>
  %z = sparq.smooth %y, %b : tensor<2x2xf32>, tensor<2xf32>
  return %z : tensor<2x2xf32>
}

// -----

// A smooth by non-constant scales stays.
// CHECK-LABEL: func @keep_smooth
// CHECK: sparq.smooth
// CHECK: sparq.smooth
func.func @keep_smooth(%x: tensor<2x2xf32>, %s: tensor<2xf32>) -> tensor<2x2xf32> {
  %a = arith.constant dense<[0.5, 4.0]> : tensor<2xf32>
  %y = sparq.smooth %x, %s : tensor<2x2xf32>, tensor<2xf32>
  %z = sparq.smooth %y, %a : tensor<2x2xf32>, tensor<2xf32>
  return %z : tensor<2x2xf32>
}
