//===- SmoothingScales.cpp - SmoothQuant migration scales -----------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/SmoothingScales.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sparq::quant {

std::vector<float>
computeSmoothingScales(llvm::ArrayRef<float> activationAbsMax,
                       llvm::ArrayRef<float> weightAbsMax, double alpha) {
  assert(activationAbsMax.size() == weightAbsMax.size() &&
         "one activation and one weight maximum per channel");
  assert(alpha >= 0.0 && alpha <= 1.0 && "alpha must lie in [0, 1]");
  std::vector<float> scales(activationAbsMax.size(), 1.0f);
  for (size_t j = 0; j < scales.size(); ++j) {
    double act = activationAbsMax[j];
    double weight = weightAbsMax[j];
    if (!(act > 0.0) || !(weight > 0.0) || !std::isfinite(act) ||
        !std::isfinite(weight))
      continue;
    double scale = std::pow(act, alpha) / std::pow(weight, 1.0 - alpha);
    if (!std::isfinite(scale) || !(scale > 0.0))
      continue;
    scales[j] = std::clamp(static_cast<float>(scale), kMinSmoothingScale,
                           kMaxSmoothingScale);
  }
  return scales;
}

void accumulateInputChannelAbsMax(llvm::ArrayRef<float> weights, int64_t k,
                                  int64_t n,
                                  llvm::MutableArrayRef<float> absMax) {
  assert(static_cast<int64_t>(weights.size()) == k * n &&
         static_cast<int64_t>(absMax.size()) == k && "shape mismatch");
  for (int64_t j = 0; j < k; ++j)
    for (int64_t c = 0; c < n; ++c)
      absMax[j] = std::max(absMax[j], std::fabs(weights[j * n + c]));
}

void scaleInputChannels(llvm::MutableArrayRef<float> weights, int64_t k,
                        int64_t n, llvm::ArrayRef<float> scales) {
  assert(static_cast<int64_t>(weights.size()) == k * n &&
         static_cast<int64_t>(scales.size()) == k && "shape mismatch");
  for (int64_t j = 0; j < k; ++j)
    for (int64_t c = 0; c < n; ++c)
      weights[j * n + c] *= scales[j];
}

} // namespace sparq::quant
