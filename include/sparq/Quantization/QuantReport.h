//===- QuantReport.h - Size and accuracy report of quantization -*- C++ -*-===//
//
// Part of the sparq project.
//
// What quantization did to each layer and to the model: sizes and weight
// SQNR from the `sparq.quant_info` attributes the quantization passes
// attach, and, given the fp32 module and calibration inputs, the SQNR of
// each layer's output and the error of the model's outputs. Used by the
// sparq-quant-report pass and `sparqc --report`.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_QUANTREPORT_H
#define SPARQ_QUANTIZATION_QUANTREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace sparq {

struct LayerReport {
  std::string layer;
  std::string scheme;
  int64_t bytesBefore = 0;
  int64_t bytesAfter = 0;
  std::optional<double> weightSqnrDb;
  /// 10 log10(sum y^2 / sum (y - y_q)^2) over the calibration samples, with
  /// y = x W the fp32 layer's product and y_q the quantized op's (without
  /// bias) on the same fp32 input activations x.
  std::optional<double> outputSqnrDb;
  /// The same for the layer inside the quantized model: y from the fp32
  /// run against the quantized op's result (less its bias) in a run of the
  /// quantized model, so upstream error is included. Covers every layer
  /// whose op has a f32 result, sparq.int_matmul too.
  std::optional<double> inModelSqnrDb;
};

/// The quantized model's outputs against the fp32 model's, over every float
/// output element of every calibration sample.
struct ModelOutputError {
  int64_t samples = 0;
  double sqnrDb = 0;
  double maxAbsError = 0;
  /// max |y_q - y| / max |y|: the worst error relative to the output's
  /// range (an element-wise ratio is meaningless near zero).
  double maxRelError = 0;
};

struct QuantReport {
  std::vector<LayerReport> layers;
  /// Constant-weight matmuls left in fp32 and their bytes.
  int64_t fp32Layers = 0;
  int64_t fp32LayerBytes = 0;
  std::optional<ModelOutputError> modelError;
  /// The calibration directory measurements come from, if any.
  std::string inputs;

  /// fp32 bytes of every matmul weight, and what they take now.
  int64_t totalBytesBefore() const;
  int64_t totalBytesAfter() const;
};

/// Reads the `sparq.quant_info` of every op in `quantized` and counts the
/// constant-weight matmuls left in fp32. Malformed attributes are errors
/// naming the op.
mlir::FailureOr<QuantReport> collectQuantReport(mlir::ModuleOp quantized);

/// Fills in the layers' output SQNR and the model's output error by running
/// `reference` (the module before quantization; layers are matched by weight
/// name) and `quantized` on the samples in `inputs` (see sparq-calibrate).
/// Neither module changes.
mlir::LogicalResult measureQuantReport(QuantReport &report,
                                       mlir::ModuleOp reference,
                                       mlir::ModuleOp quantized,
                                       llvm::StringRef inputs);

/// A table, one line per layer, then totals and the model's output error.
void printQuantReport(const QuantReport &report, llvm::raw_ostream &os);

/// The same as JSON: {"layers": [{"layer", "scheme", "bytes_before",
/// "bytes_after", "weight_sqnr_db", "output_sqnr_db", "in_model_sqnr_db"}],
/// "fp32_layers", "fp32_layer_bytes", "total_bytes_before",
/// "total_bytes_after", "model": {"samples", "sqnr_db", "max_abs_error",
/// "max_rel_error"}}, with null for what was not measured (and for an
/// infinite SQNR: no error at all).
void writeQuantReportJson(const QuantReport &report, llvm::raw_ostream &os);

/// Writes the report to `path`: "-" is stdout, a path ending in .json gets
/// JSON, any other the table. Errors are emitted on `anchor`.
mlir::LogicalResult emitQuantReport(const QuantReport &report,
                                    llvm::StringRef path,
                                    mlir::Operation *anchor);

} // namespace sparq

#endif // SPARQ_QUANTIZATION_QUANTREPORT_H
