//===- KernelOperands.h - operands of generated kernel calls ----*- C++ -*-===//
//
// Part of the sparq project.
//
// What the CPU and GPU kernel-call conversions share: the strided memref
// type of a kernel argument and the buffers passed as such, the reshapes
// between an op's [..., C] tensors and the [rows, C] matrices kernels take,
// and typed reads of a kernel spec's dictionary attribute.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_CONVERSION_KERNELOPERANDS_H
#define SPARQ_CONVERSION_KERNELOPERANDS_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
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

/// Appends the buffer of `tensor` as a read-only kernel argument (of
/// kernelArgType) to `args` and its type to `types`.
inline void appendKernelArg(mlir::RewriterBase &rewriter, mlir::Location loc,
                            mlir::Value tensor,
                            llvm::SmallVectorImpl<mlir::Value> &args,
                            llvm::SmallVectorImpl<mlir::Type> &types) {
  auto tensorType = llvm::cast<mlir::RankedTensorType>(tensor.getType());
  mlir::MemRefType type =
      kernelArgType(tensorType.getShape(), tensorType.getElementType());
  args.push_back(mlir::bufferization::ToBufferOp::create(
      rewriter, loc, type, tensor, /*readOnly=*/true));
  types.push_back(type);
}

/// Whether `type` is a memref kernels can take for an argument of `shape`
/// (kDynamic matches any size) with elements `element` accepts: a unit
/// innermost stride.
inline bool isKernelArgOf(mlir::Type type, llvm::ArrayRef<int64_t> shape,
                          llvm::function_ref<bool(mlir::Type)> element) {
  auto memref = llvm::dyn_cast<mlir::MemRefType>(type);
  if (!memref || !element(memref.getElementType()) ||
      memref.getRank() != static_cast<int64_t>(shape.size()))
    return false;
  for (auto [size, want] : llvm::zip(memref.getShape(), shape))
    if (want != mlir::ShapedType::kDynamic && size != want)
      return false;
  llvm::SmallVector<int64_t> strides;
  int64_t offset;
  return mlir::succeeded(memref.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

/// Typed entries of a kernel spec's dictionary attribute: nullopt when a
/// key is absent or holds another kind of attribute.
class SpecAttrReader {
public:
  explicit SpecAttrReader(mlir::DictionaryAttr attr) : attr(attr) {}
  std::optional<int64_t> getInt(llvm::StringRef key) const {
    if (auto value = attr.getAs<mlir::IntegerAttr>(key))
      return value.getInt();
    return std::nullopt;
  }
  std::optional<bool> getBool(llvm::StringRef key) const {
    if (auto value = attr.getAs<mlir::BoolAttr>(key))
      return value.getValue();
    return std::nullopt;
  }
  std::optional<llvm::StringRef> getString(llvm::StringRef key) const {
    if (auto value = attr.getAs<mlir::StringAttr>(key))
      return value.getValue();
    return std::nullopt;
  }

private:
  mlir::DictionaryAttr attr;
};

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
