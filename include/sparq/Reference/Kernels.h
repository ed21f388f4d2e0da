//===- Kernels.h - Reference matmul kernels ---------------------*- C++ -*-===//
//
// Reference definitions of sparq's matmul ops. Weights are stored output-
// channel major: W is [N, K] (like a PyTorch Linear weight) and every float
// matmul computes y[m][n] = sum_k x[m][k] * W[n][k] (+ bias[n]) with x a
// row-major [M, K] and y a row-major [M, N] matrix. Float kernels accumulate
// each output element in double (k ascending, then bias, then sparse
// outliers) and round to float once.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_REFERENCE_KERNELS_H
#define SPARQ_REFERENCE_KERNELS_H

#include "sparq/Reference/Quantization.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::ref {

/// Compressed sparse row matrix. The nonzeros of row r are
/// values[p] at column colInd[p] for p in [rowPtr[r], rowPtr[r + 1]).
struct CsrMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<int32_t> rowPtr; // rows + 1 entries, rowPtr[0] == 0.
  std::vector<int32_t> colInd;
  std::vector<float> values;
};

/// Converts a row-major [rows, cols] matrix to CSR, keeping exactly the
/// entries that compare unequal to 0.0f (so -0.0f is dropped), with column
/// indices ascending within each row.
CsrMatrix denseToCsr(llvm::ArrayRef<float> dense, int64_t rows, int64_t cols);

/// Expands `s` to a row-major [s.rows, s.cols] matrix; absent entries are 0.
/// A (non-canonical) duplicate column within a row is summed.
std::vector<float> csrToDense(const CsrMatrix &s);

/// For the [N, K] sparse matrix `s` and x a row-major [m, K] matrix, updates
/// the row-major [m, N] matrix y in place:
///   y[i][n] = float(y[i][n] + sum_{p in [rowPtr[n], rowPtr[n+1])}
///                   values[p] * x[i][colInd[p]])
/// with the sum accumulated in double.
void csrMatmulAccumulate(llvm::ArrayRef<float> x, int64_t m, const CsrMatrix &s,
                         llvm::MutableArrayRef<float> y);

/// Dense float reference: y[i][j] = sum_k x[i][k] * w[j][k] + bias[j] for the
/// [m, k] x and [n, k] w. `bias` is empty or has n entries.
std::vector<float> matmulNT(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                            llvm::ArrayRef<float> w, int64_t n,
                            llvm::ArrayRef<float> bias);

/// Weight-quantized matmul: y = x * Wd^T + bias + x * S^T where
/// Wd = dequantize(unpack(packedW, n, k, bits, isSigned), n, k, p) and S is
/// the optional [n, k] sparse `outliers` matrix (null means none). With no
/// outliers this equals matmulNT(x, m, k, Wd, n, bias) exactly.
std::vector<float> qmatmul(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                           llvm::ArrayRef<uint8_t> packedW, int64_t n,
                           unsigned bits, bool isSigned, const QuantParams &p,
                           llvm::ArrayRef<float> bias,
                           const CsrMatrix *outliers);

/// Codebook matmul: as qmatmul(), with
/// Wd = lookupCodebook(unpack(packedIndices, n, k, bits, /*isSigned=*/false),
///                     n, k, codebooks, bits)
/// and `codebooks` a row-major [n, 2^bits] table (one codebook per output
/// channel).
std::vector<float> lutMatmul(llvm::ArrayRef<float> x, int64_t m, int64_t k,
                             llvm::ArrayRef<uint8_t> packedIndices, int64_t n,
                             unsigned bits, llvm::ArrayRef<float> codebooks,
                             llvm::ArrayRef<float> bias,
                             const CsrMatrix *outliers);

/// The largest k for which intMatmul's int32 accumulator cannot overflow for
/// any int8 inputs: 128 * 128 * k <= 2^31 - 1.
constexpr int64_t kMaxIntMatmulK = 131071;

/// Integer matmul: acc[i][j] = sum_k a[i][k] * b[j][k] for the int8 [m, k] a
/// and [n, k] b, exact in int32. Requires k <= kMaxIntMatmulK.
std::vector<int32_t> intMatmul(llvm::ArrayRef<int8_t> a, int64_t m, int64_t k,
                               llvm::ArrayRef<int8_t> b, int64_t n);

/// Rescales the [m, n] int32 accumulator to float:
///   y[i][j] = float(acc[i][j] * aScale_i * bScale_j + bias[j])
/// evaluated in double, left to right. `aScales` has 1 (per-tensor) or m
/// (per-token) entries, `bScales` 1 (per-tensor) or n (per-channel) entries,
/// `bias` 0 or n entries.
std::vector<float> rescale(llvm::ArrayRef<int32_t> acc, int64_t m, int64_t n,
                           llvm::ArrayRef<float> aScales,
                           llvm::ArrayRef<float> bScales,
                           llvm::ArrayRef<float> bias);

} // namespace sparq::ref

#endif // SPARQ_REFERENCE_KERNELS_H
