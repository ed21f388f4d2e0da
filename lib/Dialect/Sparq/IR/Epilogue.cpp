//===- Epilogue.cpp - matmul epilogue arithmetic --------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
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
