// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=gated-mlp" | FileCheck %s
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=gated-mlp stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: sparq-opt %s --split-input-file --sparq-fuse="patterns=gated-mlp,epilogue stats=true" 2>&1 | FileCheck %s --check-prefix=WITH-EPILOGUE

// What concat-siblings leaves of a SwiGLU MLP, as the importer writes it:
// the wide gate/up matmul, its two halves expanded back to [1, 4, 8],
// Sigmoid, x * sigmoid(x), and the product with up. The matmul becomes
// `gated` with SiLU and 8 columns; the slices and the three generics go.
// CHECK-LABEL: func.func @swiglu
// CHECK: %[[Y:.*]] = sparq.qmatmul %arg0, %arg1, %arg2 storage(si4) activation(silu) gated
// CHECK-SAME: {sparq.quant_info = {layer = "gate+up"}}
// CHECK-SAME: -> tensor<4x8xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: linalg.generic
// CHECK: return %[[E]]
// STATS: sparq-fuse: gated-mlp: gate+up: fused (silu)
// WITH-EPILOGUE-LABEL: func.func @swiglu
// WITH-EPILOGUE: sparq.qmatmul {{.*}} activation(silu) gated
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @swiglu(%x: tensor<4x16xf32>, %w: tensor<16x8xi8>, %s: tensor<16x1xf32>) -> tensor<1x4x8xf32> {
  %wide = sparq.qmatmul %x, %w, %s storage(si4) {sparq.quant_info = {layer = "gate+up"}} : (tensor<4x16xf32>, tensor<16x8xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %g2 = tensor.extract_slice %wide[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %g = tensor.expand_shape %g2 [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %e0 = tensor.empty() : tensor<1x4x8xf32>
  %sig = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g : tensor<1x4x8xf32>) outs(%e0 : tensor<1x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %e1 = tensor.empty() : tensor<1x4x8xf32>
  %silu = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g, %sig : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e1 : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8xf32>
  %u2 = tensor.extract_slice %wide[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %u = tensor.expand_shape %u2 [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %e2 = tensor.empty() : tensor<1x4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%silu, %u : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e2 : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// GeGLU on 2-bit codebooks with CSR outliers, on 2-D slices without
// reshapes, the product written up * gelu(gate), and a residual add after
// it: gated-mlp takes the product, the epilogue family the residual.
// CHECK-LABEL: func.func @geglu_lut
// CHECK: %[[Y:.*]] = sparq.lut_matmul %arg0, %arg1, %arg2 outliers(%arg3, %arg4, %arg5) bits(2) activation(gelu) gated
// CHECK-SAME: -> tensor<2x4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[Y]], %arg6
// STATS: sparq-fuse: gated-mlp: lut_matmul_geglu: fused (gelu)
// WITH-EPILOGUE-LABEL: func.func @geglu_lut
// WITH-EPILOGUE: %[[Y:.*]] = sparq.lut_matmul {{.*}} bits(2) activation(gelu) gated residual(%arg6)
// WITH-EPILOGUE-NEXT: return %[[Y]]
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @geglu_lut(%x: tensor<2x8xf32>, %i: tensor<8x2xi8>, %c: tensor<8x4xf32>, %rp: tensor<9xi32>, %ci: tensor<1xi32>, %v: tensor<1xf32>, %res: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %wide = sparq.lut_matmul %x, %i, %c outliers(%rp, %ci, %v) bits(2) {sparq.weight_name = "lut_matmul_geglu"} : (tensor<2x8xf32>, tensor<8x2xi8>, tensor<8x4xf32>, tensor<9xi32>, tensor<1xi32>, tensor<1xf32>) -> tensor<2x8xf32>
  %g = tensor.extract_slice %wide[0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %u = tensor.extract_slice %wide[0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%u, %g : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e0 : tensor<2x4xf32>) {
  ^bb0(%up: f32, %a: f32, %out: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rs2 = arith.constant 0.70710678118654752 : f32
    %t = arith.mulf %a, %rs2 : f32
    %erf = math.erf %t : f32
    %p = arith.addf %erf, %one : f32
    %h = arith.mulf %a, %half : f32
    %gelu = arith.mulf %h, %p : f32
    %m = arith.mulf %up, %gelu : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  %e1 = tensor.empty() : tensor<2x4xf32>
  %z = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%y, %res : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e1 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// The activation reads the second half: the gate's rows would have to move
// in front of the up rows, which gated-mlp does not do.
// CHECK-LABEL: func.func @gate_second
// CHECK: sparq.qmatmul
// CHECK-NOT: gated
// CHECK: tensor.extract_slice
// STATS: sparq-fuse: gated-mlp: gate_second: not fused: the activation reads the second half (the gate's rows must come first)
#id3 = affine_map<(d0, d1) -> (d0, d1)>
func.func @gate_second(%x: tensor<2x8xf32>, %w: tensor<8x8xi8>, %s: tensor<8x1xf32>) -> tensor<2x4xf32> {
  %wide = sparq.qmatmul %x, %w, %s storage(si8) {sparq.weight_name = "gate_second"} : (tensor<2x8xf32>, tensor<8x8xi8>, tensor<8x1xf32>) -> tensor<2x8xf32>
  %u = tensor.extract_slice %wide[0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %g = tensor.extract_slice %wide[0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel"]} ins(%g, %u : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e0 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %up: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %a, %zero : f32
    %m = arith.mulf %r, %up : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// The gate half is also returned: fusing would lose it.
// CHECK-LABEL: func.func @gate_escapes
// CHECK-NOT: gated
// STATS: sparq-fuse: gated-mlp: gate_escapes: not fused: a half of the result has uses outside the gated product
#id4 = affine_map<(d0, d1) -> (d0, d1)>
func.func @gate_escapes(%x: tensor<2x8xf32>, %w: tensor<8x8xi8>, %s: tensor<8x1xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %wide = sparq.qmatmul %x, %w, %s storage(si8) {sparq.weight_name = "gate_escapes"} : (tensor<2x8xf32>, tensor<8x8xi8>, tensor<8x1xf32>) -> tensor<2x8xf32>
  %g = tensor.extract_slice %wide[0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %u = tensor.extract_slice %wide[0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel"]} ins(%g, %u : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e0 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %up: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %a, %zero : f32
    %m = arith.mulf %r, %up : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  return %y, %g : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Halves of unequal width (a 6 + 2 split) are not gate and up, and not
// worth a record.
// CHECK-LABEL: func.func @unequal
// CHECK-NOT: gated
// STATS-NOT: unequal
func.func @unequal(%x: tensor<2x8xf32>, %w: tensor<8x8xi8>, %s: tensor<8x1xf32>) -> (tensor<2x6xf32>, tensor<2x2xf32>) {
  %wide = sparq.qmatmul %x, %w, %s storage(si8) {sparq.weight_name = "unequal"} : (tensor<2x8xf32>, tensor<8x8xi8>, tensor<8x1xf32>) -> tensor<2x8xf32>
  %a = tensor.extract_slice %wide[0, 0] [2, 6] [1, 1] : tensor<2x8xf32> to tensor<2x6xf32>
  %b = tensor.extract_slice %wide[0, 6] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
  return %a, %b : tensor<2x6xf32>, tensor<2x2xf32>
}

// -----

// Two halves that nobody multiplies (K and V of attention, say) are not a
// candidate and get no record.
// CHECK-LABEL: func.func @not_a_product
// CHECK-NOT: gated
// STATS-NOT: not_a_product
func.func @not_a_product(%x: tensor<2x8xf32>, %w: tensor<8x8xi8>, %s: tensor<8x1xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %wide = sparq.qmatmul %x, %w, %s storage(si8) {sparq.weight_name = "not_a_product"} : (tensor<2x8xf32>, tensor<8x8xi8>, tensor<8x1xf32>) -> tensor<2x8xf32>
  %k = tensor.extract_slice %wide[0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %v = tensor.extract_slice %wide[0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  return %k, %v : tensor<2x4xf32>, tensor<2x4xf32>
}
