// Elementwise ONNX operators: one linalg.generic each with numpy
// broadcasting, float ops for float types and integer ops (by the ONNX
// type's signedness) for integer types; results of known inputs fold to
// constants at import.

// RUN: rm -rf %t && %python %S/Inputs/elementwise.py %t

//===----------------------------------------------------------------------===//
// Add, Sub, Mul, Div
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/add_broadcast.onnx | FileCheck %s --check-prefix=ADD-BROADCAST
// ADD-BROADCAST-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// ADD-BROADCAST-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// ADD-BROADCAST-LABEL: func.func @main
// ADD-BROADCAST-SAME: (%[[A:arg[0-9]+]]: tensor<2x3xf32> {{.*}}, %[[B:arg[0-9]+]]: tensor<3xf32> {{.*}}) -> (tensor<2x3xf32>
// ADD-BROADCAST: %[[INIT:.+]] = tensor.empty() : tensor<2x3xf32>
// ADD-BROADCAST: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// ADD-BROADCAST-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// ADD-BROADCAST: arith.addf %{{.*}}, %{{.*}} : f32

// Ranks 3 and 2 with size-1 dims on both sides.
// RUN: sparq-import-onnx %t/add_ranks.onnx | FileCheck %s --check-prefix=ADD-RANKS
// ADD-RANKS-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// ADD-RANKS-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// ADD-RANKS-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// ADD-RANKS-LABEL: func.func @main
// ADD-RANKS: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// ADD-RANKS-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x1x3xf32>, tensor<2x1xf32>) outs(%{{.*}} : tensor<4x2x3xf32>)
// ADD-RANKS: arith.addf
// ADD-RANKS: -> tensor<4x2x3xf32>

// RUN: sparq-import-onnx %t/add_scalar.onnx | FileCheck %s --check-prefix=ADD-SCALAR
// ADD-SCALAR-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// ADD-SCALAR-LABEL: func.func @main
// ADD-SCALAR: linalg.generic {indexing_maps = [#{{.+}}, #[[SCALAR]], #{{.+}}]
// ADD-SCALAR-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>)
// ADD-SCALAR: arith.addf

// RUN: sparq-import-onnx %t/add_int32.onnx | FileCheck %s --check-prefix=ADD-INT32
// ADD-INT32-LABEL: func.func @main
// ADD-INT32: ^bb0(%[[L:.+]]: i32, %[[R:.+]]: i32, %{{.+}}: i32):
// ADD-INT32-NEXT: %[[SUM:.+]] = arith.addi %[[L]], %[[R]] : i32
// ADD-INT32-NEXT: linalg.yield %[[SUM]] : i32
// ADD-INT32: -> tensor<4xi32>

// RUN: sparq-import-onnx %t/sub_f16.onnx | FileCheck %s --check-prefix=SUB-F16
// SUB-F16-DAG: #[[ROW0:.+]] = affine_map<(d0, d1) -> (0, d1)>
// SUB-F16-LABEL: func.func @main
// SUB-F16: linalg.generic {indexing_maps = [#{{.+}}, #[[ROW0]], #{{.+}}]
// SUB-F16-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x2xf16>, tensor<1x2xf16>)
// SUB-F16: arith.subf %{{.*}}, %{{.*}} : f16
// SUB-F16: -> tensor<2x2xf16>

// RUN: sparq-import-onnx %t/sub_int64.onnx | FileCheck %s --check-prefix=SUB-INT64
// SUB-INT64-LABEL: func.func @main
// SUB-INT64: arith.subi %{{.*}}, %{{.*}} : i64

// RUN: sparq-import-onnx %t/mul_bf16.onnx | FileCheck %s --check-prefix=MUL-BF16
// MUL-BF16-LABEL: func.func @main
// MUL-BF16: arith.mulf %{{.*}}, %{{.*}} : bf16
// MUL-BF16: -> tensor<3xbf16>

// RUN: sparq-import-onnx %t/mul_int8.onnx | FileCheck %s --check-prefix=MUL-INT8
// MUL-INT8-LABEL: func.func @main
// MUL-INT8: arith.muli %{{.*}}, %{{.*}} : i8

// RUN: sparq-import-onnx %t/div_float.onnx | FileCheck %s --check-prefix=DIV-FLOAT
// DIV-FLOAT-LABEL: func.func @main
// DIV-FLOAT: arith.divf %{{.*}}, %{{.*}} : f32

// Integer division truncates toward zero; UINT8 divides unsigned.
// RUN: sparq-import-onnx %t/div_int32.onnx | FileCheck %s --check-prefix=DIV-INT32
// DIV-INT32-LABEL: func.func @main
// DIV-INT32: arith.divsi %{{.*}}, %{{.*}} : i32

// RUN: sparq-import-onnx %t/div_uint8.onnx | FileCheck %s --check-prefix=DIV-UINT8
// DIV-UINT8-LABEL: func.func @main
// DIV-UINT8-SAME: -> (tensor<3xi8> {sparq.name = "y", sparq.unsigned})
// DIV-UINT8: arith.divui %{{.*}}, %{{.*}} : i8

//===----------------------------------------------------------------------===//
// Folding of known inputs
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/mul_fold.onnx | FileCheck %s --check-prefix=MUL-FOLD
// MUL-FOLD-LABEL: func.func @main
// MUL-FOLD-NOT: linalg
// MUL-FOLD: %[[Y:.+]] = arith.constant dense<[10, 15, -20]> : tensor<3xi64>
// MUL-FOLD-NOT: linalg
// MUL-FOLD: return %[[Y]] : tensor<3xi64>

// RUN: sparq-import-onnx %t/add_fold_float.onnx | FileCheck %s --check-prefix=ADD-FOLD-FLOAT
// ADD-FOLD-FLOAT-LABEL: func.func @main
// ADD-FOLD-FLOAT-NOT: linalg
// ADD-FOLD-FLOAT: %[[Y:.+]] = arith.constant dense<{{\[\[}}1.750000e+00, -1.750000e+00], [2.500000e+00, -1.000000e+00]]> : tensor<2x2xf32>
// ADD-FOLD-FLOAT: return %[[Y]]

// RUN: sparq-import-onnx %t/sub_fold.onnx | FileCheck %s --check-prefix=SUB-FOLD
// SUB-FOLD-LABEL: func.func @main
// SUB-FOLD-NOT: linalg
// SUB-FOLD: %[[Y:.+]] = arith.constant dense<[7, -10]> : tensor<2xi32>
// SUB-FOLD: return %[[Y]]

// Division truncates toward zero, as ONNX Runtime does.
// RUN: sparq-import-onnx %t/div_fold.onnx | FileCheck %s --check-prefix=DIV-FOLD
// DIV-FOLD-LABEL: func.func @main
// DIV-FOLD-NOT: linalg
// DIV-FOLD: %[[Y:.+]] = arith.constant dense<[-3, -3, 3]> : tensor<3xi64>
// DIV-FOLD: return %[[Y]]

// UINT8 200 (printed as i8 -56) / 3 = 66.
// RUN: sparq-import-onnx %t/div_fold_uint8.onnx | FileCheck %s --check-prefix=DIV-FOLD-UINT8
// DIV-FOLD-UINT8-LABEL: func.func @main
// DIV-FOLD-UINT8-NOT: linalg
// DIV-FOLD-UINT8: %[[Y:.+]] = arith.constant dense<[66, 4]> : tensor<2xi8>
// DIV-FOLD-UINT8: return %[[Y]]

// RUN: sparq-import-onnx %t/div_fold_float.onnx | FileCheck %s --check-prefix=DIV-FOLD-FLOAT
// DIV-FOLD-FLOAT-LABEL: func.func @main
// DIV-FOLD-FLOAT-NOT: linalg
// DIV-FOLD-FLOAT: %[[Y:.+]] = arith.constant dense<[2.500000e-01, -1.500000e+00]> : tensor<2xf32>
// DIV-FOLD-FLOAT: return %[[Y]]

// A known zero divisor is not folded: the division stays for run time.
// RUN: sparq-import-onnx %t/div_by_zero.onnx | FileCheck %s --check-prefix=DIV-BY-ZERO
// DIV-BY-ZERO-LABEL: func.func @main
// DIV-BY-ZERO: linalg.generic
// DIV-BY-ZERO: arith.divsi

// RUN: sparq-import-onnx %t/neg_fold.onnx | FileCheck %s --check-prefix=NEG-FOLD
// NEG-FOLD-LABEL: func.func @main
// NEG-FOLD-NOT: linalg
// NEG-FOLD: %[[Y:.+]] = arith.constant dense<[-1, 2, 0]> : tensor<3xi32>
// NEG-FOLD: return %[[Y]]

// RUN: sparq-import-onnx %t/neg_fold_float.onnx | FileCheck %s --check-prefix=NEG-FOLD-FLOAT
// NEG-FOLD-FLOAT-LABEL: func.func @main
// NEG-FOLD-FLOAT-NOT: linalg
// NEG-FOLD-FLOAT: %[[Y:.+]] = arith.constant dense<[-5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// NEG-FOLD-FLOAT: return %[[Y]]

// Identity -> Mul -> Cast over known values folds all the way.
// RUN: sparq-import-onnx %t/fold_chain.onnx | FileCheck %s --check-prefix=FOLD-CHAIN
// FOLD-CHAIN-LABEL: func.func @main
// FOLD-CHAIN-NOT: linalg
// FOLD-CHAIN: arith.constant dense<[6, 8]> : tensor<2xi64>
// FOLD-CHAIN: %[[Y:.+]] = arith.constant dense<[6.000000e+00, 8.000000e+00]> : tensor<2xf32>
// FOLD-CHAIN: return %[[Y]]

// 33 x 33 results are more than the 1024 sparq folds.
// RUN: sparq-import-onnx %t/add_no_fold_large.onnx | FileCheck %s --check-prefix=NO-FOLD-LARGE
// NO-FOLD-LARGE-LABEL: func.func @main
// NO-FOLD-LARGE: linalg.generic
// NO-FOLD-LARGE-SAME: ins(%{{.*}}, %{{.*}} : tensor<33x1xf32>, tensor<1x33xf32>)
// NO-FOLD-LARGE: arith.addf

//===----------------------------------------------------------------------===//
// Pow
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/pow_float.onnx | FileCheck %s --check-prefix=POW-FLOAT
// POW-FLOAT-LABEL: func.func @main
// POW-FLOAT: ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>)
// POW-FLOAT: math.powf %{{.*}}, %{{.*}} : f32

// RUN: sparq-import-onnx %t/pow_float_int.onnx | FileCheck %s --check-prefix=POW-FLOAT-INT
// POW-FLOAT-INT-LABEL: func.func @main
// POW-FLOAT-INT: math.fpowi %{{.*}}, %{{.*}} : f32, i64

// An unsigned exponent is widened so fpowi does not read it as negative.
// RUN: sparq-import-onnx %t/pow_float_uint8.onnx | FileCheck %s --check-prefix=POW-FLOAT-UINT8
// POW-FLOAT-UINT8-LABEL: func.func @main
// POW-FLOAT-UINT8: %[[E:.+]] = arith.extui %{{.*}} : i8 to i64
// POW-FLOAT-UINT8: math.fpowi %{{.*}}, %[[E]] : f32, i64

// The exponent takes the base's type.
// RUN: sparq-import-onnx %t/pow_f16_float.onnx | FileCheck %s --check-prefix=POW-F16
// POW-F16-LABEL: func.func @main
// POW-F16: ^bb0(%[[BASE:.+]]: f16, %[[EXPONENT:.+]]: f32, %{{.+}}: f16):
// POW-F16: %[[E16:.+]] = arith.truncf %[[EXPONENT]] : f32 to f16
// POW-F16: math.powf %[[BASE]], %[[E16]] : f16

// RUN: sparq-import-onnx %t/pow_int.onnx | FileCheck %s --check-prefix=POW-INT
// POW-INT-LABEL: func.func @main
// POW-INT: %[[E:.+]] = arith.trunci %{{.*}} : i64 to i32
// POW-INT: math.ipowi %{{.*}}, %[[E]] : i32
// POW-INT: -> tensor<3xi32>

// An integer base with a float exponent: the float power, truncated.
// RUN: sparq-import-onnx %t/pow_int_float.onnx | FileCheck %s --check-prefix=POW-INT-FLOAT
// POW-INT-FLOAT-LABEL: func.func @main
// POW-INT-FLOAT: %[[B:.+]] = arith.sitofp %{{.*}} : i64 to f32
// POW-INT-FLOAT: %[[P:.+]] = math.powf %[[B]], %{{.*}} : f32
// POW-INT-FLOAT: arith.fptosi %[[P]] : f32 to i64

// A known exponent of 2 squares.
// RUN: sparq-import-onnx %t/pow_square.onnx | FileCheck %s --check-prefix=POW-SQUARE
// POW-SQUARE-LABEL: func.func @main
// POW-SQUARE: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// POW-SQUARE-NEXT: arith.mulf %[[X]], %[[X]] : f32
// POW-SQUARE-NOT: math.powf

//===----------------------------------------------------------------------===//
// Unary operators
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/sqrt.onnx | FileCheck %s --check-prefix=SQRT
// SQRT-LABEL: func.func @main
// SQRT: math.sqrt %{{.*}} : f32
// SQRT: -> tensor<2x3xf32>

// RUN: sparq-import-onnx %t/reciprocal.onnx | FileCheck %s --check-prefix=RECIPROCAL
// RECIPROCAL-LABEL: func.func @main
// RECIPROCAL: ^bb0(%[[X:.+]]: f16, %{{.+}}: f16):
// RECIPROCAL: %[[ONE:.+]] = arith.constant 1.000000e+00 : f16
// RECIPROCAL: arith.divf %[[ONE]], %[[X]] : f16

// RUN: sparq-import-onnx %t/neg_float.onnx | FileCheck %s --check-prefix=NEG-FLOAT
// NEG-FLOAT-LABEL: func.func @main
// NEG-FLOAT: arith.negf %{{.*}} : f32

// RUN: sparq-import-onnx %t/neg_int.onnx | FileCheck %s --check-prefix=NEG-INT
// NEG-INT-LABEL: func.func @main
// NEG-INT: ^bb0(%[[X:.+]]: i32, %{{.+}}: i32):
// NEG-INT: %[[ZERO:.+]] = arith.constant 0 : i32
// NEG-INT: arith.subi %[[ZERO]], %[[X]] : i32

// RUN: sparq-import-onnx %t/exp.onnx | FileCheck %s --check-prefix=EXP
// EXP-LABEL: func.func @main
// EXP: math.exp %{{.*}} : f32

// RUN: sparq-import-onnx %t/erf.onnx | FileCheck %s --check-prefix=ERF
// ERF-LABEL: func.func @main
// ERF: math.erf %{{.*}} : f32

// RUN: sparq-import-onnx %t/tanh.onnx | FileCheck %s --check-prefix=TANH
// TANH-LABEL: func.func @main
// TANH: math.tanh %{{.*}} : f64
// TANH: -> tensor<3xf64>

// RUN: sparq-import-onnx %t/sigmoid.onnx | FileCheck %s --check-prefix=SIGMOID
// SIGMOID-LABEL: func.func @main
// SIGMOID: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// SIGMOID: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// SIGMOID: %[[NEG:.+]] = arith.negf %[[X]] : f32
// SIGMOID: %[[E:.+]] = math.exp %[[NEG]] : f32
// SIGMOID: %[[DEN:.+]] = arith.addf %[[ONE]], %[[E]] : f32
// SIGMOID: arith.divf %[[ONE]], %[[DEN]] : f32

// RUN: sparq-import-onnx %t/relu.onnx | FileCheck %s --check-prefix=RELU
// RELU-LABEL: func.func @main
// RELU: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// RELU: arith.maximumf %{{.*}}, %[[ZERO]] : f32

// RUN: sparq-import-onnx %t/relu_int8.onnx | FileCheck %s --check-prefix=RELU-INT8
// RELU-INT8-LABEL: func.func @main
// RELU-INT8: %[[ZERO:.+]] = arith.constant 0 : i8
// RELU-INT8: arith.maxsi %{{.*}}, %[[ZERO]] : i8

// Gelu (opset 20): exact with erf, or the tanh approximation.
// RUN: sparq-import-onnx %t/gelu.onnx | FileCheck %s --check-prefix=GELU
// GELU-LABEL: func.func @main
// GELU: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// GELU: %[[RSQRT2:.+]] = arith.constant 0.707106769 : f32
// GELU: %[[SCALED:.+]] = arith.mulf %[[X]], %[[RSQRT2]] : f32
// GELU: %[[ERRF:.+]] = math.erf %[[SCALED]] : f32
// GELU: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// GELU: %[[SUM:.+]] = arith.addf %[[ONE]], %[[ERRF]] : f32
// GELU: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// GELU: %[[HALFX:.+]] = arith.mulf %[[X]], %[[HALF]] : f32
// GELU: arith.mulf %[[HALFX]], %[[SUM]] : f32
// GELU-NOT: math.tanh

// RUN: sparq-import-onnx %t/gelu_tanh.onnx | FileCheck %s --check-prefix=GELU-TANH
// GELU-TANH-LABEL: func.func @main
// GELU-TANH: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// GELU-TANH: %[[X2:.+]] = arith.mulf %[[X]], %[[X]] : f32
// GELU-TANH: %[[X3:.+]] = arith.mulf %[[X]], %[[X2]] : f32
// GELU-TANH: arith.constant 4.471500e-02 : f32
// GELU-TANH: arith.constant 0.797884583 : f32
// GELU-TANH: math.tanh
// GELU-TANH: arith.constant 5.000000e-01 : f32
// GELU-TANH-NOT: math.erf

//===----------------------------------------------------------------------===//
// Where, Equal
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/where.onnx | FileCheck %s --check-prefix=WHERE
// WHERE-DAG: #[[COND:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// WHERE-DAG: #[[X:.+]] = affine_map<(d0, d1) -> (d1)>
// WHERE-DAG: #[[Z:.+]] = affine_map<(d0, d1) -> ()>
// WHERE-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// WHERE-LABEL: func.func @main
// WHERE: linalg.generic {indexing_maps = [#[[COND]], #[[X]], #[[Z]], #[[OUT]]]
// WHERE-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) outs(%{{.*}} : tensor<2x3xf32>)
// WHERE: ^bb0(%[[C:.+]]: i1, %[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// WHERE-NEXT: arith.select %[[C]], %[[A]], %[[B]] : f32

// RUN: sparq-import-onnx %t/where_fold.onnx | FileCheck %s --check-prefix=WHERE-FOLD
// WHERE-FOLD-LABEL: func.func @main
// WHERE-FOLD-NOT: linalg
// WHERE-FOLD: %[[Y:.+]] = arith.constant dense<[1, -1, 3]> : tensor<3xi64>
// WHERE-FOLD: return %[[Y]]

// RUN: sparq-import-onnx %t/equal_float.onnx | FileCheck %s --check-prefix=EQUAL-FLOAT
// EQUAL-FLOAT-LABEL: func.func @main
// EQUAL-FLOAT-SAME: -> (tensor<2x3xi1>
// EQUAL-FLOAT: ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<2x3xi1>)
// EQUAL-FLOAT: arith.cmpf oeq, %{{.*}}, %{{.*}} : f32

// RUN: sparq-import-onnx %t/equal_int64.onnx | FileCheck %s --check-prefix=EQUAL-INT64
// EQUAL-INT64-LABEL: func.func @main
// EQUAL-INT64: arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// EQUAL-INT64: -> tensor<3xi1>

// RUN: sparq-import-onnx %t/equal_fold.onnx | FileCheck %s --check-prefix=EQUAL-FOLD
// EQUAL-FOLD-LABEL: func.func @main
// EQUAL-FOLD-NOT: linalg
// EQUAL-FOLD: %[[Y:.+]] = arith.constant dense<[true, false, true]> : tensor<3xi1>
// EQUAL-FOLD: return %[[Y]]

// NaN is not equal to itself.
// RUN: sparq-import-onnx %t/equal_fold_float.onnx | FileCheck %s --check-prefix=EQUAL-FOLD-FLOAT
// EQUAL-FOLD-FLOAT-LABEL: func.func @main
// EQUAL-FOLD-FLOAT-NOT: linalg
// EQUAL-FOLD-FLOAT: %[[Y:.+]] = arith.constant dense<[true, false]> : tensor<2xi1>
// EQUAL-FOLD-FLOAT: return %[[Y]]

//===----------------------------------------------------------------------===//
// Cast, CastLike, Identity
//===----------------------------------------------------------------------===//

// RUN: sparq-import-onnx %t/cast_float_int32.onnx | FileCheck %s --check-prefix=CAST-F32-I32
// CAST-F32-I32-LABEL: func.func @main
// CAST-F32-I32: arith.fptosi %{{.*}} : f32 to i32

// RUN: sparq-import-onnx %t/cast_float_uint8.onnx | FileCheck %s --check-prefix=CAST-F32-U8
// CAST-F32-U8-LABEL: func.func @main
// CAST-F32-U8-SAME: -> (tensor<3xi8> {sparq.name = "y", sparq.unsigned})
// CAST-F32-U8: arith.fptoui %{{.*}} : f32 to i8

// RUN: sparq-import-onnx %t/cast_int32_float.onnx | FileCheck %s --check-prefix=CAST-I32-F32
// CAST-I32-F32-LABEL: func.func @main
// CAST-I32-F32: arith.sitofp %{{.*}} : i32 to f32

// RUN: sparq-import-onnx %t/cast_uint8_float.onnx | FileCheck %s --check-prefix=CAST-U8-F32
// CAST-U8-F32-LABEL: func.func @main
// CAST-U8-F32: arith.uitofp %{{.*}} : i8 to f32

// RUN: sparq-import-onnx %t/cast_float_bool.onnx | FileCheck %s --check-prefix=CAST-F32-BOOL
// CAST-F32-BOOL-LABEL: func.func @main
// CAST-F32-BOOL: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CAST-F32-BOOL: arith.cmpf une, %{{.*}}, %[[ZERO]] : f32
// CAST-F32-BOOL: -> tensor<3xi1>

// RUN: sparq-import-onnx %t/cast_bool_float.onnx | FileCheck %s --check-prefix=CAST-BOOL-F32
// CAST-BOOL-F32-LABEL: func.func @main
// CAST-BOOL-F32: arith.uitofp %{{.*}} : i1 to f32

// RUN: sparq-import-onnx %t/cast_float_f16.onnx | FileCheck %s --check-prefix=CAST-F32-F16
// CAST-F32-F16-LABEL: func.func @main
// CAST-F32-F16: arith.truncf %{{.*}} : f32 to f16

// RUN: sparq-import-onnx %t/cast_int64_int32.onnx | FileCheck %s --check-prefix=CAST-I64-I32
// CAST-I64-I32-LABEL: func.func @main
// CAST-I64-I32: arith.trunci %{{.*}} : i64 to i32

// RUN: sparq-import-onnx %t/cast_uint8_int32.onnx | FileCheck %s --check-prefix=CAST-U8-I32
// CAST-U8-I32-LABEL: func.func @main
// CAST-U8-I32: arith.extui %{{.*}} : i8 to i32

// Same bits, other signedness: no computation, only the ONNX type changes.
// RUN: sparq-import-onnx %t/cast_int8_uint8.onnx | FileCheck %s --check-prefix=CAST-I8-U8
// CAST-I8-U8-LABEL: func.func @main
// CAST-I8-U8-SAME: (%[[X:arg[0-9]+]]: tensor<3xi8> {sparq.name = "x"}) -> (tensor<3xi8> {sparq.name = "y", sparq.unsigned})
// CAST-I8-U8-NOT: linalg
// CAST-I8-U8: return %[[X]]

// Opset 19's saturate only matters for float8.
// RUN: sparq-import-onnx %t/cast_saturate.onnx | FileCheck %s --check-prefix=CAST-SATURATE
// CAST-SATURATE-LABEL: func.func @main
// CAST-SATURATE: arith.truncf %{{.*}} : f32 to f16

// RUN: sparq-import-onnx %t/cast_fold_int_float.onnx | FileCheck %s --check-prefix=CAST-FOLD-INT-FLOAT
// CAST-FOLD-INT-FLOAT-LABEL: func.func @main
// CAST-FOLD-INT-FLOAT-NOT: linalg
// CAST-FOLD-INT-FLOAT: %[[Y:.+]] = arith.constant dense<[1.000000e+00, -2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CAST-FOLD-INT-FLOAT: return %[[Y]]

// Float to integer truncates toward zero.
// RUN: sparq-import-onnx %t/cast_fold_float_int.onnx | FileCheck %s --check-prefix=CAST-FOLD-FLOAT-INT
// CAST-FOLD-FLOAT-INT-LABEL: func.func @main
// CAST-FOLD-FLOAT-INT-NOT: linalg
// CAST-FOLD-FLOAT-INT: %[[Y:.+]] = arith.constant dense<[-1, 2]> : tensor<2xi32>
// CAST-FOLD-FLOAT-INT: return %[[Y]]

// UINT8 200 zero-extends.
// RUN: sparq-import-onnx %t/cast_fold_uint8_int64.onnx | FileCheck %s --check-prefix=CAST-FOLD-UINT8
// CAST-FOLD-UINT8-LABEL: func.func @main
// CAST-FOLD-UINT8-NOT: linalg
// CAST-FOLD-UINT8: %[[Y:.+]] = arith.constant dense<[200, 1]> : tensor<2xi64>
// CAST-FOLD-UINT8: return %[[Y]]

// RUN: sparq-import-onnx %t/cast_fold_bool.onnx | FileCheck %s --check-prefix=CAST-FOLD-BOOL
// CAST-FOLD-BOOL-LABEL: func.func @main
// CAST-FOLD-BOOL-NOT: linalg
// CAST-FOLD-BOOL: %[[Y:.+]] = arith.constant dense<[false, true]> : tensor<2xi1>
// CAST-FOLD-BOOL: return %[[Y]]

// RUN: sparq-import-onnx %t/castlike.onnx | FileCheck %s --check-prefix=CASTLIKE
// CASTLIKE-LABEL: func.func @main
// CASTLIKE-SAME: -> (tensor<3xi64>
// CASTLIKE: arith.fptosi %{{.*}} : f32 to i64

// RUN: sparq-import-onnx %t/castlike_fold.onnx | FileCheck %s --check-prefix=CASTLIKE-FOLD
// CASTLIKE-FOLD-LABEL: func.func @main
// CASTLIKE-FOLD-NOT: linalg
// CASTLIKE-FOLD: %[[Y:.+]] = arith.constant dense<[4.000000e+00, 5.000000e+00]> : tensor<2xf16>
// CASTLIKE-FOLD: return %[[Y]]

// RUN: sparq-import-onnx %t/identity.onnx | FileCheck %s --check-prefix=IDENTITY
// IDENTITY-LABEL: func.func @main
// IDENTITY-SAME: (%[[X:arg[0-9]+]]: tensor<2x3xf32>
// IDENTITY-NEXT: return %[[X]] : tensor<2x3xf32>

// RUN: sparq-import-onnx %t/identity_int4.onnx | FileCheck %s --check-prefix=IDENTITY-INT4
// IDENTITY-INT4-LABEL: func.func @main
// IDENTITY-INT4: %[[PACKED:.+]] = arith.constant dense<{{\[\[}}-31, -61], [-91, -121]]> : tensor<2x2xi8>
// IDENTITY-INT4: %[[W:.+]] = sparq.unpack %[[PACKED]] : tensor<2x2xi8> -> tensor<2x4xi4>
// IDENTITY-INT4: return %[[W]] : tensor<2x4xi4>

// Identity keeps the packed form: DequantizeLinear reads the packed bytes
// directly instead of packing again.
// RUN: sparq-import-onnx %t/identity_packed.onnx | FileCheck %s --check-prefix=IDENTITY-PACKED
// IDENTITY-PACKED-LABEL: func.func @main
// IDENTITY-PACKED: %[[PACKED:.+]] = arith.constant dense<{{\[\[}}-31, -61], [-91, -121]]> : tensor<2x2xi8>
// IDENTITY-PACKED-NOT: sparq.pack
// IDENTITY-PACKED: sparq.dequantize %[[PACKED]]

//===----------------------------------------------------------------------===//
// Trilu
//===----------------------------------------------------------------------===//

// Upper (default), k = 0, on the last two of three dims.
// RUN: sparq-import-onnx %t/trilu_upper.onnx | FileCheck %s --check-prefix=TRILU-UPPER
// TRILU-UPPER-LABEL: func.func @main
// TRILU-UPPER: %[[K:.+]] = arith.constant 0 : i64
// TRILU-UPPER: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// TRILU-UPPER: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// TRILU-UPPER: %[[ROW:.+]] = linalg.index 1 : index
// TRILU-UPPER: %[[COL:.+]] = linalg.index 2 : index
// TRILU-UPPER: %[[DIFF:.+]] = arith.subi %[[COL]], %[[ROW]] : index
// TRILU-UPPER: %[[DIFF64:.+]] = arith.index_cast %[[DIFF]] : index to i64
// TRILU-UPPER: %[[KEEP:.+]] = arith.cmpi sge, %[[DIFF64]], %[[K]] : i64
// TRILU-UPPER: arith.select %[[KEEP]], %[[X]], %[[ZERO]] : f32
// TRILU-UPPER: -> tensor<2x3x4xf32>

// RUN: sparq-import-onnx %t/trilu_lower_k.onnx | FileCheck %s --check-prefix=TRILU-LOWER
// TRILU-LOWER-LABEL: func.func @main
// TRILU-LOWER: %[[K:.+]] = arith.constant -1 : i64
// TRILU-LOWER: %[[ZERO:.+]] = arith.constant 0 : i64
// TRILU-LOWER: linalg.index 0 : index
// TRILU-LOWER: linalg.index 1 : index
// TRILU-LOWER: %[[KEEP:.+]] = arith.cmpi sle, %{{.*}}, %[[K]] : i64
// TRILU-LOWER: arith.select %[[KEEP]], %{{.*}}, %[[ZERO]] : i64

// RUN: sparq-import-onnx %t/trilu_dynamic_k.onnx | FileCheck %s --check-prefix=TRILU-DYNAMIC
// TRILU-DYNAMIC-LABEL: func.func @main
// TRILU-DYNAMIC-SAME: %[[KT:arg[0-9]+]]: tensor<i64> {sparq.name = "k"}
// TRILU-DYNAMIC: %[[K:.+]] = tensor.extract %[[KT]][] : tensor<i64>
// TRILU-DYNAMIC: arith.cmpi sge, %{{.*}}, %[[K]] : i64

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

// RUN: not sparq-import-onnx %t/add_type_mismatch.onnx 2>&1 | FileCheck %s --check-prefix=ADD-TYPES
// ADD-TYPES: error: {{.*}}add_type_mismatch.onnx: node 'add' (Add): input element types differ: 'f32' and 'i64' (inputs 0 and 1: FLOAT and INT64)

// RUN: not sparq-import-onnx %t/div_sign_mismatch.onnx 2>&1 | FileCheck %s --check-prefix=DIV-SIGNS
// DIV-SIGNS: error: {{.*}}: node 'div' (Div): input element types differ: 'i8' and 'i8' (inputs 0 and 1: INT8 and UINT8)

// RUN: not sparq-import-onnx %t/add_no_broadcast.onnx 2>&1 | FileCheck %s --check-prefix=ADD-SHAPES
// ADD-SHAPES: error: {{.*}}: node 'add' (Add): shapes [2, 3] and [4] do not broadcast

// RUN: not sparq-import-onnx %t/add_bool.onnx 2>&1 | FileCheck %s --check-prefix=ADD-BOOL
// ADD-BOOL: error: {{.*}}: node 'add' (Add): input 0 has element type BOOL, but Add takes floating-point or integer tensors

// RUN: not sparq-import-onnx %t/pow_bool.onnx 2>&1 | FileCheck %s --check-prefix=POW-BOOL
// POW-BOOL: error: {{.*}}: node 'pow' (Pow): input 1 has element type BOOL, but Pow takes floating-point or integer tensors

// RUN: not sparq-import-onnx %t/sqrt_int.onnx 2>&1 | FileCheck %s --check-prefix=SQRT-INT
// SQRT-INT: error: {{.*}}: node 'sqrt' (Sqrt): input 0 has element type INT32, but Sqrt takes floating-point tensors

// RUN: not sparq-import-onnx %t/neg_uint8.onnx 2>&1 | FileCheck %s --check-prefix=NEG-UINT8
// NEG-UINT8: error: {{.*}}: node 'neg' (Neg): input 0 has element type UINT8, but Neg takes floating-point or signed integer tensors

// RUN: not sparq-import-onnx %t/gelu_bad.onnx 2>&1 | FileCheck %s --check-prefix=GELU-BAD
// GELU-BAD: error: {{.*}}: node 'gelu' (Gelu): attribute 'approximate' must be "none" or "tanh", got "fast"

// RUN: not sparq-import-onnx %t/where_cond_float.onnx 2>&1 | FileCheck %s --check-prefix=WHERE-COND
// WHERE-COND: error: {{.*}}: node 'where' (Where): condition (input 0) must be BOOL, got FLOAT

// RUN: not sparq-import-onnx %t/where_types.onnx 2>&1 | FileCheck %s --check-prefix=WHERE-TYPES
// WHERE-TYPES: error: {{.*}}: node 'where' (Where): input element types differ: 'f32' and 'f16' (inputs 1 and 2: FLOAT and FLOAT16)

// RUN: not sparq-import-onnx %t/where_no_broadcast.onnx 2>&1 | FileCheck %s --check-prefix=WHERE-SHAPES
// WHERE-SHAPES: error: {{.*}}: node 'where' (Where): shapes [2], [3] and [1] do not broadcast

// RUN: not sparq-import-onnx %t/equal_types.onnx 2>&1 | FileCheck %s --check-prefix=EQUAL-TYPES
// EQUAL-TYPES: error: {{.*}}: node 'equal' (Equal): input element types differ: 'i32' and 'i64' (inputs 0 and 1: INT32 and INT64)

// RUN: not sparq-import-onnx %t/cast_float8.onnx 2>&1 | FileCheck %s --check-prefix=CAST-FLOAT8
// CAST-FLOAT8: error: {{.*}}: node 'cast' (Cast): casting to FLOAT8E4M3FN is not supported: sparq has no float8 types

// RUN: not sparq-import-onnx %t/cast_string.onnx 2>&1 | FileCheck %s --check-prefix=CAST-STRING
// CAST-STRING: error: {{.*}}: node 'cast' (Cast): casting to STRING is not supported

// libonnx's checker already requires 'to'; sparq's own check without it.
// RUN: not sparq-import-onnx %t/cast_no_to.onnx --no-checker 2>&1 | FileCheck %s --check-prefix=CAST-NO-TO
// CAST-NO-TO: error: {{.*}}: node 'cast' (Cast): attribute 'to' is required

// RUN: not sparq-import-onnx %t/trilu_rank1.onnx 2>&1 | FileCheck %s --check-prefix=TRILU-RANK
// TRILU-RANK: error: {{.*}}: node 'trilu' (Trilu): input 0 has rank 1, but Trilu needs rank 2 or more

// RUN: not sparq-import-onnx %t/trilu_k_float.onnx 2>&1 | FileCheck %s --check-prefix=TRILU-K-FLOAT
// TRILU-K-FLOAT: error: {{.*}}: node 'trilu' (Trilu): input 1 (k) must be an integer, got FLOAT

// RUN: not sparq-import-onnx %t/trilu_k_shape.onnx 2>&1 | FileCheck %s --check-prefix=TRILU-K-SHAPE
// TRILU-K-SHAPE: error: {{.*}}: node 'trilu' (Trilu): input 1 (k) must hold one value, got shape [2]
