//===- SmoothingScales.h - SmoothQuant migration scales ---------*- C++ -*-===//
//
// Part of the sparq project.
//
// SmoothQuant (Xiao et al., 2023) rewrites y = X W as
// y = (X diag(s)^-1) (diag(s) W): dividing activation channel j by s_j and
// multiplying row j of the [K, N] weight by s_j leaves the product unchanged
// while moving quantization difficulty from activation outlier channels into
// the weights. This file computes s on plain arrays.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_ALGORITHMS_SMOOTHINGSCALES_H
#define SPARQ_QUANTIZATION_ALGORITHMS_SMOOTHINGSCALES_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::quant {

/// Smallest and largest smoothing scale computeSmoothingScales() returns.
/// Scales outside this range would push activations or weights towards
/// float underflow/overflow while gaining nothing for 8-bit quantization,
/// whose dynamic range is about 2^8.
constexpr float kMinSmoothingScale = 1e-4f;
constexpr float kMaxSmoothingScale = 1e4f;

/// Per input channel j (K channels):
///   s_j = activationAbsMax[j]^alpha / weightAbsMax[j]^(1 - alpha),
/// computed in double and rounded to float, then clamped to
/// [kMinSmoothingScale, kMaxSmoothingScale]. A channel whose activation or
/// weight maximum is zero, negative or not finite carries no information to
/// balance (a dead channel, or one that no weight reads), so it keeps
/// s_j = 1 instead of becoming 0 or infinity. Requires 0 <= alpha <= 1 and
/// both arrays of the same size.
std::vector<float>
computeSmoothingScales(llvm::ArrayRef<float> activationAbsMax,
                       llvm::ArrayRef<float> weightAbsMax, double alpha);

/// Folds the row-major [k, n] matrix `weights` (ONNX/linalg [K, N] layout)
/// into the per-input-channel maxima: absMax[j] = max(absMax[j],
/// max_c |weights[j, c]|). Call once per consumer of a shared activation to
/// get max|W_j| over all of them.
void accumulateInputChannelAbsMax(llvm::ArrayRef<float> weights, int64_t k,
                                  int64_t n,
                                  llvm::MutableArrayRef<float> absMax);

/// Multiplies row j of the row-major [k, n] matrix `weights` by scales[j]
/// (the weight side of the migration, diag(s) W).
void scaleInputChannels(llvm::MutableArrayRef<float> weights, int64_t k,
                        int64_t n, llvm::ArrayRef<float> scales);

} // namespace sparq::quant

#endif // SPARQ_QUANTIZATION_ALGORITHMS_SMOOTHINGSCALES_H
