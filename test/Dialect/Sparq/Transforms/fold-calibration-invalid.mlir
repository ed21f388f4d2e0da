// RUN: sparq-opt %s --split-input-file --sparq-fold-calibration \
// RUN:   -verify-diagnostics
// RUN: not sparq-opt %s --sparq-fold-calibration="activations=per-token" \
// RUN:   2>&1 | FileCheck %s --check-prefix=BAD-MODE

// BAD-MODE: sparq-fold-calibration: invalid activations='per-token'; expected 'static' or 'dynamic'

// Missing statistics: the observer was never calibrated.
func.func @missing_statistics(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-error @below {{missing calibration statistics for 'blk0.norm', the input of matmul_0; run sparq-calibrate first}}
  %obs = sparq.observe %x name("blk0.norm") axis(1) : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
