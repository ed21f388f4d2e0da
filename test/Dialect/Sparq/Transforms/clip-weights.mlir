// RUN: sparq-opt %s --split-input-file --sparq-clip-weights="bits=2 group-size=4 grid=4" | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-clip-weights="bits=2 group-size=4 grid=4" --sparq-quantize-weights="bits=2 group-size=4" | FileCheck %s --check-prefix=QUANT
// RUN: sparq-opt %s --split-input-file --sparq-clip-weights="bits=2 group-size=4 grid=4 skip=matmul_0" | FileCheck %s --check-prefix=SKIP

// 2-bit symmetric RTN has the codes -1, 0, 1 (qmax 1, scale = absmax).
// grid=4 with max-shrink 0.5 tries the ratios 1, 0.875, 0.75, 0.625, 0.5.
// Column 0 (output channel 0), groups of 4 along K:
//   [1, 1, 1, 1.5]: ratio r clips to c = 1.5 r, and every weight rounds to
//     code 1 (1 / c >= 0.5), so all dequantize to c; squared error
//     3 (1 - c)^2 + (1.5 - c)^2 = 0.75, 0.328, 0.1875, 0.328, 0.75:
//     r = 0.75 wins and 1.5 is clipped to 1.125.
//   [1, 1, 1, 4]: unclipped, the ones round to 0 and 4 stays (error 3); any
//     c in [2, 3.5] also zeroes the ones and moves 4: worse. Unchanged.
// Column 1: [-2, 0.5, 0.25, 0]: unclipped error 0.5^2 + 0.25^2 = 0.3125;
//   c = 1.75 gives 0.25^2 + 0.5^2 + 0.25^2 = 0.375: unchanged.
//   [0, 0, 0, 0]: nothing to clip.

// CHECK-LABEL: func.func @hand_checked
// CHECK: %[[W:.*]] = arith.constant {sparq.weight_name = "matmul_0"} dense<{{\[}}[1.000000e+00, -2.000000e+00], [1.000000e+00, 5.000000e-01], [1.000000e+00, 2.500000e-01], [1.125000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00], [4.000000e+00, 0.000000e+00]]> : tensor<8x2xf32>
// CHECK: linalg.matmul ins(%arg0, %[[W]] : tensor<3x8xf32>, tensor<8x2xf32>)

// Quantizing the clipped weights with the same bits and group size uses
// the searched ranges as scales: [[1.125, 4], [2, 1]] (an all-zero group
// gets scale 1).
// QUANT-LABEL: func.func @hand_checked
// QUANT: arith.constant dense<{{\[}}[1.125000e+00, 4.000000e+00], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// QUANT: sparq.qmatmul
// QUANT-SAME: layer = "matmul_0"

// SKIP-LABEL: func.func @hand_checked
// SKIP-NOT: sparq.weight_name
// SKIP: dense<{{\[}}[1.000000e+00, -2.000000e+00], [1.000000e+00, 5.000000e-01], [1.000000e+00, 2.500000e-01], [1.500000e+00, 0.000000e+00]

func.func @hand_checked(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [1.0, 0.5], [1.0, 0.25], [1.5, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [4.0, 0.0]]> : tensor<8x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A weight that another op also reads keeps its original for that op;
// weights that clipping does not improve stay the same constant.
// CHECK-LABEL: func.func @shared_weight
// CHECK-DAG: %[[ORIGINAL:.*]] = arith.constant dense<{{\[}}[1.000000e+00], [1.000000e+00], [1.000000e+00], [1.500000e+00]]>
// CHECK-DAG: %[[CLIPPED:.*]] = arith.constant {sparq.weight_name = "matmul_0"} dense<{{\[}}[1.000000e+00], [1.000000e+00], [1.000000e+00], [1.125000e+00]]>
// CHECK: linalg.matmul ins(%arg0, %[[CLIPPED]]
// CHECK: return %{{.*}}, %[[ORIGINAL]]
func.func @shared_weight(%x: tensor<1x4xf32>, %acc: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<4x1xf32>) {
  %w = arith.constant dense<[[1.0], [1.0], [1.0], [1.5]]> : tensor<4x1xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x1xf32>) outs(%acc : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %y, %w : tensor<1x1xf32>, tensor<4x1xf32>
}
