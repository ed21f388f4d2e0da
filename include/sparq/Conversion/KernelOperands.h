//===- KernelOperands.h - operands of generated kernel calls ----*- C++ -*-===//
//
// Part of the sparq project.
//
// What the CPU and GPU kernel-call conversions share: the strided memref
// type of a kernel argument, and the reshapes between an op's [..., C]
// tensors and the [rows, C] matrices kernels take.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_CONVERSION_KERNELOPERANDS_H
#define SPARQ_CONVERSION_KERNELOPERANDS_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace sparq {

/// A memref type for a kernel argument: any offset and row stride, unit
/// innermost stride, so every buffer of the tensor casts to it.
inline mlir::MemRefType kernelArgType(llvm::ArrayRef<int64_t> shape,
                                      mlir::Type element) {
  llvm::SmallVector<int64_t> strides(shape.size(), mlir::ShapedType::kDynamic);
  strides.back() = 1;
  return mlir::MemRefType::get(
      shape, element,
      mlir::StridedLayoutAttr::get(element.getContext(),
                                   mlir::ShapedType::kDynamic, strides));
}

/// [d0, ..., d{rank-2}] grouped into the first of two dims, d{rank-1} the
/// second.
inline llvm::SmallVector<mlir::ReassociationIndices>
leadingDimsTogether(int64_t rank) {
  llvm::SmallVector<mlir::ReassociationIndices> groups(2);
  for (int64_t d = 0; d + 1 < rank; ++d)
    groups[0].push_back(d);
  groups[1].push_back(rank - 1);
  return groups;
}

/// `tensor` ([..., C]) as [rows, C]: leading dims collapsed, or a unit row
/// added to a vector.
inline mlir::Value flattenToRows(mlir::RewriterBase &rewriter,
                                 mlir::Location loc, mlir::Value tensor,
                                 int64_t rows) {
  auto type = llvm::cast<mlir::RankedTensorType>(tensor.getType());
  if (type.getRank() == 2)
    return tensor;
  auto flatType = mlir::RankedTensorType::get({rows, type.getShape().back()},
                                              type.getElementType());
  if (type.getRank() == 1)
    return mlir::tensor::ExpandShapeOp::create(
        rewriter, loc, flatType, tensor,
        llvm::SmallVector<mlir::ReassociationIndices>{{0, 1}});
  return mlir::tensor::CollapseShapeOp::create(
      rewriter, loc, flatType, tensor, leadingDimsTogether(type.getRank()));
}

/// The [rows, C] `matrix` (a kernel's result) reshaped to `type`.
inline mlir::Value unflattenRows(mlir::RewriterBase &rewriter,
                                 mlir::Location loc, mlir::Value matrix,
                                 mlir::RankedTensorType type) {
  if (type.getRank() == 1)
    return mlir::tensor::CollapseShapeOp::create(
        rewriter, loc, type, matrix,
        llvm::SmallVector<mlir::ReassociationIndices>{{0, 1}});
  if (type.getRank() == 2)
    return matrix;
  return mlir::tensor::ExpandShapeOp::create(
      rewriter, loc, type, matrix, leadingDimsTogether(type.getRank()));
}

} // namespace sparq

#endif // SPARQ_CONVERSION_KERNELOPERANDS_H
