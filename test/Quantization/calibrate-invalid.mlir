// RUN: rm -rf %t && mkdir -p %t/empty %t/name/s0 %t/shape %t/dtype %t/missing/s0 %t/file %t/ok
// RUN: %python -c "import numpy as np; np.save('%t/name/s0/y.npy', np.zeros((2, 3), np.float32)); np.save('%t/shape/x.npy', np.zeros((3, 2), np.float32)); np.save('%t/dtype/x.npy', np.zeros((2, 3), np.float64)); open('%t/missing/s0/notes.txt', 'w').write('no arrays'); np.save('%t/ok/x.npy', np.zeros((2, 3), np.float32))"
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate 2>&1 | FileCheck %s --check-prefix=NO-INPUTS
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/nowhere" 2>&1 | FileCheck %s --check-prefix=NOWHERE
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/empty percentile=0" 2>&1 | FileCheck %s --check-prefix=PCT0
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/empty percentile=100.5" 2>&1 | FileCheck %s --check-prefix=PCT100
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/empty" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/name" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/shape" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/dtype" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/missing" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/ok stats-file=%t/file" 2>&1 | FileCheck %s --check-prefix=STATS-FILE
// RUN: not sparq-opt %s --split-input-file --sparq-calibrate="inputs=%t/ok" 2>&1 | FileCheck %s --check-prefix=COMPILE

// NO-INPUTS: error: sparq-calibrate needs inputs=DIR, a directory of calibration samples
// NOWHERE: error: sparq-calibrate: inputs='{{.*}}nowhere' does not exist
// PCT0: error: sparq-calibrate: percentile=0 is outside (0, 100]
// PCT100: error: sparq-calibrate: percentile=100.5 is outside (0, 100]
// EMPTY: error: calibration inputs '{{.*}}empty' hold no samples (expected test_data_set_*/input_<i>.pb, <sample>/<input name>.npy or <input name>.npy; inputs: x)
// NAME: error: {{.*}}name/s0/y.npy: the model has no input 'y' (inputs: x)
// SHAPE: error: {{.*}}shape/x.npy: input 'x' must be float32 [2, 3], got float32 [3, 2]
// DTYPE: error: {{.*}}dtype/x.npy: input 'x' must be float32 [2, 3], got float64 [2, 3]
// MISSING: error: {{.*}}missing/s0: no x.npy for input 'x' (float32 [2, 3])
// STATS-FILE: error: sparq-calibrate: cannot write stats-file='{{.*}}file': {{.*}}
// COMPILE: error: input 'x' has type 'tensor<?x3xf32>'; the compiled model needs tensors of static shape
// COMPILE: error: cannot compile the model for calibration: lowering for the CPU failed

func.func @linear(%x: tensor<2x3xf32> {sparq.name = "x"}) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Calibration compiles the model for the CPU, which needs static shapes.
func.func @dynamic(%x: tensor<?x3xf32> {sparq.name = "x"}) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x3xf32>
  %empty = tensor.empty(%m) : tensor<?x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
