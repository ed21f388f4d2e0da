//===- GenericMatchers.h - reading the ONNX importer's linalg ---*- C++ -*-===//
//
// Part of the sparq project.
//
// Helpers shared by the fusion families that recognize what the ONNX
// importer writes for an operator (one linalg.generic per elementwise op, a
// linalg.reduce behind an expand_shape for reductions): softmax, RMSNorm.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_GENERICMATCHERS_H
#define SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_GENERICMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <optional>

namespace sparq::generic_matchers {
using namespace mlir;

inline bool allParallel(linalg::GenericOp generic) {
  return llvm::all_of(generic.getIteratorTypesArray(), [](auto type) {
    return type == utils::IteratorType::parallel;
  });
}

/// The value `generic` yields, for a single-result generic.
inline Value yieldedValue(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1)
    return {};
  return generic.getBody()->getTerminator()->getOperand(0);
}

/// The input operand index of `value` if it is an input block argument of
/// `generic`.
inline std::optional<unsigned> inputIndexOf(linalg::GenericOp generic, Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != generic.getBody() ||
      arg.getArgNumber() >= generic.getNumDpsInputs())
    return std::nullopt;
  return arg.getArgNumber();
}

inline bool isIdentityInput(linalg::GenericOp generic, unsigned index) {
  return generic.getMatchingIndexingMap(generic.getDpsInputOperand(index))
      .isIdentity();
}

/// True when `map` reads a tensor of `type` broadcast to the loop space of
/// `rank` the way NumPy aligns shapes: at the trailing dims, size-1 dims
/// reading index 0 (or their loop dim).
inline bool isTrailingBroadcast(AffineMap map, RankedTensorType type, int64_t rank) {
  int64_t offset = rank - map.getNumResults();
  if (offset < 0 || map.getNumDims() != rank)
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      if (dim.getPosition() != offset + static_cast<int64_t>(i))
        return false;
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// The input that reads row statistics: map (d0, ..., dn) -> (d0, ...,
/// d{n-1}, 0) on a tensor whose last dim is 1.
inline bool isRowBroadcast(AffineMap map, int64_t rank) {
  if (map.getNumDims() != rank || map.getNumResults() != rank)
    return false;
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (map.getResult(d) != getAffineDimExpr(d, map.getContext()))
      return false;
  auto last = dyn_cast<AffineConstantExpr>(map.getResult(rank - 1));
  return last && last.getValue() == 0;
}

/// A float scalar: a scalar constant in the body, or a rank-0 (or
/// all-equal) constant input of `generic` read through block argument
/// `value`.
inline std::optional<double> scalarConstant(linalg::GenericOp generic, Value value) {
  FloatAttr scalar;
  if (matchPattern(value, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  std::optional<unsigned> index = inputIndexOf(generic, value);
  if (!index)
    return std::nullopt;
  DenseFPElementsAttr dense;
  if (!matchPattern(generic.getDpsInputs()[*index], m_Constant(&dense)) ||
      !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// `reduce(combiner)` over the last dim of a rank-`rank` input, initialized
/// by a fill of `init`, seen through the importer's expand_shape that keeps
/// the reduced dim as size 1. Returns the reduced input.
template <typename CombinerOp>
inline Value matchRowReduction(Value expanded, int64_t rank, double init) {
  auto expand = expanded.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand)
    return {};
  auto reduce = expand.getSrc().getDefiningOp<linalg::ReduceOp>();
  if (!reduce || reduce.getNumDpsInputs() != 1 ||
      reduce.getDimensions() != ArrayRef<int64_t>{rank - 1})
    return {};
  Operation &combiner = reduce.getCombiner().front().front();
  if (!isa<CombinerOp>(combiner))
    return {};
  auto fill = reduce.getInits()[0].getDefiningOp<linalg::FillOp>();
  FloatAttr fillValue;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&fillValue)) ||
      fillValue.getValueAsDouble() != init)
    return {};
  return reduce.getInputs()[0];
}

} // namespace sparq::generic_matchers

#endif // SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_GENERICMATCHERS_H
