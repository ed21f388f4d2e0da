// RUN: sparq-opt %s --split-input-file --sparq-smoothquant="alpha=0.5" \
// RUN:   -verify-diagnostics | FileCheck %s

// RMSNorm output read by two matmuls (Q and K). Activation absmax
// [4, 1, 16, 1], weight absmax over both consumers [1, 1, 4, 0.25], so
// s = sqrt(act / w) = [2, 1, 2, 2]: gamma is divided by s, the rows of both
// weights multiplied by s, and the observer's statistics divided by s.

// CHECK-LABEL: func.func @rms_norm_shared_by_two_matmuls
// CHECK-DAG: %[[GAMMA:.*]] = arith.constant dense<[5.000000e-01, 2.000000e+00, 1.500000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[WQ:.*]] = arith.constant dense<{{\[}}[2.000000e+00, -1.000000e+00], [5.000000e-01, 1.000000e+00], [8.000000e+00, 4.000000e+00], [5.000000e-01, 2.500000e-01]]> : tensor<4x2xf32>
// CHECK-DAG: %[[WK:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [2.500000e-01, -1.000000e+00], [-2.000000e+00, 6.000000e+00], [5.000000e-01, 2.500000e-01]]> : tensor<4x2xf32>
// CHECK: %[[NORM:.*]] = linalg.generic {{.*}} ins(%[[GAMMA]], %{{.*}} : tensor<4xf32>, tensor<1x2x4xf32>)
// CHECK: sparq.observe %[[NORM]] name("norm1") axis(2) {stats = #sparq.stats<samples = 4, min = [-2.000000e+00, -1.000000e+00, -4.000000e+00, 0.000000e+00], max = [1.000000e+00, 1.000000e+00, 8.000000e+00, 5.000000e-01], absmax = [2.000000e+00, 1.000000e+00, 8.000000e+00, 5.000000e-01]>}
// CHECK: linalg.matmul ins(%{{.*}}, %[[WQ]] :
// CHECK: linalg.matmul ins(%{{.*}}, %[[WK]] :
// CHECK-NOT: sparq.smooth
func.func @rms_norm_shared_by_two_matmuls(%x: tensor<1x2x4xf32>)
    -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %gamma = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %wq = arith.constant dense<[[1.0, -0.5], [0.5, 1.0], [4.0, 2.0], [0.25, 0.125]]> : tensor<4x2xf32>
  %wk = arith.constant dense<[[0.5, 0.5], [0.25, -1.0], [-1.0, 3.0], [0.25, 0.125]]> : tensor<4x2xf32>
  %e = tensor.empty() : tensor<1x2x4xf32>
  %norm = linalg.generic {
      indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>,
                       affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                       affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%gamma, %x : tensor<4xf32>, tensor<1x2x4xf32>)
      outs(%e : tensor<1x2x4xf32>) {
  ^bb0(%g: f32, %in: f32, %out: f32):
    %m = arith.mulf %g, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4xf32>
  %obs = sparq.observe %norm name("norm1") axis(2)
      {stats = #sparq.stats<samples = 4, min = [-4.0, -1.0, -8.0, 0.0],
                            max = [2.0, 1.0, 16.0, 1.0],
                            absmax = [4.0, 1.0, 16.0, 1.0]>}
      : tensor<1x2x4xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<2x2xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %xq = tensor.collapse_shape %obs [[0, 1], [2]] : tensor<1x2x4xf32> into tensor<2x4xf32>
  %q = linalg.matmul ins(%xq, %wq : tensor<2x4xf32>, tensor<4x2xf32>)
      outs(%fill : tensor<2x2xf32>) -> tensor<2x2xf32>
  %xk = tensor.collapse_shape %obs [[0, 1], [2]] : tensor<1x2x4xf32> into tensor<2x4xf32>
  %k = linalg.matmul ins(%xk, %wk : tensor<2x4xf32>, tensor<4x2xf32>)
      outs(%fill : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %q, %k : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// LayerNorm-style generic ((x - mean) * rstd * gamma + beta): gamma and
// beta are both divided by s. The gamma constant is also used by another
// op, so it is cloned rather than changed. The input of the norm has
// another user (the residual), which does not matter: only the norm's
// output is rescaled. s = sqrt([9, 4] / [1, 1]) = [3, 2].

// CHECK-LABEL: func.func @layer_norm_gamma_and_beta
// CHECK-DAG: %[[GAMMA:.*]] = arith.constant dense<[6.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[GAMMA_S:.*]] = arith.constant dense<2.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[BETA_S:.*]] = arith.constant dense<[1.000000e+00, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[3.000000e+00, -3.000000e+00, 1.500000e+00], [2.000000e+00, 1.000000e+00, -2.000000e+00]]> : tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[GAMMA_S]], %[[BETA_S]] :
// CHECK: linalg.matmul ins(%{{.*}}, %[[W]] :
// CHECK: return {{.*}}, %[[GAMMA]]
func.func @layer_norm_gamma_and_beta(%x: tensor<4x2xf32>, %rstd: tensor<4x1xf32>)
    -> (tensor<4x3xf32>, tensor<4x2xf32>, tensor<2xf32>) {
  %gamma = arith.constant dense<[6.0, 4.0]> : tensor<2xf32>
  %beta = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, -1.0, 0.5], [1.0, 0.5, -1.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %norm = linalg.generic {
      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                       affine_map<(d0, d1) -> (d0, 0)>,
                       affine_map<(d0, d1) -> (d1)>,
                       affine_map<(d0, d1) -> (d1)>,
                       affine_map<(d0, d1) -> (d0, d1)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x, %rstd, %gamma, %beta : tensor<4x2xf32>, tensor<4x1xf32>, tensor<2xf32>, tensor<2xf32>)
      outs(%e : tensor<4x2xf32>) {
  ^bb0(%in: f32, %r: f32, %g: f32, %b: f32, %out: f32):
    %0 = arith.mulf %in, %r : f32
    %1 = arith.mulf %0, %g : f32
    %2 = arith.addf %1, %b : f32
    linalg.yield %2 : f32
  } -> tensor<4x2xf32>
  %obs = sparq.observe %norm name("ln") axis(1)
      {stats = #sparq.stats<samples = 1, min = [-9.0, -4.0],
                            max = [9.0, 1.0], absmax = [9.0, 4.0]>}
      : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x3xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<4x2xf32>, tensor<2x3xf32>)
      outs(%fill : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y, %x, %gamma : tensor<4x3xf32>, tensor<4x2xf32>, tensor<2xf32>
}

// -----

// The activation is produced by a linear layer: its weight's output
// columns absorb 1/s. s = sqrt([16, 1] / [1, 4]) = [4, 0.5].

// CHECK-LABEL: func.func @previous_linear_layer
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<{{\[}}[2.500000e-01, 2.000000e+00], [5.000000e-01, -4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[W2:.*]] = arith.constant dense<{{\[}}[4.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
// CHECK: %[[H:.*]] = linalg.matmul ins(%{{.*}}, %[[W1]] :
// CHECK: %[[OBS:.*]] = sparq.observe %[[H]] name("h") axis(1) {stats = #sparq.stats<samples = 1, min = [-4.000000e+00, -2.000000e+00], max = [4.000000e+00, 2.000000e+00], absmax = [4.000000e+00, 2.000000e+00]>}
// CHECK: linalg.matmul ins(%[[OBS]], %[[W2]] :
func.func @previous_linear_layer(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  %w1 = arith.constant dense<[[1.0, 1.0], [2.0, -2.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  %zero = arith.constant 0.0 : f32
  %i1 = tensor.empty() : tensor<3x2xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%i1 : tensor<3x2xf32>) -> tensor<3x2xf32>
  // expected-warning @below {{no sparq.observe on the activation (read by matmul_0); left unsmoothed}}
  %h = linalg.matmul ins(%x, %w1 : tensor<3x2xf32>, tensor<2x2xf32>)
      outs(%f1 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %obs = sparq.observe %h name("h") axis(1)
      {stats = #sparq.stats<samples = 1, min = [-16.0, -1.0],
                            max = [16.0, 1.0], absmax = [16.0, 1.0]>}
      : tensor<3x2xf32>
  %i2 = tensor.empty() : tensor<3x1xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%i2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  %y = linalg.matmul ins(%obs, %w2 : tensor<3x2xf32>, tensor<2x1xf32>)
      outs(%f2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}

// -----

// No producer can absorb the scales (a function argument that is also
// returned): sparq.smooth divides the matmul's input only, and both the
// per-channel and the per-tensor observer are updated.
// s = sqrt([4, 1] / [1, 4]) = [2, 0.5].

// CHECK-LABEL: func.func @smooth_inserted
// CHECK-SAME: (%[[X:.*]]: tensor<2x2xf32>)
// CHECK: %[[S:.*]] = arith.constant dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK: %[[SX:.*]] = sparq.smooth %[[X]], %[[S]] : tensor<2x2xf32>, tensor<2xf32>
// CHECK: %[[W:.*]] = arith.constant dense<2.000000e+00> : tensor<2x1xf32>
// CHECK: %[[O1:.*]] = sparq.observe %[[SX]] name("x") axis(1) {stats = #sparq.stats<samples = 2, min = [-2.000000e+00, 0.000000e+00], max = [1.000000e+00, 2.000000e+00], absmax = [2.000000e+00, 2.000000e+00]>}
// CHECK: %[[O2:.*]] = sparq.observe %[[O1]] name("x.tensor") {stats = #sparq.stats<samples = 2, min = [-2.000000e+00], max = [2.000000e+00], absmax = [2.000000e+00]>}
// CHECK: linalg.matmul ins(%[[O2]], %[[W]] :
// CHECK: return {{.*}}, %[[X]]
func.func @smooth_inserted(%x: tensor<2x2xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-remark @below {{no producer of activation 'x' (read by matmul_0) can absorb the smoothing scales; inserted sparq.smooth}}
  %obs = sparq.observe %x name("x") axis(1)
      {stats = #sparq.stats<samples = 2, min = [-4.0, 0.0],
                            max = [2.0, 1.0], absmax = [4.0, 1.0]>}
      : tensor<2x2xf32>
  %obs2 = sparq.observe %obs name("x.tensor")
      {stats = #sparq.stats<samples = 2, min = [-4.0], max = [2.0],
                            absmax = [4.0]>}
      : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs2, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y, %x : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

// A matmul without an observer is left alone; the observed one is smoothed.

// CHECK-LABEL: func.func @unobserved_matmul
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00], [4.000000e+00]]> : tensor<2x1xf32>
// CHECK-DAG: arith.constant dense<2.000000e+00> : tensor<2x1xf32>
func.func @unobserved_matmul(%x: tensor<2x2xf32>, %z: tensor<2x2xf32>)
    -> (tensor<2x1xf32>, tensor<2x1xf32>) {
  %w = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  %w2 = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  // expected-remark @below {{inserted sparq.smooth}}
  %obs = sparq.observe %x name("x") axis(1)
      {stats = #sparq.stats<samples = 2, min = [-4.0, 0.0],
                            max = [2.0, 1.0], absmax = [4.0, 1.0]>}
      : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %i = tensor.empty() : tensor<2x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%i : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%obs, %w : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  // expected-warning @below {{no sparq.observe on the activation (read by matmul_1); left unsmoothed}}
  %u = linalg.matmul ins(%z, %w2 : tensor<2x2xf32>, tensor<2x1xf32>)
      outs(%f : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y, %u : tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

// Gated MLP: the down projection reads gate_act * up, and the up projection
// (a constant-weight matmul feeding only that product) absorbs 1/s in its
// output columns. s = sqrt([4, 1] / [1, 4]) = [2, 0.5].

// CHECK-LABEL: func.func @gated_mlp_up_projection
// CHECK-DAG: %[[WU:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 2.000000e+00], [1.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[WD:.*]] = arith.constant dense<2.000000e+00> : tensor<2x1xf32>
// CHECK: %[[UP:.*]] = linalg.matmul ins(%{{.*}}, %[[WU]] :
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[UP]] :
// CHECK: %[[O:.*]] = sparq.observe %[[H]]
// CHECK: linalg.matmul ins(%[[O]], %[[WD]] :
// CHECK-NOT: sparq.smooth
func.func @gated_mlp_up_projection(%x: tensor<3x2xf32>, %gate: tensor<3x2xf32>)
    -> tensor<3x1xf32> {
  %wu = arith.constant dense<[[1.0, 1.0], [2.0, 2.0]]> : tensor<2x2xf32>
  %wd = arith.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  %zero = arith.constant 0.0 : f32
  %i1 = tensor.empty() : tensor<3x2xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%i1 : tensor<3x2xf32>) -> tensor<3x2xf32>
  // expected-warning @below {{no sparq.observe on the activation (read by matmul_0); left unsmoothed}}
  %up = linalg.matmul ins(%x, %wu : tensor<3x2xf32>, tensor<2x2xf32>)
      outs(%f1 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %h = linalg.generic {
      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                       affine_map<(d0, d1) -> (d0, d1)>,
                       affine_map<(d0, d1) -> (d0, d1)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%gate, %up : tensor<3x2xf32>, tensor<3x2xf32>)
      outs(%e : tensor<3x2xf32>) {
  ^bb0(%g: f32, %u: f32, %out: f32):
    %m = arith.mulf %g, %u : f32
    linalg.yield %m : f32
  } -> tensor<3x2xf32>
  %obs = sparq.observe %h name("mlp_hidden") axis(1)
      {stats = #sparq.stats<samples = 1, min = [-4.0, -1.0],
                            max = [4.0, 1.0], absmax = [4.0, 1.0]>}
      : tensor<3x2xf32>
  %i2 = tensor.empty() : tensor<3x1xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%i2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  %y = linalg.matmul ins(%obs, %wd : tensor<3x2xf32>, tensor<2x1xf32>)
      outs(%f2 : tensor<3x1xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}
