// RUN: sparq-opt %s --sparq-fuse="patterns=concat-siblings,epilogue" | FileCheck %s
// RUN: sparq-opt %s --sparq-fuse="patterns=concat-siblings,epilogue stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: sparq-opt %s --sparq-fuse="patterns=concat-siblings" | FileCheck %s --check-prefix=NOBIAS

// Q and K projections with bias adds (as the importer writes ONNX's Add):
// with both families, the biases fold into each matmul first, and the
// concatenated matmul carries [bq, bk], so no add is left on the slices.
// With concat-siblings alone the adds stay.

#id = affine_map<(d0, d1) -> (d0, d1)>
#last = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @qk_biases
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, %{{.*}}, %{{.*}} bias(%[[B]]) storage(si4)
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK-NOT: linalg.generic
// CHECK: tensor.extract_slice %[[Y]][0, 0] [2, 2]
// CHECK: tensor.extract_slice %[[Y]][0, 2] [2, 1]
// STATS-DAG: sparq-fuse: epilogue-bias: q: fused
// STATS-DAG: sparq-fuse: epilogue-bias: k: fused
// STATS: sparq-fuse: concat-siblings: q+k: fused
// NOBIAS-LABEL: func.func @qk_biases
// NOBIAS-COUNT-2: arith.addf
func.func @qk_biases(%x: tensor<2x8xf32>) -> (tensor<2x2xf32>, tensor<2x1xf32>) {
  %wq = arith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi8>
  %sq = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %bq = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wk = arith.constant dense<[[9, 10, 11, 12]]> : tensor<1x4xi8>
  %sk = arith.constant dense<[[3.0]]> : tensor<1x1xf32>
  %bk = arith.constant dense<[3.0]> : tensor<1xf32>
  %q = sparq.qmatmul %x, %wq, %sq storage(si4)
      {sparq.quant_info = {layer = "q", scheme = "rtn-int4", bytes_before = 64 : i64, bytes_after = 16 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<2x8xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %k = sparq.qmatmul %x, %wk, %sk storage(si4)
      {sparq.quant_info = {layer = "k", scheme = "rtn-int4", bytes_before = 32 : i64, bytes_after = 8 : i64, weight_sqnr_db = 20.0 : f64}}
      : (tensor<2x8xf32>, tensor<1x4xi8>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %eq = tensor.empty() : tensor<2x2xf32>
  %qb = linalg.generic {indexing_maps = [#last, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bq, %q : tensor<2xf32>, tensor<2x2xf32>) outs(%eq : tensor<2x2xf32>) {
  ^bb0(%b: f32, %a: f32, %o: f32):
    %r = arith.addf %b, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x2xf32>
  %ek = tensor.empty() : tensor<2x1xf32>
  %kb = linalg.generic {indexing_maps = [#last, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bk, %k : tensor<1xf32>, tensor<2x1xf32>) outs(%ek : tensor<2x1xf32>) {
  ^bb0(%b: f32, %a: f32, %o: f32):
    %r = arith.addf %b, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  return %qb, %kb : tensor<2x2xf32>, tensor<2x1xf32>
}
