//===- QuantReport.cpp - sparq-quant-report -------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/QuantReport.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Quantization/Calibration.h"
#include "sparq/Quantization/Passes.h"
#include "sparq/Reference/Kernels.h"
#include "sparq/Support/OutputFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cmath>
#include <cstring>
#include <functional>

namespace sparq {
#define GEN_PASS_DEF_SPARQQUANTREPORT
#include "sparq/Quantization/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;

static constexpr llvm::StringLiteral kQuantInfo = "sparq.quant_info";

int64_t QuantReport::totalBytesBefore() const {
  int64_t total = fp32LayerBytes;
  for (const LayerReport &layer : layers)
    total += layer.bytesBefore;
  return total;
}

int64_t QuantReport::totalBytesAfter() const {
  int64_t total = fp32LayerBytes;
  for (const LayerReport &layer : layers)
    total += layer.bytesAfter;
  return total;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

FailureOr<QuantReport> sparq::collectQuantReport(ModuleOp quantized) {
  QuantReport report;
  WalkResult walk = quantized.walk([&](Operation *op) {
    Attribute attr = op->getAttr(kQuantInfo);
    if (!attr)
      return WalkResult::advance();
    auto info = dyn_cast<DictionaryAttr>(attr);
    auto layer = info ? info.getAs<StringAttr>("layer") : StringAttr();
    auto scheme = info ? info.getAs<StringAttr>("scheme") : StringAttr();
    auto before =
        info ? info.getAs<IntegerAttr>("bytes_before") : IntegerAttr();
    auto after = info ? info.getAs<IntegerAttr>("bytes_after") : IntegerAttr();
    if (!layer || !scheme || !before || !after) {
      op->emitError() << kQuantInfo
                      << " must be a dictionary with layer and scheme "
                         "(strings) and bytes_before and bytes_after "
                         "(integers), got "
                      << attr;
      return WalkResult::interrupt();
    }
    LayerReport entry;
    entry.layer = layer.str();
    entry.scheme = scheme.str();
    entry.bytesBefore = before.getInt();
    entry.bytesAfter = after.getInt();
    if (auto sqnr = info.getAs<FloatAttr>("weight_sqnr_db"))
      entry.weightSqnrDb = sqnr.getValueAsDouble();
    report.layers.push_back(std::move(entry));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  for (const ConstantWeightMatmul &target :
       collectConstantWeightMatmuls(quantized)) {
    ++report.fp32Layers;
    report.fp32LayerBytes += target.k * target.n * int64_t(sizeof(float));
  }
  return report;
}

//===----------------------------------------------------------------------===//
// Measurements
//===----------------------------------------------------------------------===//

namespace {
/// The bytes of a constant tensor (dense or dense_resource elements, splats
/// expanded), or nothing when `value` is not one.
std::optional<std::vector<char>> readConstantBytes(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!constant || !type || !type.hasStaticShape() ||
      type.getElementTypeBitWidth() % 8)
    return std::nullopt;
  size_t elementBytes = type.getElementTypeBitWidth() / 8;
  size_t bytes = type.getNumElements() * elementBytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      std::vector<char> data(bytes);
      for (size_t i = 0; i < bytes; i += elementBytes)
        std::memcpy(data.data() + i, raw.data(), elementBytes);
      return data;
    }
    if (raw.size() != bytes)
      return std::nullopt;
    return std::vector<char>(raw.begin(), raw.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      if (blob->getData().size() == bytes)
        return std::vector<char>(blob->getData().begin(),
                                 blob->getData().end());
  return std::nullopt;
}

template <typename T> std::optional<std::vector<T>> readConstant(Value value) {
  std::optional<std::vector<char>> bytes = readConstantBytes(value);
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!bytes || type.getElementTypeBitWidth() != 8 * sizeof(T))
    return std::nullopt;
  std::vector<T> values(bytes->size() / sizeof(T));
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

/// Integer constants of any width up to 32 bits, and integral floats, as
/// int32 (zero points).
std::optional<std::vector<int32_t>> readIntegers(Value value) {
  Type element = cast<RankedTensorType>(value.getType()).getElementType();
  if (element.isF32()) {
    std::optional<std::vector<float>> floats = readConstant<float>(value);
    if (!floats)
      return std::nullopt;
    std::vector<int32_t> values;
    for (float f : *floats) {
      if (f != std::round(f))
        return std::nullopt;
      values.push_back(static_cast<int32_t>(f));
    }
    return values;
  }
  auto integer = dyn_cast<IntegerType>(element);
  if (!integer)
    return std::nullopt;
  std::optional<std::vector<char>> bytes = readConstantBytes(value);
  if (!bytes)
    return std::nullopt;
  std::vector<int32_t> values;
  unsigned width = integer.getWidth();
  for (size_t i = 0; i < bytes->size(); i += width / 8) {
    int64_t v = 0;
    std::memcpy(&v, bytes->data() + i, width / 8);
    bool isSigned = !integer.isUnsigned();
    if (isSigned && width < 64 && (v >> (width - 1)) & 1)
      v -= int64_t(1) << width;
    values.push_back(static_cast<int32_t>(v));
  }
  return values;
}

std::optional<ref::CsrMatrix> readOutliers(Value rowPtr, Value colInd,
                                           Value values, int64_t n, int64_t k) {
  if (!rowPtr)
    return ref::CsrMatrix{};
  auto rows = readConstant<int32_t>(rowPtr);
  auto cols = readConstant<int32_t>(colInd);
  auto vals = readConstant<float>(values);
  if (!rows || !cols || !vals)
    return std::nullopt;
  return ref::CsrMatrix{n, k, std::move(*rows), std::move(*cols),
                        std::move(*vals)};
}

using QuantizedProduct =
    std::function<std::vector<float>(llvm::ArrayRef<float> x, int64_t m)>;

/// `x * W_q^T` (with outliers, without bias) of a quantized op whose
/// operands are constants, by the reference kernels; nothing for other ops.
std::optional<QuantizedProduct> getQuantizedProduct(Operation *op) {
  if (auto qmatmul = dyn_cast<QMatmulOp>(op)) {
    auto weightType = qmatmul.getWeights().getType();
    auto scalesType = qmatmul.getScales().getType();
    auto storage = dyn_cast<IntegerType>(qmatmul.getStorageType());
    int64_t n = weightType.getDimSize(0);
    int64_t k = qmatmul.getInput().getType().getShape().back();
    auto packed = readConstant<uint8_t>(qmatmul.getWeights());
    auto scales = readConstant<float>(qmatmul.getScales());
    if (!storage || !packed || !scales || !scalesType.getElementType().isF32())
      return std::nullopt;
    ref::QuantParams params;
    params.scales = std::move(*scales);
    params.paramRows = scalesType.getDimSize(0);
    params.paramCols = scalesType.getDimSize(1);
    params.zeroPoints.assign(params.scales.size(), 0);
    if (Value zeroPoints = qmatmul.getZeroPoints()) {
      auto values = readIntegers(zeroPoints);
      if (!values || values->size() != params.scales.size())
        return std::nullopt;
      params.zeroPoints = std::move(*values);
    }
    auto outliers =
        readOutliers(qmatmul.getOutlierRowPtr(), qmatmul.getOutlierColInd(),
                     qmatmul.getOutlierValues(), n, k);
    if (!outliers)
      return std::nullopt;
    bool hasOutliers = static_cast<bool>(qmatmul.getOutlierRowPtr());
    unsigned bits = storage.getWidth();
    bool isSigned = storage.isSigned();
    return QuantizedProduct(
        [=, packed = std::move(*packed)](llvm::ArrayRef<float> x, int64_t m) {
          return ref::qmatmul(x, m, k, packed, n, bits, isSigned, params, {},
                              hasOutliers ? &*outliers : nullptr);
        });
  }
  if (auto lut = dyn_cast<LutMatmulOp>(op)) {
    int64_t n = lut.getIndices().getType().getDimSize(0);
    int64_t k = lut.getInput().getType().getShape().back();
    auto packed = readConstant<uint8_t>(lut.getIndices());
    auto codebooks = readConstant<float>(lut.getCodebooks());
    auto outliers = readOutliers(lut.getOutlierRowPtr(), lut.getOutlierColInd(),
                                 lut.getOutlierValues(), n, k);
    if (!packed || !codebooks || !outliers)
      return std::nullopt;
    bool hasOutliers = static_cast<bool>(lut.getOutlierRowPtr());
    unsigned bits = lut.getBits();
    return QuantizedProduct(
        [=, packed = std::move(*packed), codebooks = std::move(*codebooks)](
            llvm::ArrayRef<float> x, int64_t m) {
          return ref::lutMatmul(x, m, k, packed, n, bits, codebooks, {},
                                hasOutliers ? &*outliers : nullptr);
        });
  }
  return std::nullopt;
}

/// One quantized layer measured against its fp32 original.
struct LayerProbe {
  LayerReport *report;
  /// Observer of the layer's input in the fp32 run.
  unsigned inputObserver;
  int64_t k, n;
  std::vector<float> weightRows; // fp32 [N, K]
  /// The quantized op's product by the reference kernels, if they cover it.
  std::optional<QuantizedProduct> quantized;
  /// Observer of the quantized op's result in the quantized run, and the
  /// bias that result includes.
  std::optional<unsigned> outputObserver;
  std::vector<float> bias;
  /// x W of the fp32 run, per sample, for the quantized run to compare with.
  std::vector<std::vector<float>> fp32Products;
  double signal = 0, noise = 0;
  double inModelSignal = 0, inModelNoise = 0;
};

/// The constant bias of a quantized op (empty without one); nothing when it
/// is not a readable constant.
std::optional<std::vector<float>> getBias(Operation *op) {
  Value bias;
  if (auto qmatmul = dyn_cast<QMatmulOp>(op))
    bias = qmatmul.getBias();
  else if (auto lut = dyn_cast<LutMatmulOp>(op))
    bias = lut.getBias();
  else if (auto intMatmul = dyn_cast<IntMatmulOp>(op))
    bias = intMatmul.getBias();
  if (!bias)
    return std::vector<float>();
  return readConstant<float>(bias);
}

/// Observes `op`'s f32 result as `<layer>.output`.
void observeResult(Operation *op, llvm::StringRef layer) {
  if (op->getNumResults() != 1)
    return;
  Value result = op->getResult(0);
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type || type.getRank() == 0 || !type.getElementType().isF32())
    return;
  OpBuilder builder(op->getContext());
  builder.setInsertionPointAfter(op);
  ObserveOp::create(builder, op->getLoc(), type, result,
                    builder.getStringAttr(layer + ".output"),
                    /*axis=*/IntegerAttr(), /*stats=*/CalibrationStatsAttr());
}

double sqnrDb(double signal, double noise) {
  if (noise == 0)
    return INFINITY;
  return 10.0 * std::log10(signal / noise);
}
} // namespace

LogicalResult sparq::measureQuantReport(QuantReport &report, ModuleOp reference,
                                        ModuleOp quantized,
                                        llvm::StringRef inputs) {
  report.inputs = inputs.str();
  // The quantized ops, by layer name.
  llvm::StringMap<Operation *> quantizedOps;
  quantized.walk([&](Operation *op) {
    if (auto info = op->getAttrOfType<DictionaryAttr>(kQuantInfo))
      if (auto layer = info.getAs<StringAttr>("layer"))
        quantizedOps[layer.getValue()] = op;
  });
  llvm::StringMap<LayerReport *> layersByName;
  for (LayerReport &layer : report.layers)
    layersByName[layer.layer] = &layer;

  // The fp32 model, observed at the input of every weight matmul.
  OwningOpRef<ModuleOp> observed = reference.clone();
  instrumentMatmulInputs(*observed);
  SmallVector<ObserveOp> observers = getEntryObservers(*observed);
  std::vector<LayerProbe> probes;
  for (const ConstantWeightMatmul &target :
       collectConstantWeightMatmuls(*observed)) {
    auto op = quantizedOps.find(target.name);
    auto layer = layersByName.find(target.name);
    if (op == quantizedOps.end() || layer == layersByName.end())
      continue;
    auto observer = target.getActivations().getDefiningOp<ObserveOp>();
    auto position = llvm::find(observers, observer);
    if (!observer || position == observers.end())
      continue;
    LayerProbe probe{
        layer->second,     static_cast<unsigned>(position - observers.begin()),
        target.k,          target.n,
        target.readRows(), getQuantizedProduct(op->second)};
    probes.push_back(std::move(probe));
  }

  // Reference outputs of every sample, kept for the quantized run.
  std::vector<std::vector<std::vector<float>>> referenceOutputs;
  auto measureLayers = [&](unsigned, ArrayRef<RunTensor> tensors,
                           ArrayRef<RunTensor> outputs) {
    for (LayerProbe &probe : probes) {
      const RunTensor &x = tensors[probe.inputObserver];
      ArrayRef<float> activations(static_cast<const float *>(x.data),
                                  x.info->bytes / sizeof(float));
      int64_t m = activations.size() / probe.k;
      std::vector<float> exact =
          ref::matmulNT(activations, m, probe.k, probe.weightRows, probe.n, {});
      if (probe.quantized) {
        std::vector<float> approx = (*probe.quantized)(activations, m);
        for (size_t i = 0; i < exact.size(); ++i) {
          double d = double(approx[i]) - exact[i];
          probe.signal += double(exact[i]) * exact[i];
          probe.noise += d * d;
        }
      }
      probe.fp32Products.push_back(std::move(exact));
    }
    std::vector<std::vector<float>> sampleOutputs;
    for (const RunTensor &output : outputs) {
      if (output.info->dtype != SPARQ_FLOAT) {
        sampleOutputs.emplace_back();
        continue;
      }
      const float *data = static_cast<const float *>(output.data);
      sampleOutputs.emplace_back(data, data + output.info->bytes / 4);
    }
    referenceOutputs.push_back(std::move(sampleOutputs));
    return success();
  };
  if (failed(runOnCalibrationInputs(*observed, inputs, measureLayers)))
    return failure();
  for (LayerProbe &probe : probes)
    if (probe.quantized)
      probe.report->outputSqnrDb = sqnrDb(probe.signal, probe.noise);

  // The quantized model, observed at the result of every quantized op.
  OwningOpRef<ModuleOp> quantizedObserved = quantized.clone();
  llvm::StringMap<Operation *> observedOps;
  quantizedObserved->walk([&](Operation *op) {
    if (auto info = op->getAttrOfType<DictionaryAttr>(kQuantInfo))
      if (auto layer = info.getAs<StringAttr>("layer"))
        observedOps[layer.getValue()] = op;
  });
  for (LayerProbe &probe : probes) {
    Operation *op = observedOps.lookup(probe.report->layer);
    std::optional<std::vector<float>> bias = getBias(op);
    if (!op || !bias)
      continue;
    probe.bias = std::move(*bias);
    observeResult(op, probe.report->layer);
  }
  llvm::StringMap<unsigned> observerIndex;
  for (auto [i, observer] :
       llvm::enumerate(getEntryObservers(*quantizedObserved)))
    observerIndex.try_emplace(observer.getName(), i);
  for (LayerProbe &probe : probes) {
    auto index = observerIndex.find(probe.report->layer + ".output");
    bool biasFits =
        probe.bias.empty() || probe.bias.size() == static_cast<size_t>(probe.n);
    if (index != observerIndex.end() && biasFits)
      probe.outputObserver = index->second;
  }

  double signal = 0, noise = 0, maxAbsError = 0, maxReference = 0;
  auto compareOutputs = [&](unsigned sample, ArrayRef<RunTensor> tensors,
                            ArrayRef<RunTensor> outputs) -> LogicalResult {
    for (LayerProbe &probe : probes) {
      if (!probe.outputObserver)
        continue;
      const RunTensor &y = tensors[*probe.outputObserver];
      const std::vector<float> &exact = probe.fp32Products[sample];
      if (y.info->bytes != exact.size() * sizeof(float)) {
        probe.outputObserver.reset();
        continue;
      }
      const float *data = static_cast<const float *>(y.data);
      for (size_t i = 0; i < exact.size(); ++i) {
        double product = data[i];
        if (!probe.bias.empty())
          product -= probe.bias[i % probe.n];
        double d = product - exact[i];
        probe.inModelSignal += double(exact[i]) * exact[i];
        probe.inModelNoise += d * d;
      }
    }
    const auto &expected = referenceOutputs[sample];
    if (outputs.size() != expected.size())
      return quantized.emitError()
             << "the quantized model has " << outputs.size()
             << " outputs, the fp32 model " << expected.size();
    for (auto [output, reference] : llvm::zip(outputs, expected)) {
      if (output.info->dtype != SPARQ_FLOAT)
        continue;
      if (output.info->bytes != reference.size() * sizeof(float))
        return quantized.emitError()
               << "output '" << output.info->name
               << "' of the quantized model differs in shape from the fp32 "
                  "model's";
      const float *data = static_cast<const float *>(output.data);
      for (size_t i = 0; i < reference.size(); ++i) {
        double d = double(data[i]) - reference[i];
        signal += double(reference[i]) * reference[i];
        noise += d * d;
        maxAbsError = std::max(maxAbsError, std::fabs(d));
        maxReference = std::max(maxReference, std::fabs(double(reference[i])));
      }
    }
    return success();
  };
  if (failed(
          runOnCalibrationInputs(*quantizedObserved, inputs, compareOutputs)))
    return failure();
  for (LayerProbe &probe : probes)
    if (probe.outputObserver)
      probe.report->inModelSqnrDb =
          sqnrDb(probe.inModelSignal, probe.inModelNoise);
  ModelOutputError error;
  error.samples = referenceOutputs.size();
  error.sqnrDb = sqnrDb(signal, noise);
  error.maxAbsError = maxAbsError;
  error.maxRelError = maxReference > 0 ? maxAbsError / maxReference : 0;
  report.modelError = error;
  return success();
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

namespace {
std::string formatDb(std::optional<double> db) {
  if (!db)
    return "n/a";
  if (std::isinf(*db))
    return "exact";
  return llvm::formatv("{0:f2} dB", *db).str();
}

std::string formatRatio(int64_t before, int64_t after) {
  if (after <= 0)
    return "-";
  return llvm::formatv("{0:f2}x", double(before) / after).str();
}
} // namespace

void sparq::printQuantReport(const QuantReport &report, llvm::raw_ostream &os) {
  size_t layerWidth = 5, schemeWidth = 6;
  for (const LayerReport &layer : report.layers) {
    layerWidth = std::max(layerWidth, layer.layer.size());
    schemeWidth = std::max(schemeWidth, layer.scheme.size());
  }
  os << "sparq quantization report: " << report.layers.size()
     << " quantized layers, " << report.fp32Layers
     << " weight matmuls left in fp32\n";
  auto row = [&](llvm::StringRef layer, llvm::StringRef scheme,
                 llvm::StringRef before, llvm::StringRef after,
                 llvm::StringRef ratio, llvm::StringRef weight,
                 llvm::StringRef output, llvm::StringRef inModel) {
    std::string line =
        (layer + std::string(layerWidth - layer.size(), ' ') + "  " + scheme +
         std::string(schemeWidth - scheme.size(), ' ') +
         llvm::formatv(" {0,12} {1,12} {2,7} {3,12} {4,12} {5,14}", before,
                       after, ratio, weight, output, inModel))
            .str();
    os << llvm::StringRef(line).rtrim() << "\n";
  };
  row("layer", "scheme", "fp32 bytes", "quant bytes", "ratio", "weight SQNR",
      "output SQNR", "in-model SQNR");
  for (const LayerReport &layer : report.layers)
    row(layer.layer, layer.scheme, std::to_string(layer.bytesBefore),
        std::to_string(layer.bytesAfter),
        formatRatio(layer.bytesBefore, layer.bytesAfter),
        formatDb(layer.weightSqnrDb), formatDb(layer.outputSqnrDb),
        formatDb(layer.inModelSqnrDb));
  row("total", "", std::to_string(report.totalBytesBefore()),
      std::to_string(report.totalBytesAfter()),
      formatRatio(report.totalBytesBefore(), report.totalBytesAfter()), "", "",
      "");
  if (!report.modelError) {
    os << "model output vs fp32: not measured (needs the fp32 model and "
          "calibration inputs)\n";
    return;
  }
  const ModelOutputError &e = *report.modelError;
  os << llvm::formatv("model output vs fp32 on {0} calibration samples: SQNR "
                      "{1}, max abs err {2:e3}, max rel err {3:e3}\n",
                      e.samples, formatDb(e.sqnrDb), e.maxAbsError,
                      e.maxRelError);
}

void sparq::writeQuantReportJson(const QuantReport &report,
                                 llvm::raw_ostream &os) {
  auto number = [](std::optional<double> value) -> llvm::json::Value {
    if (!value || !std::isfinite(*value))
      return nullptr;
    return *value;
  };
  llvm::json::Array layers;
  for (const LayerReport &layer : report.layers)
    layers.push_back(
        llvm::json::Object{{"layer", layer.layer},
                           {"scheme", layer.scheme},
                           {"bytes_before", layer.bytesBefore},
                           {"bytes_after", layer.bytesAfter},
                           {"weight_sqnr_db", number(layer.weightSqnrDb)},
                           {"output_sqnr_db", number(layer.outputSqnrDb)},
                           {"in_model_sqnr_db", number(layer.inModelSqnrDb)}});
  llvm::json::Object root{{"layers", std::move(layers)},
                          {"fp32_layers", report.fp32Layers},
                          {"fp32_layer_bytes", report.fp32LayerBytes},
                          {"total_bytes_before", report.totalBytesBefore()},
                          {"total_bytes_after", report.totalBytesAfter()},
                          {"model", nullptr}};
  if (report.modelError) {
    const ModelOutputError &e = *report.modelError;
    root["model"] = llvm::json::Object{{"samples", e.samples},
                                       {"sqnr_db", number(e.sqnrDb)},
                                       {"max_abs_error", e.maxAbsError},
                                       {"max_rel_error", e.maxRelError}};
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

LogicalResult sparq::emitQuantReport(const QuantReport &report,
                                     llvm::StringRef path, Operation *anchor) {
  bool json = path.ends_with(".json");
  if (path == "-") {
    printQuantReport(report, llvm::outs());
    llvm::outs().flush();
    return success();
  }
  if (llvm::Error err =
          sparq::writeFileAtomically(path, [&](llvm::raw_pwrite_stream &os) {
            if (json)
              writeQuantReportJson(report, os);
            else
              printQuantReport(report, os);
            return llvm::Error::success();
          }))
    return anchor->emitError() << "cannot write the quantization report: "
                               << llvm::toString(std::move(err));
  return success();
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {
struct SparqQuantReport
    : public sparq::impl::SparqQuantReportBase<SparqQuantReport> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!reference.empty() && inputs.empty()) {
      module.emitError("sparq-quant-report: reference=" + reference +
                       " needs inputs=DIR, the calibration samples to "
                       "measure on");
      return signalPassFailure();
    }
    if (reference.empty() && !inputs.empty()) {
      module.emitError("sparq-quant-report: inputs=" + inputs +
                       " needs reference=FILE, the fp32 module to compare "
                       "with");
      return signalPassFailure();
    }
    FailureOr<QuantReport> report = collectQuantReport(module);
    if (failed(report))
      return signalPassFailure();
    if (!reference.empty()) {
      OwningOpRef<ModuleOp> fp32 =
          parseSourceFile<ModuleOp>(reference, module.getContext());
      if (!fp32) {
        module.emitError("sparq-quant-report: cannot read reference=" +
                         reference);
        return signalPassFailure();
      }
      if (failed(measureQuantReport(*report, *fp32, module, inputs)))
        return signalPassFailure();
    }
    if (failed(emitQuantReport(*report, output, module)))
      return signalPassFailure();
  }
};
} // namespace
