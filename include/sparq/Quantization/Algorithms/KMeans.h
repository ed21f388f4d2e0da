//===- KMeans.h - Weighted 1-D k-means codebooks ----------------*- C++ -*-===//
//
// Part of the sparq project.
//
// Non-uniform (codebook) quantization as in SqueezeLLM: every output channel
// (row of an [N, K] weight) gets its own table of 2^bits values, found by a
// 1-D k-means that minimizes sum_i s_i * (w_i - c(w_i))^2, where s_i is the
// weight's sensitivity (e.g. the diagonal of the Fisher information), or 1.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_ALGORITHMS_KMEANS_H
#define SPARQ_QUANTIZATION_ALGORITHMS_KMEANS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::quant {

struct KMeansResult {
  /// `numClusters` centroids, ascending.
  std::vector<float> centroids;
  /// Index into `centroids` of each value: the nearest centroid, the lowest
  /// index on a tie.
  std::vector<int32_t> assignments;
  /// The weighted objective sum_i s_i * (x_i - c[a_i])^2 (in double) after
  /// the initial assignment and after every Lloyd iteration; never
  /// increasing.
  std::vector<double> objective;
  /// Lloyd iterations run (<= the cap).
  unsigned iterations = 0;
  /// True when the last iteration changed no assignment.
  bool converged = false;
};

/// Weighted 1-D k-means (Lloyd's algorithm) of `values` into `numClusters`
/// clusters. `weights` is empty (all 1) or one non-negative, finite weight
/// per value; if they sum to 0, all weights count as 1.
///
/// Deterministic throughout:
///  - Lloyd runs twice, from centroids evenly spaced between the smallest and
///    the largest value (uniform min-max quantization, which Lloyd can only
///    improve) and from the weighted (j + 1/2) / numClusters quantiles
///    (which favour dense regions); the run with the lower final objective
///    is returned, the grid's on a tie;
///  - an iteration recomputes every non-empty cluster's centroid as its
///    weighted mean, then reassigns; it stops after `maxIterations` or when no
///    assignment changes;
///  - a cluster that ends up with no weight is moved onto the value with the
///    largest weighted error (the lowest index on a tie) if that error is
///    positive, which lowers the objective; otherwise it keeps its centroid.
/// With `pinZero`, the centroid nearest 0 after init is set to exactly 0 and
/// never moves, so that 0 is representable.
/// No values: all centroids are 0.
KMeansResult weightedKMeans1D(llvm::ArrayRef<float> values,
                              llvm::ArrayRef<float> weights,
                              unsigned numClusters, unsigned maxIterations,
                              bool pinZero = false);

struct CodebookResult {
  /// [rows, cols] row-major indices in [0, 2^bits).
  std::vector<int32_t> indices;
  /// [rows, 2^bits] row-major per-row codebooks, ascending within a row.
  std::vector<float> codebooks;
  unsigned bits = 0;
  /// Sum of the Lloyd iterations run over all rows.
  uint64_t totalIterations = 0;
};

/// Per-row codebook quantization of the finite row-major [rows, cols]
/// matrix `w`: each row's codebook is weightedKMeans1D() of that row with
/// the matching row of `sensitivity` (empty: unweighted) as weights.
/// Entries with `exclude` set (empty: none) take no part in the k-means and
/// get the index of the codebook entry nearest 0; rows listed in `pinZero`
/// (sorted row indices) keep an exact 0 in their codebook.
CodebookResult quantizeCodebook(llvm::ArrayRef<float> w, int64_t rows,
                                int64_t cols, unsigned bits,
                                unsigned maxIterations,
                                llvm::ArrayRef<float> sensitivity,
                                llvm::ArrayRef<uint8_t> exclude = {},
                                llvm::ArrayRef<int64_t> pinZero = {});

/// The [rows, cols] float matrix a codebook result stands for.
std::vector<float> dequantizeCodebook(const CodebookResult &c, int64_t rows,
                                      int64_t cols);

} // namespace sparq::quant

#endif // SPARQ_QUANTIZATION_ALGORITHMS_KMEANS_H
