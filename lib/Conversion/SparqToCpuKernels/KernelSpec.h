//===- KernelSpec.h - What a generated CPU kernel computes ------*- C++ -*-===//
//
// Part of the sparq project.
//
// convert-sparq-to-cpu-kernels replaces quantized matmuls by calls of
// kernel declarations carrying a `sparq.kernel` attribute;
// generate-sparq-cpu-kernels gives those declarations their bodies after
// bufferization (whose deallocation analysis cannot see through the LLVM
// intrinsics the bodies use). This header is what the two passes share.
//
// Kernel arguments, in order (memrefs with a unit innermost stride):
//   x [M, K] f32, weights [N, packed K] i8, scales [N, K/G],
//   zero points [N, K/G] i8 (if any), bias [N] (if any),
//   row_ptr [N+1] i32, col_ind [nnz] i32, values [nnz] (if outliers),
//   residual [M, N'] f32 (if any), y [M, N'] f32 (written),
// where N' = N, or N / 2 for gated kernels (gate rows, then up rows).
// The epilogue (activation, then the residual add) runs over the finished
// outputs while they are in cache; a gated kernel computes the gate and up
// sums of each output together and applies it in registers before the
// store, so the [M, N] pre-activation matrix is never written.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELSPEC_H
#define SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELSPEC_H

#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <string>

namespace sparq::cpu_kernels {

constexpr llvm::StringLiteral kKernelAttrName = "sparq.kernel";

struct KernelSpec {
  int64_t m = 0, n = 0, k = 0, groupSize = 0;
  unsigned bits = 0;
  bool isSigned = false;
  bool hasZeroPoints = false, hasBias = false, hasOutliers = false;
  /// Epilogue: y = activation(acc + bias + outliers) + residual.
  Activation activation = Activation::none;
  bool hasResidual = false;
  /// y[., j] = activation(z[., j]) * z[., n/2 + j] + residual (see
  /// sparq.qmatmul's `gated`).
  bool gated = false;
  /// Quantize activations to int8 for VNNI dot products (approximate, fast),
  /// or keep them f32 and dequantize weights in registers (exact).
  bool int8Activations = true;

  /// Elements one dot-product step covers: for 4 bits a pair of vpdpbusd
  /// (low and high nibbles), for 8 bits one.
  int64_t blockElements() const {
    return std::min<int64_t>(bits == 4 ? 128 : 64, groupSize);
  }
  /// Bytes of int8 activations per vpdpbusd: 16, 32 or 64.
  int64_t dotBytes() const {
    return bits == 4 ? blockElements() / 2 : blockElements();
  }
  int64_t numGroups() const { return k / groupSize; }
  /// Columns of y: N, or N / 2 when gated.
  int64_t outputColumns() const { return gated ? n / 2 : n; }

  /// Symbol name; kernels of equal specs and types are shared.
  std::string name(mlir::TypeRange argTypes) const;
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  /// Reads the attribute of a kernel declaration; failure if malformed.
  static mlir::FailureOr<KernelSpec> fromAttr(mlir::DictionaryAttr attr);
};

} // namespace sparq::cpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_KERNELSPEC_H
