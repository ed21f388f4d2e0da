//===- KMeans.cpp - Weighted 1-D k-means codebooks ------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/KMeans.h"
#include "sparq/Reference/Quantization.h"

#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <numeric>

namespace sparq::quant {

namespace {

/// Lloyd's algorithm on one array of values, kept sorted so that clusters
/// are contiguous runs and an iteration costs O(n + k) instead of O(n * k).
class KMeans1D {
public:
  KMeans1D(llvm::ArrayRef<float> input, llvm::ArrayRef<float> inputWeights,
           unsigned numClusters, bool pinZero)
      : k(numClusters), pinZero(pinZero) {
    order.resize(input.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return input[a] < input[b]; });
    double total = 0.0;
    for (float s : inputWeights)
      total += s;
    // All-zero sensitivities carry no preference; count every value alike.
    bool weighted = !inputWeights.empty() && total > 0.0;
    values.resize(input.size());
    weights.resize(input.size());
    for (size_t i = 0; i < order.size(); ++i) {
      values[i] = input[order[i]];
      weights[i] = weighted ? inputWeights[order[i]] : 1.0;
    }
  }

  /// Centroid j at the weighted (j + 1/2) / k quantile.
  void initializeQuantiles() {
    centroids.assign(k, 0.0);
    assignments.assign(values.size(), 0);
    if (values.empty())
      return;
    double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    double cumulative = 0.0;
    size_t pos = 0;
    for (unsigned j = 0; j < k; ++j) {
      double target = total * (j + 0.5) / k;
      while (pos + 1 < values.size() && cumulative + weights[pos] <= target)
        cumulative += weights[pos++];
      centroids[j] = values[pos];
    }
    pinNearestToZero();
  }

  /// Centroids evenly spaced from the smallest to the largest value: the
  /// start is uniform min-max quantization, which Lloyd can only improve.
  void initializeGrid() {
    centroids.assign(k, 0.0);
    assignments.assign(values.size(), 0);
    if (values.empty())
      return;
    double lo = values.front(), hi = values.back();
    for (unsigned j = 0; j < k; ++j)
      centroids[j] = k == 1 ? 0.5 * (lo + hi) : lo + (hi - lo) * j / (k - 1);
    pinNearestToZero();
  }

  /// Assigns every value to its nearest centroid (the lowest index on a
  /// tie); returns whether any assignment changed.
  bool assign() {
    bool changed = false;
    unsigned j = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      // Distances along sorted centroids fall, then rise; skip duplicates
      // so that the first of equal centroids wins.
      while (true) {
        unsigned next = j + 1;
        while (next < k && centroids[next] == centroids[j])
          ++next;
        if (next >= k || !(std::fabs(values[i] - centroids[next]) <
                           std::fabs(values[i] - centroids[j])))
          break;
        j = next;
      }
      changed |= assignments[i] != static_cast<int32_t>(j);
      assignments[i] = j;
    }
    return changed;
  }

  /// Moves the centroids to their clusters' weighted means and reseeds
  /// clusters without weight.
  void update() {
    std::vector<double> sum(k, 0.0), mass(k, 0.0);
    for (size_t i = 0; i < values.size(); ++i) {
      sum[assignments[i]] += weights[i] * values[i];
      mass[assignments[i]] += weights[i];
    }
    for (unsigned j = 0; j < k; ++j)
      if (mass[j] > 0.0 && !isPinned(j))
        centroids[j] = sum[j] / mass[j];
    for (unsigned j = 0; j < k; ++j) {
      if (mass[j] > 0.0 || isPinned(j))
        continue;
      // The value with the largest weighted error, given the current
      // centroids, becomes this cluster's only member: its error drops to 0
      // and no other value's grows.
      size_t worst = 0;
      double worstError = 0.0;
      for (size_t i = 0; i < values.size(); ++i) {
        double d = values[i] - centroids[assignments[i]];
        double error = weights[i] * d * d;
        if (error > worstError) {
          worstError = error;
          worst = i;
        }
      }
      if (worstError > 0.0) {
        centroids[j] = values[worst];
        assignments[worst] = j;
        mass[j] = weights[worst];
      }
    }
    sortCentroids();
  }

  double objective() const {
    double total = 0.0;
    for (size_t i = 0; i < values.size(); ++i) {
      double d = values[i] - centroids[assignments[i]];
      total += weights[i] * d * d;
    }
    return total;
  }

  /// Runs Lloyd from the current centroids.
  KMeansResult run(unsigned maxIterations) {
    KMeansResult result;
    assign();
    result.objective.push_back(objective());
    for (unsigned it = 0; it < maxIterations; ++it) {
      update();
      bool changed = assign();
      result.objective.push_back(objective());
      ++result.iterations;
      if (!changed) {
        result.converged = true;
        break;
      }
    }
    // The centroids are stored as floats: reassign against the rounded
    // values so that every index names its nearest stored centroid.
    result.centroids.assign(centroids.begin(), centroids.end());
    for (unsigned j = 0; j < k; ++j)
      centroids[j] = result.centroids[j];
    assign();
    result.assignments.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      result.assignments[order[i]] = assignments[i];
    return result;
  }

private:
  bool isPinned(unsigned j) const { return pinZero && j == pinned; }

  void pinNearestToZero() {
    if (!pinZero)
      return;
    pinned = 0;
    for (unsigned j = 1; j < k; ++j)
      if (std::fabs(centroids[j]) < std::fabs(centroids[pinned]))
        pinned = j;
    centroids[pinned] = 0.0;
    sortCentroids();
  }

  /// Sorts the centroids ascending, renumbering assignments (and the pinned
  /// index) to match.
  void sortCentroids() {
    std::vector<unsigned> perm(k);
    std::iota(perm.begin(), perm.end(), 0);
    std::stable_sort(perm.begin(), perm.end(), [&](unsigned a, unsigned b) {
      return centroids[a] < centroids[b];
    });
    std::vector<int32_t> newIndex(k);
    std::vector<double> sorted(k);
    for (unsigned pos = 0; pos < k; ++pos) {
      newIndex[perm[pos]] = pos;
      sorted[pos] = centroids[perm[pos]];
    }
    centroids = std::move(sorted);
    for (int32_t &a : assignments)
      a = newIndex[a];
    pinned = newIndex[pinned];
  }

  unsigned k;
  bool pinZero;
  unsigned pinned = 0;
  std::vector<size_t> order; // sorted position -> input index
  std::vector<float> values; // sorted
  std::vector<double> weights;
  std::vector<double> centroids;
  std::vector<int32_t> assignments;
};

} // namespace

KMeansResult weightedKMeans1D(llvm::ArrayRef<float> values,
                              llvm::ArrayRef<float> weights,
                              unsigned numClusters, unsigned maxIterations,
                              bool pinZero) {
  assert(numClusters >= 1 && "k-means needs at least one cluster");
  assert((weights.empty() || weights.size() == values.size()) &&
         "one weight per value");
  KMeans1D km(values, weights, numClusters, pinZero);
  km.initializeGrid();
  KMeansResult fromGrid = km.run(maxIterations);
  km.initializeQuantiles();
  KMeansResult fromQuantiles = km.run(maxIterations);
  return fromQuantiles.objective.back() < fromGrid.objective.back()
             ? fromQuantiles
             : fromGrid;
}

CodebookResult quantizeCodebook(llvm::ArrayRef<float> w, int64_t rows,
                                int64_t cols, unsigned bits,
                                unsigned maxIterations,
                                llvm::ArrayRef<float> sensitivity,
                                llvm::ArrayRef<uint8_t> exclude,
                                llvm::ArrayRef<int64_t> pinZero) {
  assert(static_cast<int64_t>(w.size()) == rows * cols &&
         "value count does not match the shape");
  assert(bits >= 1 && bits <= 8 && "unsupported index width");
  unsigned numClusters = 1u << bits;
  CodebookResult c;
  c.bits = bits;
  c.indices.assign(w.size(), 0);
  c.codebooks.assign(rows * numClusters, 0.0f);
  // Rows are independent: cluster them in parallel. Each row's result
  // depends on that row alone, so the output does not depend on the thread
  // count.
  std::atomic<int64_t> totalIterations{0};
  llvm::parallelFor(0, rows, [&](size_t rowIndex) {
    int64_t row = static_cast<int64_t>(rowIndex);
    std::vector<float> values, weights;
    std::vector<int64_t> columns;
    for (int64_t col = 0; col < cols; ++col) {
      int64_t flat = row * cols + col;
      if (!exclude.empty() && exclude[flat])
        continue;
      values.push_back(w[flat]);
      if (!sensitivity.empty())
        weights.push_back(sensitivity[flat]);
      columns.push_back(col);
    }
    bool pin = std::binary_search(pinZero.begin(), pinZero.end(), row);
    KMeansResult km =
        weightedKMeans1D(values, weights, numClusters, maxIterations, pin);
    totalIterations += km.iterations;
    std::copy(km.centroids.begin(), km.centroids.end(),
              c.codebooks.begin() + row * numClusters);
    int32_t zeroIndex = 0;
    for (unsigned j = 1; j < numClusters; ++j)
      if (std::fabs(km.centroids[j]) < std::fabs(km.centroids[zeroIndex]))
        zeroIndex = j;
    for (int64_t col = 0; col < cols; ++col)
      c.indices[row * cols + col] = zeroIndex;
    for (size_t i = 0; i < columns.size(); ++i)
      c.indices[row * cols + columns[i]] = km.assignments[i];
  });
  c.totalIterations = totalIterations;
  return c;
}

std::vector<float> dequantizeCodebook(const CodebookResult &c, int64_t rows,
                                      int64_t cols) {
  return ref::lookupCodebook(c.indices, rows, cols, c.codebooks, c.bits);
}

} // namespace sparq::quant
