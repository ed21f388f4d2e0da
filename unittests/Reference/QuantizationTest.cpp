//===- QuantizationTest.cpp - Tests for reference quantization ------------===//

#include "sparq/Reference/Quantization.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>

using namespace sparq::ref;

namespace {

/// Tiny deterministic LCG (Numerical Recipes constants).
struct Lcg {
  uint32_t state;
  explicit Lcg(uint32_t seed) : state(seed) {}
  uint32_t next() { return state = state * 1664525u + 1013904223u; }
  /// Roughly uniform float in [lo, hi).
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.0f;
  }
};

std::vector<float> randomMatrix(int64_t rows, int64_t cols, uint32_t seed) {
  Lcg lcg(seed);
  std::vector<float> w(rows * cols);
  for (float &v : w)
    v = lcg.uniform(-2.0f, 1.5f); // Asymmetric range on purpose.
  return w;
}

/// Checks that every element is reproduced within half a step of its block
/// (plus float rounding slack), and that 0 is reproduced exactly.
void expectRoundTrip(const std::vector<float> &w, int64_t rows, int64_t cols,
                     const QuantParams &p, unsigned bits, bool isSigned) {
  std::vector<int32_t> q = quantize(w, rows, cols, p, bits, isSigned);
  std::vector<float> back = dequantize(q, rows, cols, p);
  int64_t rowBlock = rows / p.paramRows, colBlock = cols / p.paramCols;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      int64_t i = (r / rowBlock) * p.paramCols + c / colBlock;
      float scale = p.scales[i];
      float x = w[r * cols + c];
      EXPECT_GE(q[r * cols + c], quantMin(bits, isSigned));
      EXPECT_LE(q[r * cols + c], quantMax(bits, isSigned));
      EXPECT_LE(std::fabs(back[r * cols + c] - x), scale * 0.5f * 1.0001f)
          << "r=" << r << " c=" << c;
      if (x == 0.0f) {
        EXPECT_EQ(back[r * cols + c], 0.0f) << "r=" << r << " c=" << c;
      }
    }
  }
}

TEST(QuantizationTest, StorageRange) {
  EXPECT_EQ(quantMin(4, true), -8);
  EXPECT_EQ(quantMax(4, true), 7);
  EXPECT_EQ(quantMin(4, false), 0);
  EXPECT_EQ(quantMax(4, false), 15);
  EXPECT_EQ(quantMin(8, true), -128);
  EXPECT_EQ(quantMax(2, false), 3);
}

TEST(QuantizationTest, RoundHalfToEven) {
  EXPECT_EQ(quantizeValue(0.5f, 1.0f, 0, -128, 127), 0);
  EXPECT_EQ(quantizeValue(1.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(quantizeValue(2.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(quantizeValue(-0.5f, 1.0f, 0, -128, 127), 0);
  EXPECT_EQ(quantizeValue(-1.5f, 1.0f, 0, -128, 127), -2);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0f, 0, -128, 127), -2);
  EXPECT_EQ(quantizeValue(2.4f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(quantizeValue(2.6f, 1.0f, 0, -128, 127), 3);
  // Power-of-two scales make x / scale exact: 1.25 / 0.5 = 2.5 -> 2.
  EXPECT_EQ(quantizeValue(1.25f, 0.5f, 0, -128, 127), 2);
  EXPECT_EQ(quantizeValue(0.75f, 0.5f, 0, -128, 127), 2);
  // Rounding happens before the zero point is added: rne(0.5) + 3 = 3, not
  // rne(3.5) = 4.
  EXPECT_EQ(quantizeValue(0.5f, 1.0f, 3, 0, 15), 3);
}

TEST(QuantizationTest, Clamping) {
  EXPECT_EQ(quantizeValue(200.0f, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(quantizeValue(-200.0f, 1.0f, 0, -128, 127), -128);
  EXPECT_EQ(quantizeValue(20.0f, 1.0f, 0, 0, 15), 15);
  EXPECT_EQ(quantizeValue(-3.0f, 1.0f, 0, 0, 15), 0);
  EXPECT_EQ(quantizeValue(-3.0f, 1.0f, 5, 0, 15), 2);
  EXPECT_EQ(quantizeValue(1e30f, 1e-30f, 0, -8, 7), 7); // Quotient is inf.
  EXPECT_EQ(quantizeValue(-INFINITY, 1.0f, 0, -8, 7), -8);
}

TEST(QuantizationTest, DequantizeValue) {
  EXPECT_EQ(dequantizeValue(5, 0.5f, 3), 1.0f);
  EXPECT_EQ(dequantizeValue(0, 0.25f, 4), -1.0f);
  EXPECT_EQ(dequantizeValue(-8, 2.0f, 0), -16.0f);
}

TEST(QuantizationTest, BlockIndexing) {
  // 4x4 matrix with [2, 2] parameters: element (r, c) uses (r / 2, c / 2).
  QuantParams p;
  p.paramRows = 2;
  p.paramCols = 2;
  p.scales = {1.0f, 2.0f, 4.0f, 8.0f};
  p.zeroPoints = {0, 1, 2, 3};
  std::vector<float> w(16, 8.0f);
  std::vector<int32_t> q = quantize(w, 4, 4, p, 8, /*isSigned=*/false);
  for (int64_t r = 0; r < 4; ++r) {
    for (int64_t c = 0; c < 4; ++c) {
      int64_t i = (r / 2) * 2 + c / 2;
      EXPECT_EQ(q[r * 4 + c], 8 / (1 << i) + i) << "r=" << r << " c=" << c;
    }
  }
  EXPECT_EQ(dequantize(q, 4, 4, p), w);
}

TEST(QuantizationTest, SymmetricPerChannel) {
  const int64_t rows = 6, cols = 20;
  const unsigned bits = 4;
  std::vector<float> w = randomMatrix(rows, cols, 1);
  w[3] = 0.0f;
  QuantParams p = computeRTNParams(w, rows, cols, bits, true, 0);
  ASSERT_EQ(p.paramRows, rows);
  ASSERT_EQ(p.paramCols, 1);
  for (int64_t r = 0; r < rows; ++r) {
    float absMax = 0.0f;
    for (int64_t c = 0; c < cols; ++c)
      absMax = std::max(absMax, std::fabs(w[r * cols + c]));
    EXPECT_EQ(p.scales[r], absMax / 7.0f);
    EXPECT_EQ(p.zeroPoints[r], 0);
  }
  expectRoundTrip(w, rows, cols, p, bits, /*isSigned=*/true);
  // The element of largest magnitude maps to +-qmax.
  std::vector<int32_t> q = quantize(w, rows, cols, p, bits, true);
  for (int64_t r = 0; r < rows; ++r) {
    int32_t qAbsMax = 0;
    for (int64_t c = 0; c < cols; ++c)
      qAbsMax = std::max(qAbsMax, std::abs(q[r * cols + c]));
    EXPECT_EQ(qAbsMax, 7);
  }
}

TEST(QuantizationTest, AsymmetricGroupWise) {
  const int64_t rows = 4, cols = 32, group = 8;
  for (unsigned bits : {2u, 3u, 4u, 8u}) {
    std::vector<float> w = randomMatrix(rows, cols, 2 + bits);
    w[5] = 0.0f;
    w[cols + 17] = 0.0f;
    // A strictly positive group: lo is clamped up to 0.
    for (int64_t c = 8; c < 16; ++c)
      w[2 * cols + c] = 0.25f + 0.1f * c;
    QuantParams p = computeRTNParams(w, rows, cols, bits, false, group);
    ASSERT_EQ(p.paramRows, rows);
    ASSERT_EQ(p.paramCols, cols / group);
    int32_t qmax = (1 << bits) - 1;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t g = 0; g < cols / group; ++g) {
        float lo = 0.0f, hi = 0.0f;
        for (int64_t c = g * group; c < (g + 1) * group; ++c) {
          lo = std::min(lo, w[r * cols + c]);
          hi = std::max(hi, w[r * cols + c]);
        }
        float scale = (hi - lo) / static_cast<float>(qmax);
        int32_t zp = static_cast<int32_t>(std::nearbyint(-lo / scale));
        zp = std::clamp(zp, 0, qmax);
        EXPECT_EQ(p.scales[r * p.paramCols + g], scale);
        EXPECT_EQ(p.zeroPoints[r * p.paramCols + g], zp);
      }
    }
    EXPECT_EQ(p.zeroPoints[2 * p.paramCols + 1], 0);
    expectRoundTrip(w, rows, cols, p, bits, /*isSigned=*/false);
  }
}

TEST(QuantizationTest, PerTensor) {
  const int64_t rows = 5, cols = 12;
  std::vector<float> w = randomMatrix(rows, cols, 9);
  w[7] = 0.0f;
  float lo = *std::min_element(w.begin(), w.end());
  float hi = *std::max_element(w.begin(), w.end());
  QuantParams sym = computeRTNBlockParams(w, rows, cols, 8, true, 1, 1);
  ASSERT_EQ(sym.scales.size(), 1u);
  EXPECT_EQ(sym.scales[0], std::max(-lo, hi) / 127.0f);
  EXPECT_EQ(sym.zeroPoints[0], 0);
  expectRoundTrip(w, rows, cols, sym, 8, /*isSigned=*/true);

  QuantParams asym = computeRTNBlockParams(w, rows, cols, 8, false, 1, 1);
  ASSERT_EQ(asym.scales.size(), 1u);
  EXPECT_EQ(asym.scales[0], (hi - lo) / 255.0f);
  EXPECT_EQ(asym.zeroPoints[0],
            static_cast<int32_t>(std::nearbyint(-lo / asym.scales[0])));
  expectRoundTrip(w, rows, cols, asym, 8, /*isSigned=*/false);
}

TEST(QuantizationTest, OutOfRangeValuesClamp) {
  // absmax 1.75 gives scale 0.25; values beyond +-2 saturate.
  std::vector<float> w = {-1.75f, 0.5f, 1.75f};
  QuantParams p = computeRTNParams(w, 1, 3, 4, true, 0);
  EXPECT_EQ(p.scales[0], 0.25f);
  std::vector<float> wider = {-3.0f, 0.5f, 3.0f};
  EXPECT_EQ(quantize(wider, 1, 3, p, 4, true),
            (std::vector<int32_t>{-8, 2, 7}));
}

TEST(QuantizationTest, ZeroBlockGetsUnitScale) {
  const int64_t rows = 2, cols = 8;
  std::vector<float> w = randomMatrix(rows, cols, 5);
  for (int64_t c = 4; c < 8; ++c)
    w[cols + c] = 0.0f; // Row 1, group 1 is all zeros.
  for (bool symmetric : {true, false}) {
    QuantParams p = computeRTNParams(w, rows, cols, 4, symmetric, 4);
    EXPECT_EQ(p.scales[3], 1.0f);
    EXPECT_EQ(p.zeroPoints[3], 0);
    std::vector<int32_t> q = quantize(w, rows, cols, p, 4, symmetric);
    std::vector<float> back = dequantize(q, rows, cols, p);
    for (int64_t c = 4; c < 8; ++c) {
      EXPECT_EQ(q[cols + c], 0);
      EXPECT_EQ(back[cols + c], 0.0f);
    }
  }
}

TEST(QuantizationTest, LookupCodebook) {
  // Two rows, 2-bit indices, one 4-entry codebook per row.
  std::vector<float> codebooks = {-1.0f, -0.25f, 0.25f, 1.0f,
                                  10.0f, 20.0f,  30.0f, 40.0f};
  std::vector<int32_t> indices = {0, 3, 1, 2, 2, 0};
  EXPECT_EQ(lookupCodebook(indices, 2, 3, codebooks, 2),
            (std::vector<float>{-1.0f, 1.0f, -0.25f, 30.0f, 30.0f, 10.0f}));
}

} // namespace
