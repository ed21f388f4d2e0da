//===- SmoothingTest.cpp - SmoothQuant scale tests ------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/SmoothingScales.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace sparq::quant;

namespace {

TEST(SmoothingScales, MatchesFormula) {
  std::vector<float> act = {1.0f, 40.0f, 0.25f, 3.0f, 7.5f};
  std::vector<float> weight = {0.5f, 0.1f, 2.0f, 1.0f, 0.03f};
  for (double alpha : {0.0, 0.3, 0.5, 0.85, 1.0}) {
    std::vector<float> scales = computeSmoothingScales(act, weight, alpha);
    ASSERT_EQ(scales.size(), act.size());
    for (size_t j = 0; j < act.size(); ++j) {
      double expected = std::pow(static_cast<double>(act[j]), alpha) /
                        std::pow(static_cast<double>(weight[j]), 1.0 - alpha);
      EXPECT_NEAR(scales[j], expected, 1e-6 * expected)
          << "alpha " << alpha << " channel " << j;
    }
  }
}

TEST(SmoothingScales, BalancesMaximaAtHalf) {
  // With alpha = 0.5 the smoothed activation and weight maxima are equal:
  // act / s = weight * s = sqrt(act * weight).
  std::vector<float> act = {50.0f, 0.2f, 3.0f};
  std::vector<float> weight = {0.02f, 4.0f, 0.7f};
  std::vector<float> scales = computeSmoothingScales(act, weight, 0.5);
  for (size_t j = 0; j < act.size(); ++j)
    EXPECT_NEAR(act[j] / scales[j], weight[j] * scales[j],
                1e-5 * weight[j] * scales[j]);
}

TEST(SmoothingScales, DegenerateChannelsKeepUnitScale) {
  float inf = std::numeric_limits<float>::infinity();
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> act = {0.0f, 2.0f, inf, 1.0f, nan, -1.0f};
  std::vector<float> weight = {1.0f, 0.0f, 1.0f, inf, 1.0f, 1.0f};
  for (float s : computeSmoothingScales(act, weight, 0.5))
    EXPECT_EQ(s, 1.0f);
}

TEST(SmoothingScales, ClampsExtremeRatios) {
  std::vector<float> act = {1e12f, 1e-12f};
  std::vector<float> weight = {1e-12f, 1e12f};
  std::vector<float> scales = computeSmoothingScales(act, weight, 0.5);
  EXPECT_EQ(scales[0], kMaxSmoothingScale);
  EXPECT_EQ(scales[1], kMinSmoothingScale);
}

TEST(SmoothingScales, InputChannelAbsMaxOverConsumers) {
  // Two [3, 2] weights reading the same activation.
  std::vector<float> a = {1.0f, -4.0f, 0.5f, 0.25f, 0.0f, 0.0f};
  std::vector<float> b = {-2.0f, 1.0f, 0.1f, -0.3f, 0.0f, -6.0f};
  std::vector<float> absMax(3, 0.0f);
  accumulateInputChannelAbsMax(a, 3, 2, absMax);
  accumulateInputChannelAbsMax(b, 3, 2, absMax);
  EXPECT_EQ(absMax[0], 4.0f);
  EXPECT_EQ(absMax[1], 0.5f);
  EXPECT_EQ(absMax[2], 6.0f);
}

// RMSNorm(x) * gamma followed by x W: folding 1/s into gamma and s into the
// rows of W computes the same function.
TEST(SmoothingScales, SmoothedNormMatmulPreservesFunction) {
  constexpr int64_t m = 6, k = 16, n = 12;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(m * k), gamma(k), w(k * n);
  for (float &v : x)
    v = normal(rng);
  for (float &v : gamma)
    v = 1.0f + 0.05f * normal(rng);
  // Outlier channels, as in LLM activations.
  gamma[3] *= 40.0f;
  gamma[11] *= 25.0f;
  for (float &v : w)
    v = 0.25f * normal(rng);

  auto forward = [&](const std::vector<float> &g,
                     const std::vector<float> &weights) {
    std::vector<float> y(m * n, 0.0f);
    std::vector<float> h(k);
    for (int64_t r = 0; r < m; ++r) {
      float meanSquare = 0.0f;
      for (int64_t j = 0; j < k; ++j)
        meanSquare += x[r * k + j] * x[r * k + j];
      meanSquare /= k;
      float inv = 1.0f / std::sqrt(meanSquare + 1e-6f);
      for (int64_t j = 0; j < k; ++j)
        h[j] = x[r * k + j] * inv * g[j];
      for (int64_t c = 0; c < n; ++c) {
        float acc = 0.0f;
        for (int64_t j = 0; j < k; ++j)
          acc += h[j] * weights[j * n + c];
        y[r * n + c] = acc;
      }
    }
    return y;
  };

  // Activation statistics: per-channel max |h| over the batch.
  std::vector<float> actAbsMax(k, 0.0f);
  for (int64_t r = 0; r < m; ++r) {
    float meanSquare = 0.0f;
    for (int64_t j = 0; j < k; ++j)
      meanSquare += x[r * k + j] * x[r * k + j];
    float inv = 1.0f / std::sqrt(meanSquare / k + 1e-6f);
    for (int64_t j = 0; j < k; ++j)
      actAbsMax[j] =
          std::max(actAbsMax[j], std::fabs(x[r * k + j] * inv * gamma[j]));
  }
  std::vector<float> weightAbsMax(k, 0.0f);
  accumulateInputChannelAbsMax(w, k, n, weightAbsMax);
  std::vector<float> scales =
      computeSmoothingScales(actAbsMax, weightAbsMax, 0.5);

  std::vector<float> smoothGamma(gamma);
  for (int64_t j = 0; j < k; ++j)
    smoothGamma[j] /= scales[j];
  std::vector<float> smoothW(w);
  scaleInputChannels(smoothW, k, n, scales);
  for (int64_t j = 0; j < k; ++j)
    for (int64_t c = 0; c < n; ++c)
      EXPECT_EQ(smoothW[j * n + c], w[j * n + c] * scales[j]);

  // The outlier channels really were moved.
  EXPECT_GT(scales[3], 4.0f);
  EXPECT_GT(scales[11], 3.0f);

  std::vector<float> expected = forward(gamma, w);
  std::vector<float> actual = forward(smoothGamma, smoothW);
  double errNorm = 0.0, refNorm = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    errNorm += std::pow(static_cast<double>(actual[i]) - expected[i], 2);
    refNorm += std::pow(static_cast<double>(expected[i]), 2);
  }
  EXPECT_LT(std::sqrt(errNorm / refNorm), 1e-5);
}

} // namespace
