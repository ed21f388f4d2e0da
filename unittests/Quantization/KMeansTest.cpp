//===- KMeansTest.cpp - Weighted 1-D k-means codebooks --------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/KMeans.h"
#include "sparq/Quantization/Algorithms/Rtn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace sparq::quant;

namespace {

/// Heavy-tailed, lopsided values: most near 0, a long positive tail.
std::vector<float> skewedValues(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<float> tail(0.0f, 0.9f);
  std::normal_distribution<float> core(0.0f, 0.1f);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = i % 4 == 0 ? tail(rng) : core(rng);
  return v;
}

double plainObjective(const std::vector<float> &values,
                      const std::vector<float> &weights,
                      const KMeansResult &r) {
  double total = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    double d = values[i] - r.centroids[r.assignments[i]];
    total += (weights.empty() ? 1.0 : weights[i]) * d * d;
  }
  return total;
}

TEST(KMeans, ObjectiveNeverIncreases) {
  std::vector<float> values = skewedValues(512, 1);
  std::vector<float> weights(values.size());
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(0.0f, 4.0f);
  for (float &s : weights)
    s = u(rng);
  for (bool weighted : {false, true}) {
    KMeansResult r = weightedKMeans1D(
        values, weighted ? weights : std::vector<float>{}, 8, 100);
    ASSERT_EQ(r.objective.size(), r.iterations + 1u);
    ASSERT_GE(r.iterations, 2u);
    for (size_t i = 1; i < r.objective.size(); ++i)
      EXPECT_LE(r.objective[i], r.objective[i - 1]) << "iteration " << i;
    EXPECT_LT(r.objective.back(), r.objective.front());
    EXPECT_TRUE(r.converged);
    // The reported objective is the real one (up to the final rounding of
    // the centroids to float).
    EXPECT_NEAR(
        plainObjective(values, weighted ? weights : std::vector<float>{}, r),
        r.objective.back(), 1e-4 * r.objective.back());
  }
}

TEST(KMeans, AssignmentsAreNearestSortedCentroids) {
  std::vector<float> values = skewedValues(300, 5);
  KMeansResult r = weightedKMeans1D(values, {}, 4, 50);
  ASSERT_EQ(r.centroids.size(), 4u);
  EXPECT_TRUE(std::is_sorted(r.centroids.begin(), r.centroids.end()));
  for (size_t i = 0; i < values.size(); ++i)
    for (float c : r.centroids)
      EXPECT_LE(std::fabs(values[i] - r.centroids[r.assignments[i]]),
                std::fabs(values[i] - c));
}

TEST(KMeans, BeatsUniformRtnOnSkewedData) {
  const int64_t rows = 8, cols = 256;
  std::vector<float> w = skewedValues(rows * cols, 11);
  for (unsigned bits : {2u, 3u, 4u}) {
    CodebookResult c = quantizeCodebook(w, rows, cols, bits, 50, {});
    std::vector<float> lut = dequantizeCodebook(c, rows, cols);
    std::vector<float> rtn = dequantizeRtn(
        quantizeRtn(w, rows, cols, bits, /*groupSize=*/0, /*symmetric=*/false),
        rows, cols);
    double lutError = 0.0, rtnError = 0.0;
    for (int64_t i = 0; i < rows * cols; ++i) {
      lutError += (w[i] - lut[i]) * (w[i] - lut[i]);
      rtnError += (w[i] - rtn[i]) * (w[i] - rtn[i]);
    }
    EXPECT_LT(lutError, 0.5 * rtnError)
        << bits << " bits: " << lutError << " vs " << rtnError;
  }
}

TEST(KMeans, WeightsPullCentroidsTowardHeavyValues) {
  std::vector<float> values = {0.0f,  1.0f,  2.0f,  3.0f,
                               10.0f, 11.0f, 12.0f, 13.0f};
  KMeansResult plain = weightedKMeans1D(values, {}, 2, 20);
  EXPECT_FLOAT_EQ(plain.centroids[0], 1.5f);
  EXPECT_FLOAT_EQ(plain.centroids[1], 11.5f);
  std::vector<float> weights = {1, 1, 1, 1, 1, 1, 1, 100};
  KMeansResult weighted = weightedKMeans1D(values, weights, 2, 20);
  EXPECT_FLOAT_EQ(weighted.centroids[0], 1.5f);
  EXPECT_FLOAT_EQ(weighted.centroids[1],
                  (10.0f + 11.0f + 12.0f + 100.0f * 13.0f) / 103.0f);
  EXPECT_GT(weighted.centroids[1], plain.centroids[1]);
}

TEST(KMeans, EmptyClustersAreDeterministic) {
  // Two distinct values, eight clusters: six clusters have nothing to hold.
  std::vector<float> values = {1.0f, 1.0f, 1.0f, 5.0f, 5.0f, 1.0f};
  KMeansResult a = weightedKMeans1D(values, {}, 8, 10);
  KMeansResult b = weightedKMeans1D(values, {}, 8, 10);
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(a.assignments, b.assignments);
  EXPECT_EQ(a.objective.back(), 0.0);
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(a.centroids[a.assignments[i]], values[i]);
  // No values at all.
  KMeansResult none = weightedKMeans1D({}, {}, 4, 10);
  EXPECT_EQ(none.centroids, std::vector<float>(4, 0.0f));
}

TEST(KMeans, ZeroSensitivityCountsAsUnweighted) {
  std::vector<float> values = skewedValues(64, 3);
  std::vector<float> zeros(values.size(), 0.0f);
  EXPECT_EQ(weightedKMeans1D(values, zeros, 4, 30).centroids,
            weightedKMeans1D(values, {}, 4, 30).centroids);
}

TEST(KMeans, PinnedZeroStaysExactlyZero) {
  std::vector<float> values = skewedValues(256, 9);
  for (float &v : values)
    v += 0.3f; // no natural centroid at 0
  KMeansResult r = weightedKMeans1D(values, {}, 4, 50, /*pinZero=*/true);
  EXPECT_NE(std::find(r.centroids.begin(), r.centroids.end(), 0.0f),
            r.centroids.end());
  for (size_t i = 1; i < r.objective.size(); ++i)
    EXPECT_LE(r.objective[i], r.objective[i - 1]);
}

TEST(Codebook, ExcludedEntriesNeitherShapeNorLeaveTheCodebook) {
  const int64_t rows = 3, cols = 64;
  std::vector<float> w = skewedValues(rows * cols, 4);
  std::vector<uint8_t> exclude(w.size(), 0);
  for (int64_t i = 0; i < rows * cols; i += 9)
    exclude[i] = 1;
  CodebookResult a = quantizeCodebook(w, rows, cols, 3, 40, {}, exclude);
  std::vector<float> changed = w;
  for (int64_t i = 0; i < rows * cols; ++i)
    if (exclude[i])
      changed[i] = 1000.0f + i;
  CodebookResult b = quantizeCodebook(changed, rows, cols, 3, 40, {}, exclude);
  EXPECT_EQ(a.codebooks, b.codebooks);
  EXPECT_EQ(a.indices, b.indices);
  // Excluded entries point at the entry nearest 0.
  for (int64_t i = 0; i < rows * cols; ++i) {
    if (!exclude[i])
      continue;
    const float *book = &a.codebooks[(i / cols) * 8];
    float chosen = std::fabs(book[a.indices[i]]);
    for (int j = 0; j < 8; ++j)
      EXPECT_LE(chosen, std::fabs(book[j]));
  }
}

TEST(Codebook, IndicesLookUpTheirRowsCodebook) {
  const int64_t rows = 4, cols = 32;
  std::vector<float> w = skewedValues(rows * cols, 8);
  CodebookResult c = quantizeCodebook(w, rows, cols, 2, 30, {});
  ASSERT_EQ(c.codebooks.size(), 16u);
  std::vector<float> back = dequantizeCodebook(c, rows, cols);
  for (int64_t i = 0; i < rows * cols; ++i) {
    ASSERT_GE(c.indices[i], 0);
    ASSERT_LT(c.indices[i], 4);
    EXPECT_EQ(back[i], c.codebooks[(i / cols) * 4 + c.indices[i]]);
  }
}

} // namespace
