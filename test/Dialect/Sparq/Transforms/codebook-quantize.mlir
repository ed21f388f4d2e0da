// RUN: sparq-opt %s --sparq-codebook-quantize="bits=2" | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; s = np.ones((8, 2), np.float32); s[5, 0] = 50; np.save('%t/matmul_0.npy', s)"
// RUN: sparq-opt %s --sparq-codebook-quantize="bits=2 sensitivity=%t" | FileCheck %s --check-prefix=SENS
// RUN: sparq-opt %s --sparq-codebook-quantize="bits=3 skip=matmul_*" | FileCheck %s --check-prefix=SKIP

// Output channel n = 0 is [0.5, -1, 2, 0.5, -1, 4, 2, 4] and n = 1 is
// [3, 3, 3, 3, -2, -2, 0, 1]: four distinct values each, so 2-bit k-means
// recovers them exactly. Codebooks (ascending): [-1, 0.5, 2, 4] and
// [-2, 0, 1, 3]; indices n=0: [1, 0, 2, 1, 0, 3, 2, 3], packed 2 bits at a
// time from the low end: 0b01100001 = 97, 0b11101100 = 236 = -20; n=1:
// [3, 3, 3, 3, 0, 0, 1, 2]: 255 = -1, 0b10010000 = 144 = -112. The weight
// is reproduced exactly (SQNR +inf). Bytes: 4 packed + 32 of codebooks.

// CHECK-LABEL: func.func @exact
// CHECK-DAG: %[[IDX:.*]] = arith.constant dense<{{\[}}[97, -20], [-1, -112]]> : tensor<2x2xi8>
// CHECK-DAG: %[[CB:.*]] = arith.constant dense<{{\[}}[-1.000000e+00, 5.000000e-01, 2.000000e+00, 4.000000e+00], [-2.000000e+00, 0.000000e+00, 1.000000e+00, 3.000000e+00]]> : tensor<2x4xf32>
// CHECK: %[[Y:.*]] = sparq.lut_matmul %arg0, %[[IDX]], %[[CB]] bits(2)
// CHECK-SAME: sparq.quant_info = {bytes_after = 36 : i64, bytes_before = 64 : i64, layer = "matmul_0", scheme = "lut-2", weight_sqnr_db = 0x7FF0000000000000 : f64}
// CHECK-SAME: (tensor<3x8xf32>, tensor<2x2xi8>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK: arith.addf %[[Y]], %arg1

// With a sensitivity, the objective is weighted; four values per channel
// still fit exactly, and the file is read under the weight's name.
// SENS: sparq.lut_matmul
// SENS-SAME: scheme = "lut-2"

// SKIP: linalg.matmul
// SKIP-NOT: sparq.lut_matmul
func.func @exact(%x: tensor<3x8xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.5, 3.0], [-1.0, 3.0], [2.0, 3.0], [0.5, 3.0], [-1.0, -2.0], [4.0, -2.0], [2.0, 0.0], [4.0, 1.0]]> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
