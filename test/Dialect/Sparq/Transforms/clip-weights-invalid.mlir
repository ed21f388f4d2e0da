// RUN: not sparq-opt %s --sparq-clip-weights="bits=9" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not sparq-opt %s --sparq-clip-weights="group-size=-1" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not sparq-opt %s --sparq-clip-weights="grid=0" 2>&1 | FileCheck %s --check-prefix=GRID
// RUN: not sparq-opt %s --sparq-clip-weights="max-shrink=1.5" 2>&1 | FileCheck %s --check-prefix=SHRINK
// RUN: not sparq-opt %s --split-input-file --sparq-clip-weights="group-size=3" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: not sparq-opt %s --split-input-file --sparq-clip-weights="group-size=0" 2>&1 | FileCheck %s --check-prefix=NAN

// BITS: error: sparq-clip-weights: bits must be in [2, 8], got 9
// GROUP: error: sparq-clip-weights: group-size must be >= 0 (0: per output channel), got -1
// GRID: error: sparq-clip-weights: grid must be >= 1
// SHRINK: error: sparq-clip-weights: max-shrink must be in (0, 1), got 1.500000e+00

// DIVIDE: error: sparq-clip-weights: group-size 3 does not divide K = 8 of weight 'matmul_0'; use the group size you will quantize with, or skip=matmul_0
func.func @k_not_divisible(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// NAN: error: weight 'matmul_0' has the non-finite value INF at [1, 0]; it cannot be quantized
func.func @non_finite(%x: tensor<1x3xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [0x7F800000, 3.0], [4.0, 5.0]]> : tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x3xf32>, tensor<3x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
