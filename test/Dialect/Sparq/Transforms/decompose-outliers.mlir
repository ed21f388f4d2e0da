// RUN: sparq-opt %s --split-input-file --sparq-decompose-outliers="bits=2 fraction=0.125" | FileCheck %s --check-prefix=LUT
// RUN: sparq-opt %s --split-input-file --sparq-decompose-outliers="bits=2 fraction=0.125 dense=rtn group-size=8" | FileCheck %s --check-prefix=RTN
// RUN: sparq-opt %s --sparq-decompose-outliers="bits=2 fraction=0 dense=rtn group-size=0" | FileCheck %s --check-prefix=NONE
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; s = np.ones((8, 2), np.float32); s[7, 1] = 1000; np.save('%t/matmul_0.npy', s)"
// RUN: sparq-opt %s --sparq-decompose-outliers="bits=2 fraction=0.0625 dense=rtn group-size=8 sensitivity=%t" | FileCheck %s --check-prefix=SENS

// Output channels (rows of the [N, K] weight):
//   n = 0: [0.5, -1, 2, 0.5, -1, 4, 2, 4]
//   n = 1: [3, 3, 3, 3, -2, -2, 0, 1]
// round(0.125 * 16) = 2 outliers: the two 4s of n = 0 (|w| ranks; ties to
// the lower index), so row_ptr = [0, 2, 2] and col_ind = [5, 7].

// Codebook: n = 0's codebook comes from the other six values
// {-1, 0.5, 2} (the grid start's fourth entry, 1, stays unused); the
// outliers index the entry nearest 0 with an exact correction, 0.5, and
// store S = 4 - 0.5 = 3.5. n = 1 as without outliers.
// LUT-LABEL: func.func @decompose
// LUT-DAG: %[[CB:.*]] = arith.constant dense<{{\[}}[-1.000000e+00, 5.000000e-01, 1.000000e+00, 2.000000e+00], [-2.000000e+00, 0.000000e+00, 1.000000e+00, 3.000000e+00]]> : tensor<2x4xf32>
// LUT-DAG: %[[RP:.*]] = arith.constant dense<[0, 2, 2]> : tensor<3xi32>
// LUT-DAG: %[[CI:.*]] = arith.constant dense<[5, 7]> : tensor<2xi32>
// LUT-DAG: %[[V:.*]] = arith.constant dense<3.500000e+00> : tensor<2xf32>
// LUT: sparq.lut_matmul %arg0, %{{.*}}, %[[CB]] outliers(%[[RP]], %[[CI]], %[[V]]) bits(2)
// LUT-SAME: bytes_after = 64 : i64
// LUT-SAME: scheme = "lut-2+sparse-12.5%"
// LUT-SAME: weight_sqnr_db = 0x7FF0000000000000 : f64

// RTN (symmetric 2-bit, qmax 1): without the 4s, n = 0's scale is 2 (not
// 4); codes [0, 0, 1, 0, 0, 0, 1, 0] (-0.5 rounds to even 0), the outlier
// slots hold 0 and dequantize to exactly 0, so S keeps the weights (4).
// n = 1: scale 3, codes [1, 1, 1, 1, -1, -1, 0, 0]. Packed: 16, 16 and
// 85, 15. Bytes: 4 + 8 scales + 12 row_ptr + 16 CSR entries.
// RTN-LABEL: func.func @decompose
// RTN-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[16, 16], [85, 15]]> : tensor<2x2xi8>
// RTN-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[2.000000e+00], [3.000000e+00]]> : tensor<2x1xf32>
// RTN-DAG: %[[V:.*]] = arith.constant dense<4.000000e+00> : tensor<2xf32>
// RTN: sparq.qmatmul %arg0, %[[W]], %[[S]] outliers(%{{.*}}, %{{.*}}, %[[V]]) storage(si2)
// RTN-SAME: bytes_after = 40 : i64
// RTN-SAME: scheme = "rtn-int2-g8-sym+sparse-12.5%"

// No outliers: no CSR operands at all.
// NONE-LABEL: func.func @decompose
// NONE: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} storage(si2)
// NONE-NOT: outliers
// NONE-SAME: scheme = "rtn-int2-g8-sym+sparse-0%"

// Sensitivity picks the outlier by s * w^2: 1000 * 1^2 at [k=7, n=1] beats
// 1 * 4^2.
// SENS-DAG: arith.constant dense<[0, 0, 1]> : tensor<3xi32>
// SENS-DAG: arith.constant dense<7> : tensor<1xi32>
// SENS-DAG: arith.constant dense<1.000000e+00> : tensor<1xf32>
// SENS: sparq.qmatmul
// SENS-SAME: scheme = "rtn-int2-g8-sym+sparse-6.25%"
func.func @decompose(%x: tensor<3x8xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.5, 3.0], [-1.0, 3.0], [2.0, 3.0], [0.5, 3.0], [-1.0, -2.0], [4.0, -2.0], [2.0, 0.0], [4.0, 1.0]]> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Empty weights (N = 0 here) stay as they are.
// LUT-LABEL: func.func @empty_n
// LUT: linalg.matmul
// LUT-NOT: sparq.lut_matmul
// RTN-LABEL: func.func @empty_n
// RTN: linalg.matmul
func.func @empty_n(%x: tensor<3x8xf32>, %acc: tensor<3x0xf32>) -> tensor<3x0xf32> {
  %w = arith.constant dense<> : tensor<8x0xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x0xf32>) outs(%acc : tensor<3x0xf32>) -> tensor<3x0xf32>
  return %y : tensor<3x0xf32>
}
