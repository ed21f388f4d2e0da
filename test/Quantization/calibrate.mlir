// Two samples of x, as sample directories, ONNX test data sets, and (the
// first sample alone) .npy files directly in the directory.
// RUN: rm -rf %t && mkdir -p %t/dirs/s0 %t/dirs/s1 %t/onnx %t/one
// RUN: %python -c "import numpy as np; np.save('%t/dirs/s0/x.npy', np.array([[1, -2, 3], [4, 5, -6]], np.float32)); np.save('%t/dirs/s1/x.npy', np.array([[0.5, 7, -1], [-3, 0, 2]], np.float32)); np.save('%t/one/x.npy', np.array([[1, -2, 3], [4, 5, -6]], np.float32))"
// RUN: %python -c "import numpy as np, onnx, onnx.numpy_helper as nh, os; [os.makedirs('%t/onnx/test_data_set_%%d' %% i) or open('%t/onnx/test_data_set_%%d/input_0.pb' %% i, 'wb').write(nh.from_array(np.load('%t/dirs/s%%d/x.npy' %% i), 'x').SerializeToString()) for i in range(2)]"
// RUN: sparq-opt %s --sparq-calibrate="inputs=%t/dirs stats-file=%t/stats.json" | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t/stats.json
// RUN: sparq-opt %s --sparq-calibrate="inputs=%t/onnx" | FileCheck %s
// RUN: sparq-opt %s --sparq-calibrate="inputs=%t/one" | FileCheck %s --check-prefix=ONE
// RUN: sparq-opt %s --sparq-calibrate="inputs=%t/dirs percentile=50" | FileCheck %s --check-prefix=P50

// Per column of x over both samples: col 0 holds 1, 4, 0.5, -3; col 1
// holds -2, 5, 7, 0; col 2 holds 3, -6, -1, 2. The first matmul gets an
// observer on x; the second reads x through an existing per-tensor
// observer, which gets no new one and has its stats replaced. y = x * W is
// observed too (third matmul's input): its columns hold 10, -11, 16.5, 7
// and 12, -8, 23, 6.

// CHECK-LABEL: func.func @mlp
// CHECK: %[[X:.*]] = sparq.observe %arg0 name("matmul_0.input") axis(1) {stats = #sparq.stats<samples = 2, min = [-3.000000e+00, -2.000000e+00, -6.000000e+00], max = [4.000000e+00, 7.000000e+00, 3.000000e+00], absmax = [4.000000e+00, 7.000000e+00, 6.000000e+00]>}
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[X]],
// CHECK-NEXT: %[[YO:.*]] = sparq.observe %[[Y]] name("matmul_2.input") axis(1) {stats = #sparq.stats<samples = 2, min = [-1.100000e+01, -8.000000e+00], max = [1.650000e+01, 2.300000e+01], absmax = [1.650000e+01, 2.300000e+01]>}
// CHECK-NEXT: %[[XO:.*]] = sparq.observe %arg0 name("x") {stats = #sparq.stats<samples = 2, min = [-6.000000e+00], max = [7.000000e+00], absmax = [7.000000e+00]>}
// CHECK-NEXT: linalg.matmul ins(%[[XO]],
// CHECK-NEXT: linalg.matmul ins(%[[YO]],
// CHECK-NOT: sparq.observe

// JSON:      "matmul_0.input": {
// JSON-NEXT:   "samples": 2,
// JSON-NEXT:   "axis": 1,
// JSON-NEXT:   "min": [
// JSON-NEXT:     -3,
// JSON-NEXT:     -2,
// JSON-NEXT:     -6
// JSON-NEXT:   ],
// JSON:        "absmax": [
// JSON-NEXT:     4,
// JSON-NEXT:     7,
// JSON-NEXT:     6
// JSON-NEXT:   ],
// JSON-NEXT:   "tensor": {
// JSON-NEXT:     "min": -6,
// JSON-NEXT:     "max": 7,
// JSON-NEXT:     "absmax": 7
// JSON-NEXT:   }
// JSON:      "matmul_2.input": {
// JSON:        "tensor": {
// JSON-NEXT:     "min": -11,
// JSON-NEXT:     "max": 23,
// JSON-NEXT:     "absmax": 23
// JSON:      "x": {
// JSON-NEXT:   "samples": 2,
// JSON-NEXT:   "axis": null,
// JSON-NEXT:   "min": [
// JSON-NEXT:     -6
// JSON-NEXT:   ],

// ONE: sparq.observe %arg0 name("matmul_0.input") axis(1) {stats = #sparq.stats<samples = 1, min = [1.000000e+00, -2.000000e+00, -6.000000e+00], max = [4.000000e+00, 5.000000e+00, 3.000000e+00], absmax = [4.000000e+00, 5.000000e+00, 6.000000e+00]>}

// The median of |x| per column: of 0.5, 1, 3, 4 is 2; of 0, 2, 5, 7 is 3.5;
// of 1, 2, 3, 6 is 2.5. min and max stay exact.
// P50: name("matmul_0.input") axis(1) {stats = #sparq.stats<samples = 2, min = [-3.000000e+00, -2.000000e+00, -6.000000e+00], max = [4.000000e+00, 7.000000e+00, 3.000000e+00], absmax = [2.000000e+00, 3.500000e+00, 2.500000e+00]>}

func.func @mlp(%x: tensor<2x3xf32> {sparq.name = "x"})
    -> (tensor<2x2xf32> {sparq.name = "out"},
        tensor<2x2xf32> {sparq.name = "side"},
        tensor<2x2xf32> {sparq.name = "hidden"}) {
  %w0 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %w1 = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %w2 = arith.constant dense<[[1.0, -1.0], [2.0, 0.5]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w0 : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %xo = sparq.observe %x name("x") {stats = #sparq.stats<samples = 9, min = [0.0], max = [0.0], absmax = [0.0]>} : tensor<2x3xf32>
  %side = linalg.matmul ins(%xo, %w1 : tensor<2x3xf32>, tensor<3x2xf32>)
                        outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  %out = linalg.matmul ins(%y, %w2 : tensor<2x2xf32>, tensor<2x2xf32>)
                       outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  // y is both observed and returned: the compiled copy returns it twice.
  return %out, %side, %y : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}
