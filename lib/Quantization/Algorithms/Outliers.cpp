//===- Outliers.cpp - Dense-and-sparse weight decomposition ---------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/Outliers.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace sparq::quant {

int64_t outlierCount(double fraction, int64_t rows, int64_t cols) {
  assert(fraction >= 0.0 && fraction <= 1.0 && "fraction outside [0, 1]");
  return static_cast<int64_t>(
      std::llround(fraction * static_cast<double>(rows * cols)));
}

std::vector<int64_t> selectOutliers(llvm::ArrayRef<float> w,
                                    llvm::ArrayRef<float> sensitivity,
                                    int64_t count) {
  assert((sensitivity.empty() || sensitivity.size() == w.size()) &&
         "one sensitivity per weight");
  assert(count >= 0 && count <= static_cast<int64_t>(w.size()) &&
         "more outliers than weights");
  std::vector<double> score(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    double v = w[i];
    score[i] = sensitivity.empty() ? std::fabs(v) : sensitivity[i] * v * v;
  }
  std::vector<int64_t> order(w.size());
  std::iota(order.begin(), order.end(), 0);
  // A strict total order (scores descending, then indices ascending), so the
  // selection does not depend on the partitioning algorithm.
  auto before = [&](int64_t a, int64_t b) {
    if (score[a] != score[b])
      return score[a] > score[b];
    return a < b;
  };
  if (count < static_cast<int64_t>(order.size()))
    std::nth_element(order.begin(), order.begin() + count, order.end(), before);
  order.resize(count);
  std::sort(order.begin(), order.end());
  return order;
}

OutlierSplit extractOutliers(llvm::ArrayRef<float> w, int64_t rows,
                             int64_t cols, llvm::ArrayRef<float> sensitivity,
                             double fraction) {
  assert(static_cast<int64_t>(w.size()) == rows * cols &&
         "value count does not match the shape");
  std::vector<int64_t> selected =
      selectOutliers(w, sensitivity, outlierCount(fraction, rows, cols));
  OutlierSplit split;
  split.remainder.assign(w.begin(), w.end());
  split.mask.assign(w.size(), 0);
  ref::CsrMatrix &s = split.outliers;
  s.rows = rows;
  s.cols = cols;
  s.rowPtr.assign(rows + 1, 0);
  s.colInd.reserve(selected.size());
  s.values.reserve(selected.size());
  // `selected` is ascending, so rows and then columns come in order.
  for (int64_t flat : selected) {
    int64_t row = flat / cols, col = flat % cols;
    ++s.rowPtr[row + 1];
    s.colInd.push_back(static_cast<int32_t>(col));
    s.values.push_back(w[flat]);
    split.remainder[flat] = 0.0f;
    split.mask[flat] = 1;
  }
  for (int64_t row = 0; row < rows; ++row)
    s.rowPtr[row + 1] += s.rowPtr[row];
  return split;
}

std::optional<float> exactCorrection(float w, float dense) {
  float s = w - dense;
  // dense + s moves monotonically with s; walk a few ulps toward w.
  constexpr int kMaxSteps = 4;
  for (int step = 0; step <= kMaxSteps; ++step) {
    float sum = dense + s;
    if (sum == w)
      return s;
    s = std::nextafter(s, sum < w ? INFINITY : -INFINITY);
  }
  return std::nullopt;
}

RtnResult quantizeRtnRemainder(const OutlierSplit &split, int64_t rows,
                               int64_t cols, unsigned bits, int64_t groupSize,
                               bool symmetric) {
  return quantizeRtn(split.remainder, rows, cols, bits, groupSize, symmetric);
}

/// Finds, for every outlier of `row`, the codebook entry nearest 0 with an
/// exact correction; sets the indices and CSR values. False if some outlier
/// has none.
static bool correctRow(OutlierSplit &split, CodebookResult &c, int64_t row,
                       int64_t cols) {
  int64_t entries = int64_t(1) << c.bits;
  const float *book = &c.codebooks[row * entries];
  std::vector<int32_t> byMagnitude(entries);
  std::iota(byMagnitude.begin(), byMagnitude.end(), 0);
  std::stable_sort(byMagnitude.begin(), byMagnitude.end(),
                   [&](int32_t a, int32_t b) {
                     return std::fabs(book[a]) < std::fabs(book[b]);
                   });
  ref::CsrMatrix &s = split.outliers;
  for (int32_t p = s.rowPtr[row]; p < s.rowPtr[row + 1]; ++p) {
    int64_t flat = row * cols + s.colInd[p];
    bool found = false;
    for (int32_t index : byMagnitude) {
      if (std::optional<float> correction =
              exactCorrection(s.values[p], book[index])) {
        c.indices[flat] = index;
        s.values[p] = *correction;
        found = true;
        break;
      }
    }
    if (!found)
      return false;
  }
  return true;
}

CodebookResult quantizeCodebookRemainder(OutlierSplit &split, int64_t rows,
                                         int64_t cols, unsigned bits,
                                         unsigned maxIterations,
                                         llvm::ArrayRef<float> sensitivity) {
  ref::CsrMatrix &s = split.outliers;
  // The original weights, since correctRow() overwrites the CSR values.
  std::vector<float> original = s.values;
  std::vector<float> w = split.remainder;
  for (int64_t row = 0; row < rows; ++row)
    for (int32_t p = s.rowPtr[row]; p < s.rowPtr[row + 1]; ++p)
      w[row * cols + s.colInd[p]] = original[p];
  CodebookResult c = quantizeCodebook(w, rows, cols, bits, maxIterations,
                                      sensitivity, split.mask);
  std::vector<int64_t> pinRows;
  for (int64_t row = 0; row < rows; ++row)
    if (!correctRow(split, c, row, cols))
      pinRows.push_back(row);
  if (pinRows.empty())
    return c;
  CodebookResult pinned = quantizeCodebook(w, rows, cols, bits, maxIterations,
                                           sensitivity, split.mask, pinRows);
  int64_t entries = int64_t(1) << bits;
  for (int64_t row : pinRows) {
    std::copy(pinned.codebooks.begin() + row * entries,
              pinned.codebooks.begin() + (row + 1) * entries,
              c.codebooks.begin() + row * entries);
    std::copy(pinned.indices.begin() + row * cols,
              pinned.indices.begin() + (row + 1) * cols,
              c.indices.begin() + row * cols);
    // Outlier indices already name the exact 0 entry; s = w.
    for (int32_t p = s.rowPtr[row]; p < s.rowPtr[row + 1]; ++p)
      s.values[p] = original[p];
  }
  return c;
}

} // namespace sparq::quant
