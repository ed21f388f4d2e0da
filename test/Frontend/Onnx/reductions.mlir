// ONNX reductions and normalizations: ReduceSum/ReduceMean/ReduceMax become
// linalg.reduce (the mean then divides by the element count), Softmax and
// LayerNormalization are built from reductions and linalg.generic steps.

// RUN: rm -rf %t && %python %S/Inputs/reductions.py %t

//===----------------------------------------------------------------------===//
// ReduceMean
//===----------------------------------------------------------------------===//

// Opset 13: axes attribute; keepdims (default 1) keeps a size-1 dim.
// RUN: sparq-import-onnx %t/mean_attr.onnx | FileCheck %s --check-prefix=MEAN-ATTR
// MEAN-ATTR-LABEL: func.func @main
// MEAN-ATTR-SAME: (%[[X:arg[0-9]+]]: tensor<2x3x4xf32>
// MEAN-ATTR: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// MEAN-ATTR: %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// MEAN-ATTR: %[[SUM:.+]] = linalg.reduce { arith.addf } ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>) dimensions = [1]
// MEAN-ATTR: tensor.expand_shape {{.*}} output_shape [2, 1, 4]
// MEAN-ATTR: linalg.generic
// MEAN-ATTR: %[[COUNT:.+]] = arith.constant 3.000000e+00 : f32
// MEAN-ATTR: arith.divf %{{.*}}, %[[COUNT]] : f32
// MEAN-ATTR: -> tensor<2x1x4xf32>

// Opset 18: axes input, negative axis, keepdims = 0.
// RUN: sparq-import-onnx %t/mean_input.onnx | FileCheck %s --check-prefix=MEAN-INPUT
// MEAN-INPUT-LABEL: func.func @main
// MEAN-INPUT: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2]
// MEAN-INPUT-NOT: tensor.expand_shape
// MEAN-INPUT: arith.constant 4.000000e+00 : f32
// MEAN-INPUT: arith.divf
// MEAN-INPUT: return %{{.*}} : tensor<2x3xf32>

// No axes: every axis.
// RUN: sparq-import-onnx %t/mean_all.onnx | FileCheck %s --check-prefix=MEAN-ALL
// MEAN-ALL-LABEL: func.func @main
// MEAN-ALL: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// MEAN-ALL: arith.constant 6.000000e+00 : f32
// MEAN-ALL: return %{{.*}} : tensor<f32>

// Integer means truncate: signed and unsigned division.
// RUN: sparq-import-onnx %t/mean_int32.onnx | FileCheck %s --check-prefix=MEAN-INT32
// MEAN-INT32-LABEL: func.func @main
// MEAN-INT32: linalg.reduce { arith.addi {{.*}} } ins(%{{.*}} : tensor<2x3xi32>) outs(%{{.*}} : tensor<2xi32>) dimensions = [1]
// MEAN-INT32: %[[COUNT:.+]] = arith.constant 3 : i32
// MEAN-INT32: arith.divsi %{{.*}}, %[[COUNT]] : i32
// MEAN-INT32: -> tensor<2x1xi32>

// RUN: sparq-import-onnx %t/mean_uint8.onnx | FileCheck %s --check-prefix=MEAN-UINT8
// MEAN-UINT8-LABEL: func.func @main
// MEAN-UINT8: linalg.reduce { arith.addi {{.*}} } ins(%{{.*}} : tensor<4xi8>) outs(%{{.*}} : tensor<i8>) dimensions = [0]
// MEAN-UINT8: %[[COUNT:.+]] = arith.constant 4 : i8
// MEAN-UINT8: arith.divui %{{.*}}, %[[COUNT]] : i8

// RUN: sparq-import-onnx %t/mean_f16.onnx | FileCheck %s --check-prefix=MEAN-F16
// MEAN-F16-LABEL: func.func @main
// MEAN-F16: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3xf16>) outs(%{{.*}} : tensor<3xf16>) dimensions = [0]
// MEAN-F16: arith.constant 2.000000e+00 : f16
// MEAN-F16: -> tensor<1x3xf16>

//===----------------------------------------------------------------------===//
// ReduceSum
//===----------------------------------------------------------------------===//

// Axes input from opset 13 on.
// RUN: sparq-import-onnx %t/sum_input.onnx | FileCheck %s --check-prefix=SUM-INPUT
// SUM-INPUT-LABEL: func.func @main
// SUM-INPUT: %[[ZERO:.+]] = arith.constant 0 : i64
// SUM-INPUT: linalg.fill ins(%[[ZERO]] : i64)
// SUM-INPUT: linalg.reduce { arith.addi {{.*}} } ins(%{{.*}} : tensor<2x3x4xi64>) outs(%{{.*}} : tensor<3xi64>) dimensions = [0, 2]
// SUM-INPUT: tensor.expand_shape {{.*}} output_shape [1, 3, 1]
// SUM-INPUT-NOT: linalg.generic

// RUN: sparq-import-onnx %t/sum_all.onnx | FileCheck %s --check-prefix=SUM-ALL
// SUM-ALL-LABEL: func.func @main
// SUM-ALL: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// SUM-ALL: return %{{.*}} : tensor<1x1xf32>

// noop_with_empty_axes: no axes (or empty axes) copy the input.
// RUN: sparq-import-onnx %t/sum_noop.onnx | FileCheck %s --check-prefix=SUM-NOOP
// SUM-NOOP-LABEL: func.func @main
// SUM-NOOP-SAME: (%[[X:arg[0-9]+]]: tensor<2x3xf32>
// SUM-NOOP-NOT: linalg
// SUM-NOOP: return %[[X]] : tensor<2x3xf32>

// RUN: sparq-import-onnx %t/sum_noop_empty.onnx | FileCheck %s --check-prefix=NOOP-EMPTY-AXES
// NOOP-EMPTY-AXES-LABEL: func.func @main
// NOOP-EMPTY-AXES-SAME: (%[[X:arg[0-9]+]]: tensor<2x3xf32>
// NOOP-EMPTY-AXES-NOT: linalg
// NOOP-EMPTY-AXES: return %[[X]] : tensor<2x3xf32>

// A scalar has nothing to reduce.
// RUN: sparq-import-onnx %t/sum_scalar.onnx | FileCheck %s --check-prefix=SUM-SCALAR
// SUM-SCALAR-LABEL: func.func @main
// SUM-SCALAR-SAME: (%[[X:arg[0-9]+]]: tensor<f32>
// SUM-SCALAR-NOT: linalg
// SUM-SCALAR: return %[[X]] : tensor<f32>

//===----------------------------------------------------------------------===//
// ReduceMax
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/max_attr.onnx | FileCheck %s --check-prefix=MAX-ATTR
// MAX-ATTR-LABEL: func.func @main
// MAX-ATTR: %[[LOWEST:.+]] = arith.constant 0xFF800000 : f32
// MAX-ATTR: linalg.fill ins(%[[LOWEST]] : f32)
// MAX-ATTR: linalg.reduce { arith.maximumf } ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1]
// MAX-ATTR: return %{{.*}} : tensor<2xf32>

// RUN: sparq-import-onnx %t/max_int8.onnx | FileCheck %s --check-prefix=MAX-INT8
// MAX-INT8-LABEL: func.func @main
// MAX-INT8: %[[LOWEST:.+]] = arith.constant -128 : i8
// MAX-INT8: linalg.fill ins(%[[LOWEST]] : i8)
// MAX-INT8: linalg.reduce { arith.maxsi } ins(%{{.*}} : tensor<2x3xi8>) outs(%{{.*}} : tensor<3xi8>) dimensions = [0]
// MAX-INT8: return %{{.*}} : tensor<1x3xi8>

// RUN: sparq-import-onnx %t/max_uint8.onnx | FileCheck %s --check-prefix=MAX-UINT8
// MAX-UINT8-LABEL: func.func @main
// MAX-UINT8: %[[LOWEST:.+]] = arith.constant 0 : i8
// MAX-UINT8: linalg.fill ins(%[[LOWEST]] : i8)
// MAX-UINT8: linalg.reduce { arith.maxui } ins(%{{.*}} : tensor<2x3xi8>)

// BOOL (opset 20): any.
// RUN: sparq-import-onnx %t/max_bool.onnx | FileCheck %s --check-prefix=MAX-BOOL
// MAX-BOOL-LABEL: func.func @main
// MAX-BOOL: %[[FALSE:.+]] = arith.constant false
// MAX-BOOL: linalg.fill ins(%[[FALSE]] : i1)
// MAX-BOOL: linalg.reduce { arith.maxui } ins(%{{.*}} : tensor<2x3xi1>) outs(%{{.*}} : tensor<2xi1>) dimensions = [1]

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

// exp(x - max) / sum, along the last axis by default.
// RUN: sparq-import-onnx %t/softmax.onnx | FileCheck %s --check-prefix=SOFTMAX
// SOFTMAX-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// SOFTMAX-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// SOFTMAX-LABEL: func.func @main
// SOFTMAX-SAME: (%[[X:arg[0-9]+]]: tensor<2x5xf32>
// SOFTMAX: %[[LOWEST:.+]] = arith.constant 0xFF800000 : f32
// SOFTMAX: %[[MAXINIT:.+]] = linalg.fill ins(%[[LOWEST]] : f32)
// SOFTMAX: %[[MAX:.+]] = linalg.reduce { arith.maximumf } ins(%[[X]] : tensor<2x5xf32>) outs(%[[MAXINIT]] : tensor<2xf32>) dimensions = [1]
// SOFTMAX: %[[MAXK:.+]] = tensor.expand_shape %[[MAX]] {{.*}} into tensor<2x1xf32>
// SOFTMAX: %[[EXPS:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]{{.*}} ins(%[[X]], %[[MAXK]] : tensor<2x5xf32>, tensor<2x1xf32>)
// SOFTMAX: %[[SHIFTED:.+]] = arith.subf
// SOFTMAX: math.exp %[[SHIFTED]] : f32
// SOFTMAX: %[[SUM:.+]] = linalg.reduce { arith.addf } ins(%[[EXPS]] : tensor<2x5xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1]
// SOFTMAX: %[[SUMK:.+]] = tensor.expand_shape %[[SUM]]
// SOFTMAX: linalg.generic {{.*}} ins(%[[EXPS]], %[[SUMK]] : tensor<2x5xf32>, tensor<2x1xf32>)
// SOFTMAX: arith.divf
// SOFTMAX: -> tensor<2x5xf32>

// RUN: sparq-import-onnx %t/softmax_axis0.onnx | FileCheck %s --check-prefix=SOFTMAX-AXIS0
// SOFTMAX-AXIS0-LABEL: func.func @main
// SOFTMAX-AXIS0: arith.constant 0xFC00 : f16
// SOFTMAX-AXIS0: linalg.reduce { arith.maximumf } ins(%{{.*}} : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<3x4xf16>) dimensions = [0]
// SOFTMAX-AXIS0: math.exp %{{.*}} : f16
// SOFTMAX-AXIS0: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<3x4xf16>) dimensions = [0]
// SOFTMAX-AXIS0: arith.divf %{{.*}}, %{{.*}} : f16

//===----------------------------------------------------------------------===//
// LayerNormalization
//===----------------------------------------------------------------------===//

// axis = -1 with bias: mean, variance, 1 / sqrt(var + 1e-5), scale, shift.
// RUN: sparq-import-onnx %t/layernorm.onnx | FileCheck %s --check-prefix=LAYERNORM
// LAYERNORM-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// LAYERNORM-DAG: #[[STAT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// LAYERNORM-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// LAYERNORM-LABEL: func.func @main
// LAYERNORM-SAME: (%[[X:arg[0-9]+]]: tensor<2x3x4xf32> {{.*}}, %[[SCALE:arg[0-9]+]]: tensor<4xf32> {{.*}}, %[[BIAS:arg[0-9]+]]: tensor<4xf32>
// LAYERNORM: %[[SUM:.+]] = linalg.reduce { arith.addf } ins(%[[X]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2]
// LAYERNORM: %[[SUMK:.+]] = tensor.expand_shape {{.*}} into tensor<2x3x1xf32>
// LAYERNORM: %[[MEAN:.+]] = linalg.generic {{.*}} ins(%[[SUMK]] : tensor<2x3x1xf32>)
// LAYERNORM: arith.constant 4.000000e+00 : f32
// LAYERNORM: %[[SQUARES:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[ID]]]{{.*}} ins(%[[X]], %[[MEAN]] :
// LAYERNORM: %[[D:.+]] = arith.subf
// LAYERNORM: arith.mulf %[[D]], %[[D]] : f32
// LAYERNORM: linalg.reduce { arith.addf } ins(%[[SQUARES]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2]
// LAYERNORM: %[[INV:.+]] = linalg.generic
// LAYERNORM: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// LAYERNORM: %[[VAR:.+]] = arith.divf
// LAYERNORM: %[[VAREPS:.+]] = arith.addf %[[VAR]], %[[EPS]] : f32
// LAYERNORM: %[[STD:.+]] = math.sqrt %[[VAREPS]] : f32
// LAYERNORM: arith.divf %{{.*}}, %[[STD]] : f32
// LAYERNORM: linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[STAT]], #[[LAST]], #[[LAST]], #[[ID]]]
// LAYERNORM-SAME: ins(%[[X]], %[[MEAN]], %[[INV]], %[[SCALE]], %[[BIAS]] :
// LAYERNORM: ^bb0(%[[XI:.+]]: f32, %[[M:.+]]: f32, %[[I:.+]]: f32, %[[S:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// LAYERNORM-NEXT: %[[C:.+]] = arith.subf %[[XI]], %[[M]] : f32
// LAYERNORM-NEXT: %[[N:.+]] = arith.mulf %[[C]], %[[I]] : f32
// LAYERNORM-NEXT: %[[NS:.+]] = arith.mulf %[[N]], %[[S]] : f32
// LAYERNORM-NEXT: %[[Y:.+]] = arith.addf %[[NS]], %[[B]] : f32
// LAYERNORM-NEXT: linalg.yield %[[Y]] : f32

// axis = -2 (normalized dims [1, 2]), no bias, epsilon attribute.
// RUN: sparq-import-onnx %t/layernorm_no_bias.onnx | FileCheck %s --check-prefix=LAYERNORM-NO-BIAS
// LAYERNORM-NO-BIAS-LABEL: func.func @main
// LAYERNORM-NO-BIAS: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1, 2]
// LAYERNORM-NO-BIAS: arith.constant 1.200000e+01 : f32
// LAYERNORM-NO-BIAS: arith.constant 1.000000e-03 : f32
// LAYERNORM-NO-BIAS: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>)
// LAYERNORM-NO-BIAS: arith.subf
// LAYERNORM-NO-BIAS-NEXT: arith.mulf
// LAYERNORM-NO-BIAS-NEXT: %[[NS:.+]] = arith.mulf
// LAYERNORM-NO-BIAS-NEXT: linalg.yield %[[NS]] : f32

// Mean and InvStdDev outputs keep the normalized dims as 1.
// RUN: sparq-import-onnx %t/layernorm_stats.onnx | FileCheck %s --check-prefix=LAYERNORM-STATS
// LAYERNORM-STATS-LABEL: func.func @main
// LAYERNORM-STATS-SAME: -> (tensor<2x3x4xf32> {sparq.name = "y"}, tensor<2x1x1xf32> {sparq.name = "mean"}, tensor<2x1x1xf32> {sparq.name = "inv_std_dev"})
// LAYERNORM-STATS: %[[MEAN:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x1xf32>)
// LAYERNORM-STATS: %[[INV:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x1xf32>)
// LAYERNORM-STATS: %[[Y:.+]] = linalg.generic
// LAYERNORM-STATS: return %[[Y]], %[[MEAN]], %[[INV]] : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>

// f16 with stash_type 1: statistics in f32, the normalized value truncated
// back before scaling; Mean is f32.
// RUN: sparq-import-onnx %t/layernorm_f16.onnx | FileCheck %s --check-prefix=LAYERNORM-F16
// LAYERNORM-F16-LABEL: func.func @main
// LAYERNORM-F16-SAME: -> (tensor<2x4xf16> {sparq.name = "y"}, tensor<2x1xf32> {sparq.name = "mean"})
// LAYERNORM-F16: %[[X32:.+]] = linalg.generic
// LAYERNORM-F16: arith.extf %{{.*}} : f16 to f32
// LAYERNORM-F16: linalg.reduce { arith.addf } ins(%[[X32]] : tensor<2x4xf32>) outs(%{{.*}} : tensor<2xf32>)
// LAYERNORM-F16: math.sqrt %{{.*}} : f32
// LAYERNORM-F16: ins(%[[X32]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<4xf16>) outs(%{{.*}} : tensor<2x4xf16>)
// LAYERNORM-F16: %[[N:.+]] = arith.mulf %{{.*}}, %{{.*}} : f32
// LAYERNORM-F16-NEXT: %[[N16:.+]] = arith.truncf %[[N]] : f32 to f16
// LAYERNORM-F16-NEXT: arith.mulf %[[N16]], %{{.*}} : f16

// stash_type FLOAT16: everything in f16.
// RUN: sparq-import-onnx %t/layernorm_f16_stash16.onnx | FileCheck %s --check-prefix=LAYERNORM-STASH16
// LAYERNORM-STASH16-LABEL: func.func @main
// LAYERNORM-STASH16-NOT: f32
// LAYERNORM-STASH16: linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x4xf16>) outs(%{{.*}} : tensor<2xf16>)
// LAYERNORM-STASH16-NOT: f32

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

// RUN: not sparq-import-onnx %t/axis_out_of_range.onnx 2>&1 | FileCheck %s --check-prefix=AXIS-RANGE
// AXIS-RANGE: error: {{.*}}axis_out_of_range.onnx: node 'reducemean' (ReduceMean): axis 2 is out of range for rank 2

// RUN: not sparq-import-onnx %t/axis_repeated.onnx 2>&1 | FileCheck %s --check-prefix=AXIS-REPEATED
// AXIS-REPEATED: error: {{.*}}: node 'reducesum' (ReduceSum): axis -1 repeats axis 1 in axes

// RUN: not sparq-import-onnx %t/axes_attr_opset18.onnx 2>&1 | FileCheck %s --check-prefix=AXES-ATTR
// AXES-ATTR: error: {{.*}}: node 'reducemean' (ReduceMean): axes is an input, not an attribute, of ReduceMean at opset 18

// libonnx's checker refuses the second input first; sparq's own message
// without it.
// RUN: not sparq-import-onnx %t/axes_input_opset13.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=AXES-INPUT
// AXES-INPUT: error: {{.*}}: node 'reducemax' (ReduceMax): has 2 inputs; ReduceMax takes 1

// RUN: not sparq-import-onnx %t/axes_not_constant.onnx 2>&1 | FileCheck %s --check-prefix=AXES-DYNAMIC
// AXES-DYNAMIC: error: {{.*}}: node 'reducemean' (ReduceMean): input 1 (axes) must be known at compile time

// RUN: not sparq-import-onnx %t/axes_float.onnx 2>&1 | FileCheck %s --check-prefix=AXES-FLOAT
// AXES-FLOAT: error: {{.*}}: node 'reducesum' (ReduceSum): input 1 (axes) must be an integer tensor, got FLOAT

// RUN: not sparq-import-onnx %t/sum_bool.onnx 2>&1 | FileCheck %s --check-prefix=SUM-BOOL
// SUM-BOOL: error: {{.*}}: node 'reducesum' (ReduceSum): input 0 has element type BOOL, but ReduceSum takes floating-point or integer tensors

// RUN: not sparq-import-onnx %t/softmax_axis.onnx 2>&1 | FileCheck %s --check-prefix=SOFTMAX-AXIS
// SOFTMAX-AXIS: error: {{.*}}: node 'softmax' (Softmax): axis 2 is out of range for rank 2

// RUN: not sparq-import-onnx %t/softmax_int.onnx 2>&1 | FileCheck %s --check-prefix=SOFTMAX-INT
// SOFTMAX-INT: error: {{.*}}: node 'softmax' (Softmax): input 0 has element type INT32, but Softmax takes floating-point tensors

// RUN: not sparq-import-onnx %t/layernorm_int.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-INT
// LAYERNORM-INT: error: {{.*}}: node 'layernormalization' (LayerNormalization): input 0 has element type INT32, but LayerNormalization takes floating-point tensors

// RUN: not sparq-import-onnx %t/layernorm_scale_type.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-SCALE-TYPE
// LAYERNORM-SCALE-TYPE: error: {{.*}}: node 'layernormalization' (LayerNormalization): input 1 (Scale) has element type FLOAT16, but X has FLOAT

// RUN: not sparq-import-onnx %t/layernorm_scale_shape.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-SCALE-SHAPE
// LAYERNORM-SCALE-SHAPE: error: {{.*}}: node 'layernormalization' (LayerNormalization): input 1 (Scale) of shape [3] does not broadcast to X's shape [2, 4]

// RUN: not sparq-import-onnx %t/layernorm_bias_shape.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-BIAS-SHAPE
// LAYERNORM-BIAS-SHAPE: error: {{.*}}: node 'layernormalization' (LayerNormalization): input 2 (B) of shape [2, 2, 4] does not broadcast to X's shape [2, 4]

// RUN: not sparq-import-onnx %t/layernorm_axis.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-AXIS
// LAYERNORM-AXIS: error: {{.*}}: node 'layernormalization' (LayerNormalization): axis -3 is out of range for rank 2

// RUN: not sparq-import-onnx %t/layernorm_stash.onnx 2>&1 | FileCheck %s --check-prefix=LAYERNORM-STASH
// LAYERNORM-STASH: error: {{.*}}: node 'layernormalization' (LayerNormalization): attribute 'stash_type' must be a floating-point type, got INT64
