// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=concat-siblings" | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=concat-siblings stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=epilogue" | FileCheck %s --check-prefix=OFF

// Q/K/V: int4, group size 4, reading one activation. The packed rows, scale
// rows and bias concatenate along N in operand order (q: 2 rows, k and v: 1);
// v has no bias and contributes a zero.
// CHECK-LABEL: func.func @qkv
// OFF-LABEL: func.func @qkv
// OFF-COUNT-3: = sparq.qmatmul
// OFF-NOT: tensor.extract_slice
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]> : tensor<4x4xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, %[[W]], %[[S]] bias(%[[B]]) storage(si4)
// CHECK-SAME: sparq.quant_info = {bytes_after = 60 : i64, bytes_before = 128 : i64, layer = "q+k+v", layers = [{{.*}}], scheme = "rtn-int4-g4-sym", weight_sqnr_db = 2.000000e+01 : f64}
// CHECK-SAME: -> tensor<3x4xf32>
// CHECK-NOT: sparq.qmatmul
// CHECK-DAG: %[[Q:.*]] = tensor.extract_slice %[[Y]][0, 0] [3, 2] [1, 1] : tensor<3x4xf32> to tensor<3x2xf32>
// CHECK-DAG: %[[K:.*]] = tensor.extract_slice %[[Y]][0, 2] [3, 1] [1, 1] : tensor<3x4xf32> to tensor<3x1xf32>
// CHECK-DAG: %[[V:.*]] = tensor.extract_slice %[[Y]][0, 3] [3, 1] [1, 1] : tensor<3x4xf32> to tensor<3x1xf32>
// CHECK: return %[[Q]], %[[K]], %[[V]]
// STATS: sparq-fuse: concat-siblings: q+k+v: fused
func.func @qkv(%x: tensor<3x8xf32>) -> (tensor<3x2xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %wq = arith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi8>
  %sq = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %bq = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wk = arith.constant dense<[[9, 10, 11, 12]]> : tensor<1x4xi8>
  %sk = arith.constant dense<[[5.0, 6.0]]> : tensor<1x2xf32>
  %bk = arith.constant dense<[3.0]> : tensor<1xf32>
  %wv = arith.constant dense<[[13, 14, 15, 16]]> : tensor<1x4xi8>
  %sv = arith.constant dense<[[7.0, 8.0]]> : tensor<1x2xf32>
  %q = sparq.qmatmul %x, %wq, %sq bias(%bq) storage(si4) {sparq.quant_info = {layer = "q", scheme = "rtn-int4-g4-sym", bytes_before = 64 : i64, bytes_after = 28 : i64, weight_sqnr_db = 30.0 : f64}}
      : (tensor<3x8xf32>, tensor<2x4xi8>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %k = sparq.qmatmul %x, %wk, %sk bias(%bk) storage(si4) {sparq.quant_info = {layer = "k", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 16 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<3x1xf32>
  %v = sparq.qmatmul %x, %wv, %sv storage(si4) {sparq.quant_info = {layer = "v", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 16 : i64, weight_sqnr_db = 25.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %q, %k, %v : tensor<3x2xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// The importer collapses the same 3-D activation once per MatMul: equal
// collapse_shapes count as one activation. Zero points concatenate too.
// CHECK-LABEL: func.func @collapsed_activation
// CHECK-DAG: %[[X:.*]] = tensor.collapse_shape %arg0
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[8], [7]]> : tensor<2x1xi8>
// CHECK: %[[Y:.*]] = sparq.qmatmul %[[X]], %{{.*}}, %{{.*}} zero_points(%[[Z]]) storage(ui8)
// CHECK-SAME: -> tensor<4x2xf32>
// CHECK-NOT: sparq.qmatmul
// CHECK: tensor.extract_slice %[[Y]][0, 0] [4, 1] [1, 1]
// CHECK: tensor.extract_slice %[[Y]][0, 1] [4, 1] [1, 1]
// STATS: sparq-fuse: concat-siblings: gate+up: fused
func.func @collapsed_activation(%x: tensor<2x2x4xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>) {
  %w1 = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %s1 = arith.constant dense<[[0.5]]> : tensor<1x1xf32>
  %z1 = arith.constant dense<[[8]]> : tensor<1x1xi8>
  %w2 = arith.constant dense<[[5, 6, 7, 8]]> : tensor<1x4xi8>
  %s2 = arith.constant dense<[[0.25]]> : tensor<1x1xf32>
  %z2 = arith.constant dense<[[7]]> : tensor<1x1xi8>
  %x1 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x2x4xf32> into tensor<4x4xf32>
  %a = sparq.qmatmul %x1, %w1, %s1 zero_points(%z1) storage(ui8) {sparq.quant_info = {layer = "gate", scheme = "rtn-uint8-g4-asym", bytes_before = 16 : i64, bytes_after = 9 : i64, weight_sqnr_db = 40.0 : f64}}
      : (tensor<4x4xf32>, tensor<1x4xi8>, tensor<1x1xf32>, tensor<1x1xi8>) -> tensor<4x1xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x2x4xf32> into tensor<4x4xf32>
  %b = sparq.qmatmul %x2, %w2, %s2 zero_points(%z2) storage(ui8) {sparq.quant_info = {layer = "up", scheme = "rtn-uint8-g4-asym", bytes_before = 16 : i64, bytes_after = 9 : i64, weight_sqnr_db = 40.0 : f64}}
      : (tensor<4x4xf32>, tensor<1x4xi8>, tensor<1x1xf32>, tensor<1x1xi8>) -> tensor<4x1xf32>
  return %a, %b : tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// gate/up with 2-bit codebooks; only up has CSR outliers: gate contributes
// empty rows and up's row pointers shift by gate's (zero) nonzeros.
// CHECK-LABEL: func.func @lut_outliers
// CHECK-DAG: %[[I:.*]] = arith.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00], [8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01]]> : tensor<3x4xf32>
// CHECK-DAG: %[[RP:.*]] = arith.constant dense<[0, 0, 1, 3]> : tensor<4xi32>
// CHECK-DAG: %[[CI:.*]] = arith.constant dense<[2, 0, 7]> : tensor<3xi32>
// CHECK-DAG: %[[V:.*]] = arith.constant dense<[5.000000e+01, -6.000000e+01, 7.000000e+01]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = sparq.lut_matmul %arg0, %[[I]], %[[C]] outliers(%[[RP]], %[[CI]], %[[V]]) bits(2)
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK: tensor.extract_slice %[[Y]][0, 0] [2, 1] [1, 1]
// CHECK: tensor.extract_slice %[[Y]][0, 1] [2, 2] [1, 1]
// STATS: sparq-fuse: concat-siblings: gate+up: fused
func.func @lut_outliers(%x: tensor<2x8xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  %ig = arith.constant dense<[[1, 2]]> : tensor<1x2xi8>
  %cg = arith.constant dense<[[0.0, 1.0, 2.0, 3.0]]> : tensor<1x4xf32>
  %iu = arith.constant dense<[[3, 4], [5, 6]]> : tensor<2x2xi8>
  %cu = arith.constant dense<[[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]> : tensor<2x4xf32>
  %rp = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  %ci = arith.constant dense<[2, 0, 7]> : tensor<3xi32>
  %v = arith.constant dense<[50.0, -60.0, 70.0]> : tensor<3xf32>
  %g = sparq.lut_matmul %x, %ig, %cg bits(2) {sparq.quant_info = {layer = "gate", scheme = "lut-2", bytes_before = 32 : i64, bytes_after = 18 : i64, weight_sqnr_db = 15.0 : f64}}
      : (tensor<2x8xf32>, tensor<1x2xi8>, tensor<1x4xf32>) -> tensor<2x1xf32>
  %u = sparq.lut_matmul %x, %iu, %cu outliers(%rp, %ci, %v) bits(2) {sparq.quant_info = {layer = "up", scheme = "lut-2+sparse-18.75%", bytes_before = 64 : i64, bytes_after = 64 : i64, weight_sqnr_db = 16.0 : f64}}
      : (tensor<2x8xf32>, tensor<2x2xi8>, tensor<2x4xf32>, tensor<3xi32>, tensor<3xi32>, tensor<3xf32>) -> tensor<2x2xf32>
  return %g, %u : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

// Schemes that differ must not concatenate: k is int8, v uses groups of 8;
// q and o match and fuse.
// CHECK-LABEL: func.func @different_schemes
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, %{{.*}}, %{{.*}} storage(si4) {{.*}}layer = "q+o"
// CHECK-SAME: -> tensor<3x2xf32>
// CHECK: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} storage(si8) {{.*}}layer = "k"
// CHECK: sparq.qmatmul %arg0, %{{.*}}, %{{.*}} storage(si4) {{.*}}layer = "v"
// STATS-DAG: sparq-fuse: concat-siblings: k: not fused: storage si8 differs from q's si4
// STATS-DAG: sparq-fuse: concat-siblings: v: not fused: group size 8 differs from q's 4
// STATS-DAG: sparq-fuse: concat-siblings: q+o: fused
func.func @different_schemes(%x: tensor<3x8xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %w4 = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %w8 = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xi8>
  %s2 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %s1 = arith.constant dense<[[1.0]]> : tensor<1x1xf32>
  %q = sparq.qmatmul %x, %w4, %s2 storage(si4) {sparq.quant_info = {layer = "q", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %k = sparq.qmatmul %x, %w8, %s2 storage(si8) {sparq.quant_info = {layer = "k", scheme = "rtn-int8-g4-sym", bytes_before = 32 : i64, bytes_after = 16 : i64, weight_sqnr_db = 40.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x8xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %v = sparq.qmatmul %x, %w4, %s1 storage(si4) {sparq.quant_info = {layer = "v", scheme = "rtn-int4-g8-sym", bytes_before = 32 : i64, bytes_after = 8 : i64, weight_sqnr_db = 18.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x1xf32>) -> tensor<3x1xf32>
  %o = sparq.qmatmul %x, %w4, %s2 storage(si4) {sparq.quant_info = {layer = "o", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %q, %k, %v, %o : tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// A qmatmul and a lut_matmul never concatenate; neither do weights that are
// not constants.
// CHECK-LABEL: func.func @kind_and_constness
// CHECK: sparq.qmatmul
// CHECK: sparq.lut_matmul
// CHECK: sparq.qmatmul
// CHECK-NOT: tensor.extract_slice
// STATS-DAG: sparq-fuse: concat-siblings: b: not fused: op sparq.lut_matmul differs from a's sparq.qmatmul
// STATS-DAG: sparq-fuse: concat-siblings: c: not fused: operand #1 is not a constant
// STATS-DAG: sparq-fuse: concat-siblings: a: not fused: op sparq.qmatmul differs from b's sparq.lut_matmul
func.func @kind_and_constness(%x: tensor<3x8xf32>, %w: tensor<1x4xi8>) -> (tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %w4 = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %s2 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %i = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %cb = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]]> : tensor<1x16xf32>
  %a = sparq.qmatmul %x, %w4, %s2 storage(si4) {sparq.quant_info = {layer = "a", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %b = sparq.lut_matmul %x, %i, %cb bits(4) {sparq.quant_info = {layer = "b", scheme = "lut-4", bytes_before = 32 : i64, bytes_after = 68 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x16xf32>) -> tensor<3x1xf32>
  %c = sparq.qmatmul %x, %w, %s2 storage(si4) {sparq.quant_info = {layer = "c", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a, %b, %c : tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Different activations are not siblings.
// CHECK-LABEL: func.func @different_activations
// CHECK-COUNT-2: sparq.qmatmul
// CHECK-NOT: tensor.extract_slice
func.func @different_activations(%x: tensor<3x8xf32>, %y: tensor<3x8xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>) {
  %w4 = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %s2 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %a = sparq.qmatmul %x, %w4, %s2 storage(si4) : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %b = sparq.qmatmul %y, %w4, %s2 storage(si4) : (tensor<3x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a, %b : tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Dynamic leading dimensions: the slices take their sizes from the wide
// result.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, {{.*}} -> tensor<?x2xf32>
// CHECK: %[[D0:.*]] = tensor.dim %[[Y]], %c0
// CHECK: tensor.extract_slice %[[Y]][0, 0] [%[[D0]], 1] [1, 1] : tensor<?x2xf32> to tensor<?x1xf32>
// CHECK: %[[D1:.*]] = tensor.dim %[[Y]], %c0
// CHECK: tensor.extract_slice %[[Y]][0, 1] [%[[D1]], 1] [1, 1] : tensor<?x2xf32> to tensor<?x1xf32>
// STATS: sparq-fuse: concat-siblings: a+b: fused
func.func @dynamic_rows(%x: tensor<?x8xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>) {
  %w4 = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %s2 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %a = sparq.qmatmul %x, %w4, %s2 storage(si4) {sparq.quant_info = {layer = "a", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<?x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<?x1xf32>
  %b = sparq.qmatmul %x, %w4, %s2 storage(si4) {sparq.quant_info = {layer = "b", scheme = "rtn-int4-g4-sym", bytes_before = 32 : i64, bytes_after = 12 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<?x8xf32>, tensor<1x4xi8>, tensor<1x2xf32>) -> tensor<?x1xf32>
  return %a, %b : tensor<?x1xf32>, tensor<?x1xf32>
}

// -----

// Siblings whose epilogue is already fused keep it: they are not merged.
// STATS: sparq-fuse: concat-siblings: {{.*}}: not fused: it has an epilogue
// CHECK-LABEL: func.func @epilogue_siblings
// CHECK-COUNT-2: sparq.qmatmul
func.func @epilogue_siblings(%x: tensor<2x64xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %w = arith.constant dense<17> : tensor<8x32xi8>
  %s = arith.constant dense<0.5> : tensor<8x2xf32>
  %a = sparq.qmatmul %x, %w, %s storage(si4) activation(relu) : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x8xf32>
  %b = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<2x8xf32>
  return %a, %b : tensor<2x8xf32>, tensor<2x8xf32>
}
