// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=softmax" | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=softmax stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// The importer's attention softmax: scores * scale, Where(allowed, ., min),
// then max, exp(x - max), sum and division. All of it becomes one
// sparq.softmax on the raw scores.

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#mask = affine_map<(d0, d1, d2) -> (d1, d2)>

// CHECK-LABEL: func.func @select_mask
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x4xf32>, %[[M:.*]]: tensor<4x4xi1>)
// CHECK-NEXT: %[[Y:.*]] = sparq.softmax %[[X]] scale(2.500000e-01) mask(%[[M]] : tensor<4x4xi1>) fill(-3.40282347E+38) : tensor<2x4x4xf32>
// CHECK-NEXT: return %[[Y]]
// STATS: sparq-fuse: softmax: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-scale: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-mask: attn/Softmax: fused
func.func @select_mask(%x: tensor<2x4x4xf32>, %allowed: tensor<4x4xi1>) -> tensor<2x4x4xf32> {
  %scale = arith.constant dense<0.25> : tensor<f32>
  %min = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %e0 = tensor.empty() : tensor<2x4x4xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale : tensor<2x4x4xf32>, tensor<f32>) outs(%e0 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %r = arith.mulf %a, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %masked = linalg.generic {indexing_maps = [#mask, #id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%allowed, %scaled, %min : tensor<4x4xi1>, tensor<2x4x4xf32>, tensor<f32>) outs(%e0 : tensor<2x4x4xf32>) {
  ^bb0(%c: i1, %a: f32, %f: f32, %o: f32):
    %r = arith.select %c, %a, %f : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %re = tensor.empty() : tensor<2x4xf32>
  %maxinit = linalg.fill ins(%ninf : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %max = linalg.reduce { arith.maximumf } ins(%masked : tensor<2x4x4xf32>) outs(%maxinit : tensor<2x4xf32>) dimensions = [2]
  %maxe = tensor.expand_shape %max [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %ee = tensor.empty() : tensor<2x4x4xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%masked, %maxe : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<2x4x4xf32>
  %suminit = linalg.fill ins(%zero : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce { arith.addf } ins(%exp : tensor<2x4x4xf32>) outs(%suminit : tensor<2x4xf32>) dimensions = [2]
  %sume = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sume : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<2x4x4xf32> loc("attn/Softmax")
  return %y : tensor<2x4x4xf32>
}

// -----

// An additive mask (broadcast along dim 0) after a Div by a constant: the
// scale is its reciprocal.

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#mask = affine_map<(d0, d1, d2) -> (d1, d2)>

// CHECK-LABEL: func.func @additive_mask_div_scale
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x4xf32>, %[[M:.*]]: tensor<4x4xf32>)
// CHECK-NEXT: %[[Y:.*]] = sparq.softmax %[[X]] scale(1.250000e-01) mask(%[[M]] : tensor<4x4xf32>) : tensor<2x4x4xf32>
// CHECK-NEXT: return %[[Y]]
// STATS: sparq-fuse: softmax: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-scale: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-mask: attn/Softmax: fused
func.func @additive_mask_div_scale(%x: tensor<2x4x4xf32>, %bias: tensor<4x4xf32>) -> tensor<2x4x4xf32> {
  %e0 = tensor.empty() : tensor<2x4x4xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x4x4xf32>) outs(%e0 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c8 = arith.constant 8.0 : f32
    %r = arith.divf %a, %c8 : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %masked = linalg.generic {indexing_maps = [#mask, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias, %scaled : tensor<4x4xf32>, tensor<2x4x4xf32>) outs(%e0 : tensor<2x4x4xf32>) {
  ^bb0(%b: f32, %a: f32, %o: f32):
    %r = arith.addf %b, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %re = tensor.empty() : tensor<2x4xf32>
  %maxinit = linalg.fill ins(%ninf : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %max = linalg.reduce { arith.maximumf } ins(%masked : tensor<2x4x4xf32>) outs(%maxinit : tensor<2x4xf32>) dimensions = [2]
  %maxe = tensor.expand_shape %max [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %ee = tensor.empty() : tensor<2x4x4xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%masked, %maxe : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<2x4x4xf32>
  %suminit = linalg.fill ins(%zero : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce { arith.addf } ins(%exp : tensor<2x4x4xf32>) outs(%suminit : tensor<2x4xf32>) dimensions = [2]
  %sume = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sume : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<2x4x4xf32> loc("attn/Softmax")
  return %y : tensor<2x4x4xf32>
}

// -----

// The scaled scores are also returned: the softmax fuses, but the scale
// stays a separate op (absorbing it would compute it twice).

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#mask = affine_map<(d0, d1, d2) -> (d1, d2)>

// CHECK-LABEL: func.func @scaled_scores_escape
// CHECK: %[[S:.*]] = linalg.generic
// CHECK: arith.mulf
// CHECK: %[[Y:.*]] = sparq.softmax %[[S]] : tensor<2x4x4xf32>
// CHECK-NEXT: return %[[Y]], %[[S]]
// STATS: sparq-fuse: softmax: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-scale: attn/Softmax: not fused: no constant Mul/Div read only by the softmax
// STATS-NEXT: sparq-fuse: softmax-mask: attn/Softmax: not fused: no Where/Add read only by the softmax
func.func @scaled_scores_escape(%x: tensor<2x4x4xf32>) -> (tensor<2x4x4xf32>, tensor<2x4x4xf32>) {
  %scale = arith.constant dense<0.25> : tensor<f32>
  %e0 = tensor.empty() : tensor<2x4x4xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale : tensor<2x4x4xf32>, tensor<f32>) outs(%e0 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %r = arith.mulf %a, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %re = tensor.empty() : tensor<2x4xf32>
  %maxinit = linalg.fill ins(%ninf : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %max = linalg.reduce { arith.maximumf } ins(%scaled : tensor<2x4x4xf32>) outs(%maxinit : tensor<2x4xf32>) dimensions = [2]
  %maxe = tensor.expand_shape %max [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %ee = tensor.empty() : tensor<2x4x4xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scaled, %maxe : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<2x4x4xf32>
  %suminit = linalg.fill ins(%zero : f32) outs(%re : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce { arith.addf } ins(%exp : tensor<2x4x4xf32>) outs(%suminit : tensor<2x4xf32>) dimensions = [2]
  %sume = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sume : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%ee : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<2x4x4xf32> loc("attn/Softmax")
  return %y, %scaled : tensor<2x4x4xf32>, tensor<2x4x4xf32>
}

// -----

// A plain rank-2 softmax of an argument.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#scalar = affine_map<(d0, d1) -> ()>
#mask = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @plain
// CHECK-NEXT: %[[Y:.*]] = sparq.softmax %arg0 : tensor<3x8xf32>
// CHECK-NEXT: return %[[Y]]
// STATS: sparq-fuse: softmax: attn/Softmax: fused
// STATS-NEXT: sparq-fuse: softmax-scale: attn/Softmax: not fused
// STATS-NEXT: sparq-fuse: softmax-mask: attn/Softmax: not fused
func.func @plain(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %re = tensor.empty() : tensor<3xf32>
  %maxinit = linalg.fill ins(%ninf : f32) outs(%re : tensor<3xf32>) -> tensor<3xf32>
  %max = linalg.reduce { arith.maximumf } ins(%x : tensor<3x8xf32>) outs(%maxinit : tensor<3xf32>) dimensions = [1]
  %maxe = tensor.expand_shape %max [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %ee = tensor.empty() : tensor<3x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %maxe : tensor<3x8xf32>, tensor<3x1xf32>) outs(%ee : tensor<3x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<3x8xf32>
  %suminit = linalg.fill ins(%zero : f32) outs(%re : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce { arith.addf } ins(%exp : tensor<3x8xf32>) outs(%suminit : tensor<3xf32>) dimensions = [1]
  %sume = tensor.expand_shape %sum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %sume : tensor<3x8xf32>, tensor<3x1xf32>) outs(%ee : tensor<3x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<3x8xf32> loc("attn/Softmax")
  return %y : tensor<3x8xf32>
}

// -----

// exp(x - max) is read by something else too: not the importer's softmax,
// nothing changes.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#scalar = affine_map<(d0, d1) -> ()>
#mask = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @exps_escape
// CHECK-NOT: sparq.softmax
// CHECK: math.exp
// STATS-NOT: sparq-fuse: softmax
func.func @exps_escape(%x: tensor<3x8xf32>) -> (tensor<3x8xf32>, tensor<3x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %re = tensor.empty() : tensor<3xf32>
  %maxinit = linalg.fill ins(%ninf : f32) outs(%re : tensor<3xf32>) -> tensor<3xf32>
  %max = linalg.reduce { arith.maximumf } ins(%x : tensor<3x8xf32>) outs(%maxinit : tensor<3xf32>) dimensions = [1]
  %maxe = tensor.expand_shape %max [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %ee = tensor.empty() : tensor<3x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %maxe : tensor<3x8xf32>, tensor<3x1xf32>) outs(%ee : tensor<3x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<3x8xf32>
  %suminit = linalg.fill ins(%zero : f32) outs(%re : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce { arith.addf } ins(%exp : tensor<3x8xf32>) outs(%suminit : tensor<3xf32>) dimensions = [1]
  %sume = tensor.expand_shape %sum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %sume : tensor<3x8xf32>, tensor<3x1xf32>) outs(%ee : tensor<3x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<3x8xf32> loc("attn/Softmax")
  return %y, %exp : tensor<3x8xf32>, tensor<3x8xf32>
}
