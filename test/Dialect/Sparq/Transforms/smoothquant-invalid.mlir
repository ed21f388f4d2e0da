// RUN: sparq-opt %s --split-input-file --sparq-smoothquant \
// RUN:   -verify-diagnostics
// RUN: not sparq-opt %s --split-input-file --sparq-smoothquant="alpha=1.5" \
// RUN:   2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not sparq-opt %s --split-input-file --sparq-smoothquant="alpha=-0.1" \
// RUN:   2>&1 | FileCheck %s --check-prefix=ALPHA-NEG

// ALPHA: sparq-smoothquant: alpha must lie in [0, 1], got 1.5
// ALPHA-NEG: sparq-smoothquant: alpha must lie in [0, 1], got -0.1

// Missing statistics: an observer that sparq-calibrate has not filled in.
func.func @missing_statistics(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-error @below {{missing calibration statistics for 'blk0.norm', an input of matmul_0; run sparq-calibrate first}}
  %obs = sparq.observe %x name("blk0.norm") axis(1) : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// Per-tensor statistics cannot give per-channel scales.
func.func @per_tensor_statistics(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-error @below {{sparq-smoothquant needs per-channel statistics (axis = last) for 'x', found per-tensor ones}}
  %obs = sparq.observe %x name("x")
      {stats = #sparq.stats<samples = 1, min = [-1.0], max = [1.0],
                            absmax = [1.0]>} : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// Per-channel statistics along another axis than the matmul's K.
func.func @wrong_axis(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-error @below {{statistics of 'x' must be per channel along the last axis (2 channels) for sparq-smoothquant}}
  %obs = sparq.observe %x name("x") axis(0)
      {stats = #sparq.stats<samples = 1, min = [-1.0, 0.0], max = [1.0, 2.0],
                            absmax = [1.0, 2.0]>} : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// No observer anywhere: the model was not calibrated.
// expected-error @below {{sparq-smoothquant: no sparq.observe statistics in the module; run sparq-calibrate first}}
module {
  func.func @not_calibrated(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
    %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
    %zero = arith.constant 0.0 : f32
    %i = tensor.empty() : tensor<2x1xf32>
    %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
    %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x1xf32>)
        outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
    return %y : tensor<2x1xf32>
  }
}
