//===- Outliers.h - Dense-and-sparse weight decomposition -------*- C++ -*-===//
//
// Part of the sparq project.
//
// SqueezeLLM's dense-and-sparse decomposition W = D + S: a small fraction of
// the weights (the outliers) is kept exactly in a CSR matrix S, so the dense
// remainder D has a much narrower range and quantizes better.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_ALGORITHMS_OUTLIERS_H
#define SPARQ_QUANTIZATION_ALGORITHMS_OUTLIERS_H

#include "sparq/Quantization/Algorithms/KMeans.h"
#include "sparq/Quantization/Algorithms/Rtn.h"
#include "sparq/Reference/Kernels.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace sparq::quant {

/// The number of outliers of a [rows, cols] matrix: round(fraction * rows *
/// cols), halves away from 0. `fraction` must lie in [0, 1].
int64_t outlierCount(double fraction, int64_t rows, int64_t cols);

/// The flat (row-major) indices of the `count` entries of `w` with the
/// highest score, ascending. The score is |w| without sensitivity, and
/// s * w^2 (in double) with one when given (non-empty, one non-negative
/// value per weight): the first-order estimate of how much the loss grows
/// when that weight is perturbed by its own size, so SqueezeLLM's most
/// sensitive weights are kept exactly. Equal scores go to the lower index.
std::vector<int64_t> selectOutliers(llvm::ArrayRef<float> w,
                                    llvm::ArrayRef<float> sensitivity,
                                    int64_t count);

struct OutlierSplit {
  /// The selected entries of `w`, bit for bit, columns ascending in a row.
  ref::CsrMatrix outliers;
  /// `w` with +0 at the selected entries.
  std::vector<float> remainder;
  /// 1 at the selected entries, [rows, cols].
  std::vector<uint8_t> mask;
};

/// Splits the row-major [rows, cols] matrix `w` into the
/// outlierCount(fraction, rows, cols) entries selectOutliers() picks and the
/// rest.
OutlierSplit extractOutliers(llvm::ArrayRef<float> w, int64_t rows,
                             int64_t cols, llvm::ArrayRef<float> sensitivity,
                             double fraction);

/// A float s with dense + s == w exactly in float arithmetic, as close to
/// w - dense as possible (a few ulps search), or nothing if there is none
/// nearby. Exact when dense is 0 (s = w).
std::optional<float> exactCorrection(float w, float dense);

/// Dense RTN part of a decomposition: quantizeRtn() of `split.remainder`.
/// Zeros never widen a group's range and dequantize to exactly 0, so the
/// outliers take no part in the scales and the dense part is exactly 0 at
/// their positions: W = dequant(Q(D)) + S holds bit for bit there with S the
/// original weights (`split.outliers` as is).
RtnResult quantizeRtnRemainder(const OutlierSplit &split, int64_t rows,
                               int64_t cols, unsigned bits, int64_t groupSize,
                               bool symmetric);

/// Dense codebook part of a decomposition: per-row k-means over the
/// non-outlier entries only. At an outlier position the index names a
/// codebook entry c, and the CSR value becomes s = exactCorrection(w, c), so
/// that c + s == w exactly in float; c is the entry nearest 0 that admits
/// such an s. A row where some outlier admits none (rare: w - c rounds into
/// a coarser binade or to a tie) is redone with an exact 0 pinned in its
/// codebook, and its outliers keep s = w. Updates `split.outliers.values`.
CodebookResult quantizeCodebookRemainder(OutlierSplit &split, int64_t rows,
                                         int64_t cols, unsigned bits,
                                         unsigned maxIterations,
                                         llvm::ArrayRef<float> sensitivity);

} // namespace sparq::quant

#endif // SPARQ_QUANTIZATION_ALGORITHMS_OUTLIERS_H
