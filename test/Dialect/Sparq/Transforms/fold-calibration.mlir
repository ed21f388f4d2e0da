// RUN: sparq-opt %s --split-input-file --sparq-fold-calibration \
// RUN:   | FileCheck %s
// RUN: sparq-opt %s --split-input-file \
// RUN:   --sparq-fold-calibration="activations=dynamic" \
// RUN:   | FileCheck %s --check-prefix=DYN

// Observed f32 matmul -> W8A8. Weight columns have absmax 127 and 254, so
// the per-channel scales are 1 and 2 and the codes are the weights divided
// by them; the calibrated activation absmax 254 gives the static scale 2.

// CHECK-LABEL: func.func @w8a8
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4xf32>)
// CHECK-NOT: arith.constant {{.*}} tensor<4x2xf32>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]]
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[127, -3, 0, 5], [127, -2, 3, 0]]> : tensor<2x4xi8>
// CHECK-DAG: %[[SW:.*]] = arith.constant dense<{{\[}}[1.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
// CHECK-DAG: %[[SA:.*]] = arith.constant dense<2.000000e+00> : tensor<1x1xf32>
// CHECK: %[[Q:.*]] = sparq.quantize %[[C]], %[[SA]] storage(si8) : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xi8>
// CHECK: %[[Y:.*]] = sparq.int_matmul %[[Q]], %[[W]] scales(%[[SA]], %[[SW]])
// CHECK-SAME: sparq.quant_info = {bytes_after = 16 : i64, bytes_before = 32 : i64, layer = "matmul_0", scheme = "w8a8-static", weight_sqnr_db = 0x7FF0000000000000 : f64}
// CHECK-SAME: (tensor<2x4xi8>, tensor<2x4xi8>, tensor<1x1xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: sparq.observe

// DYN-LABEL: func.func @w8a8
// DYN: %[[C:.*]] = tensor.collapse_shape
// DYN: %[[AMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[C]] : tensor<2x4xf32>)
// DYN: arith.negf
// DYN: arith.maximumf
// DYN: arith.maximumf
// DYN: %[[SA:.*]] = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<2xf32>) outs(%{{.*}} : tensor<2x1xf32>)
// DYN: arith.divf
// DYN: arith.cmpf ogt
// DYN: arith.select
// DYN: %[[Q:.*]] = sparq.quantize %[[C]], %[[SA]] storage(si8) : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xi8>
// DYN: sparq.int_matmul %[[Q]], %{{.*}} scales(%[[SA]], %{{.*}}) {{.*}}scheme = "w8a8-dynamic"
// DYN-NOT: sparq.observe
func.func @w8a8(%x: tensor<1x2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[127.0, 254.0], [-3.0, -4.0], [0.0, 6.0], [5.0, 0.0]]> : tensor<4x2xf32>
  %obs = sparq.observe %x name("x") axis(2)
      {stats = #sparq.stats<samples = 3, min = [-254.0, -1.0, 0.0, -2.0],
                            max = [3.0, 1.0, 100.0, 2.0],
                            absmax = [254.0, 1.0, 100.0, 2.0]>}
      : tensor<1x2x4xf32>
  %c = tensor.collapse_shape %obs [[0, 1], [2]] : tensor<1x2x4xf32> into tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%c, %w : tensor<2x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A matmul accumulating into a non-zero init keeps the addition; matmuls
// without observers stay f32.

// CHECK-LABEL: func.func @accumulate_and_unobserved
// CHECK: %[[Y:.*]] = sparq.int_matmul
// CHECK: %[[SUM:.*]] = arith.addf %[[Y]], %{{.*}} : tensor<2x2xf32>
// CHECK: %[[U:.*]] = linalg.matmul
// CHECK: return %[[SUM]], %[[U]]
func.func @accumulate_and_unobserved(%x: tensor<2x4xf32>, %acc: tensor<2x2xf32>)
    -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %obs = sparq.observe %x name("x")
      {stats = #sparq.stats<samples = 1, min = [-1.0], max = [1.0],
                            absmax = [1.0]>} : tensor<2x4xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x4xf32>, tensor<4x2xf32>)
      outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x2xf32>) -> tensor<2x2xf32>
  %u = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %u : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// QDQ weight (int8, per output channel, zero zero points) -> sparq.qmatmul
// on the transposed codes; the zero points are dropped.

// CHECK-LABEL: func.func @qdq_int8_weight
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1, 2, 3, 4], [-5, -6, -7, -8]]> : tensor<2x4xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>
// CHECK: %[[Y:.*]] = sparq.qmatmul %[[X]], %[[W]], %[[S]] storage(si8)
// CHECK-SAME: scheme = "qdq-si8-per-channel"
// CHECK-SAME: -> tensor<3x2xf32>
// CHECK-NOT: sparq.dequantize
// CHECK-NOT: tensor<4x2xi8>
// CHECK: return %[[Y]]
func.func @qdq_int8_weight(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %codes = arith.constant dense<[[1, -5], [2, -6], [3, -7], [4, -8]]> : tensor<4x2xi8>
  %scales = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %zp = arith.constant dense<0> : tensor<1x2xi8>
  %w = sparq.dequantize %codes, %scales zero_points(%zp) storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>, tensor<1x2xi8>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// QDQ int4 weight with groups of 2 along K and unsigned zero points: the
// codes are unpacked, transposed and repacked (low nibble = even element),
// scales and zero points transposed.
// Codes [K=4, N=2] = [[1, 15], [2, 3], [8, 7], [0, 4]].

// CHECK-LABEL: func.func @qdq_uint4_groups
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[33, 8], [63, 71]]> : tensor<2x2xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 2.000000e+00], [1.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[8, 7], [1, 0]]> : tensor<2x2xi8>
// CHECK: sparq.qmatmul %{{.*}}, %[[W]], %[[S]] zero_points(%[[Z]]) storage(ui4)
// CHECK-SAME: bytes_after = 24 : i64, bytes_before = 32 : i64
// CHECK-SAME: scheme = "qdq-ui4-g2"
func.func @qdq_uint4_groups(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %codes = arith.constant dense<[[-15], [50], [120], [64]]> : tensor<4x1xi8>
  %scales = arith.constant dense<[[0.5, 1.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %zp = arith.constant dense<[[8, 1], [7, 0]]> : tensor<2x2xi8>
  %w = sparq.dequantize %codes, %scales zero_points(%zp) storage(ui4)
      : (tensor<4x1xi8>, tensor<2x2xf32>, tensor<2x2xi8>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A small constant dequantize that feeds no matmul folds to f32:
// (q - z) * s with q = [1, 2, -3, 4], z = 1, s = 0.5.

// CHECK-LABEL: func.func @fold_small_dequantize
// CHECK-NOT: tensor<1x4xi8>
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 5.000000e-01, -2.000000e+00, 1.500000e+00]]> : tensor<1x4xf32>
// CHECK-NOT: sparq.dequantize
// CHECK: return %[[C]]
func.func @fold_small_dequantize() -> tensor<1x4xf32> {
  %codes = arith.constant dense<[[1, 2, -3, 4]]> : tensor<1x4xi8>
  %scales = arith.constant dense<0.5> : tensor<1x1xf32>
  %zp = arith.constant dense<1> : tensor<1x1xi8>
  %b = sparq.dequantize %codes, %scales zero_points(%zp) storage(si8)
      : (tensor<1x4xi8>, tensor<1x1xf32>, tensor<1x1xi8>) -> tensor<1x4xf32>
  return %b : tensor<1x4xf32>
}

// -----

// A symmetric int8 Q/DQ activation times an int8 per-channel QDQ weight:
// sparq.int_matmul on the activation codes (reshaped like the float
// activation was) with the static Q/DQ scale.

// CHECK-LABEL: func.func @qdq_w8a8
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4xf32>)
// CHECK-DAG: %[[SA:.*]] = arith.constant dense<1.250000e-01> : tensor<1x1x1xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1, 2, 3, 4], [-5, -6, -7, -8]]> : tensor<2x4xi8>
// CHECK-DAG: %[[SW:.*]] = arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>
// CHECK-DAG: %[[SA2:.*]] = arith.constant dense<1.250000e-01> : tensor<1x1xf32>
// CHECK-NOT: sparq.dequantize
// CHECK: %[[Q:.*]] = sparq.quantize %[[X]], %[[SA]] storage(si8)
// CHECK: %[[QC:.*]] = tensor.collapse_shape %[[Q]] {{\[}}[0, 1], [2]] : tensor<1x3x4xi8> into tensor<3x4xi8>
// CHECK: %[[Y:.*]] = sparq.int_matmul %[[QC]], %[[W]] scales(%[[SA2]], %[[SW]])
// CHECK-SAME: scheme = "qdq-w8a8-static"
// CHECK-NOT: tensor.collapse_shape {{.*}} tensor<1x3x4xf32>
// CHECK: return %[[Y]]
func.func @qdq_w8a8(%x: tensor<1x3x4xf32>) -> tensor<3x2xf32> {
  %sa = arith.constant dense<0.125> : tensor<1x1x1xf32>
  %q = sparq.quantize %x, %sa storage(si8)
      : (tensor<1x3x4xf32>, tensor<1x1x1xf32>) -> tensor<1x3x4xi8>
  %dq = sparq.dequantize %q, %sa storage(si8)
      : (tensor<1x3x4xi8>, tensor<1x1x1xf32>) -> tensor<1x3x4xf32>
  %c = tensor.collapse_shape %dq [[0, 1], [2]] : tensor<1x3x4xf32> into tensor<3x4xf32>
  %codes = arith.constant dense<[[1, -5], [2, -6], [3, -7], [4, -8]]> : tensor<4x2xi8>
  %scales = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = sparq.dequantize %codes, %scales storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%c, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Dequantizes the pass cannot read (codes computed at run time) stay.

// CHECK-LABEL: func.func @runtime_codes_stay
// CHECK: sparq.dequantize
// CHECK: linalg.matmul
func.func @runtime_codes_stay(%x: tensor<3x4xf32>, %codes: tensor<4x2xi8>)
    -> tensor<3x2xf32> {
  %scales = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = sparq.dequantize %codes, %scales storage(si8)
      : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x2xf32>)
      outs(%f : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
