// RUN: sparq-opt %s -split-input-file --sparq-fuse="patterns=epilogue" | FileCheck %s
// RUN: sparq-opt %s -split-input-file --sparq-fuse="patterns=epilogue stats=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#last3 = affine_map<(d0, d1, d2) -> (d2)>

// A bias add behind the expand_shape of a 2-D matmul becomes its bias; the
// reshape moves after the fused op.
// CHECK-LABEL: func @bias_through_expand
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x64xf32>, %[[W:[a-z0-9]+]]: tensor<32x32xi8>, %[[S:[a-z0-9]+]]: tensor<32x1xf32>, %[[B:[a-z0-9]+]]: tensor<32xf32>
// CHECK: %[[Y:.*]] = sparq.qmatmul %[[X]], %[[W]], %[[S]] bias(%[[B]]) storage(si4) :
// CHECK: %[[E:.*]] = tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [1, 4, 32]
// CHECK-NOT: linalg.generic
// CHECK: return %[[E]]
// STATS-DAG: sparq-fuse: epilogue-bias: blk0.fc: fused
func.func @bias_through_expand(%x: tensor<4x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> tensor<1x4x32xf32> {
  %y = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("blk0.fc")
  %e = tensor.expand_shape %y [[0, 1], [2]] output_shape [1, 4, 32] : tensor<4x32xf32> into tensor<1x4x32xf32>
  %init = tensor.empty() : tensor<1x4x32xf32>
  %r = linalg.generic {indexing_maps = [#last3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %e : tensor<32xf32>, tensor<1x4x32xf32>) outs(%init : tensor<1x4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x32xf32>
  return %r : tensor<1x4x32xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#last3 = affine_map<(d0, d1, d2) -> (d2)>
#scalar3 = affine_map<(d0, d1, d2) -> ()>

// Bias, then exact GELU as opset 17 spells it (one generic per ONNX node:
// Div by sqrt(2), Erf, Add 1, Mul x, Mul 0.5), then a residual add: all
// three fold into one op.
// CHECK-LABEL: func @bias_gelu_chain_residual
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<1x4x64xf32>
// CHECK: sparq.qmatmul %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) storage(ui4) activation(gelu) residual(%[[R]]) : (tensor<1x4x32xf32>, tensor<64x16xi8>, tensor<64x1xf32>, tensor<64xf32>, tensor<1x4x64xf32>) -> tensor<1x4x64xf32>
// CHECK-NOT: linalg.generic
// STATS-DAG: sparq-fuse: epilogue-bias: blk0.fc1: fused
// STATS-DAG: sparq-fuse: epilogue-gelu: blk0.fc1: fused
// STATS-DAG: sparq-fuse: epilogue-residual: blk0.fc1: fused
func.func @bias_gelu_chain_residual(%x: tensor<1x4x32xf32>, %w: tensor<64x16xi8>, %s: tensor<64x1xf32>, %b: tensor<64xf32>, %res: tensor<1x4x64xf32>) -> tensor<1x4x64xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %y = sparq.qmatmul %x, %w, %s storage(ui4) : (tensor<1x4x32xf32>, tensor<64x16xi8>, tensor<64x1xf32>) -> tensor<1x4x64xf32> loc("blk0.fc1")
  %init = tensor.empty() : tensor<1x4x64xf32>
  %biased = linalg.generic {indexing_maps = [#last3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %y : tensor<64xf32>, tensor<1x4x64xf32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %div = linalg.generic {indexing_maps = [#id3, #scalar3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%biased, %sqrt2 : tensor<1x4x64xf32>, tensor<f32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.divf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %erf = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%div : tensor<1x4x64xf32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.erf %in : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %plus = linalg.generic {indexing_maps = [#id3, #scalar3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%erf, %one : tensor<1x4x64xf32>, tensor<f32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %times = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%biased, %plus : tensor<1x4x64xf32>, tensor<1x4x64xf32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %gelu = linalg.generic {indexing_maps = [#id3, #scalar3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%times, %half : tensor<1x4x64xf32>, tensor<f32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%res, %gelu : tensor<1x4x64xf32>, tensor<1x4x64xf32>) outs(%init : tensor<1x4x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x64xf32>
  return %sum : tensor<1x4x64xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// Exact and tanh GELU as one generic each (the ONNX Gelu operator), and
// ReLU.
// CHECK-LABEL: func @fused_activations
// CHECK: sparq.qmatmul {{.*}} storage(si4) activation(gelu) :
// CHECK: sparq.qmatmul {{.*}} storage(si4) activation(gelu_tanh) :
// CHECK: sparq.qmatmul {{.*}} storage(si4) activation(relu) :
// CHECK-NOT: linalg.generic
// STATS-DAG: sparq-fuse: epilogue-gelu: erf: fused
// STATS-DAG: sparq-fuse: epilogue-gelu_tanh: tanh: fused
// STATS-DAG: sparq-fuse: epilogue-relu: relu: fused
func.func @fused_activations(%x: tensor<4x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x1xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>) {
  %init = tensor.empty() : tensor<4x32xf32>
  %y0 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("erf")
  %g0 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y0 : tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.constant 0.707106769 : f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %0 = arith.mulf %in, %c : f32
    %1 = math.erf %0 : f32
    %2 = arith.addf %one, %1 : f32
    %3 = arith.mulf %in, %half : f32
    %4 = arith.mulf %3, %2 : f32
    linalg.yield %4 : f32
  } -> tensor<4x32xf32>
  %y1 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("tanh")
  %g1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y1 : tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %k = arith.constant 0.797884583 : f32
    %a = arith.constant 0.044715 : f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %0 = arith.mulf %in, %in : f32
    %1 = arith.mulf %in, %0 : f32
    %2 = arith.mulf %a, %1 : f32
    %3 = arith.addf %in, %2 : f32
    %4 = arith.mulf %k, %3 : f32
    %5 = math.tanh %4 : f32
    %6 = arith.addf %one, %5 : f32
    %7 = arith.mulf %in, %half : f32
    %8 = arith.mulf %7, %6 : f32
    linalg.yield %8 : f32
  } -> tensor<4x32xf32>
  %y2 = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("relu")
  %g2 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y2 : tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  return %g0, %g1, %g2 : tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// SiLU as ONNX Sigmoid + Mul (two generics, the matmul read by both) on a
// codebook matmul. The gated product with the up projection is not an
// epilogue: both matmuls report why.
// CHECK-LABEL: func @silu_gate
// CHECK: %[[G:.*]] = sparq.lut_matmul {{.*}} bits(3) activation(silu) :
// CHECK: %[[U:.*]] = sparq.lut_matmul {{.*}} bits(3) :
// CHECK: linalg.generic {{.*}} ins(%[[G]], %[[U]] :
// CHECK-NOT: math.exp
// STATS-DAG: sparq-fuse: epilogue: up: not fused: a product with another tensor (a gated product, not an epilogue)
// STATS-DAG: sparq-fuse: epilogue-silu: gate: fused
// STATS-DAG: sparq-fuse: epilogue: gate: not fused: a product with another tensor (a gated product, not an epilogue)
func.func @silu_gate(%x: tensor<1x4x64xf32>, %idx: tensor<32x24xi8>, %cb: tensor<32x8xf32>) -> tensor<1x4x32xf32> {
  %init = tensor.empty() : tensor<1x4x32xf32>
  %gate = sparq.lut_matmul %x, %idx, %cb bits(3) : (tensor<1x4x64xf32>, tensor<32x24xi8>, tensor<32x8xf32>) -> tensor<1x4x32xf32> loc("gate")
  %sig = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%gate : tensor<1x4x32xf32>) outs(%init : tensor<1x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %0 = arith.negf %in : f32
    %1 = math.exp %0 : f32
    %2 = arith.addf %one, %1 : f32
    %3 = arith.divf %one, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<1x4x32xf32>
  %silu = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%gate, %sig : tensor<1x4x32xf32>, tensor<1x4x32xf32>) outs(%init : tensor<1x4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x32xf32>
  %up = sparq.lut_matmul %x, %idx, %cb bits(3) : (tensor<1x4x64xf32>, tensor<32x24xi8>, tensor<32x8xf32>) -> tensor<1x4x32xf32> loc("up")
  %prod = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%silu, %up : tensor<1x4x32xf32>, tensor<1x4x32xf32>) outs(%init : tensor<1x4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<1x4x32xf32>
  return %prod : tensor<1x4x32xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#last2 = affine_map<(d0, d1) -> (d1)>

// Negative cases. The bias add's input is also returned: fusing would
// compute the matmul twice.
// CHECK-LABEL: func @not_fused
// CHECK: %[[A:.*]] = sparq.qmatmul {{.*}} storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32>
// STATS-DAG: sparq-fuse: epilogue: other_use: not fused: the result has uses outside the epilogue
// A bias add after a fused activation changes the order of operations.
// CHECK: sparq.qmatmul {{.*}} storage(si4) activation(relu) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32>
// STATS-DAG: sparq-fuse: epilogue: bias_after_act: not fused: bias add after the fused activation
// tanh alone is no epilogue activation.
// CHECK: sparq.qmatmul {{.*}} storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32>
// CHECK: math.tanh
// STATS-DAG: sparq-fuse: epilogue: tanh_only: not fused: not a bias add, activation or residual add
// A "residual" computed from the matmul itself.
// CHECK: sparq.qmatmul {{.*}} storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32>
// STATS-DAG: sparq-fuse: epilogue: self_residual: not fused: the residual is computed from the matmul
func.func @not_fused(%x: tensor<4x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>) {
  %init = tensor.empty() : tensor<4x32xf32>
  %a = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("other_use")
  %a1 = linalg.generic {indexing_maps = [#last2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b, %a : tensor<32xf32>, tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %c = sparq.qmatmul %x, %w, %s storage(si4) activation(relu) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("bias_after_act")
  %c1 = linalg.generic {indexing_maps = [#last2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b, %c : tensor<32xf32>, tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %d = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("tanh_only")
  %d1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%d : tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %e = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<4x64xf32>, tensor<32x32xi8>, tensor<32x1xf32>) -> tensor<4x32xf32> loc("self_residual")
  %e1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%e : tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  %e2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%e, %e1 : tensor<4x32xf32>, tensor<4x32xf32>) outs(%init : tensor<4x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<4x32xf32>
  return %a, %a1, %c1, %d1, %e2 : tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>
}
