//===- Reshapes.h - reshapes that keep the channel dim ----------*- C++ -*-===//
//
// Part of the sparq project.
//
// Calibration, SmoothQuant and fusion look through the reshapes the ONNX
// importer puts around a matmul ([B, S, C] <-> [B*S, C]) to the tensor that
// carries the same channels. A reshape qualifies when it keeps the last
// dimension's elements in place. With static shapes the importer's
// reassociation is not always [[0, 1], [2]]: at S = 1 the canonical collapse
// of [1, 1, C] into [1, C] is [[0], [1, 2]], which keeps C all the same.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_RESHAPES_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_RESHAPES_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace sparq {

/// Whether `op`, a tensor.collapse_shape or tensor.expand_shape, keeps the
/// last dimension: its last reassociation group is that dimension of the
/// higher-rank side plus any number of static unit dimensions before it.
/// False for any other op.
inline bool keepsLastDim(mlir::Operation *op) {
  mlir::RankedTensorType expanded;
  llvm::SmallVector<mlir::ReassociationIndices> groups;
  if (auto collapse =
          llvm::dyn_cast_or_null<mlir::tensor::CollapseShapeOp>(op)) {
    expanded = collapse.getSrcType();
    groups = collapse.getReassociationIndices();
  } else if (auto expand =
                 llvm::dyn_cast_or_null<mlir::tensor::ExpandShapeOp>(op)) {
    expanded = expand.getResultType();
    groups = expand.getReassociationIndices();
  } else {
    return false;
  }
  if (groups.empty() || groups.back().empty())
    return false;
  const mlir::ReassociationIndices &last = groups.back();
  if (last.back() != expanded.getRank() - 1)
    return false;
  for (int64_t dim : llvm::ArrayRef<int64_t>(last).drop_back())
    if (expanded.getDimSize(dim) != 1)
      return false;
  return true;
}

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_RESHAPES_H
