//===- WeightMatching.h - Finding matmuls with constant weights -*- C++ -*-===//
//
// Part of the sparq project.
//
// Weight quantization passes all start from the same place: a linalg.matmul
// whose right-hand side is a constant floating-point [K, N] matrix (what the
// ONNX importer makes of MatMul and Gemm with an initializer). These helpers
// find such matmuls, name their weights, read them one output channel per
// row, and put quantized replacements in their place.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTMATCHING_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTMATCHING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>
#include <vector>

namespace sparq {

/// `y[M, N] = x[M, K] * W[K, N] (+ init)` with `W` a constant.
struct ConstantWeightMatmul {
  mlir::linalg::MatmulOp matmul;
  mlir::arith::ConstantOp weight;
  /// The initializer's name for dense_resource weights (what users pass to
  /// `skip=` and name sensitivity files after), else `matmul_<index>` in
  /// module walk order.
  std::string name;
  int64_t k = 0;
  int64_t n = 0;

  mlir::Value getActivations() const;
  /// The weights as f32, transposed to [N, K] row-major: one row per output
  /// channel, the layout of every sparq weight operand.
  std::vector<float> readRows() const;
};

/// Discardable attribute naming the weight a rewritten constant holds, for
/// constants whose dense_resource key is not the weight's name any more.
constexpr llvm::StringLiteral kWeightNameAttr = "sparq.weight_name";

/// The weight name of `constant`: its `sparq.weight_name` attribute, else
/// its dense_resource key, else null.
mlir::StringAttr getWeightName(mlir::arith::ConstantOp constant);

/// Matches a plain (default indexing maps) linalg.matmul with ranked f32
/// operands whose right-hand side is an arith.constant of dense or
/// dense_resource elements.
std::optional<ConstantWeightMatmul>
matchConstantWeightMatmul(mlir::linalg::MatmulOp matmul);

/// Every such matmul in `module`, in walk order, named.
std::vector<ConstantWeightMatmul>
collectConstantWeightMatmuls(mlir::ModuleOp module);

/// Replaces `target.matmul` with `product` (`x * W`, shaped [M, N]). A
/// zero-filled init needs nothing more; any other init is added.
void replaceConstantWeightMatmul(mlir::RewriterBase &rewriter,
                                 const ConstantWeightMatmul &target,
                                 mlir::Value product);

/// True when `name` matches one of the glob `patterns`.
bool matchesAnyPattern(llvm::StringRef name,
                       llvm::ArrayRef<std::string> patterns);

/// An arith.constant of `type` holding `bytes` (row-major, the element
/// type's storage size each); large tensors become dense_resource blobs
/// named `resourceName` so the IR stays printable.
mlir::Value createConstantTensor(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::RankedTensorType type,
                                 llvm::ArrayRef<char> bytes,
                                 llvm::StringRef resourceName);

/// Same, from f32 values.
mlir::Value createF32Constant(mlir::OpBuilder &builder, mlir::Location loc,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<float> values,
                              llvm::StringRef resourceName);

/// The values of an f32 dense or dense_resource constant, row-major; empty
/// when they cannot be read.
std::vector<float> readF32Constant(mlir::arith::ConstantOp constant);

/// The elements of a dense or dense_resource constant of 8-bit integers
/// (packed sub-byte storage included), row-major; empty when unreadable.
std::vector<int8_t> readI8Constant(mlir::arith::ConstantOp constant);

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTMATCHING_H
