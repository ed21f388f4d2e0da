//===- KernelsTest.cpp - Tests for reference matmul kernels ---------------===//

#include "sparq/Reference/Kernels.h"
#include "sparq/Reference/Packing.h"
#include "sparq/Reference/Quantization.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace sparq::ref;

namespace {

/// Tiny deterministic LCG (Numerical Recipes constants).
struct Lcg {
  uint32_t state;
  explicit Lcg(uint32_t seed) : state(seed) {}
  uint32_t next() { return state = state * 1664525u + 1013904223u; }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.0f;
  }
  int32_t range(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>((next() >> 8) % uint32_t(hi - lo + 1));
  }
};

std::vector<float> randomFloats(size_t size, uint32_t seed) {
  Lcg lcg(seed);
  std::vector<float> v(size);
  for (float &f : v)
    f = lcg.uniform(-1.0f, 1.0f);
  return v;
}

/// A sparse [rows, cols] matrix with about one entry in `every` nonzero.
std::vector<float> randomSparse(int64_t rows, int64_t cols, int every,
                                uint32_t seed) {
  Lcg lcg(seed);
  std::vector<float> v(rows * cols, 0.0f);
  for (float &f : v)
    if (lcg.range(0, every - 1) == 0)
      f = lcg.uniform(-8.0f, 8.0f);
  return v;
}

/// Plain y = x * w^T + bias in double, independent of the library.
std::vector<double> naiveMatmul(const std::vector<float> &x, int64_t m,
                                int64_t k, const std::vector<float> &w,
                                int64_t n, const std::vector<float> &bias) {
  std::vector<double> y(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t kk = 0; kk < k; ++kk)
        y[i * n + j] += double(x[i * k + kk]) * double(w[j * k + kk]);
      if (!bias.empty())
        y[i * n + j] += bias[j];
    }
  return y;
}

void expectNear(const std::vector<float> &actual,
                const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5 * (1.0 + std::fabs(expected[i])))
        << "index " << i;
}

TEST(KernelsTest, CsrRoundTrip) {
  // Row 1 is empty; -0.0f counts as zero.
  std::vector<float> dense = {0.0f, 2.0f,  0.0f, -3.0f, //
                              0.0f, -0.0f, 0.0f, 0.0f,  //
                              1.5f, 0.0f,  4.0f, 0.0f};
  CsrMatrix s = denseToCsr(dense, 3, 4);
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.cols, 4);
  EXPECT_EQ(s.rowPtr, (std::vector<int32_t>{0, 2, 2, 4}));
  EXPECT_EQ(s.colInd, (std::vector<int32_t>{1, 3, 0, 2}));
  EXPECT_EQ(s.values, (std::vector<float>{2.0f, -3.0f, 1.5f, 4.0f}));
  EXPECT_EQ(csrToDense(s), dense);

  std::vector<float> big = randomSparse(7, 19, 4, 11);
  EXPECT_EQ(csrToDense(denseToCsr(big, 7, 19)), big);
}

TEST(KernelsTest, CsrMatmulAccumulate) {
  const int64_t m = 3, k = 17, n = 5;
  std::vector<float> x = randomFloats(m * k, 1);
  std::vector<float> sDense = randomSparse(n, k, 3, 2);
  std::vector<float> y = randomFloats(m * n, 3);
  std::vector<double> expected = naiveMatmul(x, m, k, sDense, n, {});
  for (int64_t i = 0; i < m * n; ++i)
    expected[i] += y[i];
  csrMatmulAccumulate(x, m, denseToCsr(sDense, n, k), y);
  expectNear(y, expected);
}

TEST(KernelsTest, MatmulNT) {
  const int64_t m = 2, k = 3, n = 2;
  // Hand-computed: x = [[1,2,3],[4,5,6]], w = [[1,0,-1],[2,1,0]], b = [10,20].
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, w = {1, 0, -1, 2, 1, 0};
  EXPECT_EQ(matmulNT(x, m, k, w, n, {10.0f, 20.0f}),
            (std::vector<float>{8.0f, 24.0f, 8.0f, 33.0f}));
  EXPECT_EQ(matmulNT(x, m, k, w, n, {}),
            (std::vector<float>{-2.0f, 4.0f, -2.0f, 13.0f}));
}

TEST(KernelsTest, QMatmul) {
  const int64_t m = 3, k = 24, n = 5, group = 8;
  std::vector<float> x = randomFloats(m * k, 4);
  std::vector<float> w = randomFloats(n * k, 5);
  std::vector<float> bias = randomFloats(n, 6);
  for (unsigned bits : {3u, 4u}) {
    for (bool symmetric : {true, false}) {
      bool isSigned = symmetric;
      QuantParams p = computeRTNParams(w, n, k, bits, symmetric, group);
      std::vector<uint8_t> packed =
          pack(quantize(w, n, k, p, bits, isSigned), n, k, bits);

      // Dequantize straight from the packed bits with an inline loop.
      int64_t rowBytes = (k * bits + 7) / 8;
      std::vector<float> wInline(n * k);
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < k; ++c) {
          int32_t q = 0;
          for (unsigned i = 0; i < bits; ++i) {
            int64_t t = c * bits + i;
            q |= ((packed[r * rowBytes + t / 8] >> (t % 8)) & 1) << i;
          }
          if (isSigned && q >= (1 << (bits - 1)))
            q -= 1 << bits;
          int64_t g = r * (k / group) + c / group;
          wInline[r * k + c] = float(q - p.zeroPoints[g]) * p.scales[g];
        }
      std::vector<float> wDeq =
          dequantize(unpack(packed, n, k, bits, isSigned), n, k, p);
      ASSERT_EQ(wDeq, wInline);

      std::vector<float> y =
          qmatmul(x, m, k, packed, n, bits, isSigned, p, bias, nullptr);
      EXPECT_EQ(y, matmulNT(x, m, k, wDeq, n, bias));
      expectNear(y, naiveMatmul(x, m, k, wInline, n, bias));

      // Outliers add x * S^T on top.
      std::vector<float> sDense = randomSparse(n, k, 6, 7);
      CsrMatrix s = denseToCsr(sDense, n, k);
      std::vector<double> expected = naiveMatmul(x, m, k, wInline, n, bias);
      std::vector<double> extra = naiveMatmul(x, m, k, sDense, n, {});
      for (size_t i = 0; i < expected.size(); ++i)
        expected[i] += extra[i];
      expectNear(qmatmul(x, m, k, packed, n, bits, isSigned, p, bias, &s),
                 expected);
    }
  }
}

TEST(KernelsTest, LutMatmul) {
  const int64_t m = 2, k = 13, n = 4;
  const unsigned bits = 3;
  Lcg lcg(8);
  std::vector<int32_t> indices(n * k);
  for (int32_t &v : indices)
    v = lcg.range(0, 7);
  std::vector<float> codebooks = randomFloats(n * 8, 9);
  std::vector<float> x = randomFloats(m * k, 10);
  std::vector<float> bias = randomFloats(n, 11);
  std::vector<uint8_t> packed = pack(indices, n, k, bits);

  std::vector<float> w(n * k);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      w[r * k + c] = codebooks[r * 8 + indices[r * k + c]];
  expectNear(lutMatmul(x, m, k, packed, n, bits, codebooks, bias, nullptr),
             naiveMatmul(x, m, k, w, n, bias));

  std::vector<float> sDense = randomSparse(n, k, 5, 12);
  CsrMatrix s = denseToCsr(sDense, n, k);
  std::vector<double> expected = naiveMatmul(x, m, k, w, n, bias);
  std::vector<double> extra = naiveMatmul(x, m, k, sDense, n, {});
  for (size_t i = 0; i < expected.size(); ++i)
    expected[i] += extra[i];
  expectNear(lutMatmul(x, m, k, packed, n, bits, codebooks, bias, &s),
             expected);
}

TEST(KernelsTest, IntMatmulAndRescale) {
  const int64_t m = 3, k = 29, n = 4;
  Lcg lcg(13);
  std::vector<int8_t> a(m * k), b(n * k);
  for (int8_t &v : a)
    v = static_cast<int8_t>(lcg.range(-128, 127));
  for (int8_t &v : b)
    v = static_cast<int8_t>(lcg.range(-128, 127));
  std::vector<int32_t> acc = intMatmul(a, m, k, b, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t sum = 0;
      for (int64_t kk = 0; kk < k; ++kk)
        sum += int64_t(a[i * k + kk]) * int64_t(b[j * k + kk]);
      EXPECT_EQ(acc[i * n + j], sum);
    }

  std::vector<float> aScales = {0.5f, 0.25f, 0.125f};
  std::vector<float> bScales = {0.01f, 0.02f, 0.03f, 0.04f};
  std::vector<float> bias = {1.0f, -1.0f, 2.0f, -2.0f};
  std::vector<float> perToken = rescale(acc, m, n, aScales, bScales, bias);
  std::vector<float> perTensor = rescale(acc, m, n, {0.5f}, {0.01f}, {});
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double v = double(acc[i * n + j]) * aScales[i] * bScales[j] + bias[j];
      EXPECT_EQ(perToken[i * n + j], float(v));
      EXPECT_EQ(perTensor[i * n + j],
                float(double(acc[i * n + j]) * 0.5f * 0.01f));
    }
}

TEST(KernelsTest, IntMatmulExtremes) {
  // The largest k whose worst case still fits in int32.
  const int64_t k = kMaxIntMatmulK;
  std::vector<int8_t> minRow(k, -128), maxRow(k, 127);
  std::vector<int8_t> b;
  b.insert(b.end(), minRow.begin(), minRow.end());
  b.insert(b.end(), maxRow.begin(), maxRow.end());
  std::vector<int32_t> acc = intMatmul(minRow, 1, k, b, 2);
  EXPECT_EQ(acc[0], 16384 * k); // 2147467264.
  EXPECT_EQ(acc[1], -16256 * k);
  EXPECT_EQ(rescale(acc, 1, 2, {1.0f}, {1.0f}, {}),
            (std::vector<float>{float(16384.0 * k), float(-16256.0 * k)}));
}

} // namespace
