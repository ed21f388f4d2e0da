//===- LutMatmulKernels.h - CPU kernels for codebook matmuls ----*- C++ -*-===//
//
// Part of the sparq project.
//
// convert-sparq-to-cpu-kernels replaces the sparq.lut_matmul ops these
// kernels cover by calls of declarations carrying a `sparq.lut_kernel`
// attribute; generate-sparq-cpu-kernels gives them their bodies after
// bufferization, like the quantized matmul kernels of KernelSpec.h.
//
// Kernel arguments, in order (memrefs with a unit innermost stride):
//   x [M, K] f32, indices [N, K * bits / 8] i8, codebooks [N, 2^bits],
//   bias [N] (if any), row_ptr [N+1] i32, col_ind [nnz] i32,
//   values [nnz] (if outliers), y [M, N] f32 (written).
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_LUTMATMULKERNELS_H
#define SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_LUTMATMULKERNELS_H

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

namespace sparq::cpu_kernels {

constexpr llvm::StringLiteral kLutKernelAttrName = "sparq.lut_kernel";

struct LutKernelSpec {
  /// Codes one step of the kernel's inner loop unpacks: 12 bytes of 3-bit
  /// or 16 bytes of 4-bit indices, whole bytes for both widths.
  static constexpr int64_t kStepCodes = 32;

  int64_t m = 0, n = 0, k = 0;
  unsigned bits = 0;
  bool hasBias = false, hasOutliers = false;
  /// Width of the vector registers: 512 (AVX-512, vpermps on zmm) or 256
  /// (AVX2, vpermps on ymm).
  int64_t vectorBits = 512;
  /// Unpack with AVX-512 VBMI vpmultishiftqb (512-bit vectors only).
  bool vbmi = false;

  int64_t lanes() const { return vectorBits / 32; }
  int64_t entries() const { return int64_t(1) << bits; }
  int64_t stepBytes() const { return kStepCodes * bits / 8; }

  /// Symbol name; kernels of equal specs and types are shared.
  std::string name(mlir::TypeRange argTypes) const;
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  /// Reads the attribute of a kernel declaration; failure if malformed.
  static mlir::FailureOr<LutKernelSpec> fromAttr(mlir::DictionaryAttr attr);
  /// Whether `type` has the kernel's arguments (see above) and no results.
  bool matches(mlir::FunctionType type) const;
};

/// Why no kernel covers `op` with `vectorBits`-wide registers and at most
/// `maxRows` activation rows (empty if one does); fills `spec` as it goes.
/// `vbmi` says the target has AVX-512 VBMI.
std::string unsupportedLutReason(LutMatmulOp op, int64_t maxRows,
                                 int64_t vectorBits, bool vbmi,
                                 LutKernelSpec &spec);

/// Replaces `op` by a call of its kernel on the operands' buffers, declaring
/// the kernel in the module; leaves ops no kernel covers alone (for the
/// reference lowering).
void lowerLutMatmulToKernelCall(LutMatmulOp op, int64_t maxRows,
                                int64_t vectorBits, bool vbmi,
                                mlir::RewriterBase &rewriter);

/// Gives the declaration `func` of the kernel `spec` its body.
void buildLutKernelBody(mlir::OpBuilder &b, mlir::func::FuncOp func,
                        const LutKernelSpec &spec);

} // namespace sparq::cpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOCPUKERNELS_LUTMATMULKERNELS_H
