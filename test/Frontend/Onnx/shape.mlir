// Shape and data-movement operators: Constant, Shape, Reshape, Transpose,
// Unsqueeze, Squeeze, Concat, Split, Slice, Gather, Expand, ConstantOfShape
// and Range. Known inputs fold to constants at import; the rest moves data
// with tensor and linalg ops.

// RUN: rm -rf %t && %python %S/Inputs/shape.py %t

//===----------------------------------------------------------------------===//
// PyTorch shape chains fold to static shapes
//===----------------------------------------------------------------------===//

// x.view(batch, seq, 4, 8): Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, with symbolic batch and seq. Nothing of the chain is left but
// (dead) constants; the reshape is static.
// RUN: sparq-import-onnx %t/torch_view_heads.onnx --dim batch=2 --dim seq=5 | FileCheck %s --check-prefix=VIEW
// VIEW-LABEL: func.func @main(%arg0: tensor<2x5x32xf32> {sparq.name = "x"}) -> (tensor<2x5x4x8xf32> {sparq.name = "y"})
// VIEW: arith.constant dense<[2, 5, 4, 8]> : tensor<4xi64>
// VIEW: %[[Y:.*]] = tensor.expand_shape {{.*}} output_shape [2, 5, 4, 8] : {{.*}} into tensor<2x5x4x8xf32>
// VIEW-NEXT: return %[[Y]] : tensor<2x5x4x8xf32>

// No index computation anywhere (a prefix of CHECK-NOTs alone scans the
// whole output).
// RUN: sparq-import-onnx %t/torch_view_heads.onnx --dim batch=2 --dim seq=5 | FileCheck %s --check-prefix=VIEW-FOLDED
// VIEW-FOLDED-NOT: linalg.
// VIEW-FOLDED-NOT: tensor.extract
// VIEW-FOLDED-NOT: tensor.concat
// VIEW-FOLDED-NOT: arith.{{(index_cast|extsi|trunci|muli|divsi|divf|mulf|sitofp|fptosi|select|cmpi)}}

// The same with head_dim = hidden / heads through Cast and Div, and a second
// reshape to [batch * seq, -1] through Mul.
// RUN: sparq-import-onnx %t/torch_view_arith.onnx --dim batch=2 --dim seq=5 | FileCheck %s --check-prefix=VIEW-ARITH
// VIEW-ARITH-LABEL: func.func @main(%arg0: tensor<2x5x32xf32> {sparq.name = "x"}) -> (tensor<2x5x4x8xf32> {sparq.name = "y"}, tensor<10x32xf32> {sparq.name = "z"})
// VIEW-ARITH: arith.constant dense<8> : tensor<i64>
// VIEW-ARITH: arith.constant dense<[2, 5, 4, 8]> : tensor<4xi64>
// VIEW-ARITH: %[[Y:.*]] = tensor.expand_shape {{.*}} output_shape [2, 5, 4, 8] : {{.*}} into tensor<2x5x4x8xf32>
// VIEW-ARITH: arith.constant dense<10> : tensor<i64>
// VIEW-ARITH: arith.constant dense<[10, -1]> : tensor<2xi64>
// VIEW-ARITH: %[[Z:.*]] = tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<10x32xf32>
// VIEW-ARITH-NEXT: return %[[Y]], %[[Z]]

// RUN: sparq-import-onnx %t/torch_view_arith.onnx --dim batch=2 --dim seq=5 | FileCheck %s --check-prefix=VIEW-ARITH-FOLDED
// VIEW-ARITH-FOLDED-NOT: linalg.
// VIEW-ARITH-FOLDED-NOT: tensor.extract
// VIEW-ARITH-FOLDED-NOT: tensor.concat
// VIEW-ARITH-FOLDED-NOT: arith.{{(index_cast|extsi|trunci|muli|divsi|divf|mulf|sitofp|fptosi|select|cmpi)}}

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/constant_tensor.onnx | FileCheck %s --check-prefix=CONST-TENSOR
// CONST-TENSOR: %[[C:.*]] = arith.constant dense<{{\[\[}}1.500000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CONST-TENSOR-NEXT: return %[[C]] : tensor<2x2xf32>

// RUN: sparq-import-onnx %t/constant_value_float.onnx | FileCheck %s --check-prefix=CONST-FLOAT
// CONST-FLOAT: arith.constant dense<2.500000e+00> : tensor<f32>

// RUN: sparq-import-onnx %t/constant_value_floats.onnx | FileCheck %s --check-prefix=CONST-FLOATS
// CONST-FLOATS: arith.constant dense<[1.000000e+00, -2.000000e+00, 5.000000e-01]> : tensor<3xf32>

// RUN: sparq-import-onnx %t/constant_value_int.onnx | FileCheck %s --check-prefix=CONST-INT
// CONST-INT: arith.constant dense<-7> : tensor<i64>

// RUN: sparq-import-onnx %t/constant_value_ints.onnx | FileCheck %s --check-prefix=CONST-INTS
// CONST-INTS: arith.constant dense<[4, 8]> : tensor<2xi64>

// RUN: not sparq-import-onnx %t/constant_none.onnx 2>&1 | FileCheck %s --check-prefix=CONST-NONE
// CONST-NONE: error: {{.*}}constant_none.onnx: node 'constant' (Constant): has no value attribute (value, value_float, value_floats, value_int or value_ints)

// RUN: not sparq-import-onnx %t/constant_two.onnx 2>&1 | FileCheck %s --check-prefix=CONST-TWO
// CONST-TWO: error: {{.*}}constant_two.onnx: node 'constant' (Constant): has more than one value attribute: value_float, value_int

// RUN: not sparq-import-onnx %t/constant_string.onnx 2>&1 | FileCheck %s --check-prefix=CONST-STRING
// CONST-STRING: error: {{.*}}constant_string.onnx: node 'constant' (Constant): attribute 'value_string' is not supported: sparq has no string or sparse tensors

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/shape.onnx | FileCheck %s --check-prefix=SHAPE
// SHAPE-LABEL: func.func @main(%arg0: tensor<2x3x4xf32> {sparq.name = "x"}) -> (tensor<3xi64> {sparq.name = "y"})
// SHAPE-NEXT: %[[S:.*]] = arith.constant dense<[2, 3, 4]> : tensor<3xi64>
// SHAPE-NEXT: return %[[S]]

// Opset 15 start/end: negative end counts from the rank, out-of-range
// values clamp, start past end is empty.
// RUN: sparq-import-onnx %t/shape_start_end.onnx | FileCheck %s --check-prefix=SHAPE-START-END
// SHAPE-START-END: arith.constant dense<[3, 4]> : tensor<2xi64>
// RUN: sparq-import-onnx %t/shape_clamped.onnx | FileCheck %s --check-prefix=SHAPE-CLAMPED
// SHAPE-CLAMPED: arith.constant dense<[2, 3, 4]> : tensor<3xi64>
// RUN: sparq-import-onnx %t/shape_empty.onnx | FileCheck %s --check-prefix=SHAPE-NONE
// SHAPE-NONE: arith.constant dense<> : tensor<0xi64>

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

// 0 copies the input dim, -1 takes the rest.
// RUN: sparq-import-onnx %t/reshape.onnx | FileCheck %s --check-prefix=RESHAPE
// RESHAPE-LABEL: func.func @main(%arg0: tensor<2x3x4xf32>
// RESHAPE-NOT: linalg.
// RESHAPE: %[[Y:.*]] = tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<2x12xf32>
// RESHAPE-NEXT: return %[[Y]] : tensor<2x12xf32>

// allowzero=1 (opset 14): 0 is a size.
// RUN: sparq-import-onnx %t/reshape_allowzero.onnx | FileCheck %s --check-prefix=RESHAPE-ALLOWZERO
// RESHAPE-ALLOWZERO: tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<3x0xf32>

// RUN: sparq-import-onnx %t/reshape_fold.onnx | FileCheck %s --check-prefix=RESHAPE-FOLD
// RESHAPE-FOLD-NOT: tensor.
// RESHAPE-FOLD: %[[Y:.*]] = arith.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
// RESHAPE-FOLD-NEXT: return %[[Y]]

// RUN: sparq-import-onnx %t/reshape_same.onnx | FileCheck %s --check-prefix=RESHAPE-UNCHANGED
// RESHAPE-UNCHANGED-NOT: tensor.
// RESHAPE-UNCHANGED: return %arg0 : tensor<2x3xf32>

// RUN: not sparq-import-onnx %t/reshape_count.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-ELEMENTS
// RESHAPE-ELEMENTS: error: {{.*}}reshape_count.onnx: node 'reshape' (Reshape): cannot reshape [2, 3] to [4, 2]: element counts differ (6 and 8)

// RUN: not sparq-import-onnx %t/reshape_two_inferred.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-TWO
// RESHAPE-TWO: error: {{.*}}: node 'reshape' (Reshape): cannot reshape [2, 3] to [-1, -1]: more than one -1

// RUN: not sparq-import-onnx %t/reshape_not_inferable.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-INFER
// RESHAPE-INFER: error: {{.*}}: node 'reshape' (Reshape): cannot reshape [2, 3] to [4, -1]: the -1 cannot be inferred from 6 elements

// RUN: not sparq-import-onnx %t/reshape_zero_past_rank.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-ZERO
// RESHAPE-ZERO: error: {{.*}}: node 'reshape' (Reshape): cannot reshape [2, 3] to [0, 3, 0]: 0 at position 2 copies a dimension the input does not have

// RUN: not sparq-import-onnx %t/reshape_negative.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-NEG
// RESHAPE-NEG: error: {{.*}}: node 'reshape' (Reshape): cannot reshape [2, 3] to [-2, 3]: negative dimension -2

// RUN: not sparq-import-onnx %t/reshape_zero_and_inferred.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-ZERO-INFER
// RESHAPE-ZERO-INFER: error: {{.*}}: node 'reshape' (Reshape): cannot reshape [2, 3] to [0, -1]: with allowzero=1 the shape cannot hold both 0 and -1

// The shape input must be a known 1-D integer tensor.
// RUN: not sparq-import-onnx %t/reshape_runtime_shape.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-RUNTIME
// RESHAPE-RUNTIME: error: {{.*}}reshape_runtime_shape.onnx: node 'reshape' (Reshape): input 'shape' must be a compile-time constant (sparq compiles static shapes)

// RUN: not sparq-import-onnx %t/reshape_float_shape.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-FLOAT
// RESHAPE-FLOAT: error: {{.*}}: node 'reshape' (Reshape): input 'shape' must be an integer tensor, got FLOAT

// RUN: not sparq-import-onnx %t/reshape_2d_shape.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE-2D
// RESHAPE-2D: error: {{.*}}: node 'reshape' (Reshape): input 'shape' must be 1-D, got shape [1, 2]

// RUN: not sparq-import-onnx %t/reshape_missing.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=RESHAPE-MISSING
// RESHAPE-MISSING: error: {{.*}}: node 'reshape' (Reshape): has 1 input; Reshape takes 2

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

// Without perm the dims reverse.
// RUN: sparq-import-onnx %t/transpose_default.onnx | FileCheck %s --check-prefix=TRANSPOSE-DEFAULT
// TRANSPOSE-DEFAULT: %[[INIT:.*]] = tensor.empty() : tensor<4x3x2xf32>
// TRANSPOSE-DEFAULT-NEXT: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x3x2xf32>) permutation = [2, 1, 0]

// RUN: sparq-import-onnx %t/transpose_perm.onnx | FileCheck %s --check-prefix=TRANSPOSE-PERM
// TRANSPOSE-PERM: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4x3xf32>) permutation = [0, 2, 1]

// RUN: sparq-import-onnx %t/transpose_identity.onnx | FileCheck %s --check-prefix=TRANSPOSE-ID
// TRANSPOSE-ID-NOT: linalg.transpose
// TRANSPOSE-ID: return %arg0 : tensor<2x3xf32>

// RUN: sparq-import-onnx %t/transpose_fold.onnx | FileCheck %s --check-prefix=TRANSPOSE-FOLD
// TRANSPOSE-FOLD-NOT: linalg.transpose
// TRANSPOSE-FOLD: %[[Y:.*]] = arith.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// TRANSPOSE-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/transpose_bad_perm.onnx 2>&1 | FileCheck %s --check-prefix=TRANSPOSE-BAD
// TRANSPOSE-BAD: error: {{.*}}transpose_bad_perm.onnx: node 'transpose' (Transpose): attribute 'perm' [0, 0, 1] is not a permutation of the 3 input dimensions

//===----------------------------------------------------------------------===//
// Unsqueeze, Squeeze
//===----------------------------------------------------------------------===//

// Negative axes count in the output rank.
// RUN: sparq-import-onnx %t/unsqueeze.onnx | FileCheck %s --check-prefix=UNSQUEEZE
// UNSQUEEZE: tensor.expand_shape {{.*}} output_shape [1, 2, 3, 1] : {{.*}} into tensor<1x2x3x1xf32>

// RUN: sparq-import-onnx %t/unsqueeze_fold.onnx | FileCheck %s --check-prefix=UNSQUEEZE-FOLD
// UNSQUEEZE-FOLD-NOT: tensor.
// UNSQUEEZE-FOLD: %[[Y:.*]] = arith.constant dense<5> : tensor<1xi64>
// UNSQUEEZE-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/unsqueeze_out_of_range.onnx 2>&1 | FileCheck %s --check-prefix=UNSQUEEZE-RANGE
// UNSQUEEZE-RANGE: error: {{.*}}: node 'unsqueeze' (Unsqueeze): input 'axes' [3]: axis 3 is out of range for output rank 3

// RUN: not sparq-import-onnx %t/unsqueeze_repeated.onnx 2>&1 | FileCheck %s --check-prefix=UNSQUEEZE-REPEATED
// UNSQUEEZE-REPEATED: error: {{.*}}: node 'unsqueeze' (Unsqueeze): input 'axes' [1, -3]: axis 1 appears more than once

// RUN: not sparq-import-onnx %t/unsqueeze_runtime_axes.onnx 2>&1 | FileCheck %s --check-prefix=UNSQUEEZE-RUNTIME
// UNSQUEEZE-RUNTIME: error: {{.*}}: node 'unsqueeze' (Unsqueeze): input 'axes' must be a compile-time constant (sparq compiles static shapes)

// Without axes every size-1 dim goes.
// RUN: sparq-import-onnx %t/squeeze_all.onnx | FileCheck %s --check-prefix=SQUEEZE-ALL
// SQUEEZE-ALL: tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<3x2xf32>

// RUN: sparq-import-onnx %t/squeeze_axes.onnx | FileCheck %s --check-prefix=SQUEEZE-AXES
// SQUEEZE-AXES: tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<1x3x2xf32>

// RUN: sparq-import-onnx %t/squeeze_fold.onnx | FileCheck %s --check-prefix=SQUEEZE-FOLD
// SQUEEZE-FOLD-NOT: tensor.
// SQUEEZE-FOLD: %[[Y:.*]] = arith.constant dense<[7, 8]> : tensor<2xi64>
// SQUEEZE-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/squeeze_not_one.onnx 2>&1 | FileCheck %s --check-prefix=SQUEEZE-NOT-ONE
// SQUEEZE-NOT-ONE: error: {{.*}}squeeze_not_one.onnx: node 'squeeze' (Squeeze): cannot squeeze axis 1 of size 3 (input shape [1, 3])

// RUN: not sparq-import-onnx %t/squeeze_out_of_range.onnx 2>&1 | FileCheck %s --check-prefix=SQUEEZE-RANGE
// SQUEEZE-RANGE: error: {{.*}}: node 'squeeze' (Squeeze): input 'axes' [-3]: axis -3 is out of range for rank 2

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/concat.onnx | FileCheck %s --check-prefix=CONCAT
// CONCAT: %[[Y:.*]] = tensor.concat dim(1) %arg0, %arg1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CONCAT-NEXT: return %[[Y]]

// RUN: sparq-import-onnx %t/concat_fold.onnx | FileCheck %s --check-prefix=CONCAT-FOLD
// CONCAT-FOLD-NOT: tensor.concat
// CONCAT-FOLD: %[[Y:.*]] = arith.constant dense<[2, 5, -1]> : tensor<3xi64>
// CONCAT-FOLD-NEXT: return %[[Y]]

// RUN: sparq-import-onnx %t/concat_fold_inner.onnx | FileCheck %s --check-prefix=CONCAT-FOLD-INNER
// CONCAT-FOLD-INNER: %[[Y:.*]] = arith.constant dense<{{\[\[}}1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CONCAT-FOLD-INNER-NEXT: return %[[Y]]

// An empty input adds nothing.
// RUN: sparq-import-onnx %t/concat_empty_input.onnx | FileCheck %s --check-prefix=CONCAT-ZERO-SIZE
// CONCAT-ZERO-SIZE-NOT: tensor.concat
// CONCAT-ZERO-SIZE: return %arg1 : tensor<2x3xf32>

// RUN: not sparq-import-onnx %t/concat_types.onnx 2>&1 | FileCheck %s --check-prefix=CONCAT-TYPES
// CONCAT-TYPES: error: {{.*}}concat_types.onnx: node 'concat' (Concat): input 1 is INT32 but input 0 is INT64

// RUN: not sparq-import-onnx %t/concat_shapes.onnx 2>&1 | FileCheck %s --check-prefix=CONCAT-SHAPES
// CONCAT-SHAPES: error: {{.*}}: node 'concat' (Concat): input 1 has shape [3, 3] but input 0 has [2, 3]; they must agree except on axis 1

// RUN: not sparq-import-onnx %t/concat_axis.onnx 2>&1 | FileCheck %s --check-prefix=CONCAT-AXIS
// CONCAT-AXIS: error: {{.*}}: node 'concat' (Concat): attribute 'axis' 2 is out of range for rank 2

// RUN: not sparq-import-onnx %t/concat_no_axis.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=CONCAT-NO-AXIS
// CONCAT-NO-AXIS: error: {{.*}}: node 'concat' (Concat): attribute 'axis' is required

// RUN: not sparq-import-onnx %t/concat_scalars.onnx 2>&1 | FileCheck %s --check-prefix=CONCAT-SCALARS
// CONCAT-SCALARS: error: {{.*}}: node 'concat' (Concat): cannot concatenate scalars

// RUN: not sparq-import-onnx %t/concat_no_inputs.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=CONCAT-NO-INPUTS
// CONCAT-NO-INPUTS: error: {{.*}}: node 'concat' (Concat): has 0 inputs; Concat takes at least 1

// RUN: not sparq-import-onnx %t/concat_missing_input.onnx 2>&1 | FileCheck %s --check-prefix=CONCAT-MISSING
// CONCAT-MISSING: error: {{.*}}: node 'concat' (Concat): input 1 is missing

//===----------------------------------------------------------------------===//
// Split
//===----------------------------------------------------------------------===//

// Sizes from the 'split' input.
// RUN: sparq-import-onnx %t/split_sizes.onnx | FileCheck %s --check-prefix=SPLIT-SIZES
// SPLIT-SIZES: %[[A:.*]] = tensor.extract_slice %arg0[0, 0] [2, 1] [1, 1] : tensor<2x6xf32> to tensor<2x1xf32>
// SPLIT-SIZES-NEXT: %[[B:.*]] = tensor.extract_slice %arg0[0, 1] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
// SPLIT-SIZES-NEXT: %[[C:.*]] = tensor.extract_slice %arg0[0, 3] [2, 3] [1, 1] : tensor<2x6xf32> to tensor<2x3xf32>
// SPLIT-SIZES-NEXT: return %[[A]], %[[B]], %[[C]]

// Equal parts, one per output.
// RUN: sparq-import-onnx %t/split_equal.onnx | FileCheck %s --check-prefix=SPLIT-EQUAL
// SPLIT-EQUAL: tensor.extract_slice %arg0[0, 0] [2, 2] [1, 1] : tensor<6x2xf32> to tensor<2x2xf32>
// SPLIT-EQUAL-NEXT: tensor.extract_slice %arg0[2, 0] [2, 2] [1, 1] : tensor<6x2xf32> to tensor<2x2xf32>
// SPLIT-EQUAL-NEXT: tensor.extract_slice %arg0[4, 0] [2, 2] [1, 1] : tensor<6x2xf32> to tensor<2x2xf32>

// num_outputs (opset 18): the last chunk is smaller.
// RUN: sparq-import-onnx %t/split_num_outputs.onnx | FileCheck %s --check-prefix=SPLIT-NUM
// SPLIT-NUM: tensor.extract_slice %arg0[0] [2] [1] : tensor<7xf32> to tensor<2xf32>
// SPLIT-NUM-NEXT: tensor.extract_slice %arg0[2] [2] [1] : tensor<7xf32> to tensor<2xf32>
// SPLIT-NUM-NEXT: tensor.extract_slice %arg0[4] [2] [1] : tensor<7xf32> to tensor<2xf32>
// SPLIT-NUM-NEXT: tensor.extract_slice %arg0[6] [1] [1] : tensor<7xf32> to tensor<1xf32>

// RUN: sparq-import-onnx %t/split_fold.onnx | FileCheck %s --check-prefix=SPLIT-FOLD
// SPLIT-FOLD-NOT: tensor.extract_slice
// SPLIT-FOLD: %[[A:.*]] = arith.constant dense<10> : tensor<1xi64>
// SPLIT-FOLD-NEXT: %[[B:.*]] = arith.constant dense<[20, 30, 40]> : tensor<3xi64>
// SPLIT-FOLD-NEXT: return %[[A]], %[[B]]

// RUN: not sparq-import-onnx %t/split_bad_sum.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-SUM
// SPLIT-SUM: error: {{.*}}split_bad_sum.onnx: node 'split' (Split): input 'split' [1, 2] does not divide axis 0 of size 4

// RUN: not sparq-import-onnx %t/split_bad_count.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-NSIZES
// SPLIT-NSIZES: error: {{.*}}: node 'split' (Split): input 'split' [1, 3] has 2 sizes but the node has 3 outputs

// Before opset 18 the parts must be equal.
// RUN: not sparq-import-onnx %t/split_uneven.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-UNEVEN
// SPLIT-UNEVEN: error: {{.*}}: node 'split' (Split): axis 0 of size 5 does not split into 2 parts

// ceil(5 / 4) = 2 leaves nothing for the last of 4 chunks.
// RUN: not sparq-import-onnx %t/split_too_many.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-TOO-MANY
// SPLIT-TOO-MANY: error: {{.*}}: node 'split' (Split): axis 0 of size 5 does not split into 4 parts

// RUN: not sparq-import-onnx %t/split_num_mismatch.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-NUM-MISMATCH
// SPLIT-NUM-MISMATCH: error: {{.*}}: node 'split' (Split): attribute 'num_outputs' is 3 but the node has 2 outputs

// RUN: not sparq-import-onnx %t/split_both.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-BOTH
// SPLIT-BOTH: error: {{.*}}: node 'split' (Split): input 'split' and attribute 'num_outputs' are both set

// RUN: not sparq-import-onnx %t/split_axis.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-AXIS
// SPLIT-AXIS: error: {{.*}}: node 'split' (Split): attribute 'axis' 1 is out of range for rank 1

// RUN: not sparq-import-onnx %t/split_scalar.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT-SCALAR
// SPLIT-SCALAR: error: {{.*}}: node 'split' (Split): cannot split a scalar

// RUN: not sparq-import-onnx %t/split_no_outputs.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=SPLIT-NO-OUTPUTS
// SPLIT-NO-OUTPUTS: error: {{.*}}: node 'split' (Split): has 0 outputs; Split gives at least 1

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/slice_basic.onnx | FileCheck %s --check-prefix=SLICE
// SLICE: tensor.extract_slice %arg0[1, 0] [2, 10] [1, 1] : tensor<4x10xf32> to tensor<2x10xf32>

// RUN: sparq-import-onnx %t/slice_steps.onnx | FileCheck %s --check-prefix=SLICE-STEPS
// SLICE-STEPS: tensor.extract_slice %arg0[1] [3] [3] : tensor<10xf32> to tensor<3xf32>

// Negative starts/ends count from the end; axes may be negative.
// RUN: sparq-import-onnx %t/slice_negative.onnx | FileCheck %s --check-prefix=SLICE-NEG
// SLICE-NEG: tensor.extract_slice %arg0[0, 7] [4, 2] [1, 1] : tensor<4x10xf32> to tensor<4x2xf32>

// Out-of-range starts/ends clamp; INT64_MAX means "to the end".
// RUN: sparq-import-onnx %t/slice_clamped.onnx | FileCheck %s --check-prefix=SLICE-CLAMPED
// SLICE-CLAMPED: tensor.extract_slice %arg0[2, 0] [2, 10] [1, 1] : tensor<4x10xf32> to tensor<2x10xf32>

// INT32 indices.
// RUN: sparq-import-onnx %t/slice_int32.onnx | FileCheck %s --check-prefix=SLICE-INT32
// SLICE-INT32: tensor.extract_slice %arg0[0, 1] [4, 8] [1, 1] : tensor<4x10xf32> to tensor<4x8xf32>

// RUN: sparq-import-onnx %t/slice_whole.onnx | FileCheck %s --check-prefix=SLICE-WHOLE
// SLICE-WHOLE-NOT: tensor.extract_slice
// SLICE-WHOLE: return %arg0 : tensor<4x10xf32>

// Step -1 from the end through INT64_MIN reverses the axis: a generic
// reading index 4 - i.
// RUN: sparq-import-onnx %t/slice_reverse.onnx | FileCheck %s --check-prefix=SLICE-REVERSE
// SLICE-REVERSE: #[[REV:.*]] = affine_map<(d0, d1) -> (-d0 + 4, d1)>
// SLICE-REVERSE: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// SLICE-REVERSE-NOT: tensor.extract_slice
// SLICE-REVERSE: linalg.generic {indexing_maps = [#[[REV]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<5x4xf32>) outs(%{{.*}} : tensor<5x4xf32>)

// x[8:0:-3] = x[2], x[5], x[8] reversed.
// RUN: sparq-import-onnx %t/slice_reverse_step.onnx | FileCheck %s --check-prefix=SLICE-REVERSE-STEP
// SLICE-REVERSE-STEP: #[[REV:.*]] = affine_map<(d0) -> (-d0 + 2)>
// SLICE-REVERSE-STEP: %[[S:.*]] = tensor.extract_slice %arg0[2] [3] [3] : tensor<10xf32> to tensor<3xf32>
// SLICE-REVERSE-STEP: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], iterator_types = ["parallel"]} ins(%[[S]] : tensor<3xf32>)

// RUN: sparq-import-onnx %t/slice_empty.onnx | FileCheck %s --check-prefix=SLICE-ZERO-SIZE
// SLICE-ZERO-SIZE: tensor.extract_slice %arg0[0, 0] [4, 0] [1, 1] : tensor<4x10xf32> to tensor<4x0xf32>

// RUN: sparq-import-onnx %t/slice_fold.onnx | FileCheck %s --check-prefix=SLICE-FOLD
// SLICE-FOLD-NOT: tensor.extract_slice
// SLICE-FOLD: %[[Y:.*]] = arith.constant dense<[6, 4, 2, 0]> : tensor<4xi64>
// SLICE-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/slice_runtime.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-RUNTIME
// SLICE-RUNTIME: error: {{.*}}slice_runtime.onnx: node 'slice' (Slice): input 'starts' must be a compile-time constant (sparq compiles static shapes)

// RUN: not sparq-import-onnx %t/slice_step_zero.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-STEP-ZERO
// SLICE-STEP-ZERO: error: {{.*}}: node 'slice' (Slice): input 'steps' [0] has a 0 step for axis 0

// RUN: not sparq-import-onnx %t/slice_lengths.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-LENGTHS
// SLICE-LENGTHS: error: {{.*}}: node 'slice' (Slice): inputs 'starts' [0, 0] and 'ends' [1] differ in length

// RUN: not sparq-import-onnx %t/slice_axes_length.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-AXES-LENGTH
// SLICE-AXES-LENGTH: error: {{.*}}: node 'slice' (Slice): input 'axes' [0] has 1 entries but 'starts' has 2

// RUN: not sparq-import-onnx %t/slice_steps_length.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-STEPS-LENGTH
// SLICE-STEPS-LENGTH: error: {{.*}}: node 'slice' (Slice): input 'steps' [1, 1] has 2 entries but 'starts' has 1

// RUN: not sparq-import-onnx %t/slice_axes_range.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-AXES-RANGE
// SLICE-AXES-RANGE: error: {{.*}}: node 'slice' (Slice): input 'axes' [2]: axis 2 is out of range for rank 2

// RUN: not sparq-import-onnx %t/slice_axes_repeated.onnx 2>&1 | FileCheck %s --check-prefix=SLICE-AXES-REPEATED
// SLICE-AXES-REPEATED: error: {{.*}}: node 'slice' (Slice): input 'axes' [0, -2]: axis 0 appears more than once

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

// Embedding lookup: a [100, 16] table by [2, 3] token ids read at run time.
// Negative ids wrap once, others clamp into the table.
// RUN: sparq-import-onnx %t/gather_embedding.onnx | FileCheck %s --check-prefix=GATHER-EMBED
// GATHER-EMBED: #[[IDS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// GATHER-EMBED: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// GATHER-EMBED-LABEL: func.func @main(%arg0: tensor<2x3xi64> {sparq.name = "ids"}) -> (tensor<2x3x16xf32> {sparq.name = "y"})
// GATHER-EMBED: %[[TABLE:.*]] = arith.constant dense_resource<table> : tensor<100x16xf32>
// GATHER-EMBED: linalg.generic {indexing_maps = [#[[IDS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3x16xf32>)
// GATHER-EMBED-NEXT: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// GATHER-EMBED-DAG: %[[V:.*]] = arith.constant 100 : i64
// GATHER-EMBED-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// GATHER-EMBED: %[[NEG:.*]] = arith.cmpi slt, %[[ID]], %[[ZERO]] : i64
// GATHER-EMBED: %[[WRAP:.*]] = arith.addi %[[ID]], %[[V]] : i64
// GATHER-EMBED: %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[ID]] : i64
// GATHER-EMBED: %[[LO:.*]] = arith.maxsi %[[SEL]], %[[ZERO]] : i64
// GATHER-EMBED: %[[LAST:.*]] = arith.constant 99 : i64
// GATHER-EMBED: %[[HI:.*]] = arith.minsi %[[LO]], %[[LAST]] : i64
// GATHER-EMBED: %[[ROW:.*]] = arith.index_cast %[[HI]] : i64 to index
// GATHER-EMBED: %[[COL:.*]] = linalg.index 2 : index
// GATHER-EMBED: %[[E:.*]] = tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]] : tensor<100x16xf32>
// GATHER-EMBED: linalg.yield %[[E]] : f32
// GATHER-EMBED: -> tensor<2x3x16xf32>

// A scalar INT32 index read at run time, on axis 1.
// RUN: sparq-import-onnx %t/gather_runtime_scalar.onnx | FileCheck %s --check-prefix=GATHER-SCALAR
// GATHER-SCALAR: #[[IDX:.*]] = affine_map<(d0, d1) -> ()>
// GATHER-SCALAR: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}], {{.*}} ins(%arg1 : tensor<i32>) outs(%{{.*}} : tensor<2x4xf32>)
// GATHER-SCALAR: arith.extsi %{{.*}} : i32 to i64
// GATHER-SCALAR: %[[I0:.*]] = linalg.index 0 : index
// GATHER-SCALAR: %[[I1:.*]] = arith.index_cast %{{.*}} : i64 to index
// GATHER-SCALAR: %[[I2:.*]] = linalg.index 1 : index
// GATHER-SCALAR: tensor.extract %arg0[%[[I0]], %[[I1]], %[[I2]]] : tensor<2x5x4xf32>

// Known indices: x[:, -1] is one rank-reducing slice.
// RUN: sparq-import-onnx %t/gather_last_token.onnx | FileCheck %s --check-prefix=GATHER-LAST
// GATHER-LAST-NOT: linalg.generic
// GATHER-LAST: tensor.extract_slice %arg0[0, 4, 0] [2, 1, 4] [1, 1, 1] : tensor<2x5x4xf32> to tensor<2x4xf32>

// Evenly spaced indices [1, 3]: a strided slice.
// RUN: sparq-import-onnx %t/gather_strided.onnx | FileCheck %s --check-prefix=GATHER-STRIDED
// GATHER-STRIDED-NOT: linalg.generic
// GATHER-STRIDED: tensor.extract_slice %arg0[1, 0] [2, 4] [2, 1] : tensor<6x4xf32> to tensor<2x4xf32>

// 2-D indices [[0, 1], [2, 3]]: a slice reshaped to [2, 2, 4].
// RUN: sparq-import-onnx %t/gather_2d_indices.onnx | FileCheck %s --check-prefix=GATHER-2D
// GATHER-2D-NOT: linalg.generic
// GATHER-2D: tensor.extract_slice %arg0[0, 0] [4, 4] [1, 1] : tensor<6x4xf32> to tensor<4x4xf32>
// GATHER-2D: tensor.{{(expand|collapse)}}_shape {{.*}} into tensor<2x2x4xf32>

// Other known indices ([3, 0, -1]) go through the generic.
// RUN: sparq-import-onnx %t/gather_shuffle.onnx | FileCheck %s --check-prefix=GATHER-SHUFFLE
// GATHER-SHUFFLE: %[[IDX:.*]] = arith.constant dense<[3, 0, -1]> : tensor<3xi64>
// GATHER-SHUFFLE: linalg.generic {{.*}} ins(%[[IDX]] : tensor<3xi64>) outs(%{{.*}} : tensor<3x4xf32>)
// GATHER-SHUFFLE: tensor.extract %arg0

// Known data and indices fold, negative indices wrapping.
// RUN: sparq-import-onnx %t/gather_fold.onnx | FileCheck %s --check-prefix=GATHER-FOLD
// GATHER-FOLD-NOT: linalg.generic
// GATHER-FOLD: %[[Y:.*]] = arith.constant dense<{{\[\[\[}}2], [1]], {{\[\[}}4], [3]], {{\[\[}}6], [5]]]> : tensor<3x2x1xi64>
// GATHER-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/gather_out_of_range.onnx 2>&1 | FileCheck %s --check-prefix=GATHER-RANGE
// GATHER-RANGE: error: {{.*}}gather_out_of_range.onnx: node 'gather' (Gather): index 5 is out of range for axis 0 of size 4

// RUN: not sparq-import-onnx %t/gather_axis.onnx 2>&1 | FileCheck %s --check-prefix=GATHER-AXIS
// GATHER-AXIS: error: {{.*}}: node 'gather' (Gather): attribute 'axis' 2 is out of range for rank 2

// RUN: not sparq-import-onnx %t/gather_float_indices.onnx 2>&1 | FileCheck %s --check-prefix=GATHER-FLOAT
// GATHER-FLOAT: error: {{.*}}: node 'gather' (Gather): input 'indices' must be INT32 or INT64, got FLOAT

// RUN: not sparq-import-onnx %t/gather_scalar_data.onnx 2>&1 | FileCheck %s --check-prefix=GATHER-SCALAR-DATA
// GATHER-SCALAR-DATA: error: {{.*}}: node 'gather' (Gather): input 'data' must have rank >= 1

// Run-time indices into an empty axis cannot be clamped to anything.
// RUN: not sparq-import-onnx %t/gather_empty_axis.onnx 2>&1 | FileCheck %s --check-prefix=GATHER-EMPTY-AXIS
// GATHER-EMPTY-AXIS: error: {{.*}}: node 'gather' (Gather): cannot gather from axis 0 of size 0

//===----------------------------------------------------------------------===//
// Expand
//===----------------------------------------------------------------------===//

// [3, 1] to [2, 1, 4] broadcasts both ways to [2, 3, 4].
// RUN: sparq-import-onnx %t/expand.onnx | FileCheck %s --check-prefix=EXPAND
// EXPAND: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// EXPAND: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)

// A shape of ones keeps the input.
// RUN: sparq-import-onnx %t/expand_smaller_shape.onnx | FileCheck %s --check-prefix=EXPAND-ONES
// EXPAND-ONES-NOT: linalg.generic
// EXPAND-ONES: return %arg0 : tensor<2x3xf32>

// RUN: sparq-import-onnx %t/expand_fold.onnx | FileCheck %s --check-prefix=EXPAND-FOLD
// EXPAND-FOLD-NOT: linalg.generic
// EXPAND-FOLD: %[[Y:.*]] = arith.constant dense<{{\[\[}}1, 2], [1, 2], [1, 2]]> : tensor<3x2xi64>
// EXPAND-FOLD-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/expand_incompatible.onnx 2>&1 | FileCheck %s --check-prefix=EXPAND-BAD
// EXPAND-BAD: error: {{.*}}expand_incompatible.onnx: node 'expand' (Expand): input shape [2, 3] does not broadcast to 'shape' [4, 3]

// RUN: not sparq-import-onnx %t/expand_negative.onnx 2>&1 | FileCheck %s --check-prefix=EXPAND-NEG
// EXPAND-NEG: error: {{.*}}: node 'expand' (Expand): input 'shape' [-1, 3] is not a valid shape

// RUN: not sparq-import-onnx %t/expand_runtime_shape.onnx 2>&1 | FileCheck %s --check-prefix=EXPAND-RUNTIME
// EXPAND-RUNTIME: error: {{.*}}: node 'expand' (Expand): input 'shape' must be a compile-time constant (sparq compiles static shapes)

//===----------------------------------------------------------------------===//
// ConstantOfShape
//===----------------------------------------------------------------------===//

// Default value: FLOAT 0.
// RUN: sparq-import-onnx %t/constant_of_shape.onnx | FileCheck %s --check-prefix=COS
// COS: %[[Y:.*]] = arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// COS-NEXT: return %[[Y]]

// The value tensor sets the type; its own constant is not kept.
// RUN: sparq-import-onnx %t/constant_of_shape_int.onnx | FileCheck %s --check-prefix=COS-INT
// COS-INT-NOT: dense<7> : tensor<1xi64>
// COS-INT: %[[Y:.*]] = arith.constant dense<7> : tensor<4xi64>
// COS-INT-NEXT: return %[[Y]]

// Large results stay splat literals.
// RUN: sparq-import-onnx %t/constant_of_shape_large.onnx | FileCheck %s --check-prefix=COS-LARGE
// COS-LARGE: %[[Y:.*]] = arith.constant dense<true> : tensor<64x64xi1>
// COS-LARGE-NEXT: return %[[Y]]

// RUN: not sparq-import-onnx %t/constant_of_shape_two_values.onnx 2>&1 | FileCheck %s --check-prefix=COS-TWO
// COS-TWO: error: {{.*}}: node 'constantofshape' (ConstantOfShape): attribute 'value' must hold one element, got shape [2]

// RUN: not sparq-import-onnx %t/constant_of_shape_runtime.onnx 2>&1 | FileCheck %s --check-prefix=COS-RUNTIME
// COS-RUNTIME: error: {{.*}}: node 'constantofshape' (ConstantOfShape): input 'shape' must be a compile-time constant (sparq compiles static shapes)

//===----------------------------------------------------------------------===//
// Range
//===----------------------------------------------------------------------===//

// ceil((limit - start) / delta) elements.
// RUN: sparq-import-onnx %t/range_int.onnx | FileCheck %s --check-prefix=RANGE-INT
// RANGE-INT: %[[Y:.*]] = arith.constant dense<[0, 3, 6, 9]> : tensor<4xi64>
// RANGE-INT-NEXT: return %[[Y]]

// RUN: sparq-import-onnx %t/range_int_down.onnx | FileCheck %s --check-prefix=RANGE-DOWN
// RANGE-DOWN: arith.constant dense<[10, 6, 2]> : tensor<3xi32>

// RUN: sparq-import-onnx %t/range_float.onnx | FileCheck %s --check-prefix=RANGE-FLOAT
// RANGE-FLOAT: arith.constant dense<[5.000000e-01, 1.000000e+00, 1.500000e+00]> : tensor<3xf32>

// RUN: sparq-import-onnx %t/range_empty.onnx | FileCheck %s --check-prefix=RANGE-NONE
// RANGE-NONE: arith.constant dense<> : tensor<0xi64>

// Past 1024 elements: a generic computing start + i * delta.
// RUN: sparq-import-onnx %t/range_large.onnx | FileCheck %s --check-prefix=RANGE-LARGE
// RANGE-LARGE: linalg.generic {{.*}} outs(%{{.*}} : tensor<2000xi64>)
// RANGE-LARGE: %[[I:.*]] = linalg.index 0 : index
// RANGE-LARGE: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// RANGE-LARGE: %[[DELTA:.*]] = arith.constant 2 : i64
// RANGE-LARGE: arith.muli %[[I64]], %[[DELTA]] : i64

// RUN: sparq-import-onnx %t/range_large_float.onnx | FileCheck %s --check-prefix=RANGE-LARGE-FLOAT
// RANGE-LARGE-FLOAT: linalg.generic {{.*}} outs(%{{.*}} : tensor<1500xf32>)
// RANGE-LARGE-FLOAT: arith.sitofp %{{.*}} : i64 to f64
// RANGE-LARGE-FLOAT: arith.truncf %{{.*}} : f64 to f32

// RUN: not sparq-import-onnx %t/range_runtime.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-RUNTIME
// RANGE-RUNTIME: error: {{.*}}range_runtime.onnx: node 'range' (Range): input 'limit' must be a compile-time constant (sparq compiles static shapes)

// RUN: not sparq-import-onnx %t/range_zero_delta.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-ZERO
// RANGE-ZERO: error: {{.*}}: node 'range' (Range): input 'delta' is 0

// RUN: not sparq-import-onnx %t/range_types.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-TYPES
// RANGE-TYPES: error: {{.*}}: node 'range' (Range): inputs 'start', 'limit' and 'delta' must have the same type, got INT64, INT32 and INT64

// RUN: not sparq-import-onnx %t/range_not_scalar.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-NOT-SCALAR
// RANGE-NOT-SCALAR: error: {{.*}}: node 'range' (Range): input 'start' must be a scalar, got shape [2]

// RUN: not sparq-import-onnx %t/range_uint8.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-UINT8
// RANGE-UINT8: error: {{.*}}: node 'range' (Range): element type UINT8 is not supported (FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT16, INT32 or INT64)

// RUN: not sparq-import-onnx %t/range_infinite.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-INFINITE
// RANGE-INFINITE: error: {{.*}}: node 'range' (Range): start 0.000000e+00, limit INF and delta 1.000000e+00 give no length below 2^63

// RUN: not sparq-import-onnx %t/range_huge.onnx 2>&1 | FileCheck %s --check-prefix=RANGE-HUGE
// RANGE-HUGE: error: {{.*}}: node 'range' (Range): start -9223372036854775808, limit 9223372036854775807 and delta 1 give no length below 2^63
