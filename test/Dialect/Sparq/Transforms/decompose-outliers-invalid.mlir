// RUN: not sparq-opt %s --sparq-decompose-outliers="fraction=0.6" 2>&1 | FileCheck %s --check-prefix=FRAC
// RUN: not sparq-opt %s --sparq-decompose-outliers="fraction=-0.1" 2>&1 | FileCheck %s --check-prefix=NEGFRAC
// RUN: not sparq-opt %s --sparq-decompose-outliers="dense=gptq" 2>&1 | FileCheck %s --check-prefix=DENSE
// RUN: not sparq-opt %s --sparq-decompose-outliers="dense=codebook bits=5" 2>&1 | FileCheck %s --check-prefix=LUTBITS
// RUN: not sparq-opt %s --sparq-decompose-outliers="dense=rtn bits=9" 2>&1 | FileCheck %s --check-prefix=RTNBITS
// RUN: not sparq-opt %s --sparq-decompose-outliers="dense=rtn group-size=-1" 2>&1 | FileCheck %s --check-prefix=NEGGROUP
// RUN: not sparq-opt %s --sparq-decompose-outliers="dense=rtn group-size=3" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/matmul_0.npy', np.ones((16,), np.float32))"
// RUN: not sparq-opt %s --sparq-decompose-outliers="sensitivity=%t" 2>&1 | FileCheck %s --check-prefix=SHAPE

// FRAC: error: sparq-decompose-outliers: fraction must be in [0, 0.5], got 6.000000e-01
// NEGFRAC: error: sparq-decompose-outliers: fraction must be in [0, 0.5], got -1.000000e-01
// DENSE: error: sparq-decompose-outliers: dense must be 'rtn' or 'codebook', got 'gptq'
// LUTBITS: error: sparq-decompose-outliers: bits must be in [2, 4] with dense=codebook, got 5
// RTNBITS: error: sparq-decompose-outliers: bits must be in [2, 8] with dense=rtn, got 9
// NEGGROUP: error: sparq-decompose-outliers: group-size must be >= 0 (0: per output channel), got -1
// DIVIDE: error: sparq-decompose-outliers: group-size 3 does not divide K = 8 of weight 'matmul_0'
// SHAPE: error: sensitivity file '{{.*}}matmul_0.npy' has shape [16], expected [8, 2]
func.func @f(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.5, 3.0], [-1.0, 3.0], [2.0, 3.0], [0.5, 3.0], [-1.0, -2.0], [4.0, -2.0], [2.0, 0.0], [4.0, 1.0]]> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
