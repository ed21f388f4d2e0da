// sparqc's --quant, --calibration and --report. The weight quantization
// recipes are exercised end to end by python/tests/test_calibrate.py; here a
// pipeline of sparq-calibrate alone shows where quantization runs.
// RUN: rm -rf %t && mkdir -p %t/calib %t/out
// RUN: %python -c "import numpy as np; np.save('%t/calib/x.npy', np.array([[1, -2, 3], [4, 5, -6]], np.float32))"
// RUN: sparqc %s --quiet --emit=mlir --quant="sparq-calibrate{inputs=%t/calib}" -o %t/out/calibrated.mlirbc
// RUN: sparq-opt %t/out/calibrated.mlirbc | FileCheck %s --check-prefix=MLIR
// RUN: sparqc %s --quiet --emit=mlir --quant="builtin.module(sparq-calibrate{inputs=%t/calib})" -o %t/out/anchored.mlirbc
// RUN: sparq-opt %t/out/anchored.mlirbc | FileCheck %s --check-prefix=MLIR
// RUN: sparqc %s --quiet --quant="sparq-calibrate{inputs=%t/calib}" --calibration=%t/calib --report -o %t/out/model.so | FileCheck %s --check-prefix=REPORT
// RUN: test -s %t/out/model.so
// RUN: sparqc %s --quiet --emit=mlir --quant=canonicalize --report=%t/out/report.json -o %t/out/
// RUN: FileCheck %s --check-prefix=JSON < %t/out/report.json
// RUN: not sparqc %s --quiet --quant=bogus-pass 2>&1 | FileCheck %s --check-prefix=BOGUS
// RUN: not sparqc %s --quiet --quant=w8a8-smoothquant 2>&1 | FileCheck %s --check-prefix=NO-CALIBRATION
// RUN: not sparqc %s --quiet --report 2>&1 | FileCheck %s --check-prefix=NO-QUANT
// RUN: not sparqc %s --quiet --quant=w4a16 --calibration=%t/nowhere 2>&1 | FileCheck %s --check-prefix=NOWHERE

// Quantization runs before --emit=mlir stops.
// MLIR: sparq.observe %arg0 name("matmul_0.input") axis(1) {stats = #sparq.stats<samples = 1, min = [1.000000e+00, -2.000000e+00, -6.000000e+00], max = [4.000000e+00, 5.000000e+00, 3.000000e+00], absmax = [4.000000e+00, 5.000000e+00, 6.000000e+00]>}

// REPORT: sparq quantization report: 0 quantized layers, 1 weight matmuls left in fp32
// REPORT: total 24 24 1.00x
// The observer passes x through: the model's outputs are unchanged.
// REPORT: model output vs fp32 on 1 calibration samples: SQNR exact, max abs err 0.000e+00, max rel err 0.000e+00

// JSON: "fp32_layers": 1,
// JSON: "model": null,

// BOGUS: sparqc: error: --quant=bogus-pass is not w4a16, squeezellm, w8a8-smoothquant or a pass pipeline: {{.*}}bogus-pass
// NO-CALIBRATION: sparqc: error: --quant=w8a8-smoothquant needs --calibration=DIR, the samples to calibrate activation scales on
// NO-QUANT: sparqc: error: --report describes what --quant did; give --quant too
// NOWHERE: sparqc: error: --calibration='{{.*}}nowhere' is not a directory

func.func @linear(%x: tensor<2x3xf32> {sparq.name = "x"}) -> (tensor<2x2xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
