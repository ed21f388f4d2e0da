// MatMul (numpy semantics) and Gemm.
// RUN: %python %S/Inputs/matmul.py %t

// A 2-D product is one linalg.matmul accumulating from zero.
// RUN: sparq-import-onnx %t/mm_2d.onnx | FileCheck %s --check-prefix=MM2D
// MM2D-LABEL: func.func @main
// MM2D-SAME: (%arg0: tensor<2x3xf32> {sparq.name = "a"}, %arg1: tensor<3x4xf32> {sparq.name = "b"}) -> (tensor<2x4xf32> {sparq.name = "y"})
// MM2D: %[[EMPTY:.*]] = tensor.empty() : tensor<2x4xf32>
// MM2D: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// MM2D: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4xf32>)
// MM2D: %[[MM:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// MM2D: return %[[MM]]

// The weight case: leading dims of x collapse into M, one 2-D matmul with
// the constant, and the result expands back.
// RUN: sparq-import-onnx %t/mm_weight.onnx | FileCheck %s --check-prefix=WEIGHT
// WEIGHT-LABEL: func.func @main
// WEIGHT: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x4xf32>
// WEIGHT: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
// WEIGHT: %[[MM:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<10x3xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<10x4xf32>)
// WEIGHT: %[[Y:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, 5, 4] : tensor<10x4xf32> into tensor<2x5x4xf32>
// WEIGHT: return %[[Y]]
// WEIGHT-NOT: linalg.batch_matmul

// B with unit batch dims is still one weight matrix.
// RUN: sparq-import-onnx %t/mm_unit_batch.onnx | FileCheck %s --check-prefix=UNIT
// UNIT-LABEL: func.func @main
// UNIT: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
// UNIT: tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<1x3x4xf32> into tensor<3x4xf32>
// UNIT: linalg.matmul ins({{.*}} : tensor<10x3xf32>, tensor<3x4xf32>)
// UNIT: tensor.expand_shape {{.*}} output_shape [2, 5, 4]
// UNIT-NOT: linalg.batch_matmul

// Equal batch dims: batch_matmul on the operands as they are.
// RUN: sparq-import-onnx %t/mm_batched.onnx | FileCheck %s --check-prefix=BATCHED
// BATCHED-LABEL: func.func @main
// BATCHED-NOT: linalg.generic
// BATCHED: %[[MM:.*]] = linalg.batch_matmul ins(%arg0, %arg1 : tensor<2x5x3xf32>, tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x5x4xf32>)
// BATCHED: return %[[MM]] : tensor<2x5x4xf32>

// Broadcast batch dims are materialized, then collapsed into one.
// RUN: sparq-import-onnx %t/mm_broadcast.onnx | FileCheck %s --check-prefix=BCAST
// BCAST-DAG: #[[A_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// BCAST-DAG: #[[B_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// BCAST-LABEL: func.func @main
// BCAST: %[[A:.*]] = linalg.generic {indexing_maps = [#[[A_MAP]], {{.*}}]} ins(%arg0 : tensor<3x1x5x3xf32>) outs(%{{.*}} : tensor<3x2x5x3xf32>)
// BCAST: %[[B:.*]] = linalg.generic {indexing_maps = [#[[B_MAP]], {{.*}}]} ins(%arg1 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3x2x3x4xf32>)
// BCAST: %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2], [3]] : tensor<3x2x5x3xf32> into tensor<6x5x3xf32>
// BCAST: %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1], [2], [3]] : tensor<3x2x3x4xf32> into tensor<6x3x4xf32>
// BCAST: %[[MM:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<6x5x3xf32>, tensor<6x3x4xf32>)
// BCAST: %[[Y:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [3, 2, 5, 4]
// BCAST: return %[[Y]] : tensor<3x2x5x4xf32>

// 1-D operands are promoted, and the added dim removed again.
// RUN: sparq-import-onnx %t/mm_1d_lhs.onnx | FileCheck %s --check-prefix=LHS1D
// LHS1D-LABEL: func.func @main
// LHS1D: %[[A:.*]] = tensor.expand_shape %arg0 {{\[}}[0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// LHS1D: %[[MM:.*]] = linalg.matmul ins(%[[A]], %arg1 : tensor<1x3xf32>, tensor<3x4xf32>)
// LHS1D: %[[Y:.*]] = tensor.collapse_shape %[[MM]] {{\[}}[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
// LHS1D: return %[[Y]]

// RUN: sparq-import-onnx %t/mm_1d_rhs.onnx | FileCheck %s --check-prefix=RHS1D
// RHS1D-LABEL: func.func @main
// RHS1D: %[[B:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// RHS1D: %[[MM:.*]] = linalg.matmul ins(%arg0, %[[B]] : tensor<2x3xf32>, tensor<3x1xf32>)
// RHS1D: %[[Y:.*]] = tensor.collapse_shape %[[MM]] {{\[}}[0, 1]] : tensor<2x1xf32> into tensor<2xf32>
// RHS1D: return %[[Y]]

// RUN: sparq-import-onnx %t/mm_1d_both.onnx | FileCheck %s --check-prefix=BOTH1D
// BOTH1D-LABEL: func.func @main
// BOTH1D-SAME: -> (tensor<f32> {sparq.name = "y"})
// BOTH1D: linalg.matmul ins({{.*}} : tensor<1x3xf32>, tensor<3x1xf32>)
// BOTH1D: %[[Y:.*]] = tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
// BOTH1D: return %[[Y]]

// RUN: sparq-import-onnx %t/mm_1d_batched.onnx | FileCheck %s --check-prefix=BATCH1D
// BATCH1D-LABEL: func.func @main
// BATCH1D: tensor.expand_shape %arg0 {{\[}}[0, 1]] output_shape [1, 3]
// BATCH1D: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x3xf32>) outs(%{{.*}} : tensor<2x1x3xf32>)
// BATCH1D: %[[MM:.*]] = linalg.batch_matmul ins(%{{.*}}, %arg1 : tensor<2x1x3xf32>, tensor<2x3x4xf32>)
// BATCH1D: %[[Y:.*]] = tensor.collapse_shape %[[MM]] {{\[}}[0], [1, 2]] : tensor<2x1x4xf32> into tensor<2x4xf32>
// BATCH1D: return %[[Y]]

// Other element types accumulate in their own type.
// RUN: sparq-import-onnx %t/mm_f16.onnx | FileCheck %s --check-prefix=F16
// F16: arith.constant 0.000000e+00 : f16
// F16: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf16>, tensor<3x4xf16>) outs(%{{.*}} : tensor<2x4xf16>) -> tensor<2x4xf16>
// RUN: sparq-import-onnx %t/mm_bf16.onnx | FileCheck %s --check-prefix=BF16
// BF16: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xbf16>, tensor<3x4xbf16>) outs(%{{.*}} : tensor<2x4xbf16>) -> tensor<2x4xbf16>
// RUN: sparq-import-onnx %t/mm_i32.onnx | FileCheck %s --check-prefix=I32
// I32: %[[ZERO:.*]] = arith.constant 0 : i32
// I32: linalg.fill ins(%[[ZERO]] : i32)
// I32: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xi32>, tensor<3x4xi32>) outs(%{{.*}} : tensor<2x4xi32>) -> tensor<2x4xi32>
// RUN: sparq-import-onnx %t/mm_i64.onnx | FileCheck %s --check-prefix=I64
// I64: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xi64>, tensor<3x4xi64>) outs(%{{.*}} : tensor<2x4xi64>) -> tensor<2x4xi64>

// MatMul errors.
// RUN: not sparq-import-onnx %t/mm_bad_k.onnx 2>&1 | FileCheck %s --check-prefix=BAD-K
// BAD-K: node 'matmul' (MatMul): inner dimensions differ: A [2, 3] has K = 3 but B [4, 5] has 4 rows
// RUN: not sparq-import-onnx %t/mm_bad_batch.onnx 2>&1 | FileCheck %s --check-prefix=BAD-BATCH
// BAD-BATCH: node 'matmul' (MatMul): batch dimensions of A [2, 2, 3] and B [3, 3, 4] do not broadcast
// RUN: not sparq-import-onnx %t/mm_bad_types.onnx 2>&1 | FileCheck %s --check-prefix=BAD-TYPES
// BAD-TYPES: node 'matmul' (MatMul): A is FLOAT but B is FLOAT16
// RUN: not sparq-import-onnx %t/mm_bad_int8.onnx 2>&1 | FileCheck %s --check-prefix=BAD-INT8
// BAD-INT8: node 'matmul' (MatMul): element type INT8 is not supported (FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT32, INT64, UINT32 or UINT64)
// RUN: not sparq-import-onnx %t/mm_bad_scalar.onnx 2>&1 | FileCheck %s --check-prefix=BAD-SCALAR
// BAD-SCALAR: node 'matmul' (MatMul): inputs must have rank >= 1, got A [] and B [3]
// RUN: not sparq-import-onnx --no-checker %t/mm_bad_missing.onnx 2>&1 | FileCheck %s --check-prefix=BAD-MISSING
// BAD-MISSING: node 'matmul' (MatMul): has 1 input; MatMul takes 2

// Gemm: no C, alpha 1 is a bare matmul.
// RUN: sparq-import-onnx %t/gemm_plain.onnx | FileCheck %s --check-prefix=GEMM
// GEMM-LABEL: func.func @main
// GEMM: %[[MM:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>)
// GEMM-NEXT: return %[[MM]]

// transA/transB transpose the operands first.
// RUN: sparq-import-onnx %t/gemm_trans.onnx | FileCheck %s --check-prefix=TRANS
// TRANS-LABEL: func.func @main
// TRANS: %[[AT:.*]] = linalg.transpose ins(%arg0 : tensor<3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>) permutation = [1, 0]
// TRANS: %[[BT:.*]] = linalg.transpose ins(%arg1 : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
// TRANS: linalg.matmul ins(%[[AT]], %[[BT]] : tensor<2x3xf32>, tensor<3x4xf32>)

// alpha * AB + beta * C, C broadcast along rows.
// RUN: sparq-import-onnx %t/gemm_alpha_beta.onnx | FileCheck %s --check-prefix=ALPHABETA
// ALPHABETA-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// ALPHABETA-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// ALPHABETA-LABEL: func.func @main
// ALPHABETA: %[[MM:.*]] = linalg.matmul
// ALPHABETA: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], {{.*}}} ins(%[[MM]], %arg2 : tensor<2x4xf32>, tensor<4xf32>)
// ALPHABETA: ^bb0(%[[P:.*]]: f32, %[[C:.*]]: f32, %{{.*}}: f32):
// ALPHABETA: %[[ALPHA_C:.*]] = arith.constant 5.000000e-01 : f32
// ALPHABETA: %[[SP:.*]] = arith.mulf %[[ALPHA_C]], %[[P]] : f32
// ALPHABETA: %[[BETA_C:.*]] = arith.constant 2.000000e+00 : f32
// ALPHABETA: %[[SC:.*]] = arith.mulf %[[BETA_C]], %[[C]] : f32
// ALPHABETA: %[[SUM:.*]] = arith.addf %[[SP]], %[[SC]] : f32
// ALPHABETA: linalg.yield %[[SUM]]

// A [M, 1] C broadcasts along columns; beta 1 adds it as is.
// RUN: sparq-import-onnx %t/gemm_c_column.onnx | FileCheck %s --check-prefix=CCOL
// CCOL: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CCOL: linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}], {{.*}}} ins(%{{.*}}, %arg2 : tensor<2x4xf32>, tensor<2x1xf32>)
// CCOL-NOT: arith.mulf
// CCOL: arith.addf
// CCOL-NOT: arith.mulf

// RUN: sparq-import-onnx %t/gemm_alpha_only.onnx | FileCheck %s --check-prefix=ALPHA-ONLY
// ALPHA-ONLY: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x4xf32>)
// ALPHA-ONLY: arith.constant 3.000000e+00 : f32
// ALPHA-ONLY: arith.mulf
// ALPHA-ONLY-NOT: arith.addf

// beta = 0 ignores C.
// RUN: sparq-import-onnx %t/gemm_beta_zero.onnx | FileCheck %s --check-prefix=BETA0
// BETA0: %[[MM:.*]] = linalg.matmul
// BETA0-NEXT: return %[[MM]]

// Integer Gemm with a scalar C.
// RUN: sparq-import-onnx %t/gemm_i32.onnx | FileCheck %s --check-prefix=GEMMI32
// GEMMI32: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// GEMMI32: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xi32>, tensor<3x4xi32>)
// GEMMI32: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}], {{.*}}} ins(%{{.*}}, %arg2 : tensor<2x4xi32>, tensor<i32>)
// GEMMI32: arith.constant 2 : i32
// GEMMI32: arith.muli
// GEMMI32: arith.addi

// Gemm errors.
// RUN: not sparq-import-onnx %t/gemm_bad_rank.onnx 2>&1 | FileCheck %s --check-prefix=GEMM-BAD-RANK
// GEMM-BAD-RANK: node 'gemm' (Gemm): A and B must be 2-D, got A [1, 2, 3] and B [3, 4]
// RUN: not sparq-import-onnx %t/gemm_bad_k.onnx 2>&1 | FileCheck %s --check-prefix=GEMM-BAD-K
// GEMM-BAD-K: node 'gemm' (Gemm): inner dimensions differ: op(A) is [2, 3] and op(B) is [4, 3] (transA = 0, transB = 0)
// RUN: not sparq-import-onnx %t/gemm_bad_c.onnx 2>&1 | FileCheck %s --check-prefix=GEMM-BAD-C
// GEMM-BAD-C: node 'gemm' (Gemm): C [3] does not broadcast to [M, N] = [2, 4]
// RUN: not sparq-import-onnx %t/gemm_bad_c_type.onnx 2>&1 | FileCheck %s --check-prefix=GEMM-BAD-C-TYPE
// GEMM-BAD-C-TYPE: node 'gemm' (Gemm): C is FLOAT16 but A is FLOAT
// RUN: not sparq-import-onnx %t/gemm_bad_alpha.onnx 2>&1 | FileCheck %s --check-prefix=GEMM-BAD-ALPHA
// GEMM-BAD-ALPHA: node 'gemm' (Gemm): alpha 5.000000e-01 is not a whole number, but the operands are INT32
