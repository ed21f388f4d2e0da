//===- Calibrate.cpp - sparq-calibrate ------------------------------------===//
//
// Part of the sparq project.
//
// Observes the inputs of weight matmuls, runs the model (compiled for the
// host CPU) on every calibration sample, and records min, max and absmax per
// channel as #sparq.stats on each observer.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Calibration.h"
#include "sparq/Quantization/Passes.h"
#include "sparq/Support/OutputFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparq {
#define GEN_PASS_DEF_SPARQCALIBRATE
#include "sparq/Quantization/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;

namespace {
/// numpy.percentile's default ("linear"): interpolates between the two
/// values around rank p/100 * (n - 1) of the sorted values.
float percentileOf(std::vector<float> &values, double percentile) {
  if (values.empty())
    return 0.0f;
  double rank = percentile / 100.0 * (values.size() - 1);
  size_t below = static_cast<size_t>(std::floor(rank));
  size_t above = std::min(below + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + below, values.end());
  double low = values[below];
  double high = low;
  if (above != below)
    high = *std::min_element(values.begin() + above, values.end());
  return static_cast<float>(low + (high - low) * (rank - below));
}

/// Running statistics of one observed tensor.
struct ChannelStats {
  std::vector<float> min, max, absmax;

  explicit ChannelStats(size_t channels = 1)
      : min(channels, std::numeric_limits<float>::infinity()),
        max(channels, -std::numeric_limits<float>::infinity()),
        absmax(channels, 0.0f) {}
};

class ObserverStats {
public:
  ObserverStats(ObserveOp observer, double percentile)
      : percentile(percentile) {
    RankedTensorType type = observer.getType();
    if (std::optional<int64_t> axis = observer.getAxis()) {
      channels = type.getDimSize(*axis);
      for (int64_t d = *axis + 1; d < type.getRank(); ++d)
        inner *= type.getDimSize(d);
    }
    perChannel = ChannelStats(channels);
    if (percentile < 100.0)
      magnitudes.resize(channels);
  }

  void add(const float *data, size_t count) {
    ++samples;
    for (size_t i = 0; i < count; ++i) {
      float x = data[i];
      size_t c = (i / inner) % channels;
      perChannel.min[c] = std::min(perChannel.min[c], x);
      perChannel.max[c] = std::max(perChannel.max[c], x);
      perChannel.absmax[c] = std::max(perChannel.absmax[c], std::fabs(x));
      if (!magnitudes.empty())
        magnitudes[c].push_back(std::fabs(x));
    }
  }

  /// Reduces what add() saw: the per-tensor statistics, and percentiles.
  void finish() {
    perTensor = ChannelStats(1);
    for (size_t c = 0; c < channels; ++c) {
      perTensor.min[0] = std::min(perTensor.min[0], perChannel.min[c]);
      perTensor.max[0] = std::max(perTensor.max[0], perChannel.max[c]);
      perTensor.absmax[0] = std::max(perTensor.absmax[0], perChannel.absmax[c]);
    }
    if (magnitudes.empty())
      return;
    std::vector<float> all;
    for (std::vector<float> &values : magnitudes)
      all.insert(all.end(), values.begin(), values.end());
    perTensor.absmax[0] = percentileOf(all, percentile);
    for (size_t c = 0; c < channels; ++c)
      perChannel.absmax[c] = percentileOf(magnitudes[c], percentile);
    magnitudes.clear();
  }

  int64_t samples = 0;
  int64_t channels = 1;
  ChannelStats perChannel, perTensor;

private:
  double percentile;
  int64_t inner = 1;
  /// |x| per channel, kept only to take a percentile.
  std::vector<std::vector<float>> magnitudes;
};

void writeArray(llvm::json::OStream &json, llvm::StringRef key,
                llvm::ArrayRef<float> values) {
  json.attributeArray(key, [&] {
    for (float v : values)
      json.value(static_cast<double>(v));
  });
}

struct SparqCalibrate : public sparq::impl::SparqCalibrateBase<SparqCalibrate> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (inputs.empty()) {
      module.emitError("sparq-calibrate needs inputs=DIR, a directory of "
                       "calibration samples");
      return signalPassFailure();
    }
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      module.emitError() << "sparq-calibrate: percentile="
                         << llvm::formatv(
                                "{0}",
                                llvm::format("%g", percentile.getValue()))
                         << " is outside (0, 100]";
      return signalPassFailure();
    }
    if (!llvm::sys::fs::is_directory(inputs)) {
      module.emitError() << "sparq-calibrate: inputs='" << inputs << "' "
                         << (llvm::sys::fs::exists(inputs)
                                 ? "is not a directory"
                                 : "does not exist");
      return signalPassFailure();
    }

    instrumentMatmulInputs(module);
    SmallVector<ObserveOp> observers = getEntryObservers(module);
    if (observers.empty()) {
      module.emitWarning("sparq-calibrate: nothing to observe (no "
                         "constant-weight matmul or sparq.observe)");
      return;
    }
    std::vector<ObserverStats> stats;
    for (ObserveOp observer : observers)
      stats.emplace_back(observer, percentile);

    auto record = [&](unsigned, ArrayRef<RunTensor> observed,
                      ArrayRef<RunTensor>) {
      for (auto [i, tensor] : llvm::enumerate(observed))
        stats[i].add(static_cast<const float *>(tensor.data),
                     tensor.info->bytes / sizeof(float));
      return success();
    };
    if (failed(runOnCalibrationInputs(module, inputs, record)))
      return signalPassFailure();

    MLIRContext *context = &getContext();
    for (auto [observer, observerStats] : llvm::zip(observers, stats)) {
      observerStats.finish();
      const ChannelStats &s = observerStats.perChannel;
      observer.setStatsAttr(
          CalibrationStatsAttr::get(context, observerStats.samples,
                                    DenseF32ArrayAttr::get(context, s.min),
                                    DenseF32ArrayAttr::get(context, s.max),
                                    DenseF32ArrayAttr::get(context, s.absmax)));
    }
    if (!statsFile.empty() && failed(writeStatsFile(observers, stats)))
      return signalPassFailure();
  }

  LogicalResult writeStatsFile(MutableArrayRef<ObserveOp> observers,
                               ArrayRef<ObserverStats> stats) {
    llvm::Error err =
        sparq::writeFileAtomically(statsFile, [&](llvm::raw_pwrite_stream &os) {
          llvm::json::OStream json(os, /*IndentSize=*/2);
          json.object([&] {
            for (auto [index, s] : llvm::enumerate(stats)) {
              ObserveOp observer = observers[index];
              json.attributeObject(observer.getName(), [&] {
                json.attribute("samples", s.samples);
                if (std::optional<int64_t> axis = observer.getAxis())
                  json.attribute("axis", *axis);
                else
                  json.attribute("axis", nullptr);
                writeArray(json, "min", s.perChannel.min);
                writeArray(json, "max", s.perChannel.max);
                writeArray(json, "absmax", s.perChannel.absmax);
                json.attributeObject("tensor", [&] {
                  json.attribute("min",
                                 static_cast<double>(s.perTensor.min[0]));
                  json.attribute("max",
                                 static_cast<double>(s.perTensor.max[0]));
                  json.attribute("absmax",
                                 static_cast<double>(s.perTensor.absmax[0]));
                });
              });
            }
          });
          os << "\n";
          return llvm::Error::success();
        });
    if (err)
      return getOperation().emitError()
             << "sparq-calibrate: cannot write stats-file='" << statsFile
             << "': " << llvm::toString(std::move(err));
    return success();
  }
};
} // namespace
