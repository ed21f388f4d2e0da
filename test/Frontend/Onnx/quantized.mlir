// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul and com.microsoft MatMulNBits.
// RUN: %python %S/Inputs/quantized.py %t

//===----------------------------------------------------------------------===//
// QuantizeLinear: saturate(round_half_even(x / scale) + zero_point)
//===----------------------------------------------------------------------===//

// Per tensor, uint8 (the zero point's type).
// RUN: sparq-import-onnx %t/q_tensor.onnx | FileCheck %s --check-prefix=Q-TENSOR
// Q-TENSOR-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// Q-TENSOR-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// Q-TENSOR-LABEL: func.func @main
// Q-TENSOR-SAME: -> (tensor<2x4xi8> {sparq.name = "y", sparq.unsigned})
// Q-TENSOR: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// Q-TENSOR: %[[Z:.*]] = arith.constant dense<3> : tensor<i8>
// Q-TENSOR: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[SCALAR]], #[[ID]]], {{.*}}} ins(%arg0, %[[S]], %[[Z]] : tensor<2x4xf32>, tensor<f32>, tensor<i8>) outs(%{{.*}} : tensor<2x4xi8>)
// Q-TENSOR: ^bb0(%[[X:.*]]: f32, %[[SS:.*]]: f32, %[[ZZ:.*]]: i8, %{{.*}}: i8):
// Q-TENSOR: %[[ZF:.*]] = arith.uitofp %[[ZZ]] : i8 to f32
// Q-TENSOR: %[[DIV:.*]] = arith.divf %[[X]], %[[SS]] : f32
// Q-TENSOR: %[[ROUND:.*]] = math.roundeven %[[DIV]] : f32
// Q-TENSOR: %[[SHIFT:.*]] = arith.addf %[[ROUND]], %[[ZF]] : f32
// Q-TENSOR: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// Q-TENSOR: %[[MAX:.*]] = arith.maxnumf %[[SHIFT]], %[[LO]] : f32
// Q-TENSOR: %[[HI:.*]] = arith.constant 2.550000e+02 : f32
// Q-TENSOR: %[[MIN:.*]] = arith.minnumf %[[MAX]], %[[HI]] : f32
// Q-TENSOR: %[[I32:.*]] = arith.fptosi %[[MIN]] : f32 to i32
// Q-TENSOR: %[[Q:.*]] = arith.trunci %[[I32]] : i32 to i8
// Q-TENSOR: linalg.yield %[[Q]] : i8

// No zero point: uint8 with zero point 0.
// RUN: sparq-import-onnx %t/q_no_zp.onnx | FileCheck %s --check-prefix=Q-NO-ZP
// Q-NO-ZP-LABEL: func.func @main
// Q-NO-ZP-SAME: -> (tensor<2x4xi8> {sparq.name = "y", sparq.unsigned})
// Q-NO-ZP: ins(%arg0, %{{.*}} : tensor<2x4xf32>, tensor<f32>)
// Q-NO-ZP-NOT: arith.addf
// Q-NO-ZP: arith.constant 2.550000e+02 : f32

// Per axis: the parameters are read at the element's channel; int8 range.
// RUN: sparq-import-onnx %t/q_axis.onnx | FileCheck %s --check-prefix=Q-AXIS
// Q-AXIS-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// Q-AXIS-LABEL: func.func @main
// Q-AXIS-SAME: -> (tensor<2x3x4xi8> {sparq.name = "y"})
// Q-AXIS: linalg.generic {indexing_maps = [#{{.*}}, #[[CHANNEL]], #[[CHANNEL]], #{{.*}}], {{.*}}} ins(%arg0, %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xi8>)
// Q-AXIS: arith.sitofp %{{.*}} : i8 to f32
// Q-AXIS: arith.constant -1.280000e+02 : f32
// Q-AXIS: arith.constant 1.270000e+02 : f32

// Blocked (opset 21) into int4: the block index is a floordiv.
// RUN: sparq-import-onnx %t/q_blocked_i4.onnx | FileCheck %s --check-prefix=Q-BLOCKED
// Q-BLOCKED-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// Q-BLOCKED-LABEL: func.func @main
// Q-BLOCKED-SAME: -> (tensor<2x8xi4> {sparq.name = "y"})
// Q-BLOCKED: %[[Z:.*]] = sparq.unpack %{{.*}} : tensor<2x1xi8> -> tensor<2x2xi4>
// Q-BLOCKED: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #[[BLOCK]], #{{.*}}], {{.*}}} ins(%arg0, %{{.*}}, %[[Z]] : tensor<2x8xf32>, tensor<2x2xf32>, tensor<2x2xi4>) outs(%{{.*}} : tensor<2x8xi4>)
// Q-BLOCKED: arith.sitofp %{{.*}} : i4 to f32
// Q-BLOCKED: arith.constant -8.000000e+00 : f32
// Q-BLOCKED: arith.constant 7.000000e+00 : f32
// Q-BLOCKED: arith.trunci %{{.*}} : i32 to i4

// output_dtype picks the type when there is no zero point.
// RUN: sparq-import-onnx %t/q_output_dtype.onnx | FileCheck %s --check-prefix=Q-DTYPE
// Q-DTYPE-LABEL: func.func @main
// Q-DTYPE-SAME: -> (tensor<2x4xi8> {sparq.name = "y"})
// Q-DTYPE: arith.constant -1.280000e+02 : f32

// f16 inputs are divided in f32.
// RUN: sparq-import-onnx %t/q_f16.onnx | FileCheck %s --check-prefix=Q-F16
// Q-F16: ^bb0(%[[X:.*]]: f16, %[[S:.*]]: f16, %{{.*}}: i8):
// Q-F16: %[[XF:.*]] = arith.extf %[[X]] : f16 to f32
// Q-F16: %[[SF:.*]] = arith.extf %[[S]] : f16 to f32
// Q-F16: arith.divf %[[XF]], %[[SF]] : f32

// uint4 with a one-element 1-D scale (per tensor).
// RUN: sparq-import-onnx %t/q_u4_tensor.onnx | FileCheck %s --check-prefix=Q-U4
// Q-U4-LABEL: func.func @main
// Q-U4-SAME: -> (tensor<2x4xi4> {sparq.name = "y", sparq.unsigned})
// Q-U4: ins(%arg0, %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<f32>, tensor<i4>)
// Q-U4: arith.uitofp %{{.*}} : i4 to f32
// Q-U4: arith.constant 1.500000e+01 : f32

// int32 inputs are converted to f32 first.
// RUN: sparq-import-onnx %t/q_i32.onnx | FileCheck %s --check-prefix=Q-I32
// Q-I32: ^bb0(%[[X:.*]]: i32, %[[S:.*]]: f32, %{{.*}}: i8, %{{.*}}: i8):
// Q-I32: %[[XF:.*]] = arith.sitofp %[[X]] : i32 to f32
// Q-I32: arith.divf %[[XF]], %[[S]] : f32

// QuantizeLinear errors.
// RUN: not sparq-import-onnx %t/q_bad_x.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-X
// Q-BAD-X: node 'quantizelinear' (QuantizeLinear): x must be FLOAT, FLOAT16, BFLOAT16 or INT32, got INT8
// RUN: not sparq-import-onnx %t/q_bad_scale_type.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-SCALE-TYPE
// Q-BAD-SCALE-TYPE: node 'quantizelinear' (QuantizeLinear): y_scale must be FLOAT, FLOAT16 or BFLOAT16, got DOUBLE
// RUN: not sparq-import-onnx %t/q_bad_axis.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-AXIS
// Q-BAD-AXIS: node 'quantizelinear' (QuantizeLinear): axis 2 is out of range for rank 2
// RUN: not sparq-import-onnx %t/q_bad_axis_len.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-AXIS-LEN
// Q-BAD-AXIS-LEN: node 'quantizelinear' (QuantizeLinear): y_scale has 5 elements but x dim 1 (axis 1) has 4
// RUN: not sparq-import-onnx %t/q_bad_scale_rank.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-SCALE-RANK
// Q-BAD-SCALE-RANK: node 'quantizelinear' (QuantizeLinear): y_scale must be a scalar or a 1-D tensor (per axis), got shape [2, 4]; blocked quantization needs block_size (opset 21)
// RUN: not sparq-import-onnx %t/q_bad_block_shape.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-BLOCK-SHAPE
// Q-BAD-BLOCK-SHAPE: node 'quantizelinear' (QuantizeLinear): y_scale shape [2, 3] does not match x shape [2, 4] blocked by 2 along axis 1: expected [2, 2]
// RUN: not sparq-import-onnx %t/q_bad_block_size.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-BLOCK-SIZE
// Q-BAD-BLOCK-SIZE: node 'quantizelinear' (QuantizeLinear): block_size must be >= 0, got -2
// RUN: not sparq-import-onnx %t/q_bad_zp_shape.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-ZP-SHAPE
// Q-BAD-ZP-SHAPE: node 'quantizelinear' (QuantizeLinear): y_zero_point shape [2] differs from y_scale shape [4]
// RUN: not sparq-import-onnx %t/q_bad_output_dtype.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-OUTPUT-DTYPE
// Q-BAD-OUTPUT-DTYPE: node 'quantizelinear' (QuantizeLinear): output_dtype INT8 disagrees with y_zero_point's type UINT8
// RUN: not sparq-import-onnx %t/q_bad_qtype.onnx 2>&1 | FileCheck %s --check-prefix=Q-BAD-QTYPE
// Q-BAD-QTYPE: node 'quantizelinear' (QuantizeLinear): quantized type INT32 is not supported (INT8, UINT8, INT16, UINT16, INT4 or UINT4)

//===----------------------------------------------------------------------===//
// DequantizeLinear of constant weights: sparq.dequantize on packed storage
//===----------------------------------------------------------------------===//

// int8 per axis: the constant is its own packed form; the parameters get the
// weight's rank with the channel dim kept.
// RUN: sparq-import-onnx %t/dq_const_axis_i8.onnx | FileCheck %s --check-prefix=DQ-AXIS-I8
// DQ-AXIS-I8-LABEL: func.func @main
// DQ-AXIS-I8: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x8xi8>
// DQ-AXIS-I8: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01], [1.000000e+00], [2.000000e+00]]> : tensor<4x1xf32>
// DQ-AXIS-I8: %[[Z:.*]] = arith.constant dense<{{\[}}[0], [1], [-1], [2]]> : tensor<4x1xi8>
// DQ-AXIS-I8: %[[Y:.*]] = sparq.dequantize %[[W]], %[[S]] zero_points(%[[Z]]) storage(si8) : (tensor<4x8xi8>, tensor<4x1xf32>, tensor<4x1xi8>) -> tensor<4x8xf32>
// DQ-AXIS-I8: return %[[Y]]

// uint8 per tensor: [1, 1] parameters, zero point 128 kept as its bits.
// RUN: sparq-import-onnx %t/dq_const_tensor_u8.onnx | FileCheck %s --check-prefix=DQ-TENSOR-U8
// DQ-TENSOR-U8: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<1x1xf32>
// DQ-TENSOR-U8: %[[Z:.*]] = arith.constant dense<-128> : tensor<1x1xi8>
// DQ-TENSOR-U8: sparq.dequantize %{{.*}}, %[[S]] zero_points(%[[Z]]) storage(ui8) : (tensor<4x8xi8>, tensor<1x1xf32>, tensor<1x1xi8>) -> tensor<4x8xf32>

// int4 blocked: the packed initializer is used as is; int4 zero points widen
// to i8 at import.
// RUN: sparq-import-onnx %t/dq_const_blocked_i4.onnx | FileCheck %s --check-prefix=DQ-BLOCKED-I4
// DQ-BLOCKED-I4: %[[P:.*]] = arith.constant dense<{{.*}}> : tensor<4x4xi8>
// DQ-BLOCKED-I4: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<4x2xf32>
// DQ-BLOCKED-I4: %[[Z:.*]] = arith.constant dense<{{\[}}[0, 1], [-1, 2], [3, -8], [7, 0]]> : tensor<4x2xi8>
// DQ-BLOCKED-I4: sparq.dequantize %[[P]], %[[S]] zero_points(%[[Z]]) storage(si4) : (tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x8xf32>

// uint4 per axis along the last dim, no zero point.
// RUN: sparq-import-onnx %t/dq_const_axis_u4.onnx | FileCheck %s --check-prefix=DQ-AXIS-U4
// DQ-AXIS-U4: %[[P:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xi8>
// DQ-AXIS-U4: %[[S:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<1x6xf32>
// DQ-AXIS-U4: sparq.dequantize %[[P]], %[[S]] storage(ui4) : (tensor<4x3xi8>, tensor<1x6xf32>) -> tensor<4x6xf32>

// Blocks along axis 0.
// RUN: sparq-import-onnx %t/dq_const_blocked_axis0.onnx | FileCheck %s --check-prefix=DQ-AXIS0
// DQ-AXIS0: sparq.dequantize %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui8) : (tensor<8x4xi8>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<8x4xf32>

// block_size 4 does not divide 10: parameters repeat over blocks of
// gcd(4, 10) = 2, folded at import for constants...
// RUN: sparq-import-onnx %t/dq_const_ragged.onnx | FileCheck %s --check-prefix=DQ-RAGGED
// DQ-RAGGED: %[[S:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 4.000000e+00, 5.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x5xf32>
// DQ-RAGGED: %[[Z:.*]] = arith.constant dense<{{\[}}[1, 1, 2, 2, 3], [4, 4, 5, 5, 6]]> : tensor<2x5xi8>
// DQ-RAGGED: sparq.dequantize %{{.*}}, %[[S]] zero_points(%[[Z]]) storage(si8) : (tensor<2x10xi8>, tensor<2x5xf32>, tensor<2x5xi8>) -> tensor<2x10xf32>

// ...and by a linalg.generic for scales computed in the graph.
// RUN: sparq-import-onnx %t/dq_const_ragged_input.onnx | FileCheck %s --check-prefix=DQ-RAGGED-IN
// DQ-RAGGED-IN-DAG: #[[EXPAND:.*]] = affine_map<(d0, d1) -> (d0, (d1 * 2) floordiv 4)>
// DQ-RAGGED-IN-LABEL: func.func @main
// DQ-RAGGED-IN: %[[S:.*]] = linalg.generic {indexing_maps = [#[[EXPAND]], #{{.*}}], {{.*}}} ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x5xf32>)
// DQ-RAGGED-IN: sparq.dequantize %{{.*}}, %[[S]] storage(si8) : (tensor<2x10xi8>, tensor<2x5xf32>) -> tensor<2x10xf32>

// Large weights stay dense_resource blobs; f16 scales give an f16 result.
// RUN: sparq-import-onnx %t/dq_const_large.onnx | FileCheck %s --check-prefix=DQ-LARGE
// DQ-LARGE: %[[W:.*]] = arith.constant dense_resource<w> : tensor<64x32xi8>
// DQ-LARGE: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<64x1xf16>
// DQ-LARGE: sparq.dequantize %[[W]], %[[S]] storage(si8) : (tensor<64x32xi8>, tensor<64x1xf16>) -> tensor<64x32xf16>

// A scalar constant cannot be packed: elementwise IR.
// RUN: sparq-import-onnx %t/dq_const_scalar.onnx | FileCheck %s --check-prefix=DQ-SCALAR
// DQ-SCALAR-NOT: sparq.dequantize
// DQ-SCALAR: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<i8>, tensor<f32>) outs(%{{.*}} : tensor<f32>)

//===----------------------------------------------------------------------===//
// DequantizeLinear of activations: (x - zero_point) * scale elementwise
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/dq_act_i8.onnx | FileCheck %s --check-prefix=DQ-ACT-I8
// DQ-ACT-I8-LABEL: func.func @main
// DQ-ACT-I8-NOT: sparq.dequantize
// DQ-ACT-I8: linalg.generic {{.*}} ins(%arg0, %{{.*}}, %{{.*}} : tensor<2x4xi8>, tensor<f32>, tensor<i8>) outs(%{{.*}} : tensor<2x4xf32>)
// DQ-ACT-I8: ^bb0(%[[X:.*]]: i8, %[[S:.*]]: f32, %[[Z:.*]]: i8, %{{.*}}: f32):
// DQ-ACT-I8: %[[XI:.*]] = arith.extsi %[[X]] : i8 to i32
// DQ-ACT-I8: %[[ZI:.*]] = arith.extsi %[[Z]] : i8 to i32
// DQ-ACT-I8: %[[D:.*]] = arith.subi %[[XI]], %[[ZI]] : i32
// DQ-ACT-I8: %[[DF:.*]] = arith.sitofp %[[D]] : i32 to f32
// DQ-ACT-I8: %[[Y:.*]] = arith.mulf %[[DF]], %[[S]] : f32
// DQ-ACT-I8: linalg.yield %[[Y]] : f32

// Per axis (negative axis), unsigned.
// RUN: sparq-import-onnx %t/dq_act_axis_u8.onnx | FileCheck %s --check-prefix=DQ-ACT-AXIS
// DQ-ACT-AXIS-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// DQ-ACT-AXIS-LABEL: func.func @main
// DQ-ACT-AXIS: linalg.generic {indexing_maps = [#{{.*}}, #[[CHANNEL]], #[[CHANNEL]], #{{.*}}], {{.*}}} ins(%arg0, %{{.*}}, %{{.*}} : tensor<2x3x4xi8>, tensor<3xf32>, tensor<3xi8>)
// DQ-ACT-AXIS: arith.extui %{{.*}} : i8 to i32
// DQ-ACT-AXIS: arith.extui %{{.*}} : i8 to i32

// Blocked int4 activations with f16 scales.
// RUN: sparq-import-onnx %t/dq_act_blocked_i4.onnx | FileCheck %s --check-prefix=DQ-ACT-I4
// DQ-ACT-I4-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// DQ-ACT-I4-LABEL: func.func @main
// DQ-ACT-I4-SAME: -> (tensor<2x8xf16> {sparq.name = "y"})
// DQ-ACT-I4: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #{{.*}}], {{.*}}} ins(%arg0, %{{.*}} : tensor<2x8xi4>, tensor<2x2xf16>)
// DQ-ACT-I4: arith.extsi %{{.*}} : i4 to i32
// DQ-ACT-I4: arith.sitofp %{{.*}} : i32 to f16
// DQ-ACT-I4: arith.mulf %{{.*}}, %{{.*}} : f16

// int32 (no zero point).
// RUN: sparq-import-onnx %t/dq_act_i32.onnx | FileCheck %s --check-prefix=DQ-ACT-I32
// DQ-ACT-I32: ^bb0(%[[X:.*]]: i32, %[[S:.*]]: f32, %{{.*}}: f32):
// DQ-ACT-I32-NEXT: %[[XF:.*]] = arith.sitofp %[[X]] : i32 to f32
// DQ-ACT-I32-NEXT: arith.mulf %[[XF]], %[[S]] : f32

// DequantizeLinear errors.
// RUN: not sparq-import-onnx %t/dq_bad_missing.onnx 2>&1 | FileCheck %s --check-prefix=DQ-BAD-MISSING
// DQ-BAD-MISSING: node 'dequantizelinear' (DequantizeLinear): has 1 input; DequantizeLinear takes at least 2
// RUN: not sparq-import-onnx %t/dq_bad_x.onnx 2>&1 | FileCheck %s --check-prefix=DQ-BAD-X
// DQ-BAD-X: node 'dequantizelinear' (DequantizeLinear): x must be INT8, UINT8, INT16, UINT16, INT4, UINT4 or INT32, got FLOAT
// RUN: not sparq-import-onnx %t/dq_bad_zp_type.onnx 2>&1 | FileCheck %s --check-prefix=DQ-BAD-ZP-TYPE
// DQ-BAD-ZP-TYPE: node 'dequantizelinear' (DequantizeLinear): x_zero_point is UINT8 but x is INT8
// RUN: not sparq-import-onnx %t/dq_bad_axis_len.onnx 2>&1 | FileCheck %s --check-prefix=DQ-BAD-AXIS-LEN
// DQ-BAD-AXIS-LEN: node 'dequantizelinear' (DequantizeLinear): x_scale has 3 elements but x dim 0 (axis 0) has 2

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/dql.onnx | FileCheck %s --check-prefix=DQL
// DQL-LABEL: func.func @main
// DQL-SAME: -> (tensor<2x3xi8> {sparq.name = "y", sparq.unsigned}, tensor<f32> {sparq.name = "y_scale"}, tensor<i8> {sparq.name = "y_zero_point", sparq.unsigned})
// DQL: %[[MIN:.*]] = linalg.reduce { arith.minimumf } ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// DQL: %[[MAX:.*]] = linalg.reduce { arith.maximumf } ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// DQL: %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[MIN]], %[[MAX]] : tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<f32>)
// DQL: arith.subf
// DQL: arith.constant 2.550000e+02 : f32
// DQL: arith.divf
// DQL: %[[ZP:.*]] = linalg.generic {{.*}} ins(%[[MIN]], %[[SCALE]] : tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<f32>)
// DQL: arith.negf
// DQL: arith.maxnumf
// DQL: arith.minnumf
// DQL: math.roundeven
// DQL: %[[Y:.*]] = linalg.generic {{.*}} ins(%arg0, %[[SCALE]], %[[ZP]] : tensor<2x3xf32>, tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<2x3xi8>)
// DQL: math.roundeven
// DQL: %[[ZP8:.*]] = linalg.generic {{.*}} ins(%[[ZP]] : tensor<f32>) outs(%{{.*}} : tensor<i8>)
// DQL: return %[[Y]], %[[SCALE]], %[[ZP8]] : tensor<2x3xi8>, tensor<f32>, tensor<i8>

// RUN: not sparq-import-onnx %t/dql_bad.onnx 2>&1 | FileCheck %s --check-prefix=DQL-BAD
// DQL-BAD: node 'dynamicquantizelinear' (DynamicQuantizeLinear): x must be FLOAT, got FLOAT16

//===----------------------------------------------------------------------===//
// MatMulInteger: int32 sum((a - a_zero_point) * (b - b_zero_point))
//===----------------------------------------------------------------------===//

// uint8 x int8 with a scalar and a per-column zero point.
// RUN: sparq-import-onnx %t/mmi.onnx | FileCheck %s --check-prefix=MMI
// MMI-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// MMI-DAG: #[[COLUMN:.*]] = affine_map<(d0, d1) -> (d1)>
// MMI-LABEL: func.func @main
// MMI-SAME: -> (tensor<2x4xi32> {sparq.name = "y"})
// MMI: %[[B:.*]] = arith.constant dense<{{.*}}> : tensor<3x4xi8>
// MMI: %[[A:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}], {{.*}}} ins(%arg0, %{{.*}} : tensor<2x3xi8>, tensor<i8>) outs(%{{.*}} : tensor<2x3xi32>)
// MMI: arith.extui %{{.*}} : i8 to i32
// MMI: arith.extui %{{.*}} : i8 to i32
// MMI: arith.subi
// MMI: %[[BS:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[COLUMN]], #{{.*}}], {{.*}}} ins(%[[B]], %{{.*}} : tensor<3x4xi8>, tensor<4xi8>) outs(%{{.*}} : tensor<3x4xi32>)
// MMI: arith.extsi %{{.*}} : i8 to i32
// MMI: arith.extsi %{{.*}} : i8 to i32
// MMI: arith.subi
// MMI: %[[Y:.*]] = linalg.matmul ins(%[[A]], %[[BS]] : tensor<2x3xi32>, tensor<3x4xi32>) outs(%{{.*}} : tensor<2x4xi32>)
// MMI: return %[[Y]]

// Batched, per-row zero point of A ([M] read as [M, 1]).
// RUN: sparq-import-onnx %t/mmi_batched.onnx | FileCheck %s --check-prefix=MMI-BATCHED
// MMI-BATCHED-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// MMI-BATCHED-LABEL: func.func @main
// MMI-BATCHED: %[[ZA:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xi8> into tensor<3x1xi8>
// MMI-BATCHED: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #{{.*}}], {{.*}}} ins(%arg0, %[[ZA]] : tensor<2x3x5xi8>, tensor<3x1xi8>) outs(%{{.*}} : tensor<2x3x5xi32>)
// MMI-BATCHED: linalg.generic {{.*}} ins(%arg1 : tensor<2x5x4xi8>) outs(%{{.*}} : tensor<2x5x4xi32>)
// MMI-BATCHED: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x3x5xi32>, tensor<2x5x4xi32>) outs(%{{.*}} : tensor<2x3x4xi32>)

// Only B's zero point.
// RUN: sparq-import-onnx %t/mmi_b_zp_only.onnx | FileCheck %s --check-prefix=MMI-B-ZP
// MMI-B-ZP: linalg.generic {{.*}} ins(%arg0 : tensor<2x3xi8>) outs(%{{.*}} : tensor<2x3xi32>)
// MMI-B-ZP-NEXT: ^bb0
// MMI-B-ZP-NEXT: arith.extsi
// MMI-B-ZP-NEXT: linalg.yield
// MMI-B-ZP: linalg.generic {{.*}} ins(%arg1, %{{.*}} : tensor<3x4xi8>, tensor<i8>) outs(%{{.*}} : tensor<3x4xi32>)
// MMI-B-ZP: arith.extui
// MMI-B-ZP: linalg.matmul

// MatMulInteger errors.
// RUN: not sparq-import-onnx %t/mmi_bad_type.onnx 2>&1 | FileCheck %s --check-prefix=MMI-BAD-TYPE
// MMI-BAD-TYPE: node 'matmulinteger' (MatMulInteger): A must be INT8 or UINT8, got INT32
// RUN: not sparq-import-onnx %t/mmi_bad_zp_type.onnx 2>&1 | FileCheck %s --check-prefix=MMI-BAD-ZP-TYPE
// MMI-BAD-ZP-TYPE: node 'matmulinteger' (MatMulInteger): a_zero_point is INT8 but A is UINT8
// RUN: not sparq-import-onnx %t/mmi_bad_zp_shape.onnx 2>&1 | FileCheck %s --check-prefix=MMI-BAD-ZP-SHAPE
// MMI-BAD-ZP-SHAPE: node 'matmulinteger' (MatMulInteger): a_zero_point must be a scalar (per tensor) or per row of A [2, 3]: [M] = [2] or [..., M, 1]; got [3]
// RUN: not sparq-import-onnx %t/mmi_bad_k.onnx 2>&1 | FileCheck %s --check-prefix=MMI-BAD-K
// MMI-BAD-K: node 'matmulinteger' (MatMulInteger): inner dimensions differ: A [2, 3] has K = 3 but B [5, 4] has 5 rows

//===----------------------------------------------------------------------===//
// QLinearMatMul: integer product, requantized with a*b/y scales
//===----------------------------------------------------------------------===//

// Per-tensor a, per-column b, uint8 output.
// RUN: sparq-import-onnx %t/qlmm.onnx | FileCheck %s --check-prefix=QLMM
// QLMM-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// QLMM-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// QLMM-DAG: #[[COLUMN:.*]] = affine_map<(d0, d1) -> (d1)>
// QLMM-LABEL: func.func @main
// QLMM-SAME: -> (tensor<2x4xi8> {sparq.name = "y", sparq.unsigned})
// QLMM: %[[ACC:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x4xi32>)
// QLMM: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[COLUMN]], #[[SCALAR]], #[[SCALAR]], #[[ID]]], {{.*}}} ins(%[[ACC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4xi32>, tensor<f32>, tensor<4xf32>, tensor<f32>, tensor<i8>) outs(%{{.*}} : tensor<2x4xi8>)
// QLMM: ^bb0(%[[P:.*]]: i32, %[[SA:.*]]: f32, %[[SB:.*]]: f32, %[[SY:.*]]: f32, %[[ZY:.*]]: i8, %{{.*}}: i8):
// QLMM: %[[SAB:.*]] = arith.mulf %[[SA]], %[[SB]] : f32
// QLMM: %[[MULT:.*]] = arith.divf %[[SAB]], %[[SY]] : f32
// QLMM: %[[PF:.*]] = arith.sitofp %[[P]] : i32 to f32
// QLMM: %[[SCALED:.*]] = arith.mulf %[[PF]], %[[MULT]] : f32
// QLMM: %[[ROUND:.*]] = math.roundeven %[[SCALED]] : f32
// QLMM: %[[ZYF:.*]] = arith.uitofp %[[ZY]] : i8 to f32
// QLMM: arith.addf %[[ROUND]], %[[ZYF]] : f32
// QLMM: arith.constant 2.550000e+02 : f32

// Batched a with per-row scales (opset 21), int8 output.
// RUN: sparq-import-onnx %t/qlmm_rows.onnx | FileCheck %s --check-prefix=QLMM-ROWS
// QLMM-ROWS-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// QLMM-ROWS-LABEL: func.func @main
// QLMM-ROWS-SAME: -> (tensor<2x2x4xi8> {sparq.name = "y"})
// QLMM-ROWS: %[[ACC:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [2, 2, 4] : tensor<4x4xi32> into tensor<2x2x4xi32>
// QLMM-ROWS: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], {{.*}}} ins(%[[ACC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x2x4xi32>, tensor<2x1xf32>, tensor<f32>, tensor<f32>, tensor<i8>) outs(%{{.*}} : tensor<2x2x4xi8>)
// QLMM-ROWS: arith.constant -1.280000e+02 : f32

// 1-D a: requantized in the promoted [1, N] shape, then collapsed.
// RUN: sparq-import-onnx %t/qlmm_1d.onnx | FileCheck %s --check-prefix=QLMM-1D
// QLMM-1D: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x3xi32>, tensor<3x4xi32>)
// QLMM-1D: %[[Q:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4xi8>)
// QLMM-1D: %[[Y:.*]] = tensor.collapse_shape %[[Q]] {{\[}}[0, 1]] : tensor<1x4xi8> into tensor<4xi8>
// QLMM-1D: return %[[Y]]

// QLinearMatMul errors.
// RUN: not sparq-import-onnx %t/qlmm_bad_missing.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-MISSING
// QLMM-BAD-MISSING: node 'qlinearmatmul' (QLinearMatMul): has 7 inputs; QLinearMatMul takes at least 8
// RUN: not sparq-import-onnx %t/qlmm_bad_y_scale.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-Y-SCALE
// QLMM-BAD-Y-SCALE: node 'qlinearmatmul' (QLinearMatMul): y_scale must be a scalar (per tensor), got shape [2]
// RUN: not sparq-import-onnx %t/qlmm_bad_y_zp.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-Y-ZP
// QLMM-BAD-Y-ZP: node 'qlinearmatmul' (QLinearMatMul): y_zero_point must be INT8 or UINT8, got INT32
// RUN: not sparq-import-onnx %t/qlmm_bad_zp_shape.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-ZP-SHAPE
// QLMM-BAD-ZP-SHAPE: node 'qlinearmatmul' (QLinearMatMul): a_zero_point shape [] differs from a_scale shape [2]
// RUN: not sparq-import-onnx %t/qlmm_bad_column.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-COLUMN
// QLMM-BAD-COLUMN: node 'qlinearmatmul' (QLinearMatMul): b_zero_point must be a scalar (per tensor) or per column of b [3, 4]: [N] = [4] or [..., 1, N]; got [3]
// RUN: not sparq-import-onnx %t/qlmm_bad_1d.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-1D
// QLMM-BAD-1D: node 'qlinearmatmul' (QLinearMatMul): a_zero_point must be a scalar because a is 1-D, got [3]
// RUN: not sparq-import-onnx %t/qlmm_bad_a.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-A
// QLMM-BAD-A: node 'qlinearmatmul' (QLinearMatMul): a must be INT8 or UINT8, got INT32
// RUN: not sparq-import-onnx %t/qlmm_bad_scale_type.onnx 2>&1 | FileCheck %s --check-prefix=QLMM-BAD-SCALE-TYPE
// QLMM-BAD-SCALE-TYPE: node 'qlinearmatmul' (QLinearMatMul): a_scale must be FLOAT, FLOAT16 or BFLOAT16, got DOUBLE

//===----------------------------------------------------------------------===//
// com.microsoft MatMulNBits: sparq.qmatmul on B's rows as packed [N, K]
//===----------------------------------------------------------------------===//

// 4 bits with packed zero points, unpacked at import (0x21 -> [1, 2], ...).
// RUN: sparq-import-onnx %t/nbits4_zp.onnx | FileCheck %s --check-prefix=NBITS4-ZP
// NBITS4-ZP-LABEL: func.func @main
// NBITS4-ZP: %[[Z:.*]] = arith.constant dense<{{\[}}[1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
// NBITS4-ZP: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x16xi8>
// NBITS4-ZP: %[[S:.*]] = arith.constant dense<{{\[}}[1.250000e-01, 2.500000e-01], [3.750000e-01, 5.000000e-01], [6.250000e-01, 7.500000e-01], [8.750000e-01, 1.000000e+00]]> : tensor<4x2xf32>
// NBITS4-ZP: %[[Y:.*]] = sparq.qmatmul %arg0, %[[W]], %[[S]] zero_points(%[[Z]]) storage(ui4) : (tensor<2x32xf32>, tensor<4x16xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<2x4xf32>
// NBITS4-ZP: return %[[Y]]

// No zero points: the midpoint 8; a 3-D A keeps its leading dims.
// RUN: sparq-import-onnx %t/nbits4.onnx | FileCheck %s --check-prefix=NBITS4
// NBITS4: %[[Z:.*]] = arith.constant dense<8> : tensor<4x2xi8>
// NBITS4: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui4) : (tensor<1x3x32xf32>, tensor<4x16xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<1x3x4xf32>

// Float zero points are reshaped to [N, k_blocks].
// RUN: sparq-import-onnx %t/nbits4_float_zp.onnx | FileCheck %s --check-prefix=NBITS4-FZP
// NBITS4-FZP: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%{{.*}}) storage(ui4) : (tensor<2x32xf32>, tensor<4x16xi8>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<2x4xf32>

// Three blocks a row: two zero-point bytes per row, the last nibble unused.
// RUN: sparq-import-onnx %t/nbits4_odd_blocks.onnx | FileCheck %s --check-prefix=NBITS4-ODD
// NBITS4-ODD: %[[Z:.*]] = arith.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
// NBITS4-ODD: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui4) : (tensor<2x48xf32>, tensor<2x24xi8>, tensor<2x3xf32>, tensor<2x3xi8>) -> tensor<2x2xf32>

// Zero points computed in the graph are unpacked in IR.
// RUN: sparq-import-onnx %t/nbits4_zp_input.onnx | FileCheck %s --check-prefix=NBITS4-ZP-IN
// NBITS4-ZP-IN: %[[P:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1]] output_shape [4, 1] : tensor<4xi8> into tensor<4x1xi8>
// NBITS4-ZP-IN: %[[U:.*]] = sparq.unpack %[[P]] : tensor<4x1xi8> -> tensor<4x2xi4>
// NBITS4-ZP-IN: %[[Z:.*]] = linalg.generic {{.*}} ins(%[[U]] : tensor<4x2xi4>) outs(%{{.*}} : tensor<4x2xi8>)
// NBITS4-ZP-IN: arith.extui %{{.*}} : i4 to i8
// NBITS4-ZP-IN: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui4)

// 8 bits: zero points are bytes already; without them, 128.
// RUN: sparq-import-onnx %t/nbits8.onnx | FileCheck %s --check-prefix=NBITS8
// NBITS8: %[[Z:.*]] = arith.constant dense<{{\[}}[120, 121], [122, 123], [124, 125], [126, 127]]> : tensor<4x2xi8>
// NBITS8: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui8) : (tensor<2x32xf32>, tensor<4x32xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<2x4xf32>
// RUN: sparq-import-onnx %t/nbits8_no_zp.onnx | FileCheck %s --check-prefix=NBITS8-NO-ZP
// NBITS8-NO-ZP: %[[Z:.*]] = arith.constant dense<-128> : tensor<4x2xi8>
// NBITS8-NO-ZP: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui8)

// 2 bits.
// RUN: sparq-import-onnx %t/nbits2.onnx | FileCheck %s --check-prefix=NBITS2
// NBITS2: %[[Z:.*]] = arith.constant dense<{{\[}}[1, 2], [2, 1], [3, 3], [0, 0]]> : tensor<4x2xi8>
// NBITS2: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui2) : (tensor<2x32xf32>, tensor<4x8xi8>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<2x4xf32>

// f16 with a bias.
// RUN: sparq-import-onnx %t/nbits4_f16_bias.onnx | FileCheck %s --check-prefix=NBITS-BIAS
// NBITS-BIAS: %[[B:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf16>
// NBITS-BIAS: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} zero_points(%{{.*}}) bias(%[[B]]) storage(ui4) : (tensor<2x32xf16>, tensor<4x16xi8>, tensor<4x2xf16>, tensor<4x2xi8>, tensor<4xf16>) -> tensor<2x4xf16>

// Large weights: B and scales reshape their blobs; many zero points unpack
// into a blob of their own.
// RUN: sparq-import-onnx %t/nbits4_large_zp.onnx | FileCheck %s --check-prefix=NBITS-LARGE
// NBITS-LARGE: %[[B:.*]] = arith.constant dense_resource<b> : tensor<128x16x8xi8>
// NBITS-LARGE: %[[S:.*]] = arith.constant dense_resource<scales> : tensor<2048xf32>
// NBITS-LARGE: %[[Z:.*]] = arith.constant dense_resource<matmulnbits_zero_points> : tensor<128x16xi8>
// NBITS-LARGE: %[[W:.*]] = tensor.collapse_shape %[[B]] {{\[}}[0], [1, 2]] : tensor<128x16x8xi8> into tensor<128x128xi8>
// NBITS-LARGE: %[[S2:.*]] = tensor.expand_shape %[[S]] {{\[}}[0, 1]] output_shape [128, 16] : tensor<2048xf32> into tensor<128x16xf32>
// NBITS-LARGE: sparq.qmatmul %arg0, %[[W]], %[[S2]] zero_points(%[[Z]]) storage(ui4) : (tensor<1x256xf32>, tensor<128x128xi8>, tensor<128x16xf32>, tensor<128x16xi8>) -> tensor<1x128xf32>
// NBITS-LARGE: matmulnbits_zero_points: "0x0100000000000100020003000400050006000700080009000A000B000C000D000E000F00

// MatMulNBits errors.
// RUN: not sparq-import-onnx %t/nbits_bad_bits.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-BITS
// NBITS-BAD-BITS: node 'matmulnbits' (MatMulNBits): bits 3 is not supported (2, 4 or 8)
// RUN: not sparq-import-onnx %t/nbits_bad_k_block.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-K-BLOCK
// NBITS-BAD-K-BLOCK: node 'matmulnbits' (MatMulNBits): K 40 is not a multiple of block_size 16; sparq needs whole blocks
// RUN: not sparq-import-onnx %t/nbits_bad_no_k.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-NO-K
// NBITS-BAD-NO-K: node 'matmulnbits' (MatMulNBits): attribute 'K' is required
// RUN: not sparq-import-onnx %t/nbits_bad_n.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-N
// NBITS-BAD-N: node 'matmulnbits' (MatMulNBits): attribute 'N' must be positive, got 0
// RUN: not sparq-import-onnx %t/nbits_bad_block_bytes.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-BLOCK-BYTES
// NBITS-BAD-BLOCK-BYTES: node 'matmulnbits' (MatMulNBits): block_size 3 does not fill whole bytes at 4 bits
// RUN: not sparq-import-onnx %t/nbits_bad_a_k.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-A-K
// NBITS-BAD-A-K: node 'matmulnbits' (MatMulNBits): A [2, 16] must have K = 32 as its last dim
// RUN: not sparq-import-onnx %t/nbits_bad_a_type.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-A-TYPE
// NBITS-BAD-A-TYPE: node 'matmulnbits' (MatMulNBits): A must be FLOAT, FLOAT16 or BFLOAT16, got DOUBLE
// RUN: not sparq-import-onnx %t/nbits_bad_b_shape.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-B-SHAPE
// NBITS-BAD-B-SHAPE: node 'matmulnbits' (MatMulNBits): B must have shape [N, k_blocks, blob_size] = [4, 2, 8], got [4, 16]
// RUN: not sparq-import-onnx %t/nbits_bad_b_type.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-B-TYPE
// NBITS-BAD-B-TYPE: node 'matmulnbits' (MatMulNBits): B must be UINT8, got INT8
// RUN: not sparq-import-onnx %t/nbits_bad_scales.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-SCALES
// NBITS-BAD-SCALES: node 'matmulnbits' (MatMulNBits): scales must have shape [N * k_blocks] = [8] or [N, k_blocks] = [4, 2], got [4]
// RUN: not sparq-import-onnx %t/nbits_bad_scales_type.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-SCALES-TYPE
// NBITS-BAD-SCALES-TYPE: node 'matmulnbits' (MatMulNBits): scales must be FLOAT, got FLOAT16
// RUN: not sparq-import-onnx %t/nbits_bad_zp_shape.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-ZP-SHAPE
// NBITS-BAD-ZP-SHAPE: node 'matmulnbits' (MatMulNBits): zero_points must have shape [N * ceil(k_blocks * bits / 8)] = [4] or [N, ceil(k_blocks * bits / 8)] = [4, 1], got [8]
// RUN: not sparq-import-onnx %t/nbits_bad_float_zp_shape.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-FZP-SHAPE
// NBITS-BAD-FZP-SHAPE: node 'matmulnbits' (MatMulNBits): zero_points must have shape [N * k_blocks] = [8] or [N, k_blocks] = [4, 2], got [4]
// RUN: not sparq-import-onnx %t/nbits_bad_zp_type.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-ZP-TYPE
// NBITS-BAD-ZP-TYPE: node 'matmulnbits' (MatMulNBits): zero_points must be UINT8 or A's type FLOAT, got INT32
// RUN: not sparq-import-onnx %t/nbits_bad_g_idx.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-G-IDX
// NBITS-BAD-G-IDX: node 'matmulnbits' (MatMulNBits): g_idx (input 4) is not supported: act-order group indices are not contiguous blocks
// RUN: not sparq-import-onnx %t/nbits_bad_bias.onnx 2>&1 | FileCheck %s --check-prefix=NBITS-BAD-BIAS
// NBITS-BAD-BIAS: node 'matmulnbits' (MatMulNBits): bias must have shape [N] = [4], got [3]
