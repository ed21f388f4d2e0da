//===- Builders.cpp - IR building helpers for ONNX converters -------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparq::onnx_frontend;

std::optional<SmallVector<int64_t>>
sparq::onnx_frontend::broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> shape : shapes)
    rank = std::max(rank, shape.size());
  SmallVector<int64_t> result(rank, 1);
  for (ArrayRef<int64_t> shape : shapes) {
    size_t offset = rank - shape.size();
    for (auto [i, dim] : llvm::enumerate(shape)) {
      int64_t &out = result[offset + i];
      if (dim == out || dim == 1)
        continue;
      if (out != 1)
        return std::nullopt;
      out = dim;
    }
  }
  return result;
}

std::string sparq::onnx_frontend::formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

Value sparq::onnx_frontend::createEmpty(OpBuilder &b, Location loc,
                                        ArrayRef<int64_t> shape,
                                        Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value sparq::onnx_frontend::buildElementwise(OpBuilder &b, Location loc,
                                             ValueRange inputs,
                                             ArrayRef<int64_t> resultShape,
                                             Type resultElementType,
                                             ScalarBodyFn body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultShape.size();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(input.getType()).getShape();
    int64_t offset = rank - static_cast<int64_t>(shape.size());
    SmallVector<AffineExpr> exprs;
    for (auto [i, dim] : llvm::enumerate(shape)) {
      int64_t resultDim = offset + static_cast<int64_t>(i);
      // A size-1 dimension broadcast against a larger one reads index 0.
      if (dim == 1 && resultShape[resultDim] != 1)
        exprs.push_back(getAffineConstantExpr(0, ctx));
      else
        exprs.push_back(getAffineDimExpr(resultDim, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultShape, resultElementType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

static TypedAttr scalarAttr(Type type, double value) {
  if (isa<FloatType>(type))
    return FloatAttr::get(type, value);
  if (type.isIndex())
    return IntegerAttr::get(type, static_cast<int64_t>(value));
  auto intType = cast<IntegerType>(type);
  if (intType.getWidth() == 1)
    return IntegerAttr::get(type, value != 0 ? 1 : 0);
  return IntegerAttr::get(type,
                          APInt(intType.getWidth(), static_cast<int64_t>(value),
                                /*isSigned=*/true, /*implicitTrunc=*/true));
}

Value sparq::onnx_frontend::createScalar(OpBuilder &b, Location loc, Type type,
                                         double value) {
  return arith::ConstantOp::create(b, loc, scalarAttr(type, value));
}

Value sparq::onnx_frontend::createSplat(OpBuilder &b, Location loc,
                                        ArrayRef<int64_t> shape,
                                        Type elementType, double value) {
  auto type = RankedTensorType::get(shape, elementType);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, scalarAttr(elementType, value)));
}

Value sparq::onnx_frontend::createConstant(OpBuilder &b, Location loc,
                                           ElementsAttr attr) {
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
}

/// Any reshape of a static shape, through a rank-1 (or rank-0) intermediate.
static Value reshapeThroughVector(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> shape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  Value flat = input;
  if (inputType.getRank() > 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < inputType.getRank(); ++i)
      all[0].push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, input, all);
  } else if (inputType.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, inputType.getElementType()), input,
        ArrayRef<ReassociationIndices>{});
  }
  int64_t rank = resultType.getRank();
  if (rank == 1)
    return flat;
  if (rank == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, flat,
                                           ArrayRef<ReassociationIndices>{});
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < rank; ++i)
    all[0].push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat, all);
}

Value sparq::onnx_frontend::reshape(OpBuilder &b, Location loc, Value input,
                                    ArrayRef<int64_t> shape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getShape() == shape)
    return input;
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  auto allOnes = [](ArrayRef<int64_t> dims) {
    return llvm::all_of(dims, [](int64_t dim) { return dim == 1; });
  };
  // Unit dims to and from rank 0 need no reassociation groups.
  if (resultType.getRank() == 0 && allOnes(inputType.getShape()))
    return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                           ArrayRef<ReassociationIndices>{});
  if (inputType.getRank() == 0 && allOnes(shape))
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         ArrayRef<ReassociationIndices>{});
  // A single collapse or expand (merging or splitting neighbouring dims)
  // keeps the structure later passes look for.
  if (inputType.getRank() > 0 && resultType.getRank() > 0) {
    if (resultType.getRank() < inputType.getRank()) {
      if (auto reassociation =
              getReassociationIndicesForReshape(inputType, resultType))
        return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                               *reassociation);
    } else if (resultType.getRank() > inputType.getRank()) {
      if (auto reassociation =
              getReassociationIndicesForReshape(resultType, inputType))
        return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                             *reassociation);
    }
  }
  return reshapeThroughVector(b, loc, input, shape);
}

Value sparq::onnx_frontend::transpose(OpBuilder &b, Location loc, Value input,
                                      ArrayRef<int64_t> permutation) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(inputType.getDimSize(p));
  Value init = createEmpty(b, loc, shape, inputType.getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

Value sparq::onnx_frontend::reduce(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    bool keepDims, Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> sortedAxes(axes);
  llvm::sort(sortedAxes);
  sortedAxes.erase(llvm::unique(sortedAxes), sortedAxes.end());
  SmallVector<int64_t> reducedShape, keptShape;
  for (int64_t i = 0; i < inputType.getRank(); ++i) {
    bool reduced = llvm::is_contained(sortedAxes, i);
    if (!reduced)
      reducedShape.push_back(inputType.getDimSize(i));
    keptShape.push_back(reduced ? 1 : inputType.getDimSize(i));
  }
  Value empty = createEmpty(b, loc, reducedShape, inputType.getElementType());
  Value filled = linalg::FillOp::create(b, loc, init, empty).getResult(0);
  auto reduceOp = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{filled}, sortedAxes,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        // args: (element, accumulator).
        Value result = combine(nested, nestedLoc, args[1], args[0]);
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  Value result = reduceOp.getResult(0);
  return keepDims ? reshape(b, loc, result, keptShape) : result;
}

Value sparq::onnx_frontend::convertScalar(OpBuilder &b, Location loc,
                                          Value scalar, int32_t fromDType,
                                          int32_t toDType, Type toType) {
  Type fromType = scalar.getType();
  if (fromType == toType &&
      isUnsignedDType(fromDType) == isUnsignedDType(toDType))
    return scalar;
  bool fromFloat = isa<FloatType>(fromType);
  bool toFloat = isa<FloatType>(toType);
  if (toDType == static_cast<int32_t>(DType::Bool)) {
    Value zero = createScalar(b, loc, fromType, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, scalar,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, scalar,
                                 zero);
  }
  bool fromUnsigned = isUnsignedDType(fromDType) ||
                      fromDType == static_cast<int32_t>(DType::Bool);
  if (fromFloat && toFloat) {
    unsigned fromWidth = fromType.getIntOrFloatBitWidth();
    unsigned toWidth = toType.getIntOrFloatBitWidth();
    if (fromWidth < toWidth)
      return arith::ExtFOp::create(b, loc, toType, scalar);
    if (fromWidth > toWidth)
      return arith::TruncFOp::create(b, loc, toType, scalar);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), scalar);
    return arith::TruncFOp::create(b, loc, toType, wide);
  }
  if (fromFloat)
    return isUnsignedDType(toDType)
               ? Value(arith::FPToUIOp::create(b, loc, toType, scalar))
               : Value(arith::FPToSIOp::create(b, loc, toType, scalar));
  if (toFloat)
    return fromUnsigned
               ? Value(arith::UIToFPOp::create(b, loc, toType, scalar))
               : Value(arith::SIToFPOp::create(b, loc, toType, scalar));
  unsigned fromWidth = fromType.getIntOrFloatBitWidth();
  unsigned toWidth = toType.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, toType, scalar))
                        : Value(arith::ExtSIOp::create(b, loc, toType, scalar));
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, toType, scalar);
  return scalar;
}

Value sparq::onnx_frontend::convertTensor(OpBuilder &b, Location loc,
                                          Value input, int32_t fromDType,
                                          int32_t toDType, Type toType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getElementType() == toType &&
      isUnsignedDType(fromDType) == isUnsignedDType(toDType))
    return input;
  return buildElementwise(
      b, loc, input, inputType.getShape(), toType,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        return convertScalar(nested, nestedLoc, args[0], fromDType, toDType,
                             toType);
      });
}

std::optional<int64_t> sparq::onnx_frontend::normalizeAxis(int64_t axis,
                                                           int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}
