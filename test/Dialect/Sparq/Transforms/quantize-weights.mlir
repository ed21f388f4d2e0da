// RUN: sparq-opt %s --split-input-file --sparq-quantize-weights="bits=4 group-size=4" | FileCheck %s --check-prefix=SYM
// RUN: sparq-opt %s --split-input-file --sparq-quantize-weights="bits=4 group-size=4 symmetric=false" | FileCheck %s --check-prefix=ASYM
// RUN: sparq-opt %s --split-input-file --sparq-quantize-weights="bits=8 group-size=0" | FileCheck %s --check-prefix=CHAN
// RUN: sparq-opt %s --split-input-file --sparq-quantize-weights="bits=4 group-size=4 skip=layers.*,other" | FileCheck %s --check-prefix=SKIP

// The [K, N] = [8, 2] weight holds two output channels (columns):
//   n = 0: [7, -7, 3.5, 1 | 14, 0, -3, 5]
//   n = 1: [1, 2, 3, -7 | 0, 0, 0, 0]
// Symmetric int4, groups of 4 (qmax 7): scales [[1, 2], [1, 1]] (the
// all-zero group gets 1); codes n=0: [7, -7, 4, 1 | 7, 0, -2, 2] (3.5 and
// -1.5, 2.5 round half to even), n=1: [1, 2, 3, -7 | 0, 0, 0, 0]. Packed low
// nibble first: 0x97 0x14 0x07 0x2E and 0x21 0x93 0x00 0x00. The dequantized
// weights differ by 0.5, 1, 1 (noise 2.25) from a signal of 404.25:
// 10 * log10(404.25 / 2.25) = 22.5447 dB. Bytes: 8 packed + 16 of scales.

// SYM-LABEL: func.func @hand_checked
// SYM-NOT: linalg.matmul
// SYM-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[-105, 20, 7, 46], [33, -109, 0, 0]]> : tensor<2x4xi8>
// SYM-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// SYM: %[[Y:.*]] = sparq.qmatmul %arg0, %[[W]], %[[S]] storage(si4)
// SYM-SAME: sparq.quant_info = {bytes_after = 24 : i64, bytes_before = 64 : i64, layer = "matmul_0", scheme = "rtn-int4-g4-sym", weight_sqnr_db = 22.5446{{[0-9]*}} : f64}
// SYM-SAME: (tensor<3x8xf32>, tensor<2x4xi8>, tensor<2x2xf32>) -> tensor<3x2xf32>
// SYM: return %[[Y]]

// Asymmetric uint4 (qmax 15), lo = min(.., 0), hi = max(.., 0):
//   n=0 g0 [-7, 7]: scale 14/15, zero point rne(7.5) = 8
//   n=0 g1 [-3, 14]: scale 17/15, zero point rne(2.647) = 3
//   n=1 g0 [-7, 3]: scale 10/15, zero point rne(10.5) = 10
//   n=1 g1 [0, 0]: scale 1, zero point 0
// ASYM-LABEL: func.func @hand_checked
// ASYM-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[0.933333337, 1.13333333], [0.666666686, 1.000000e+00]]> : tensor<2x2xf32>
// ASYM-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[8, 3], [10, 0]]> : tensor<2x2xi8>
// ASYM: sparq.qmatmul %arg0, %{{.*}}, %[[S]] zero_points(%[[Z]]) storage(ui4)
// ASYM-SAME: bytes_after = 28 : i64
// ASYM-SAME: scheme = "rtn-uint4-g4-asym"

// Per channel: one scale per output channel, 14 / 127 and 7 / 127.
// CHAN-LABEL: func.func @hand_checked
// CHAN: %[[S:.*]] = arith.constant dense<{{\[}}[0.110236{{[0-9]*}}], [0.0551181{{[0-9]*}}]]> : tensor<2x1xf32>
// CHAN: sparq.qmatmul %arg0, %{{.*}}, %[[S]] storage(si8)
// CHAN-SAME: scheme = "rtn-int8-g8-sym"
// CHAN-SAME: (tensor<3x8xf32>, tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<3x2xf32>

// SKIP-LABEL: func.func @hand_checked
// SKIP: sparq.qmatmul
func.func @hand_checked(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[7.0, 1.0], [-7.0, 2.0], [3.5, 3.0], [1.0, -7.0], [14.0, 0.0], [0.0, 0.0], [-3.0, 0.0], [5.0, 0.0]]> : tensor<8x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Named (dense_resource) weights keep their name; a non-zero init is added
// to the product; skip= leaves matching weights in float.

// SYM-LABEL: func.func @named_with_init
// SYM: %[[Y:.*]] = sparq.qmatmul %arg0
// SYM-SAME: layer = "layers.0.q.weight"
// SYM-SAME: scheme = "rtn-int4-g4-sym"
// SYM: %[[SUM:.*]] = arith.addf %[[Y]], %arg1 : tensor<1x2xf32>
// SYM: return %[[SUM]]

// SKIP-LABEL: func.func @named_with_init
// SKIP-NOT: sparq.qmatmul
// SKIP: arith.constant dense_resource<layers.0.q.weight> : tensor<8x2xf32>
// SKIP: linalg.matmul
func.func @named_with_init(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense_resource<layers.0.q.weight> : tensor<8x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      layers.0.q.weight: "0x04000000000000C00000E0BF0000C0BF0000A0BF000080BF000040BF000000BF000080BE000000000000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F"
    }
  }
#-}

// -----

// Matmuls without a constant weight are left alone.
// SYM-LABEL: func.func @activation_times_activation
// SYM: linalg.matmul
// SYM-NOT: sparq.qmatmul
func.func @activation_times_activation(%x: tensor<2x8xf32>, %w: tensor<8x2xf32>, %acc: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %y = linalg.matmul ins(%x, %w : tensor<2x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// An empty weight (K = 0) has nothing to quantize and stays.
// SYM-LABEL: func.func @empty_k
// SYM: linalg.matmul
// SYM-NOT: sparq.qmatmul
// CHAN-LABEL: func.func @empty_k
// CHAN: linalg.matmul
func.func @empty_k(%x: tensor<3x0xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<> : tensor<0x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x0xf32>, tensor<0x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
