// RUN: sparq-opt %s -split-input-file --convert-sparq-to-linalg | FileCheck %s
// Numerics of this lowering are checked against NumPy by
// python/tests/test_reference_lowering.py; this file pins its structure.

// CHECK-LABEL: func @unpack_reads_two_bytes
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<4x7xi3>)
// CHECK: linalg.index 1
// CHECK: arith.muli
// CHECK: tensor.extract
// CHECK: tensor.extract
// CHECK: arith.shrui
// CHECK: arith.trunci %{{.*}} : i16 to i3
// CHECK-NOT: sparq.
func.func @unpack_reads_two_bytes(%p: tensor<4x3xi8>) -> tensor<4x7xi3> {
  %0 = sparq.unpack %p : tensor<4x3xi8> -> tensor<4x7xi3>
  return %0 : tensor<4x7xi3>
}

// -----

// CHECK-LABEL: func @unpack_to_quant_type
// CHECK: %[[U:.*]] = linalg.generic
// CHECK: quant.scast %[[U]] : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32, 5.000000e-01>>
func.func @unpack_to_quant_type(%p: tensor<2x2xi8>) -> tensor<2x4x!quant.uniform<i4:f32, 0.5>> {
  %0 = sparq.unpack %p : tensor<2x2xi8> -> tensor<2x4x!quant.uniform<i4:f32, 0.5>>
  return %0 : tensor<2x4x!quant.uniform<i4:f32, 0.5>>
}

// -----

// Group-wise parameters are read through floordiv maps: K = 8, G = 4.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-LABEL: func @dequantize_groupwise
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[GROUP]], #[[GROUP]], #[[ID]]]
// CHECK: arith.extui %{{.*}} : i4 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_groupwise(%p: tensor<2x4xi8>, %s: tensor<2x2xf32>, %z: tensor<2x2xi8>) -> tensor<2x8xf32> {
  %0 = sparq.dequantize %p, %s zero_points(%z) storage(ui4) : (tensor<2x4xi8>, tensor<2x2xf32>, tensor<2x2xi8>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @quantize_then_pack
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x4xi8>)
// CHECK: arith.ori
func.func @quantize_then_pack(%x: tensor<2x8xf32>, %s: tensor<2x1xf32>) -> tensor<2x4xi8> {
  %0 = sparq.quantize %x, %s storage(si4) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

// The reference qmatmul dequantizes, adds the densified outliers, and
// contracts over K with the bias as the initial value.
// CHECK-LABEL: func @qmatmul_with_outliers
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.insert
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: sparq.
func.func @qmatmul_with_outliers(%x: tensor<1x8xf32>, %w: tensor<3x4xi8>, %s: tensor<3x1xf32>, %b: tensor<3xf32>,
                                 %rp: tensor<4xi32>, %ci: tensor<2xi32>, %v: tensor<2xf16>) -> tensor<1x3xf32> {
  %0 = sparq.qmatmul %x, %w, %s bias(%b) outliers(%rp, %ci, %v) storage(si4)
      : (tensor<1x8xf32>, tensor<3x4xi8>, tensor<3x1xf32>, tensor<3xf32>, tensor<4xi32>, tensor<2xi32>, tensor<2xf16>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// The epilogue is one elementwise generic after the contraction: ReLU of
// the sum, then the residual.
// CHECK-LABEL: func @qmatmul_epilogue
// CHECK-SAME: %[[R:[a-zA-Z0-9]+]]: tensor<1x3xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[Y]], %[[R]] : tensor<1x3xf32>, tensor<1x3xf32>)
// CHECK: ^bb0(%[[V:.*]]: f32, %[[RV:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ACT:.*]] = arith.maximumf %[[V]], %{{.*}} : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[ACT]], %[[RV]] : f32
// CHECK: linalg.yield %[[SUM]]
func.func @qmatmul_epilogue(%x: tensor<1x8xf32>, %w: tensor<3x4xi8>, %s: tensor<3x1xf32>, %r: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %0 = sparq.qmatmul %x, %w, %s storage(si4) activation(relu) residual(%r)
      : (tensor<1x8xf32>, tensor<3x4xi8>, tensor<3x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// A gated op lowers as the ungated matmul over all 4 weight rows, then one
// generic over its two halves: silu(gate) * up + residual.
// CHECK-LABEL: func @qmatmul_gated
// CHECK-SAME: %[[R:[a-zA-Z0-9]+]]: tensor<1x2xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x4xf32>)
// CHECK-DAG: %[[G:.*]] = tensor.extract_slice %[[Y]][0, 0] [1, 2] [1, 1] : tensor<1x4xf32> to tensor<1x2xf32>
// CHECK-DAG: %[[U:.*]] = tensor.extract_slice %[[Y]][0, 2] [1, 2] [1, 1] : tensor<1x4xf32> to tensor<1x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[G]], %[[U]], %[[R]] : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>)
// CHECK: ^bb0(%[[GV:.*]]: f32, %[[UV:.*]]: f32, %[[RV:.*]]: f32, %{{.*}}: f32):
// CHECK: math.exp
// CHECK: %[[ACT:.*]] = arith.divf %[[GV]], %{{.*}} : f32
// CHECK: %[[P:.*]] = arith.mulf %[[ACT]], %[[UV]] : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[P]], %[[RV]] : f32
// CHECK: linalg.yield %[[SUM]]
func.func @qmatmul_gated(%x: tensor<1x8xf32>, %w: tensor<4x4xi8>, %s: tensor<4x1xf32>, %r: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %0 = sparq.qmatmul %x, %w, %s storage(si4) activation(silu) gated residual(%r)
      : (tensor<1x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func @int_matmul_rescale
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.mulf
func.func @int_matmul_rescale(%a: tensor<2x8xi8>, %w: tensor<3x8xi8>, %sa: tensor<2x1xf32>, %sw: tensor<3x1xf32>) -> tensor<2x3xf32> {
  %0 = sparq.int_matmul %a, %w scales(%sa, %sw) : (tensor<2x8xi8>, tensor<3x8xi8>, tensor<2x1xf32>, tensor<3x1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @observe_is_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NEXT: return %[[X]]
func.func @observe_is_identity(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = sparq.observe %x name("x") : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// sparq.softmax: the row max of t = select(mask, x * scale, fill), then
// exp(t - max) (t recomputed; no scaled or masked tensor is written), its
// row sums, and the division in place over the exponentials: exp runs once
// per element.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MASK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @softmax_select
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[MASK]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %[[MAX]] :
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[EXP]] :
// CHECK: arith.addf
// CHECK-NOT: math.exp
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[SUM]] : tensor<2x4xf32>) outs(%[[EXP]] : tensor<2x4x4xf32>)
// CHECK: arith.divf
// CHECK: return %[[Y]]
func.func @softmax_select(%x: tensor<2x4x4xf32>, %m: tensor<4x4xi1>) -> tensor<2x4x4xf32> {
  %0 = sparq.softmax %x scale(0.25) mask(%m : tensor<4x4xi1>) fill(-3.40282347E+38) : tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

// An additive mask broadcast along a size-1 dim reads index 0 there.

// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-LABEL: func @softmax_additive
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]
// CHECK: arith.addf
// CHECK: arith.maximumf
func.func @softmax_additive(%x: tensor<2x4x4xf32>, %b: tensor<1x4xf32>) -> tensor<2x4x4xf32> {
  %0 = sparq.softmax %x mask(%b : tensor<1x4xf32>) : tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}
