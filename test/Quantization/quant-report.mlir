// RUN: rm -rf %t && split-file %s %t && mkdir -p %t/calib
// RUN: %python -c "import numpy as np; np.save('%t/calib/x.npy', np.ones((1, 4), np.float32))"
// RUN: sparq-opt %t/quantized.mlir --sparq-quant-report | FileCheck %s --check-prefix=ATTRS
// RUN: sparq-opt %t/quantized.mlir --sparq-quant-report="reference=%t/fp32.mlir inputs=%t/calib output=%t/report.txt" | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s --check-prefix=MEASURED < %t/report.txt
// RUN: sparq-opt %t/quantized.mlir --sparq-quant-report="reference=%t/fp32.mlir inputs=%t/calib output=%t/report.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t/report.json
// RUN: not sparq-opt %t/quantized.mlir --sparq-quant-report="reference=%t/fp32.mlir" 2>&1 | FileCheck %s --check-prefix=NO-INPUTS
// RUN: not sparq-opt %t/quantized.mlir --sparq-quant-report="reference=%t/nowhere.mlir inputs=%t/calib" 2>&1 | FileCheck %s --check-prefix=NO-REFERENCE

// The int8 weights are the fp32 ones, [N, K] = [[1, 2, 3, 4], [-1, 0.5, 2, -2]],
// except W[1][3] = -1.5 for -2 (scales 1 and 0.5). With x = [1, 1, 1, 1]:
// y = [10, -0.5], y_q = [10, 0]: SQNR = 10 log10(100.25 / 0.25) = 26.03 dB,
// max abs err 0.5, max rel err 0.5 / 10.

// ATTRS: sparq quantization report: 1 quantized layers, 0 weight matmuls left in fp32
// ATTRS-NEXT: layer     scheme    fp32 bytes  quant bytes   ratio  weight SQNR  output SQNR  in-model SQNR
// ATTRS-NEXT: matmul_0  int8-test         32           16   2.00x     12.50 dB          n/a            n/a
// ATTRS-NEXT: total                       32           16   2.00x
// ATTRS-NEXT: model output vs fp32: not measured (needs the fp32 model and calibration inputs)

// The pass leaves the module unchanged.
// IR: sparq.qmatmul {{.*}} {sparq.quant_info = {{{.*}}}}

// The layer reads the model's input, so in the model its error is its own.
// MEASURED: matmul_0  int8-test         32           16   2.00x     12.50 dB     26.03 dB       26.03 dB
// MEASURED: model output vs fp32 on 1 calibration samples: SQNR 26.03 dB, max abs err 5.000e-01, max rel err 5.000e-02

// JSON:      "layers": [
// JSON-NEXT:   {
// JSON-NEXT:     "bytes_after": 16,
// JSON-NEXT:     "bytes_before": 32,
// JSON-NEXT:     "in_model_sqnr_db": 26.03{{[0-9]*}},
// JSON-NEXT:     "layer": "matmul_0",
// JSON-NEXT:     "output_sqnr_db": 26.03{{[0-9]*}},
// JSON-NEXT:     "scheme": "int8-test",
// JSON-NEXT:     "weight_sqnr_db": 12.5
// JSON:      "model": {
// JSON-NEXT:   "max_abs_error": 0.5,
// JSON-NEXT:   "max_rel_error": 0.0500000{{[0-9]*}},
// JSON-NEXT:   "samples": 1,
// JSON-NEXT:   "sqnr_db": 26.03{{[0-9]*}}
// JSON:      "total_bytes_after": 16,
// JSON-NEXT: "total_bytes_before": 32

// NO-INPUTS: error: sparq-quant-report: reference={{.*}}fp32.mlir needs inputs=DIR, the calibration samples to measure on
// NO-REFERENCE: error: sparq-quant-report: cannot read reference={{.*}}nowhere.mlir

//--- quantized.mlir
func.func @linear(%x: tensor<1x4xf32> {sparq.name = "x"})
    -> (tensor<1x2xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<[[1, 2, 3, 4], [-2, 1, 4, -3]]> : tensor<2x4xi8>
  %s = arith.constant dense<[[1.0], [0.5]]> : tensor<2x1xf32>
  %y = sparq.qmatmul %x, %w, %s storage(si8)
      {sparq.quant_info = {layer = "matmul_0", scheme = "int8-test",
                           bytes_before = 32 : i64, bytes_after = 16 : i64,
                           weight_sqnr_db = 12.5 : f64}}
      : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

//--- fp32.mlir
// The model before quantization: its weight is matmul_0, the first
// constant-weight matmul.
func.func @linear(%x: tensor<1x4xf32> {sparq.name = "x"})
    -> (tensor<1x2xf32> {sparq.name = "y"}) {
  %w = arith.constant dense<[[1.0, -1.0], [2.0, 0.5], [3.0, 2.0], [4.0, -2.0]]> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>)
                     outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
