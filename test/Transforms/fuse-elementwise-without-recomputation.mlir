// RUN: sparq-opt %s --split-input-file --fuse-elementwise-without-recomputation | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// Elementwise into elementwise: fused, erf evaluated once per element.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: math.erf
// CHECK: arith.mulf
func.func @elementwise_chain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.erf %in : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%g, %x : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}

// -----

// A GELU-like producer feeding a matmul-shaped consumer (which reads each
// produced element once per output column) stays separate.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @producer_of_contraction
// CHECK: linalg.generic
// CHECK:   math.erf
// CHECK: linalg.generic
// CHECK-NOT: math.erf
// CHECK:   arith.mulf
func.func @producer_of_contraction(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                                   %acc: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id2, #id2],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.erf %in : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%g, %w : tensor<4x8xf32>, tensor<8x16xf32>)
      outs(%acc : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// A row statistic broadcast along the row (LayerNorm's rsqrt of the
// variance) is not fused into the per-element consumer.
#row = affine_map<(d0, d1) -> (d0)>
#id3 = affine_map<(d0, d1) -> (d0, d1)>
#r1 = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @broadcast_producer
// CHECK: linalg.generic
// CHECK:   math.rsqrt
// CHECK: linalg.generic
// CHECK-NOT: math.rsqrt
// CHECK:   arith.mulf
func.func @broadcast_producer(%x: tensor<4x8xf32>, %var: tensor<4xf32>) -> tensor<4x8xf32> {
  %e1 = tensor.empty() : tensor<4xf32>
  %inv = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%var : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.rsqrt %in : f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id3, #row, #id3],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %inv : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
