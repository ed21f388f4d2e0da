// RUN: sparq-opt %s -split-input-file --sparq-fuse="patterns=norm-quantize stats=true" 2>%t.stats | FileCheck %s
// RUN: FileCheck %s --check-prefix=STATS < %t.stats

// The ONNX importer's RMSNorm (Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul),
// read only by the sparq.quantize ops of int8 matmuls (Q, K and V each
// quantize the same activations with the same static scale), becomes one
// sparq.rms_norm_quantize on the norm's input; the float activations and
// the duplicate quantizations are gone.

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// CHECK-LABEL: func @qkv_inputs
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x64xf32>
// CHECK-DAG: %[[GAMMA:.*]] = arith.constant dense<1.500000e+00> : tensor<64xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
// CHECK-NOT: linalg.
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
// CHECK: %[[Q:.*]] = sparq.rms_norm_quantize %[[ROWS]], %[[GAMMA]] scales(%[[S]]) epsilon(9.99999997E-7) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
// CHECK-NOT: sparq.quantize
// CHECK: return %[[Q]], %[[Q]], %[[Q]]
// STATS: sparq-fuse: norm-quantize: {{.*}}: fused (3 identical quantizations merged)
func.func @qkv_inputs(%x: tensor<1x16x64xf32>) -> (tensor<16x64xi8>, tensor<16x64xi8>, tensor<16x64xi8>) {
  %s = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x16x64xf32>, tensor<f32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x16x1xf32>, tensor<f32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x16x64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %q0 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  %q1 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  %q2 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  return %q0, %q1, %q2 : tensor<16x64xi8>, tensor<16x64xi8>, tensor<16x64xi8>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// The importer's LayerNormalization (mean, centered variance, gamma, beta)
// becomes sparq.layer_norm_quantize the same way.
// CHECK-LABEL: func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x64xf32>
// CHECK-DAG: %[[GAMMA:.*]] = arith.constant dense<1.500000e+00> : tensor<64xf32>
// CHECK-DAG: %[[BETA:.*]] = arith.constant dense<2.500000e-01> : tensor<64xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
// CHECK-NOT: linalg.
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]]
// CHECK: %[[Q:.*]] = sparq.layer_norm_quantize %[[ROWS]], %[[GAMMA]] beta(%[[BETA]]) scales(%[[S]]) epsilon(9.99999974E-6) storage(si8)
// CHECK: return %[[Q]], %[[Q]]
// STATS: sparq-fuse: norm-quantize: {{.*}}: fused (2 identical quantizations merged)
func.func @layer_norm(%x: tensor<1x16x64xf32>) -> (tensor<16x64xi8>, tensor<16x64xi8>) {
  %s = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %eps = arith.constant 9.99999974E-6 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %beta = arith.constant dense<2.500000e-01> : tensor<64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%x : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mean : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %c = arith.subf %in, %m : f32
    %s2 = arith.mulf %c, %c : f32
    linalg.yield %s2 : f32
  } -> tensor<1x16x64xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %var = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f2 : tensor<1x16xf32>) dimensions = [2]
  %var3 = tensor.expand_shape %var [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %rstd = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%var3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    %a = arith.addf %d, %eps : f32
    %r = math.sqrt %a : f32
    %i = arith.divf %one, %r : f32
    linalg.yield %i : f32
  } -> tensor<1x16x1xf32>
  %normed = linalg.generic {indexing_maps = [#id, #row, #row, #channel, #channel, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mean, %rstd, %gamma, %beta : tensor<1x16x64xf32>, tensor<1x16x1xf32>, tensor<1x16x1xf32>, tensor<64xf32>, tensor<64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %m: f32, %r: f32, %g: f32, %b: f32, %out: f32):
    %c = arith.subf %in, %m : f32
    %n = arith.mulf %c, %r : f32
    %y = arith.mulf %n, %g : f32
    %z = arith.addf %y, %b : f32
    linalg.yield %z : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %q0 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  %q1 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  return %q0, %q1 : tensor<16x64xi8>, tensor<16x64xi8>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// The normalized activations are also needed in float: nothing fuses.
// CHECK-LABEL: func @float_reader
// CHECK: linalg.reduce
// CHECK: sparq.quantize
// CHECK-NOT: sparq.rms_norm_quantize
// STATS: sparq-fuse: norm-quantize: {{.*}}: not fused: the normalized activations have other readers than one quantization
func.func @float_reader(%x: tensor<1x16x64xf32>) -> (tensor<16x64xi8>, tensor<16x64xf32>) {
  %s = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x16x64xf32>, tensor<f32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x16x1xf32>, tensor<f32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x16x64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %q0 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  return %q0, %rows : tensor<16x64xi8>, tensor<16x64xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// Scales computed at run time, but not as the per-token absmax of the
// quantized tensor (here an argument): not fused.
// CHECK-LABEL: func @dynamic_scale
// CHECK: sparq.quantize
// CHECK-NOT: sparq.rms_norm_quantize
// STATS: sparq-fuse: norm-quantize: {{.*}}: not fused: the activation scales are computed at run time, not as per-token absmax / qmax
func.func @dynamic_scale(%x: tensor<1x16x64xf32>, %s: tensor<16x1xf32>) -> tensor<16x64xi8> {
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x16x64xf32>, tensor<f32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x16x1xf32>, tensor<f32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x16x64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %q0 = sparq.quantize %rows, %s storage(si8) : (tensor<16x64xf32>, tensor<16x1xf32>) -> tensor<16x64xi8>
  return %q0 : tensor<16x64xi8>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// One token (a decode step): the static collapse of [1, 1, 64] into
// [1, 64] is [[0], [1, 2]], which still keeps the normalized dim.
// CHECK-LABEL: func @one_token
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<1x1x64xf32> into tensor<1x64xf32>
// CHECK: sparq.rms_norm_quantize %[[ROWS]], %{{.*}} scales(%{{.*}}) epsilon(9.99999997E-7) storage(si8) : (tensor<1x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<1x64xi8>
// STATS: sparq-fuse: norm-quantize: {{.*}}: fused
func.func @one_token(%x: tensor<1x1x64xf32>) -> tensor<1x64xi8> {
  %s = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x1x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x1x64xf32>, tensor<f32>) outs(%e0 : tensor<1x1x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x1x64xf32>
  %e1 = tensor.empty() : tensor<1x1xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x1x64xf32>) outs(%f1 : tensor<1x1xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 1, 1] : tensor<1x1xf32> into tensor<1x1x1xf32>
  %e2 = tensor.empty() : tensor<1x1x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x1x1xf32>) outs(%e2 : tensor<1x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x1x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x1x1xf32>, tensor<f32>) outs(%e2 : tensor<1x1x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x1x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x1x1xf32>) outs(%e2 : tensor<1x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x1x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x1x1xf32>) outs(%e2 : tensor<1x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x1x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x1x64xf32>, tensor<1x1x1xf32>) outs(%e0 : tensor<1x1x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x1x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x1x64xf32>) outs(%e0 : tensor<1x1x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x1x64xf32>
  %rows = tensor.collapse_shape %normed [[0], [1, 2]] : tensor<1x1x64xf32> into tensor<1x64xf32>
  %q0 = sparq.quantize %rows, %s storage(si8) : (tensor<1x64xf32>, tensor<1x1xf32>) -> tensor<1x64xi8>
  return %q0 : tensor<1x64xi8>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#rows2 = affine_map<(d0, d1) -> (d0)>

// Dynamic (per-token) quantization, as sparq-fold-calibration writes it:
// each int8 matmul's input has its own row absmax / 127 (1 for a zero row)
// and quantize. One sparq.rms_norm_quantize computes the codes and the
// scales once; both matmuls read its scales, and the absmax reductions go.
// CHECK-LABEL: func @dynamic_per_token
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape
// CHECK: %[[Q:.*]], %[[SCALES:.*]] = sparq.rms_norm_quantize %[[ROWS]], %{{.*}} epsilon(9.99999997E-7) storage(si8) : (tensor<16x64xf32>, tensor<64xf32>) -> (tensor<16x64xi8>, tensor<16x1xf32>)
// CHECK-NOT: linalg.generic
// CHECK-NOT: sparq.quantize
// CHECK: %[[A:.*]] = sparq.int_matmul %[[Q]], %{{.*}} scales(%[[SCALES]], %{{.*}})
// CHECK: %[[B:.*]] = sparq.int_matmul %[[Q]], %{{.*}} scales(%[[SCALES]], %{{.*}})
// CHECK: return %[[A]], %[[B]]
// STATS: sparq-fuse: norm-quantize: {{.*}}: fused (2 per-token quantizations merged)
func.func @dynamic_per_token(%x: tensor<1x16x64xf32>, %wa: tensor<32x64xi8>, %wb: tensor<8x64xi8>, %sa: tensor<32x1xf32>, %sb: tensor<8x1xf32>) -> (tensor<16x32xf32>, tensor<16x8xf32>) {
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x16x64xf32>, tensor<f32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x16x1xf32>, tensor<f32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x16x64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %rows_b = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %c0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1.000000e+00 : f32
  %c127 = arith.constant 1.270000e+02 : f32
  %ea = tensor.empty() : tensor<16xf32>
  %fa = linalg.fill ins(%c0 : f32) outs(%ea : tensor<16xf32>) -> tensor<16xf32>
  %maxa = linalg.generic {indexing_maps = [#id2, #rows2], iterator_types = ["parallel", "reduction"]} ins(%rows : tensor<16x64xf32>) outs(%fa : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %a = arith.maximumf %in, %n : f32
    %m = arith.maximumf %a, %out : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %esa = tensor.empty() : tensor<16x1xf32>
  %scalea = linalg.generic {indexing_maps = [#rows2, #id2], iterator_types = ["parallel", "parallel"]} ins(%maxa : tensor<16xf32>) outs(%esa : tensor<16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %c127 : f32
    %p = arith.cmpf ogt, %in, %c0 : f32
    %r = arith.select %p, %d, %c1 : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  %qa = sparq.quantize %rows, %scalea storage(si8) : (tensor<16x64xf32>, tensor<16x1xf32>) -> tensor<16x64xi8>
  %ya = sparq.int_matmul %qa, %wa scales(%scalea, %sa) : (tensor<16x64xi8>, tensor<32x64xi8>, tensor<16x1xf32>, tensor<32x1xf32>) -> tensor<16x32xf32>
  %eb = tensor.empty() : tensor<16xf32>
  %fb = linalg.fill ins(%c0 : f32) outs(%eb : tensor<16xf32>) -> tensor<16xf32>
  %maxb = linalg.generic {indexing_maps = [#id2, #rows2], iterator_types = ["parallel", "reduction"]} ins(%rows_b : tensor<16x64xf32>) outs(%fb : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %a = arith.maximumf %n, %in : f32
    %m = arith.maximumf %out, %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %esb = tensor.empty() : tensor<16x1xf32>
  %scaleb = linalg.generic {indexing_maps = [#rows2, #id2], iterator_types = ["parallel", "parallel"]} ins(%maxb : tensor<16xf32>) outs(%esb : tensor<16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %c127 : f32
    %p = arith.cmpf ogt, %in, %c0 : f32
    %r = arith.select %p, %d, %c1 : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  %qb = sparq.quantize %rows_b, %scaleb storage(si8) : (tensor<16x64xf32>, tensor<16x1xf32>) -> tensor<16x64xi8>
  %yb = sparq.int_matmul %qb, %wb scales(%scaleb, %sb) : (tensor<16x64xi8>, tensor<8x64xi8>, tensor<16x1xf32>, tensor<8x1xf32>) -> tensor<16x8xf32>
  return %ya, %yb : tensor<16x32xf32>, tensor<16x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#rows2 = affine_map<(d0, d1) -> (d0)>

// The per-token scales divide by 100, not 127 (qmax of si8): not the
// quantization the fused op computes.
// CHECK-LABEL: func @dynamic_wrong_qmax
// CHECK: sparq.quantize
// CHECK-NOT: sparq.rms_norm_quantize
// STATS: sparq-fuse: norm-quantize: {{.*}}: not fused: the activation scales are computed at run time, not as per-token absmax / qmax
func.func @dynamic_wrong_qmax(%x: tensor<1x16x64xf32>) -> tensor<16x64xi8> {
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %k = arith.constant 6.400000e+01 : f32
  %gamma = arith.constant dense<1.500000e+00> : tensor<64xf32>
  %e0 = tensor.empty() : tensor<1x16x64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %two : tensor<1x16x64xf32>, tensor<f32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %e1 = tensor.empty() : tensor<1x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<1x16x64xf32>) outs(%f1 : tensor<1x16xf32>) dimensions = [2]
  %sum3 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [1, 16, 1] : tensor<1x16xf32> into tensor<1x16x1xf32>
  %e2 = tensor.empty() : tensor<1x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum3 : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %k : f32
    linalg.yield %d : f32
  } -> tensor<1x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mean, %eps : tensor<1x16x1xf32>, tensor<f32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %e: f32, %out: f32):
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %inverse = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%root : tensor<1x16x1xf32>) outs(%e2 : tensor<1x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %one, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x16x1xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %inverse : tensor<1x16x64xf32>, tensor<1x16x1xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %m = arith.mulf %in, %r : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %normed = linalg.generic {indexing_maps = [#channel, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%gamma, %scaled : tensor<64xf32>, tensor<1x16x64xf32>) outs(%e0 : tensor<1x16x64xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x16x64xf32>
  %rows = tensor.collapse_shape %normed [[0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
  %c0 = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1.000000e+00 : f32
  %c100 = arith.constant 1.000000e+02 : f32
  %ea = tensor.empty() : tensor<16xf32>
  %fa = linalg.fill ins(%c0 : f32) outs(%ea : tensor<16xf32>) -> tensor<16xf32>
  %maxa = linalg.generic {indexing_maps = [#id2, #rows2], iterator_types = ["parallel", "reduction"]} ins(%rows : tensor<16x64xf32>) outs(%fa : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %a = arith.maximumf %in, %n : f32
    %m = arith.maximumf %a, %out : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %esa = tensor.empty() : tensor<16x1xf32>
  %scalea = linalg.generic {indexing_maps = [#rows2, #id2], iterator_types = ["parallel", "parallel"]} ins(%maxa : tensor<16xf32>) outs(%esa : tensor<16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %c100 : f32
    %p = arith.cmpf ogt, %in, %c0 : f32
    %r = arith.select %p, %d, %c1 : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  %qa = sparq.quantize %rows, %scalea storage(si8) : (tensor<16x64xf32>, tensor<16x1xf32>) -> tensor<16x64xi8>
  return %qa : tensor<16x64xi8>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>
#row = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#channel = affine_map<(d0, d1, d2) -> (d2)>

// A quantize of something that is not a norm: left alone, no report.
// CHECK-LABEL: func @not_a_norm
// CHECK: sparq.quantize
// CHECK-NOT: sparq.rms_norm_quantize
func.func @not_a_norm(%x: tensor<16x64xf32>) -> tensor<16x64xi8> {
  %s = arith.constant dense<2.500000e-02> : tensor<1x1xf32>
  %q0 = sparq.quantize %x, %s storage(si8) : (tensor<16x64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
  return %q0 : tensor<16x64xi8>
}
