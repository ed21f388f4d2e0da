//===- Kernels.cpp - Reference matmul kernels -----------------------------===//

#include "sparq/Reference/Kernels.h"

#include "sparq/Reference/Packing.h"

#include <cassert>
#include <limits>

namespace sparq::ref {

namespace {
/// Shared body of the float matmuls: each output element is accumulated in
/// double over k, then the bias, then the row's outliers, and rounded once.
std::vector<float> matmulWithExtras(llvm::ArrayRef<float> x, int64_t m,
                                    int64_t k, llvm::ArrayRef<float> w,
                                    int64_t n, llvm::ArrayRef<float> bias,
                                    const CsrMatrix *outliers) {
  assert(static_cast<int64_t>(x.size()) == m * k && "x is not [m, k]");
  assert(static_cast<int64_t>(w.size()) == n * k && "w is not [n, k]");
  assert((bias.empty() || static_cast<int64_t>(bias.size()) == n) &&
         "bias is not [n]");
  assert((!outliers || (outliers->rows == n && outliers->cols == k)) &&
         "outliers are not [n, k]");
  std::vector<float> y(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t kk = 0; kk < k; ++kk)
        acc += static_cast<double>(x[i * k + kk]) * w[j * k + kk];
      if (!bias.empty())
        acc += bias[j];
      if (outliers)
        for (int32_t p = outliers->rowPtr[j]; p < outliers->rowPtr[j + 1]; ++p)
          acc += static_cast<double>(outliers->values[p]) *
                 x[i * k + outliers->colInd[p]];
      y[i * n + j] = static_cast<float>(acc);
    }
  }
  return y;
}
} // namespace

CsrMatrix denseToCsr(llvm::ArrayRef<float> dense, int64_t rows, int64_t cols) {
  assert(static_cast<int64_t>(dense.size()) == rows * cols &&
         "value count does not match the shape");
  assert(rows * cols <= std::numeric_limits<int32_t>::max() &&
         "too many entries for int32 CSR indices");
  CsrMatrix s;
  s.rows = rows;
  s.cols = cols;
  s.rowPtr.push_back(0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      float v = dense[r * cols + c];
      if (v == 0.0f)
        continue;
      s.colInd.push_back(static_cast<int32_t>(c));
      s.values.push_back(v);
    }
    s.rowPtr.push_back(static_cast<int32_t>(s.values.size()));
  }
  return s;
}

std::vector<float> csrToDense(const CsrMatrix &s) {
  assert(static_cast<int64_t>(s.rowPtr.size()) == s.rows + 1 &&
         "rowPtr needs rows + 1 entries");
  std::vector<float> dense(s.rows * s.cols, 0.0f);
  for (int64_t r = 0; r < s.rows; ++r) {
    for (int32_t p = s.rowPtr[r]; p < s.rowPtr[r + 1]; ++p) {
      assert(s.colInd[p] >= 0 && s.colInd[p] < s.cols && "column out of range");
      dense[r * s.cols + s.colInd[p]] += s.values[p];
    }
  }
  return dense;
}

void csrMatmulAccumulate(llvm::ArrayRef<float> x, int64_t m, const CsrMatrix &s,
                         llvm::MutableArrayRef<float> y) {
  assert(static_cast<int64_t>(x.size()) == m * s.cols && "x is not [m, K]");
  assert(static_cast<int64_t>(y.size()) == m * s.rows && "y is not [m, N]");
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t n = 0; n < s.rows; ++n) {
      double acc = y[i * s.rows + n];
      for (int32_t p = s.rowPtr[n]; p < s.rowPtr[n + 1]; ++p)
        acc += static_cast<double>(s.values[p]) * x[i * s.cols + s.colInd[p]];
      y[i * s.rows + n] = static_cast<float>(acc);
    }
  }
}

std::vector<float> matmulNT(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                            llvm::ArrayRef<float> w, int64_t n,
                            llvm::ArrayRef<float> bias) {
  return matmulWithExtras(x, m, k, w, n, bias, /*outliers=*/nullptr);
}

std::vector<float> qmatmul(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                           llvm::ArrayRef<uint8_t> packedW, int64_t n,
                           unsigned bits, bool isSigned, const QuantParams &p,
                           llvm::ArrayRef<float> bias,
                           const CsrMatrix *outliers) {
  std::vector<float> w =
      dequantize(unpack(packedW, n, k, bits, isSigned), n, k, p);
  return matmulWithExtras(x, m, k, w, n, bias, outliers);
}

std::vector<float> lutMatmul(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                             llvm::ArrayRef<uint8_t> packedIndices, int64_t n,
                             unsigned bits, llvm::ArrayRef<float> codebooks,
                             llvm::ArrayRef<float> bias,
                             const CsrMatrix *outliers) {
  std::vector<float> w =
      lookupCodebook(unpack(packedIndices, n, k, bits, /*isSigned=*/false), n,
                     k, codebooks, bits);
  return matmulWithExtras(x, m, k, w, n, bias, outliers);
}

std::vector<int32_t> intMatmul(llvm::ArrayRef<int8_t> a, int64_t m, int64_t k,
                               llvm::ArrayRef<int8_t> b, int64_t n) {
  assert(static_cast<int64_t>(a.size()) == m * k && "a is not [m, k]");
  assert(static_cast<int64_t>(b.size()) == n * k && "b is not [n, k]");
  assert(k <= kMaxIntMatmulK && "k too large for an int32 accumulator");
  std::vector<int32_t> acc(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int64_t kk = 0; kk < k; ++kk)
        sum += int32_t(a[i * k + kk]) * int32_t(b[j * k + kk]);
      acc[i * n + j] = sum;
    }
  }
  return acc;
}

std::vector<float> rescale(llvm::ArrayRef<int32_t> acc, int64_t m, int64_t n,
                           llvm::ArrayRef<float> aScales,
                           llvm::ArrayRef<float> bScales,
                           llvm::ArrayRef<float> bias) {
  assert(static_cast<int64_t>(acc.size()) == m * n && "acc is not [m, n]");
  assert((aScales.size() == 1 || static_cast<int64_t>(aScales.size()) == m) &&
         "aScales must have 1 or m entries");
  assert((bScales.size() == 1 || static_cast<int64_t>(bScales.size()) == n) &&
         "bScales must have 1 or n entries");
  assert((bias.empty() || static_cast<int64_t>(bias.size()) == n) &&
         "bias is not [n]");
  std::vector<float> y(m * n);
  for (int64_t i = 0; i < m; ++i) {
    double aScale = aScales[aScales.size() == 1 ? 0 : i];
    for (int64_t j = 0; j < n; ++j) {
      double bScale = bScales[bScales.size() == 1 ? 0 : j];
      double v = acc[i * n + j] * aScale * bScale;
      if (!bias.empty())
        v += bias[j];
      y[i * n + j] = static_cast<float>(v);
    }
  }
  return y;
}

} // namespace sparq::ref
