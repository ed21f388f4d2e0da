//===- Int8MatmulKernels.h - CPU kernels for W8A8 matmuls -------*- C++ -*-===//
//
// Part of the sparq project.
//
// convert-sparq-to-cpu-kernels (with int8-matmuls) replaces the
// sparq.int_matmul ops these kernels cover by calls of declarations carrying
// a `sparq.int8_kernel` attribute; generate-sparq-cpu-kernels gives them
// their bodies after bufferization, like the other CPU kernels.
//
// Kernel arguments, in order (memrefs with a unit innermost stride):
//   x [M, K] i8, weights [N, K] i8,
//   input scales [M or 1, 1] and weight scales [N or 1, 1] (any float
//   type; if rescaled), bias [N] (if any),
//   y [M, N] (written): i32 without scales, else the op's float type.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_INT8MATMULKERNELS_H
#define SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_INT8MATMULKERNELS_H

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

namespace sparq::cpu_kernels {

constexpr llvm::StringLiteral kInt8KernelAttrName = "sparq.int8_kernel";

struct Int8KernelSpec {
  int64_t m = 0, n = 0, k = 0;
  /// acc * input_scale * weight_scale (+ bias) in f32, rounded to y's
  /// type; otherwise y is the exact i32 acc.
  bool rescaled = false;
  /// One input scale per row (per token) / weight scale per output row
  /// (per channel), else one scale.
  bool perTokenScales = false, perChannelScales = false;
  bool hasBias = false;

  /// Bytes of K per vpdpbusd: 64 (zmm), or 32 / 16 (ymm / xmm) when they
  /// divide K and 64 does not.
  int64_t blockBytes() const {
    return k % 64 == 0 ? 64 : k % 32 == 0 ? 32 : 16;
  }

  /// Symbol name; kernels of equal specs and types are shared.
  std::string name(mlir::TypeRange argTypes) const;
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  /// Reads the attribute of a kernel declaration; failure if malformed.
  static mlir::FailureOr<Int8KernelSpec> fromAttr(mlir::DictionaryAttr attr);
  /// Whether `type` has the kernel's arguments (see above) and no results.
  bool matches(mlir::FunctionType type) const;
};

/// Why no kernel covers `op` with at most `maxRows` activation rows (empty
/// if one does); fills `spec` as it goes.
std::string unsupportedInt8Reason(IntMatmulOp op, int64_t maxRows,
                                  Int8KernelSpec &spec);

/// Replaces `op` by a call of its kernel on the operands' buffers, declaring
/// the kernel in the module; leaves ops no kernel covers alone (for the
/// reference lowering).
void lowerInt8MatmulToKernelCall(IntMatmulOp op, int64_t maxRows,
                                 mlir::RewriterBase &rewriter);

/// Gives the declaration `func` of the kernel `spec` its body.
void buildInt8KernelBody(mlir::OpBuilder &b, mlir::func::FuncOp func,
                         const Int8KernelSpec &spec);

} // namespace sparq::cpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_INT8MATMULKERNELS_H
