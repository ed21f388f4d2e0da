// The C example (examples/c/run_model.c, docs/c-abi.md) runs a library
// compiled by sparqc through the C ABI: inputs from the ramp x[i][k] =
// (8 i + k) / 2 or from a raw file, outputs printed.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: sparqc %s --quiet -o %t/linear.so
// RUN: sparq-example-run-model %t/linear.so | FileCheck %s --check-prefix=RAMP
// RUN: %python -c "import numpy as np; np.ones((2, 8), np.float32).tofile('%t/ones.bin')"
// RUN: sparq-example-run-model %t/linear.so %t/ones.bin | FileCheck %s --check-prefix=ONES
// RUN: %python -c "import numpy as np; np.ones(3, np.float32).tofile('%t/short.bin')"
// RUN: not sparq-example-run-model %t/linear.so %t/short.bin 2>&1 | FileCheck %s --check-prefix=SHORT
// RUN: not sparq-example-run-model %t/missing.so 2>&1 | FileCheck %s --check-prefix=MISSING

// y[i][n] = scale[n] * sum_k x[i][k] q[n][k] + bias[n]:
// row 0: 0.5 * sum_k x = 0.5 * (28 / 2 + 64 i / 2) + 0.25 -> 7.25, 23.25;
// row 1: alternating signs, sum_k (-1)^k x[i][k] = -2 for both rows;
// row 2: 2 * 7 * x[i][7] - 1 -> 48, 104.
// RAMP: y float32 [2, 3]: 7.25 -2 48 23.25 -2 104
// With x = 1: 0.5 * 8 + 0.25, 0, 2 * 7 - 1.
// ONES: y float32 [2, 3]: 4.25 0 13 4.25 0 13
// SHORT: run_model: input 'x' needs exactly 64 bytes; '{{.*}}short.bin' has fewer
// MISSING: run_model: cannot load '{{.*}}missing.so'

func.func @linear(%x: tensor<2x8xf32> {sparq.name = "x"}) -> (tensor<2x3xf32> {sparq.name = "y"}) {
  %q = arith.constant dense<[[1, 1, 1, 1, 1, 1, 1, 1],
                             [1, -1, 1, -1, 1, -1, 1, -1],
                             [0, 0, 0, 0, 0, 0, 0, 7]]> : tensor<3x8xi4>
  %w = sparq.pack %q : tensor<3x8xi4> -> tensor<3x4xi8>
  %s = arith.constant dense<[[0.5], [1.0], [2.0]]> : tensor<3x1xf32>
  %b = arith.constant dense<[0.25, 0.0, -1.0]> : tensor<3xf32>
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4) : (tensor<2x8xf32>, tensor<3x4xi8>, tensor<3x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
