//===- Metrics.h - Quantization error metrics -------------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_ALGORITHMS_METRICS_H
#define SPARQ_QUANTIZATION_ALGORITHMS_METRICS_H

#include "llvm/ADT/ArrayRef.h"

namespace sparq::quant {

/// Signal-to-quantization-noise ratio in decibels,
/// 10 * log10(sum ref^2 / sum (ref - approx)^2), accumulated in double.
/// Returns +infinity when `approx` equals `ref` exactly (no noise, including
/// an all-zero `ref`) and -infinity when `ref` is all zero but `approx` is
/// not. Both arrays must have the same size.
double sqnrDb(llvm::ArrayRef<float> ref, llvm::ArrayRef<float> approx);

} // namespace sparq::quant

#endif // SPARQ_QUANTIZATION_ALGORITHMS_METRICS_H
