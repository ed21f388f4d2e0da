//===- Metrics.cpp - Quantization error metrics ---------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/Metrics.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace sparq::quant {

double sqnrDb(llvm::ArrayRef<float> ref, llvm::ArrayRef<float> approx) {
  assert(ref.size() == approx.size() && "SQNR of arrays of different sizes");
  double signal = 0.0, noise = 0.0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double r = ref[i], d = r - static_cast<double>(approx[i]);
    signal += r * r;
    noise += d * d;
  }
  if (noise == 0.0)
    return std::numeric_limits<double>::infinity();
  if (signal == 0.0)
    return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

} // namespace sparq::quant
