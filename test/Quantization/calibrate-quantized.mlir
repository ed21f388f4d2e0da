// Inputs of already quantized matmuls are observed too, named after their
// sparq.quant_info layer, else after the op.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([[1, -2, 3, -4]], np.float32))"
// RUN: sparq-opt %s --sparq-calibrate="inputs=%t" | FileCheck %s

// The int8 weights times 0.5 are the identity, so the second matmul reads x.
// CHECK-LABEL: func.func @quantized
// CHECK: %[[X:.*]] = sparq.observe %arg0 name("proj.weight.input") axis(1) {stats = #sparq.stats<samples = 1, min = [1.000000e+00, -2.000000e+00, 3.000000e+00, -4.000000e+00], max = [1.000000e+00, -2.000000e+00, 3.000000e+00, -4.000000e+00], absmax = [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>}
// CHECK: %[[Y:.*]] = sparq.qmatmul %[[X]],
// CHECK: %[[YO:.*]] = sparq.observe %[[Y]] name("lut_matmul_1.input") axis(1) {stats = #sparq.stats<samples = 1, min = [1.000000e+00, -2.000000e+00, 3.000000e+00, -4.000000e+00], max = [1.000000e+00, -2.000000e+00, 3.000000e+00, -4.000000e+00], absmax = [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>}
// CHECK: sparq.lut_matmul %[[YO]],

func.func @quantized(%x: tensor<1x4xf32> {sparq.name = "x"})
    -> (tensor<1x2xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<[[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]]> : tensor<4x4xi8>
  %s = arith.constant dense<0.5> : tensor<4x1xf32>
  %y = sparq.qmatmul %x, %w, %s storage(si8)
      {sparq.quant_info = {layer = "proj.weight", scheme = "int8",
                           bytes_before = 64 : i64, bytes_after = 32 : i64}}
      : (tensor<1x4xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<1x4xf32>
  %idx = arith.constant dense<0> : tensor<2x1xi8>
  %cb = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 1.0, 2.0]]> : tensor<2x4xf32>
  %z = sparq.lut_matmul %y, %idx, %cb bits(2)
      : (tensor<1x4xf32>, tensor<2x1xi8>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
