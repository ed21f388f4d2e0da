//===- OutliersTest.cpp - Dense-and-sparse decomposition ------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/Outliers.h"
#include "sparq/Quantization/Algorithms/KMeans.h"
#include "sparq/Quantization/Algorithms/Rtn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace sparq::quant;

namespace {

std::vector<float> heavyTailed(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::student_t_distribution<float> t(2.0f);
  std::vector<float> w(n);
  for (float &v : w)
    v = t(rng);
  return w;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

TEST(Outliers, CountRoundsToNearest) {
  EXPECT_EQ(outlierCount(0.0, 64, 64), 0);
  EXPECT_EQ(outlierCount(0.0045, 64, 64), 18); // 18.432
  EXPECT_EQ(outlierCount(0.5, 3, 3), 5);       // 4.5 rounds away from 0
  EXPECT_EQ(outlierCount(0.01, 10, 10), 1);
}

TEST(Outliers, CsrHoldsExactlyTheLargestMagnitudes) {
  const int64_t rows = 12, cols = 40;
  std::vector<float> w = heavyTailed(rows * cols, 3);
  const double fraction = 0.05;
  OutlierSplit split = extractOutliers(w, rows, cols, {}, fraction);
  const sparq::ref::CsrMatrix &s = split.outliers;
  int64_t count = 24; // round(0.05 * 480)
  ASSERT_EQ(s.rowPtr.size(), static_cast<size_t>(rows + 1));
  EXPECT_EQ(s.rowPtr.front(), 0);
  EXPECT_EQ(s.rowPtr.back(), count);
  ASSERT_EQ(s.colInd.size(), static_cast<size_t>(count));
  ASSERT_EQ(s.values.size(), static_cast<size_t>(count));

  std::vector<uint8_t> inCsr(w.size(), 0);
  float smallestKept = INFINITY;
  for (int64_t r = 0; r < rows; ++r) {
    ASSERT_LE(s.rowPtr[r], s.rowPtr[r + 1]);
    for (int32_t p = s.rowPtr[r]; p < s.rowPtr[r + 1]; ++p) {
      if (p > s.rowPtr[r])
        EXPECT_LT(s.colInd[p - 1], s.colInd[p]);
      int64_t flat = r * cols + s.colInd[p];
      inCsr[flat] = 1;
      EXPECT_TRUE(sameBits(s.values[p], w[flat]));
      smallestKept = std::min(smallestKept, std::fabs(w[flat]));
    }
  }
  int64_t marked = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(split.mask[i], inCsr[i]);
    marked += inCsr[i];
    if (inCsr[i]) {
      EXPECT_TRUE(sameBits(split.remainder[i], 0.0f));
    } else {
      EXPECT_TRUE(sameBits(split.remainder[i], w[i]));
      EXPECT_LE(std::fabs(w[i]), smallestKept);
    }
  }
  EXPECT_EQ(marked, count);
}

TEST(Outliers, TiesGoToTheLowerIndex) {
  std::vector<float> w = {1.0f, -1.0f, 1.0f, 0.5f, -1.0f, 1.0f};
  EXPECT_EQ(selectOutliers(w, {}, 3), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(selectOutliers(w, {}, 0), std::vector<int64_t>{});
  EXPECT_EQ(selectOutliers(w, {}, 6), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Outliers, SensitivityScoreIsSensitivityTimesSquare) {
  std::vector<float> w = {4.0f, 1.0f, -2.0f, 0.5f};
  std::vector<float> s = {1.0f, 100.0f, 1.0f, 1000.0f};
  // Scores: 16, 100, 4, 250.
  EXPECT_EQ(selectOutliers(w, s, 2), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(selectOutliers(w, s, 3), (std::vector<int64_t>{0, 1, 3}));
  // Without sensitivity the magnitudes decide.
  EXPECT_EQ(selectOutliers(w, {}, 2), (std::vector<int64_t>{0, 2}));
}

TEST(Outliers, RtnDecompositionReconstructsOutliersExactly) {
  const int64_t rows = 8, cols = 64;
  std::vector<float> w = heavyTailed(rows * cols, 5);
  OutlierSplit split = extractOutliers(w, rows, cols, {}, 0.02);
  for (bool symmetric : {true, false}) {
    RtnResult q = quantizeRtn(split.remainder, rows, cols, 3, 16, symmetric);
    std::vector<float> dense = dequantizeRtn(q, rows, cols);
    std::vector<float> sparse = sparq::ref::csrToDense(split.outliers);
    for (size_t i = 0; i < w.size(); ++i) {
      if (!split.mask[i])
        continue;
      EXPECT_EQ(dense[i], 0.0f);
      EXPECT_TRUE(sameBits(dense[i] + sparse[i], w[i])) << i;
    }
  }
  // Taking the outliers out shrinks the dense part's error.
  auto error = [&](const std::vector<float> &m, const std::vector<float> &ref,
                   const std::vector<uint8_t> &skip) {
    double e = 0.0;
    for (size_t i = 0; i < m.size(); ++i)
      if (!skip[i])
        e += (m[i] - ref[i]) * (m[i] - ref[i]);
    return e;
  };
  std::vector<float> plain =
      dequantizeRtn(quantizeRtn(w, rows, cols, 3, 16, true), rows, cols);
  std::vector<float> split3 = dequantizeRtn(
      quantizeRtn(split.remainder, rows, cols, 3, 16, true), rows, cols);
  EXPECT_LT(error(split3, w, split.mask), 0.75 * error(plain, w, split.mask));
}

TEST(Outliers, CodebookDecompositionReconstructsOutliersExactly) {
  const int64_t rows = 16, cols = 64;
  std::vector<float> w = heavyTailed(rows * cols, 6);
  OutlierSplit split = extractOutliers(w, rows, cols, {}, 0.05);
  CodebookResult c =
      quantizeCodebookRemainder(split, rows, cols, 3, 30, /*sensitivity=*/{});
  std::vector<float> dense = dequantizeCodebook(c, rows, cols);
  std::vector<float> sparse = sparq::ref::csrToDense(split.outliers);
  int64_t outliers = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!split.mask[i]) {
      EXPECT_EQ(sparse[i], 0.0f);
      continue;
    }
    ++outliers;
    EXPECT_TRUE(sameBits(dense[i] + sparse[i], w[i])) << i;
  }
  EXPECT_EQ(outliers, 51);
  // The codebooks come from the other weights: the same as quantizing them
  // with the outliers excluded.
  CodebookResult direct =
      quantizeCodebook(w, rows, cols, 3, 30, {}, split.mask);
  EXPECT_EQ(c.codebooks, direct.codebooks);
}

TEST(Outliers, CodebookDecompositionFallsBackToAnExactZero) {
  // A weight none of whose row's codebook entries (-c, -c/3, c/3, c)
  // admits an exact correction (found by search): the row is redone with
  // an exact 0 in its codebook.
  const float w = 0x1.36004ep+3f, c = -0x1.5e538p-4f;
  EXPECT_FALSE(exactCorrection(w, c).has_value());
  EXPECT_FALSE(exactCorrection(w, -c).has_value());
  std::vector<float> row = {w, c, c, c, -c, -c, -c, c};
  OutlierSplit split = extractOutliers(row, 1, 8, {}, 0.125);
  ASSERT_EQ(split.outliers.values.size(), 1u);
  CodebookResult cb = quantizeCodebookRemainder(split, 1, 8, 2, 10, {});
  std::vector<float> dense = dequantizeCodebook(cb, 1, 8);
  EXPECT_EQ(dense[0], 0.0f);
  EXPECT_TRUE(sameBits(split.outliers.values[0], w));
  EXPECT_NE(std::find(cb.codebooks.begin(), cb.codebooks.end(), 0.0f),
            cb.codebooks.end());
}

TEST(Outliers, ExactCorrection) {
  EXPECT_EQ(exactCorrection(3.5f, 0.0f), 3.5f);
  std::mt19937 rng(1);
  std::normal_distribution<float> big(0.0f, 10.0f), small(0.0f, 0.1f);
  int found = 0;
  for (int i = 0; i < 10000; ++i) {
    float w = big(rng), d = small(rng);
    std::optional<float> s = exactCorrection(w, d);
    if (s) {
      EXPECT_EQ(d + *s, w);
      ++found;
    }
  }
  // The misses: w - dense rounds into a coarser binade, or dense sits
  // exactly half an ulp of w off w's grid and w's mantissa is odd.
  EXPECT_GT(found, 9500);
}

} // namespace
