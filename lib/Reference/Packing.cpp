//===- Packing.cpp - Reference packed sub-byte storage --------------------===//
//
// Deliberately bit-by-bit: the loops spell out the bitstream definition in
// Packing.h rather than optimizing for particular bit widths.
//
//===----------------------------------------------------------------------===//

#include "sparq/Reference/Packing.h"

#include <cassert>

namespace sparq::ref {

int64_t packedRowBytes(int64_t numElements, unsigned bits) {
  assert(numElements >= 0 && "negative element count");
  assert(bits >= 2 && bits <= 8 && "unsupported bit width");
  return (numElements * static_cast<int64_t>(bits) + 7) / 8;
}

void packRow(llvm::ArrayRef<int32_t> values, unsigned bits,
             llvm::MutableArrayRef<uint8_t> out) {
  assert(static_cast<int64_t>(out.size()) ==
             packedRowBytes(values.size(), bits) &&
         "output size does not match the packed row size");
  // Zero first so padding bits are zero and we only need to set 1-bits.
  for (uint8_t &byte : out)
    byte = 0;
  for (size_t j = 0; j < values.size(); ++j) {
    // Reinterpreting as unsigned keeps the low bits of the two's complement
    // representation, which is exactly the b-bit two's complement encoding.
    uint32_t value = static_cast<uint32_t>(values[j]);
    for (unsigned i = 0; i < bits; ++i) {
      if (!((value >> i) & 1u))
        continue;
      size_t t = j * bits + i;
      out[t / 8] |= static_cast<uint8_t>(1u << (t % 8));
    }
  }
}

void unpackRow(llvm::ArrayRef<uint8_t> bytes, unsigned bits, bool isSigned,
               llvm::MutableArrayRef<int32_t> out) {
  assert(static_cast<int64_t>(bytes.size()) ==
             packedRowBytes(out.size(), bits) &&
         "input size does not match the packed row size");
  for (size_t j = 0; j < out.size(); ++j) {
    int32_t value = 0;
    for (unsigned i = 0; i < bits; ++i) {
      size_t t = j * bits + i;
      if ((bytes[t / 8] >> (t % 8)) & 1u)
        value |= 1 << i;
    }
    // A set top bit means the b-bit two's complement value is negative.
    if (isSigned && ((value >> (bits - 1)) & 1))
      value -= 1 << bits;
    out[j] = value;
  }
}

std::vector<uint8_t> pack(llvm::ArrayRef<int32_t> values, int64_t rows,
                          int64_t cols, unsigned bits) {
  assert(rows >= 0 && cols >= 0 && "negative shape");
  assert(static_cast<int64_t>(values.size()) == rows * cols &&
         "value count does not match the shape");
  int64_t rowBytes = packedRowBytes(cols, bits);
  std::vector<uint8_t> bytes(rows * rowBytes);
  llvm::MutableArrayRef<uint8_t> all(bytes);
  for (int64_t r = 0; r < rows; ++r)
    packRow(values.slice(r * cols, cols), bits,
            all.slice(r * rowBytes, rowBytes));
  return bytes;
}

std::vector<int32_t> unpack(llvm::ArrayRef<uint8_t> bytes, int64_t rows,
                            int64_t cols, unsigned bits, bool isSigned) {
  assert(rows >= 0 && cols >= 0 && "negative shape");
  int64_t rowBytes = packedRowBytes(cols, bits);
  assert(static_cast<int64_t>(bytes.size()) == rows * rowBytes &&
         "byte count does not match the packed shape");
  std::vector<int32_t> values(rows * cols);
  llvm::MutableArrayRef<int32_t> all(values);
  for (int64_t r = 0; r < rows; ++r)
    unpackRow(bytes.slice(r * rowBytes, rowBytes), bits, isSigned,
              all.slice(r * cols, cols));
  return values;
}

} // namespace sparq::ref
