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
    TODO(issue 6): describe.
  }];
  let options = [
    Option<"inputs", "inputs", "std::string", "\"\"",
           "Calibration inputs: a directory of samples">,
    Option<"statsFile", "stats-file", "std::string", "\"\"",
           "Also write the statistics to this JSON file">,
    Option<"percentile", "percentile", "double", "100.0",
           "Percentile of |x| recorded as absmax (100: the maximum)">,
  ];
  let dependentDialects = ["::sparq::SparqDialect"];
}

def SparqQuantReport : Pass<"sparq-quant-report", "::mlir::ModuleOp"> {
  let summary = "Print the per-layer accuracy and size report";
  let description = [{
    TODO(issue 6): describe.
  }];
  let options = [
    Option<"output", "output", "std::string", "\"-\"",
           "Where the report goes (- for stdout)">,
  ];
}

#endif // SPARQ_QUANTIZATION_PASSES_TD
