//===- Quantization.cpp - Reference uniform quantization ------------------===//

#include "sparq/Reference/Quantization.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sparq::ref {

namespace {
/// Index into a parameter matrix of the block holding element (r, c).
int64_t paramIndex(const QuantParams &p, int64_t rows, int64_t cols, int64_t r,
                   int64_t c) {
  int64_t rowBlock = rows / p.paramRows;
  int64_t colBlock = cols / p.paramCols;
  return (r / rowBlock) * p.paramCols + c / colBlock;
}

void assertParamsFit(const QuantParams &p, int64_t rows, int64_t cols) {
  (void)p, (void)rows, (void)cols;
  assert(p.paramRows > 0 && p.paramCols > 0 && "empty parameter matrix");
  assert(rows % p.paramRows == 0 && cols % p.paramCols == 0 &&
         "parameter blocks do not tile the matrix");
  assert(static_cast<int64_t>(p.scales.size()) == p.paramRows * p.paramCols &&
         static_cast<int64_t>(p.zeroPoints.size()) ==
             p.paramRows * p.paramCols &&
         "parameter vectors do not match the parameter shape");
}
} // namespace

int32_t quantMin(unsigned bits, bool isSigned) {
  assert(bits >= 2 && bits <= 8 && "unsupported bit width");
  return isSigned ? -(1 << (bits - 1)) : 0;
}

int32_t quantMax(unsigned bits, bool isSigned) {
  assert(bits >= 2 && bits <= 8 && "unsupported bit width");
  return isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
}

int32_t quantizeValue(float x, float scale, int32_t zeroPoint, int32_t qmin,
                      int32_t qmax) {
  assert(scale > 0 && std::isfinite(scale) && "scale must be positive");
  assert(!std::isnan(x) && "cannot quantize NaN");
  assert(qmin <= qmax && "empty storage range");
  // Round before adding the zero point (as ONNX does), and clamp in double so
  // that huge or infinite quotients never reach an out-of-range int cast.
  double shifted = static_cast<double>(std::nearbyint(x / scale)) + zeroPoint;
  return static_cast<int32_t>(std::clamp<double>(shifted, qmin, qmax));
}

float dequantizeValue(int32_t q, float scale, int32_t zeroPoint) {
  return static_cast<float>(q - zeroPoint) * scale;
}

QuantParams computeRTNBlockParams(llvm::ArrayRef<float> w, int64_t rows,
                                  int64_t cols, unsigned bits, bool symmetric,
                                  int64_t paramRows, int64_t paramCols) {
  assert(static_cast<int64_t>(w.size()) == rows * cols &&
         "value count does not match the shape");
  QuantParams p;
  p.paramRows = paramRows;
  p.paramCols = paramCols;
  p.scales.assign(paramRows * paramCols, 0.0f);
  p.zeroPoints.assign(paramRows * paramCols, 0);
  assertParamsFit(p, rows, cols);

  // Start at 0 so that lo <= 0 <= hi, as the asymmetric scheme requires.
  std::vector<float> lo(p.scales.size(), 0.0f), hi(p.scales.size(), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      int64_t i = paramIndex(p, rows, cols, r, c);
      lo[i] = std::min(lo[i], w[r * cols + c]);
      hi[i] = std::max(hi[i], w[r * cols + c]);
    }
  }

  for (size_t i = 0; i < p.scales.size(); ++i) {
    if (symmetric) {
      float absMax = std::max(-lo[i], hi[i]);
      p.scales[i] = absMax / static_cast<float>(quantMax(bits, true));
    } else {
      int32_t qmax = quantMax(bits, false);
      p.scales[i] = (hi[i] - lo[i]) / static_cast<float>(qmax);
      if (p.scales[i] != 0.0f)
        p.zeroPoints[i] =
            quantizeValue(-lo[i], p.scales[i], /*zeroPoint=*/0, 0, qmax);
    }
    if (p.scales[i] == 0.0f) {
      p.scales[i] = 1.0f;
      p.zeroPoints[i] = 0;
    }
  }
  return p;
}

QuantParams computeRTNParams(llvm::ArrayRef<float> w, int64_t rows,
                             int64_t cols, unsigned bits, bool symmetric,
                             int64_t groupSize) {
  assert(groupSize >= 0 && "negative group size");
  if (groupSize == 0)
    return computeRTNBlockParams(w, rows, cols, bits, symmetric, rows, 1);
  assert(cols % groupSize == 0 && "group size must divide the column count");
  return computeRTNBlockParams(w, rows, cols, bits, symmetric, rows,
                               cols / groupSize);
}

std::vector<int32_t> quantize(llvm::ArrayRef<float> w, int64_t rows,
                              int64_t cols, const QuantParams &p, unsigned bits,
                              bool isSigned) {
  assert(static_cast<int64_t>(w.size()) == rows * cols &&
         "value count does not match the shape");
  assertParamsFit(p, rows, cols);
  int32_t qmin = quantMin(bits, isSigned), qmax = quantMax(bits, isSigned);
  std::vector<int32_t> q(w.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      int64_t i = paramIndex(p, rows, cols, r, c);
      q[r * cols + c] = quantizeValue(w[r * cols + c], p.scales[i],
                                      p.zeroPoints[i], qmin, qmax);
    }
  }
  return q;
}

std::vector<float> dequantize(llvm::ArrayRef<int32_t> q, int64_t rows,
                              int64_t cols, const QuantParams &p) {
  assert(static_cast<int64_t>(q.size()) == rows * cols &&
         "value count does not match the shape");
  assertParamsFit(p, rows, cols);
  std::vector<float> w(q.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      int64_t i = paramIndex(p, rows, cols, r, c);
      w[r * cols + c] =
          dequantizeValue(q[r * cols + c], p.scales[i], p.zeroPoints[i]);
    }
  }
  return w;
}

std::vector<float> lookupCodebook(llvm::ArrayRef<int32_t> indices, int64_t rows,
                                  int64_t cols, llvm::ArrayRef<float> codebooks,
                                  unsigned bits) {
  assert(bits >= 2 && bits <= 8 && "unsupported bit width");
  int64_t entries = int64_t(1) << bits;
  assert(static_cast<int64_t>(indices.size()) == rows * cols &&
         "index count does not match the shape");
  assert(static_cast<int64_t>(codebooks.size()) == rows * entries &&
         "codebook table is not [rows, 2^bits]");
  std::vector<float> out(indices.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      int32_t index = indices[r * cols + c];
      assert(index >= 0 && index < entries && "codebook index out of range");
      out[r * cols + c] = codebooks[r * entries + index];
    }
  }
  return out;
}

} // namespace sparq::ref
