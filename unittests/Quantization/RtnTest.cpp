//===- RtnTest.cpp - Round-to-nearest quantization and SQNR ---------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/Rtn.h"
#include "sparq/Quantization/Algorithms/Metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace sparq::quant;

namespace {

std::vector<float> randomMatrix(int64_t rows, int64_t cols, unsigned seed,
                                float shift = 0.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(rows * cols);
  for (float &v : w)
    v = normal(rng) + shift;
  return w;
}

/// What RTN must produce, written out directly from its definition.
struct Expected {
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  std::vector<int32_t> codes;
};

Expected plainRtn(const std::vector<float> &w, int64_t rows, int64_t cols,
                  unsigned bits, int64_t group, bool symmetric) {
  if (group == 0)
    group = cols;
  int64_t groups = cols / group;
  int32_t qmin = symmetric ? -(1 << (bits - 1)) : 0;
  int32_t qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  Expected e;
  e.codes.resize(w.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      float lo = 0.0f, hi = 0.0f;
      for (int64_t c = g * group; c < (g + 1) * group; ++c) {
        lo = std::min(lo, w[r * cols + c]);
        hi = std::max(hi, w[r * cols + c]);
      }
      float scale;
      int32_t zp = 0;
      if (symmetric) {
        scale = std::max(-lo, hi) / static_cast<float>(qmax);
      } else {
        scale = (hi - lo) / static_cast<float>(qmax);
        if (scale != 0.0f)
          zp = std::clamp(static_cast<int32_t>(std::nearbyint(-lo / scale)), 0,
                          qmax);
      }
      if (scale == 0.0f) {
        scale = 1.0f;
        zp = 0;
      }
      e.scales.push_back(scale);
      e.zeroPoints.push_back(zp);
      for (int64_t c = g * group; c < (g + 1) * group; ++c) {
        float q = std::nearbyint(w[r * cols + c] / scale) + zp;
        e.codes[r * cols + c] = static_cast<int32_t>(
            std::clamp(q, static_cast<float>(qmin), static_cast<float>(qmax)));
      }
    }
  }
  return e;
}

struct RtnCase {
  unsigned bits;
  int64_t group;
  bool symmetric;
};

class RtnMatchesPlainLoop : public ::testing::TestWithParam<RtnCase> {};

TEST_P(RtnMatchesPlainLoop, CodesScalesAndZeroPoints) {
  RtnCase p = GetParam();
  const int64_t rows = 6, cols = 64;
  // Shifted data so asymmetric ranges are lopsided.
  std::vector<float> w = randomMatrix(rows, cols, 7 + p.bits, 0.75f);
  RtnResult r = quantizeRtn(w, rows, cols, p.bits, p.group, p.symmetric);
  Expected e = plainRtn(w, rows, cols, p.bits, p.group, p.symmetric);
  int64_t groups = cols / (p.group == 0 ? cols : p.group);
  EXPECT_EQ(r.params.paramRows, rows);
  EXPECT_EQ(r.params.paramCols, groups);
  EXPECT_EQ(r.groupSize, p.group == 0 ? cols : p.group);
  EXPECT_EQ(r.params.scales, e.scales);
  EXPECT_EQ(r.params.zeroPoints, e.zeroPoints);
  EXPECT_EQ(r.codes, e.codes);

  // Round to nearest: inside the representable range every weight is within
  // half a step of its dequantized value.
  std::vector<float> back = dequantizeRtn(r, rows, cols);
  for (int64_t i = 0; i < rows * cols; ++i) {
    float scale = e.scales[(i / cols) * groups + (i % cols) / (cols / groups)];
    EXPECT_LE(std::fabs(back[i] - w[i]), 0.5f * scale * 1.0001f)
        << "element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configurations, RtnMatchesPlainLoop,
    ::testing::Values(RtnCase{2, 16, true}, RtnCase{3, 32, true},
                      RtnCase{4, 0, true}, RtnCase{8, 8, true},
                      RtnCase{2, 16, false}, RtnCase{4, 32, false},
                      RtnCase{5, 0, false}, RtnCase{8, 64, false}));

TEST(Rtn, AllZeroGroupGetsUnitScaleAndZeroCodes) {
  std::vector<float> w(2 * 8, 0.0f);
  w[8] = 3.0f; // second row, first group is non-zero
  for (bool symmetric : {true, false}) {
    RtnResult r = quantizeRtn(w, 2, 8, 4, 4, symmetric);
    EXPECT_EQ(r.params.scales[0], 1.0f);
    EXPECT_EQ(r.params.scales[1], 1.0f);
    EXPECT_EQ(r.params.zeroPoints[0], 0);
    EXPECT_EQ(r.params.scales[3], 1.0f);
    std::vector<float> back = dequantizeRtn(r, 2, 8);
    for (int i = 0; i < 8; ++i)
      EXPECT_EQ(back[i], 0.0f);
    EXPECT_EQ(back[8], 3.0f);
  }
}

TEST(Rtn, ZeroedEntriesDoNotWidenTheRangeAndStayZero) {
  // One group of 8: zeroing the outlier leaves the scale of the rest.
  std::vector<float> w = {0.5f,  -0.25f, 0.125f,  100.0f,
                          -0.5f, 0.375f, 0.0625f, -0.125f};
  std::vector<float> rest = w;
  rest[3] = 0.0f;
  for (bool symmetric : {true, false}) {
    RtnResult r = quantizeRtn(rest, 1, 8, 3, 8, symmetric);
    float expectedScale = symmetric ? 0.5f / 3.0f : 1.0f / 7.0f;
    EXPECT_EQ(r.params.scales[0], expectedScale);
    EXPECT_EQ(dequantizeRtn(r, 1, 8)[3], 0.0f);
  }
}

TEST(Metrics, SqnrDefinition) {
  std::vector<float> ref = {1.0f, -2.0f, 3.0f, 0.5f};
  std::vector<float> approx = {1.5f, -2.0f, 2.0f, 0.5f};
  // signal 14.25, noise 1.25
  EXPECT_NEAR(sqnrDb(ref, approx), 10.0 * std::log10(14.25 / 1.25), 1e-12);
  EXPECT_EQ(sqnrDb(ref, ref), std::numeric_limits<double>::infinity());
  std::vector<float> zeros(4, 0.0f);
  EXPECT_EQ(sqnrDb(zeros, ref), -std::numeric_limits<double>::infinity());
}

TEST(Metrics, EightBitsBeatThreeBits) {
  const int64_t rows = 16, cols = 128;
  std::vector<float> w = randomMatrix(rows, cols, 3);
  double sqnr8 = sqnrDb(
      w, dequantizeRtn(quantizeRtn(w, rows, cols, 8, 32, true), rows, cols));
  double sqnr3 = sqnrDb(
      w, dequantizeRtn(quantizeRtn(w, rows, cols, 3, 32, true), rows, cols));
  // Each bit is worth about 6 dB.
  EXPECT_GT(sqnr8, sqnr3 + 25.0);
  EXPECT_GT(sqnr3, 8.0);
}

} // namespace
