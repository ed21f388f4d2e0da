// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=dequantize-matmul" | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=dequantize-matmul stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=epilogue" | FileCheck %s --check-prefix=OFF

// A matmul of a dequantized constant int4 weight (groups of 2 along K,
// unsigned zero points) becomes sparq.qmatmul on the codes: no f32 weight is
// left in the IR. Codes [K=4, N=2] = [[1, 15], [2, 3], [8, 7], [0, 4]] are
// repacked one row per output channel (low nibble = even element); scales
// and zero points are transposed to [N, K/G].

// CHECK-LABEL: func.func @int4_groups
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[33, 8], [63, 71]]> : tensor<2x2xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 2.000000e+00], [1.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[8, 7], [1, 0]]> : tensor<2x2xi8>
// CHECK-NOT: sparq.dequantize
// CHECK-NOT: linalg.matmul
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, %[[W]], %[[S]] zero_points(%[[Z]]) storage(ui4)
// CHECK-SAME: layer = "matmul_qdq_0"
// CHECK-SAME: scheme = "qdq-ui4-g2"
// CHECK: return %[[Y]]
// STATS: sparq-fuse: dequantize-matmul: matmul_qdq_0: fused
// OFF-LABEL: func.func @int4_groups
// OFF: sparq.dequantize
// OFF: linalg.matmul
func.func @int4_groups(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %codes = arith.constant dense<[[-15], [50], [120], [64]]> : tensor<4x1xi8>
  %scales = arith.constant dense<[[0.5, 1.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %zp = arith.constant dense<[[8, 1], [7, 0]]> : tensor<2x2xi8>
  %w = sparq.dequantize %codes, %scales zero_points(%zp) storage(ui4)
      : (tensor<4x1xi8>, tensor<2x2xf32>, tensor<2x2xi8>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// One dequantized weight read by two matmuls: both fuse, and the dequantize
// goes once its last reader has.

// CHECK-LABEL: func.func @shared_weight
// CHECK-NOT: sparq.dequantize
// CHECK-COUNT-2: sparq.qmatmul
// STATS: sparq-fuse: dequantize-matmul: matmul_qdq_0: fused
// STATS: sparq-fuse: dequantize-matmul: matmul_qdq_1: fused
func.func @shared_weight(%x: tensor<3x4xf32>, %x2: tensor<5x4xf32>) -> (tensor<3x2xf32>, tensor<5x2xf32>) {
  %codes = arith.constant dense<[[1, -5], [2, -6], [3, -7], [4, -8]]> : tensor<4x2xi8>
  %scales = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = sparq.dequantize %codes, %scales storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  %i2 = tensor.empty() : tensor<5x2xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%i2 : tensor<5x2xf32>) -> tensor<5x2xf32>
  %y2 = linalg.matmul ins(%x2, %w : tensor<5x4xf32>, tensor<4x2xf32>)
      outs(%f2 : tensor<5x2xf32>) -> tensor<5x2xf32>
  return %y, %y2 : tensor<3x2xf32>, tensor<5x2xf32>
}

// -----

// Codes computed at run time cannot be repacked at compile time: the
// dequantize and the f32 matmul stay, and the stats say why.

// CHECK-LABEL: func.func @runtime_codes
// CHECK: sparq.dequantize
// CHECK: linalg.matmul
// STATS: sparq-fuse: dequantize-matmul: matmul_qdq_0: not fused: the integer codes are not a constant
func.func @runtime_codes(%x: tensor<3x4xf32>, %codes: tensor<4x2xi8>) -> tensor<3x2xf32> {
  %scales = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = sparq.dequantize %codes, %scales storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Scales computed at run time: not fused either.

// CHECK-LABEL: func.func @runtime_scales
// CHECK: sparq.dequantize
// CHECK: linalg.matmul
// STATS: sparq-fuse: dequantize-matmul: matmul_qdq_0: not fused: the scales or zero points are not constants
func.func @runtime_scales(%x: tensor<3x4xf32>, %scales: tensor<1x2xf32>) -> tensor<3x2xf32> {
  %codes = arith.constant dense<[[1, -5], [2, -6], [3, -7], [4, -8]]> : tensor<4x2xi8>
  %w = sparq.dequantize %codes, %scales storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
