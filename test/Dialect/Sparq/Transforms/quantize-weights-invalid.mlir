// RUN: not sparq-opt %s --sparq-quantize-weights="bits=9" 2>&1 | FileCheck %s --check-prefix=BITS9
// RUN: not sparq-opt %s --sparq-quantize-weights="bits=1" 2>&1 | FileCheck %s --check-prefix=BITS1
// RUN: not sparq-opt %s --sparq-quantize-weights="group-size=-4" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not sparq-opt %s --split-input-file --sparq-quantize-weights="bits=4 group-size=3" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: not sparq-opt %s --split-input-file --sparq-quantize-weights="bits=4 group-size=0" 2>&1 | FileCheck %s --check-prefix=NAN

// BITS9: error: sparq-quantize-weights: bits must be in [2, 8], got 9
// BITS1: error: sparq-quantize-weights: bits must be in [2, 8], got 1
// GROUP: error: sparq-quantize-weights: group-size must be >= 0 (0: per output channel), got -4

// DIVIDE: error: sparq-quantize-weights: group-size 3 does not divide K = 8 of weight 'matmul_0'; use a divisor of K, group-size=0 (per channel) or skip=matmul_0
func.func @k_not_divisible(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// NAN: error: weight 'matmul_0' has the non-finite value nan at [1, 0]; it cannot be quantized
func.func @non_finite(%x: tensor<1x3xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [0x7FC00000, 3.0], [4.0, 5.0]]> : tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x3xf32>, tensor<3x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
