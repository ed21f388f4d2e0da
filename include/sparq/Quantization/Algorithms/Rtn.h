//===- Rtn.h - Round-to-nearest weight quantization -------------*- C++ -*-===//
//
// Part of the sparq project.
//
// Round-to-nearest (RTN) quantization of a row-major [N, K] weight matrix,
// one row per output channel, with one scale (and zero point) per group of G
// consecutive weights of a row. The parameters and rounding are those of
// sparq's reference numerics (sparq/Reference/Quantization.h), so what the
// passes store is exactly what the reference kernels dequantize.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_ALGORITHMS_RTN_H
#define SPARQ_QUANTIZATION_ALGORITHMS_RTN_H

#include "sparq/Reference/Quantization.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::quant {

struct RtnResult {
  /// [N, K] row-major codes in [qmin, qmax] of the storage type: signed
  /// `bits`-bit integers when symmetric, unsigned otherwise.
  std::vector<int32_t> codes;
  /// Scales and zero points, [N, K / G] row-major (all zero points are 0 when
  /// symmetric).
  ref::QuantParams params;
  unsigned bits = 0;
  bool symmetric = true;
  int64_t groupSize = 0; // effective: K for per-channel quantization
};

/// Quantizes the finite row-major [rows, cols] matrix `w` with `bits` bits
/// (2 to 8) in groups of `groupSize` weights along a row (0: the whole row;
/// otherwise it must divide `cols`):
///  - symmetric: signed storage, scale = absmax / (2^(bits-1) - 1), no zero
///    point;
///  - asymmetric: unsigned storage, scale = (hi - lo) / (2^bits - 1) with
///    lo = min(min, 0) and hi = max(max, 0), zero point round(-lo / scale),
///    so that 0 is exactly representable.
/// A group whose scale would be 0 (all zeros, or a range so small that the
/// division underflows) gets scale 1 and zero point 0: its weights quantize to
/// 0 exactly and nothing divides by 0.
///
/// Because the range always includes 0, zeroed entries never widen a group's
/// range: quantizing a matrix with some entries replaced by 0 gives the
/// parameters of the remaining entries, and those zeros dequantize to exactly
/// 0 (the dense-and-sparse decomposition relies on both).
RtnResult quantizeRtn(llvm::ArrayRef<float> w, int64_t rows, int64_t cols,
                      unsigned bits, int64_t groupSize, bool symmetric);

/// The [rows, cols] float matrix `r` stands for.
std::vector<float> dequantizeRtn(const RtnResult &r, int64_t rows,
                                 int64_t cols);

} // namespace sparq::quant

#endif // SPARQ_QUANTIZATION_ALGORITHMS_RTN_H
