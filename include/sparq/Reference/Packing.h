//===- Packing.h - Reference packed sub-byte storage ------------*- C++ -*-===//
//
// Reference definition of how sparq stores tensors of b-bit integers
// (2 <= b <= 8) in bytes.
//
// A tensor of logical shape [..., K] is stored row by row, a row being a slice
// along the last dimension. Each row takes packedRowBytes(K, b) = ceil(K*b/8)
// bytes, so rows always start on a byte boundary. Within a row, element j
// occupies bits [j*b, j*b + b) of the row's little-endian bitstream, where bit
// t of the bitstream is bit (t mod 8) (bit 0 = least significant) of byte
// floor(t/8). Unused high bits of a row's last byte are zero. Signed elements
// are stored as b-bit two's complement.
//
// Consequences: for b = 4 the low nibble holds the even element (the ONNX
// int4 layout), and every 8 consecutive elements starting at a multiple of 8
// occupy exactly b whole bytes.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_REFERENCE_PACKING_H
#define SPARQ_REFERENCE_PACKING_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace sparq::ref {

/// Returns the number of bytes one packed row of `numElements` elements of
/// `bits` bits takes: ceil(numElements * bits / 8).
int64_t packedRowBytes(int64_t numElements, unsigned bits);

/// Packs one row. Writes exactly `out.size()` bytes, which must equal
/// packedRowBytes(values.size(), bits); the padding bits are set to zero.
/// Only the low `bits` bits of each value are stored, so both signed values in
/// [-2^(bits-1), 2^(bits-1) - 1] and unsigned values in [0, 2^bits - 1] work.
void packRow(llvm::ArrayRef<int32_t> values, unsigned bits,
             llvm::MutableArrayRef<uint8_t> out);

/// Unpacks one row of `out.size()` elements from `bytes`, whose size must be
/// packedRowBytes(out.size(), bits). When `isSigned`, each element is
/// sign-extended from `bits` bits; otherwise it is zero-extended. Padding bits
/// are ignored.
void unpackRow(llvm::ArrayRef<uint8_t> bytes, unsigned bits, bool isSigned,
               llvm::MutableArrayRef<int32_t> out);

/// Packs a row-major [rows, cols] matrix (leading dimensions of a higher-rank
/// tensor flatten into `rows`). Row r occupies bytes
/// [r * packedRowBytes(cols, bits), (r + 1) * packedRowBytes(cols, bits)).
std::vector<uint8_t> pack(llvm::ArrayRef<int32_t> values, int64_t rows,
                          int64_t cols, unsigned bits);

/// Inverse of pack(): unpacks a [rows, cols] matrix into row-major int32
/// values, sign-extending when `isSigned`.
std::vector<int32_t> unpack(llvm::ArrayRef<uint8_t> bytes, int64_t rows,
                            int64_t cols, unsigned bits, bool isSigned);

} // namespace sparq::ref

#endif // SPARQ_REFERENCE_PACKING_H
