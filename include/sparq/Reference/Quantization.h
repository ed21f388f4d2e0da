//===- Quantization.h - Reference uniform quantization ----------*- C++ -*-===//
//
// Reference definition of block-wise uniform quantization and codebook lookup.
//
// Parameters for a [rows, cols] matrix form a row-major
// [paramRows, paramCols] matrix whose dims divide the matrix dims; element
// (r, c) uses parameter (r / rowBlock, c / colBlock) with
// rowBlock = rows / paramRows and colBlock = cols / paramCols. Per-tensor is
// [1, 1], per-output-channel is [rows, 1], group-wise with group size G along
// the last dim is [rows, cols / G].
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_REFERENCE_QUANTIZATION_H
#define SPARQ_REFERENCE_QUANTIZATION_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::ref {

/// Block-wise quantization parameters; see the file comment for the layout.
struct QuantParams {
  /// [paramRows, paramCols], row-major; every scale is positive.
  std::vector<float> scales;
  /// Same layout as `scales`; all zero for symmetric quantization.
  std::vector<int32_t> zeroPoints;
  int64_t paramRows = 0;
  int64_t paramCols = 0;
};

/// Smallest storable value: -2^(bits-1) if signed, 0 otherwise.
int32_t quantMin(unsigned bits, bool isSigned);
/// Largest storable value: 2^(bits-1) - 1 if signed, 2^bits - 1 otherwise.
int32_t quantMax(unsigned bits, bool isSigned);

/// Returns clamp(rne(x / scale) + zeroPoint, qmin, qmax), where x / scale is
/// a float division and rne rounds half to even (std::nearbyint under the
/// default rounding mode, as ONNX QuantizeLinear does). Infinite quotients
/// clamp to qmin / qmax. Requires a finite scale > 0 and x not NaN.
int32_t quantizeValue(float x, float scale, int32_t zeroPoint, int32_t qmin,
                      int32_t qmax);

/// Returns (q - zeroPoint) * scale, the subtraction exact in int32 and the
/// product rounded to float.
float dequantizeValue(int32_t q, float scale, int32_t zeroPoint);

/// Round-to-nearest (RTN) parameters for the row-major [rows, cols] matrix `w`
/// with [paramRows, paramCols] blocks (both must divide the matrix dims).
/// Per block, in float arithmetic:
///  - symmetric (signed storage): scale = absmax / (2^(bits-1) - 1),
///    zero point 0;
///  - asymmetric (unsigned storage): lo = min(blockMin, 0),
///    hi = max(blockMax, 0), scale = (hi - lo) / (2^bits - 1),
///    zeroPoint = clamp(rne(-lo / scale), 0, 2^bits - 1), so 0 is exactly
///    representable.
/// A block whose computed scale is zero (its range is zero, or so tiny that
/// the division underflows) gets scale 1 and zero point 0, so quantization
/// never divides by zero.
QuantParams computeRTNBlockParams(llvm::ArrayRef<float> w, int64_t rows,
                                  int64_t cols, unsigned bits, bool symmetric,
                                  int64_t paramRows, int64_t paramCols);

/// computeRTNBlockParams() with [rows, 1] blocks (per output channel) when
/// groupSize is 0, else [rows, cols / groupSize] blocks (groupSize must
/// divide cols). For per-tensor parameters use computeRTNBlockParams() with
/// [1, 1] blocks.
QuantParams computeRTNParams(llvm::ArrayRef<float> w, int64_t rows,
                             int64_t cols, unsigned bits, bool symmetric,
                             int64_t groupSize);

/// Quantizes the row-major [rows, cols] matrix `w` element-wise with
/// quantizeValue(), using each element's block parameters from `p` and the
/// storage range quantMin/quantMax(bits, isSigned).
std::vector<int32_t> quantize(llvm::ArrayRef<float> w, int64_t rows,
                              int64_t cols, const QuantParams &p, unsigned bits,
                              bool isSigned);

/// Dequantizes the row-major [rows, cols] matrix `q` element-wise with
/// dequantizeValue(), using each element's block parameters from `p`.
std::vector<float> dequantize(llvm::ArrayRef<int32_t> q, int64_t rows,
                              int64_t cols, const QuantParams &p);

/// Per-row codebook lookup: `codebooks` is a row-major [rows, 2^bits] table
/// and out[r][c] = codebooks[r][indices[r][c]]. Every index must lie in
/// [0, 2^bits).
std::vector<float> lookupCodebook(llvm::ArrayRef<int32_t> indices, int64_t rows,
                                  int64_t cols, llvm::ArrayRef<float> codebooks,
                                  unsigned bits);

} // namespace sparq::ref

#endif // SPARQ_REFERENCE_QUANTIZATION_H
