//===- Passes.td - sparq calibration and reporting ---------*- tablegen -*-===//
//
// Part of the sparq project.
//
// Passes that execute the model they transform (compiled for the host CPU),
// so they live apart from the pure IR transforms.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_PASSES_TD
#define SPARQ_QUANTIZATION_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparqCalibrate : Pass<"sparq-calibrate", "::mlir::ModuleOp"> {
  let summary = "Gather activation statistics by running the model on "
                "calibration inputs";
  let description = [{
    Records activation statistics for static quantization and SmoothQuant.

    1. Instruments: puts a `sparq.observe` named `<weight name>.input`, per
       channel along the last axis, on the floating-point activation input of
       every linalg.matmul with a constant weight and every `sparq.qmatmul` /
       `sparq.lut_matmul` (named by its `sparq.quant_info` layer). Matmuls
       that share an input value share its observer (imported models
       collapse activations to 2-D once per MatMul, so projections of the
       same tensor usually each get one); inputs that already come from a
       `sparq.observe` keep it (and it is filled in).
    2. Runs: compiles a copy of the module for the host CPU (the `sparqc`
       pipeline), with every observed tensor as an extra result of the entry
       function, into a temporary directory, loads it, and runs it through
       the C ABI on each sample of `inputs`:
       - `DIR/test_data_set_*/input_<i>.pb` (ONNX test data; tensors go to
         the input of their TensorProto name, else to input `i`),
       - `DIR/<sample>/<input name>.npy` (one directory per sample), or
       - `DIR/<input name>.npy` (a single sample).
       Names, dtypes and shapes must match the model's inputs.
    3. Records, per channel along the observer's axis (per tensor without
       one) and over all samples: min, max and absmax as
       `#sparq.stats<samples = n, min = [...], max = [...], absmax = [...]>`.
       With `percentile` below 100, absmax is instead that percentile of
       |x| (numpy.percentile's linear interpolation over all samples'
       values of the channel), which clips rare outliers; min and max stay
       exact. With `stats-file`, the statistics are also written as JSON:
       `{"<observer>": {"samples": n, "axis": a, "min": [...], "max": [...],
       "absmax": [...], "tensor": {"min": x, "max": x, "absmax": x}}}`,
       where `tensor` holds the per-tensor values.

    Example:

    ```sh
    sparq-opt model.mlir \
      --sparq-calibrate="inputs=calib/ stats-file=stats.json percentile=99.9"
    ```
  }];
  let options = [
    Option<"inputs", "inputs", "std::string", "\"\"",
           "Calibration inputs: a directory of samples">,
    Option<"statsFile", "stats-file", "std::string", "\"\"",
           "Also write the statistics to this JSON file">,
    Option<"percentile", "percentile", "double", "100.0",
           "Percentile of |x| recorded as absmax (100: the maximum)">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SparqQuantReport : Pass<"sparq-quant-report", "::mlir::ModuleOp"> {
  let summary = "Print the per-layer accuracy and size report";
  let description = [{
    Reports what quantization did, from the `sparq.quant_info` attribute
    every quantization pass puts on the ops it creates (layer, scheme,
    bytes_before, bytes_after, weight_sqnr_db): one line per quantized layer
    with its fp32 and quantized bytes, compression ratio and weight SQNR,
    then the totals over all matmul weights (those left in fp32 count the
    same before and after). The module is not changed.

    With `reference` (the module before quantization) and `inputs`
    (calibration samples, as for `sparq-calibrate`), it also measures:
    - per layer, the output SQNR `10 log10(sum y^2 / sum (y - y_q)^2)` over
      all samples, where `x` is the layer's input activation in a run of the
      fp32 model, `y = x W` its fp32 product and `y_q` the quantized op's
      product (reference kernels on its constant operands, outliers
      included, bias left out) on the same `x`; layers are matched by
      weight name. `sparq.int_matmul` layers show `n/a`.
    - per layer, the in-model SQNR: the same `y` against the quantized op's
      result (less its bias) in a run of the quantized model, so the error
      of the layers before it is included (every layer with a f32 result,
      `sparq.int_matmul` too).
    - for the model, its float outputs against the fp32 model's on the same
      samples: SQNR, max abs error, and max rel error (max abs error over
      the largest |fp32 output|).

    `output` is `-` (stdout, the table), a path ending in `.json` (JSON: an
    object with `layers`, a list of objects with `layer`, `scheme`,
    `bytes_before`, `bytes_after`, `weight_sqnr_db`, `output_sqnr_db` and
    `in_model_sqnr_db`;
    `fp32_layers`, `fp32_layer_bytes`, `total_bytes_before`,
    `total_bytes_after`; and `model` with `samples`, `sqnr_db`,
    `max_abs_error` and `max_rel_error`; null where not measured or
    infinite, i.e. no error at all), or any
    other path (the table). `sparqc --report` prints the same report.

    Example:

    ```sh
    sparq-opt q.mlir --sparq-quant-report="reference=fp32.mlir inputs=calib/ \
      output=report.json" -o /dev/null
    ```
  }];
  let options = [
    Option<"output", "output", "std::string", "\"-\"",
           "Where the report goes: - (stdout), file.json (JSON) or a file "
           "(the table)">,
    Option<"reference", "reference", "std::string", "\"\"",
           "The module before quantization (.mlir/.mlirbc), to measure "
           "output SQNR against">,
    Option<"inputs", "inputs", "std::string", "\"\"",
           "Calibration samples to measure on (see sparq-calibrate)">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SPARQ_QUANTIZATION_PASSES_TD
