//===- Rtn.cpp - Round-to-nearest weight quantization ---------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Algorithms/Rtn.h"

#include <cassert>

namespace sparq::quant {

RtnResult quantizeRtn(llvm::ArrayRef<float> w, int64_t rows, int64_t cols,
                      unsigned bits, int64_t groupSize, bool symmetric) {
  assert(bits >= 2 && bits <= 8 && "RTN supports 2 to 8 bits");
  assert(groupSize >= 0 && (groupSize == 0 || cols % groupSize == 0) &&
         "the group size must divide the row length");
  RtnResult r;
  r.bits = bits;
  r.symmetric = symmetric;
  r.groupSize = groupSize == 0 ? cols : groupSize;
  // The reference already guards all-zero groups (scale 1, zero point 0).
  r.params = ref::computeRTNParams(w, rows, cols, bits, symmetric, groupSize);
  r.codes =
      ref::quantize(w, rows, cols, r.params, bits, /*isSigned=*/symmetric);
  return r;
}

std::vector<float> dequantizeRtn(const RtnResult &r, int64_t rows,
                                 int64_t cols) {
  return ref::dequantize(r.codes, rows, cols, r.params);
}

} // namespace sparq::quant
