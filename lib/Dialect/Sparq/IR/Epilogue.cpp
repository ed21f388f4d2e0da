//===- Epilogue.cpp - matmul epilogue arithmetic --------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/Epilogue.h"

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

/// A splat constant of `value` with the type of `like` (scalar or vector).
static Value floatConstant(OpBuilder &b, Location loc, Type like,
                           double value) {
  Type element = getElementTypeOrSelf(like);
  TypedAttr scalar = b.getFloatAttr(element, value);
  if (auto vector = dyn_cast<VectorType>(like))
    return arith::ConstantOp::create(b, loc,
                                     SplatElementsAttr::get(vector, scalar));
  return arith::ConstantOp::create(b, loc, scalar);
}

Value sparq::buildActivation(OpBuilder &b, Location loc, Activation activation,
                             Value x) {
  if (activation == Activation::none)
    return x;
  Type type = x.getType();
  Type element = getElementTypeOrSelf(type);
  if (activation == Activation::relu)
    return arith::MaximumFOp::create(b, loc, x,
                                     floatConstant(b, loc, type, 0.0));

  Type wideType = type;
  if (element.getIntOrFloatBitWidth() < 32) {
    Type f32 = b.getF32Type();
    wideType =
        isa<VectorType>(type) ? Type(cast<VectorType>(type).clone(f32)) : f32;
    x = arith::ExtFOp::create(b, loc, wideType, x);
  }
  auto constant = [&](double value) {
    return floatConstant(b, loc, wideType, value);
  };
  Value one = constant(1.0);
  Value y;
  switch (activation) {
  case Activation::gelu: {
    // 0.5 * x * (1 + erf(x / sqrt(2))).
    Value scaled = arith::MulFOp::create(b, loc, x, constant(M_SQRT1_2));
    Value erf = math::ErfOp::create(b, loc, scaled);
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    y = arith::MulFOp::create(b, loc, half,
                              arith::AddFOp::create(b, loc, one, erf));
    break;
  }
  case Activation::gelu_tanh: {
    // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
    Value cube =
        arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, cube, constant(0.044715)));
    Value tanh = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, inner, constant(std::sqrt(2.0 / M_PI))));
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    y = arith::MulFOp::create(b, loc, half,
                              arith::AddFOp::create(b, loc, one, tanh));
    break;
  }
  case Activation::silu: {
    // x * sigmoid(x) = x / (1 + exp(-x)).
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    y = arith::DivFOp::create(b, loc, x,
                              arith::AddFOp::create(b, loc, one, exp));
    break;
  }
  case Activation::none:
  case Activation::relu:
    llvm_unreachable("handled above");
  }
  if (wideType != type)
    y = arith::TruncFOp::create(b, loc, type, y);
  return y;
}

Value sparq::buildGatedProduct(OpBuilder &b, Location loc,
                               Activation activation, Value wide,
                               Value residual) {
  auto wideType = cast<RankedTensorType>(wide.getType());
  int64_t rank = wideType.getRank();
  SmallVector<int64_t> shape(wideType.getShape());
  shape.back() /= 2;
  auto halfType = wideType.clone(shape);
  auto half = [&](int64_t offset) -> Value {
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    offsets.back() = b.getIndexAttr(offset);
    SmallVector<OpFoldResult> sizes =
        llvm::map_to_vector(shape, [&](int64_t size) -> OpFoldResult {
          return b.getIndexAttr(size);
        });
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, halfType, wide, offsets,
                                          sizes, strides);
  };
  SmallVector<Value> inputs = {half(0), half(shape.back())};
  if (residual)
    inputs.push_back(residual);
  Value init =
      tensor::EmptyOp::create(b, loc, shape, wideType.getElementType());
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, halfType, inputs, ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value y = arith::MulFOp::create(
                   nb, l, buildActivation(nb, l, activation, args[0]), args[1]);
               if (residual)
                 y = arith::AddFOp::create(nb, l, y, args[2]);
               linalg::YieldOp::create(nb, l, y);
             })
      .getResult(0);
}

Operation *sparq::cloneWithEpilogue(OpBuilder &b, Operation *op,
                                    Type resultType, Value bias,
                                    ActivationAttr activation, Value residual,
                                    UnitAttr gated) {
  Operation *clone;
  if (auto q = dyn_cast<QMatmulOp>(op))
    clone = QMatmulOp::create(b, q.getLoc(), resultType, q.getInput(),
                              q.getWeights(), q.getScales(), q.getZeroPoints(),
                              bias, q.getOutlierRowPtr(), q.getOutlierColInd(),
                              q.getOutlierValues(), q.getStorageTypeAttr(),
                              activation, residual, gated);
  else {
    auto l = cast<LutMatmulOp>(op);
    clone = LutMatmulOp::create(
        b, l.getLoc(), resultType, l.getInput(), l.getIndices(),
        l.getCodebooks(), bias, l.getOutlierRowPtr(), l.getOutlierColInd(),
        l.getOutlierValues(), l.getBitsAttr(), activation, residual, gated);
  }
  clone->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  return clone;
}

Operation *sparq::expandGatedMatmul(RewriterBase &rewriter, Operation *op) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<int64_t> shape(resultType.getShape());
  shape.back() *= 2;
  rewriter.setInsertionPoint(op);
  // The bias stays in the wide matmul; the activation and the residual go
  // to the product.
  Value bias, residual;
  Activation activation;
  if (auto q = dyn_cast<QMatmulOp>(op)) {
    bias = q.getBias();
    residual = q.getResidual();
    activation = q.getActivationKind();
  } else {
    auto l = cast<LutMatmulOp>(op);
    bias = l.getBias();
    residual = l.getResidual();
    activation = l.getActivationKind();
  }
  Operation *wide = cloneWithEpilogue(rewriter, op, resultType.clone(shape),
                                      bias, /*activation=*/nullptr,
                                      /*residual=*/Value(), /*gated=*/nullptr);
  rewriter.replaceOp(op, buildGatedProduct(rewriter, op->getLoc(), activation,
                                           wide->getResult(0), residual));
  return wide;
}
