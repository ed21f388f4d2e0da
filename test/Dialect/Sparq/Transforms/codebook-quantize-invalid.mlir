// RUN: not sparq-opt %s --sparq-codebook-quantize="bits=5" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not sparq-opt %s --sparq-codebook-quantize="bits=1" 2>&1 | FileCheck %s --check-prefix=BITS1
// RUN: rm -rf %t && mkdir -p %t/nk %t/f64 %t/neg %t/none
// RUN: %python -c "import numpy as np; np.save('%t/nk/matmul_0.npy', np.ones((2, 8), np.float32)); np.save('%t/f64/matmul_0.npy', np.ones((8, 2))); s = np.ones((8, 2), np.float32); s[3, 1] = -1; np.save('%t/neg/matmul_0.npy', s)"
// RUN: not sparq-opt %s --sparq-codebook-quantize="sensitivity=%t/nk" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not sparq-opt %s --sparq-codebook-quantize="sensitivity=%t/f64" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not sparq-opt %s --sparq-codebook-quantize="sensitivity=%t/neg" 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not sparq-opt %s --sparq-codebook-quantize="sensitivity=%t/none" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not sparq-opt %s --sparq-codebook-quantize="sensitivity=%t/nowhere" 2>&1 | FileCheck %s --check-prefix=NODIR

// BITS: error: sparq-codebook-quantize: bits must be in [2, 4], got 5
// BITS1: error: sparq-codebook-quantize: bits must be in [2, 4], got 1
// SHAPE: error: sensitivity file '{{.*}}nk/matmul_0.npy' has shape [2, 8], expected [8, 2] (the shape of weight 'matmul_0', [K, N] as in the model)
// DTYPE: error: sensitivity file '{{.*}}f64/matmul_0.npy' has dtype float64, expected float32
// NEG: error: sensitivity file '{{.*}}neg/matmul_0.npy' has the value -1.000000e+00 at [3, 1]; sensitivities must be finite and non-negative
// MISSING: error: no sensitivity file for weight 'matmul_0': '{{.*}}none/matmul_0.npy' does not exist
// NODIR: error: sensitivity directory '{{.*}}nowhere' does not exist or is not a directory
func.func @f(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.5, 3.0], [-1.0, 3.0], [2.0, 3.0], [0.5, 3.0], [-1.0, -2.0], [4.0, -2.0], [2.0, 0.0], [4.0, 1.0]]> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
