//===- Elementwise.cpp - ONNX elementwise converters ----------------------===//
//
// Part of the sparq project.
//
// Elementwise ONNX operators become one linalg.generic each (numpy
// broadcasting through buildElementwise) whose body uses arith/math ops: float
// ops for float types, integer ops for integer types, with the signedness of
// the ONNX type deciding division, comparison and extension. When every input
// is known at import time and the result is small, the arithmetic, comparison,
// selection and cast operators compute their result here instead, so shape
// computations exported from PyTorch fold to constants.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {

/// Results up to this many elements are computed at import time when every
/// input is known (the importer's limit for foldable constants).
constexpr int64_t kMaxFoldedElements = 1024;

//===----------------------------------------------------------------------===//
// Element type checks
//===----------------------------------------------------------------------===//

/// Classes of ONNX element types an operator accepts, combined as a mask.
enum TypeClass : unsigned {
  kFloats = 1,
  kSignedInts = 2,
  kUnsignedInts = 4,
  kBools = 8,
  kFloatsAndSigned = kFloats | kSignedInts,
  kNumeric = kFloats | kSignedInts | kUnsignedInts,
  kAnyType = kNumeric | kBools,
};

unsigned classOf(int32_t dtype) {
  if (isFloatDType(dtype))
    return kFloats;
  if (dtype == static_cast<int32_t>(DType::Bool))
    return kBools;
  return isUnsignedDType(dtype) ? kUnsignedInts : kSignedInts;
}

const char *describeClasses(unsigned mask) {
  switch (mask) {
  case kFloats:
    return "floating-point";
  case kFloatsAndSigned:
    return "floating-point or signed integer";
  case kNumeric:
    return "floating-point or integer";
  default:
    return "numeric or BOOL";
  }
}

/// Fails with an error unless input `index` has a type of the `allowed`
/// classes.
LogicalResult requireTypeClass(NodeContext &node, unsigned index,
                               unsigned allowed) {
  int32_t dtype = node.getInputDType(index);
  if (classOf(dtype) & allowed)
    return success();
  return node.emitError() << "input " << index << " has element type "
                          << dtypeName(dtype) << ", but " << node.getOpType()
                          << " takes " << describeClasses(allowed)
                          << " tensors";
}

/// Fails with an error unless inputs `first` and `second` have the same ONNX
/// element type (INT8 and UINT8 differ although both are i8). The message
/// names both the MLIR and the ONNX types.
LogicalResult requireSameDType(NodeContext &node, unsigned first,
                               unsigned second) {
  int32_t a = node.getInputDType(first);
  int32_t b = node.getInputDType(second);
  if (a == b)
    return success();
  return node.emitError() << "input element types differ: "
                          << node.getInputType(first).getElementType()
                          << " and "
                          << node.getInputType(second).getElementType()
                          << " (inputs " << first << " and " << second << ": "
                          << dtypeName(a) << " and " << dtypeName(b) << ")";
}

/// The numpy-broadcast shape of the given inputs, or an error naming them.
FailureOr<SmallVector<int64_t>> getBroadcastShape(NodeContext &node,
                                                  ArrayRef<unsigned> inputs) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (unsigned index : inputs)
    shapes.push_back(node.getInputType(index).getShape());
  if (std::optional<SmallVector<int64_t>> shape = broadcastShapes(shapes))
    return *shape;
  InFlightDiagnostic diag = node.emitError();
  diag << "shapes ";
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    if (i > 0)
      diag << (i + 1 == shapes.size() ? " and " : ", ");
    diag << formatShape(shape);
  }
  diag << " do not broadcast";
  return failure();
}

//===----------------------------------------------------------------------===//
// Folding at import time
//===----------------------------------------------------------------------===//

/// Computes one result element from one element of each input (IntegerAttr
/// or FloatAttr); returns null to give up folding.
using FoldFn = llvm::function_ref<Attribute(ArrayRef<Attribute>)>;

/// For each element of `resultShape` (row-major), the index of the element
/// of an input of `inputShape` that numpy broadcasting reads.
SmallVector<int64_t> broadcastSources(ArrayRef<int64_t> inputShape,
                                      ArrayRef<int64_t> resultShape) {
  int64_t count = 1;
  for (int64_t dim : resultShape)
    count *= dim;
  int64_t offset = resultShape.size() - inputShape.size();
  SmallVector<int64_t> sources(count);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t remaining = flat, source = 0, stride = 1;
    for (int64_t dim = resultShape.size() - 1; dim >= 0; --dim) {
      int64_t index = remaining % resultShape[dim];
      remaining /= resultShape[dim];
      if (dim < offset)
        continue;
      int64_t inputDim = inputShape[dim - offset];
      source += (inputDim == 1 ? 0 : index) * stride;
      stride *= inputDim;
    }
    sources[flat] = source;
  }
  return sources;
}

/// The result of `fold` over the broadcast inputs when they are all known and
/// the result is small; null otherwise.
DenseElementsAttr tryFold(NodeContext &node, ArrayRef<unsigned> inputs,
                          ArrayRef<int64_t> resultShape, Type elementType,
                          FoldFn fold) {
  auto resultType = RankedTensorType::get(resultShape, elementType);
  if (resultType.getNumElements() > kMaxFoldedElements)
    return {};
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<SmallVector<int64_t>> sources;
  for (unsigned index : inputs) {
    DenseElementsAttr constant = node.getInputConstant(index);
    if (!constant)
      return {};
    values.push_back(llvm::to_vector(constant.getValues<Attribute>()));
    sources.push_back(
        broadcastSources(constant.getType().getShape(), resultShape));
  }
  SmallVector<Attribute> results;
  SmallVector<Attribute> args(inputs.size());
  for (int64_t flat = 0, e = resultType.getNumElements(); flat < e; ++flat) {
    for (size_t i = 0; i < inputs.size(); ++i)
      args[i] = values[i][sources[i][flat]];
    Attribute result = fold(args);
    if (!result)
      return {};
    results.push_back(result);
  }
  return DenseElementsAttr::get(resultType, results);
}

//===----------------------------------------------------------------------===//
// Add, Sub, Mul, Div
//===----------------------------------------------------------------------===//

enum class BinaryOp { Add, Sub, Mul, Div };

Value emitBinary(OpBuilder &b, Location loc, BinaryOp op, Value lhs, Value rhs,
                 bool isUnsigned) {
  if (isa<FloatType>(lhs.getType())) {
    switch (op) {
    case BinaryOp::Add:
      return arith::AddFOp::create(b, loc, lhs, rhs);
    case BinaryOp::Sub:
      return arith::SubFOp::create(b, loc, lhs, rhs);
    case BinaryOp::Mul:
      return arith::MulFOp::create(b, loc, lhs, rhs);
    case BinaryOp::Div:
      return arith::DivFOp::create(b, loc, lhs, rhs);
    }
  }
  switch (op) {
  case BinaryOp::Add:
    return arith::AddIOp::create(b, loc, lhs, rhs);
  case BinaryOp::Sub:
    return arith::SubIOp::create(b, loc, lhs, rhs);
  case BinaryOp::Mul:
    return arith::MulIOp::create(b, loc, lhs, rhs);
  case BinaryOp::Div:
    // Integer division truncates toward zero, as in ONNX Runtime.
    if (isUnsigned)
      return arith::DivUIOp::create(b, loc, lhs, rhs);
    return arith::DivSIOp::create(b, loc, lhs, rhs);
  }
  llvm_unreachable("unknown binary op");
}

Attribute foldBinary(BinaryOp op, Attribute lhs, Attribute rhs,
                     bool isUnsigned) {
  Type type = cast<TypedAttr>(lhs).getType();
  if (auto lhsFloat = dyn_cast<FloatAttr>(lhs)) {
    APFloat value = lhsFloat.getValue();
    const APFloat &other = cast<FloatAttr>(rhs).getValue();
    constexpr auto rounding = APFloat::rmNearestTiesToEven;
    switch (op) {
    case BinaryOp::Add:
      value.add(other, rounding);
      break;
    case BinaryOp::Sub:
      value.subtract(other, rounding);
      break;
    case BinaryOp::Mul:
      value.multiply(other, rounding);
      break;
    case BinaryOp::Div:
      value.divide(other, rounding);
      break;
    }
    return FloatAttr::get(type, value);
  }
  const APInt &a = cast<IntegerAttr>(lhs).getValue();
  const APInt &b = cast<IntegerAttr>(rhs).getValue();
  switch (op) {
  case BinaryOp::Add:
    return IntegerAttr::get(type, a + b);
  case BinaryOp::Sub:
    return IntegerAttr::get(type, a - b);
  case BinaryOp::Mul:
    return IntegerAttr::get(type, a * b);
  case BinaryOp::Div:
    // Division by zero is left to run time (where it is undefined too).
    if (b.isZero())
      return {};
    return IntegerAttr::get(type, isUnsigned ? a.udiv(b) : a.sdiv(b));
  }
  llvm_unreachable("unknown binary op");
}

LogicalResult convertBinary(NodeContext &node, BinaryOp op) {
  if (failed(requireTypeClass(node, 0, kNumeric)) ||
      failed(requireSameDType(node, 0, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(node, {0, 1});
  if (failed(shape))
    return failure();
  int32_t dtype = node.getInputDType(0);
  bool isUnsigned = isUnsignedDType(dtype);
  Type elementType = node.getInputType(0).getElementType();
  if (DenseElementsAttr folded =
          tryFold(node, {0, 1}, *shape, elementType, [&](auto args) {
            return foldBinary(op, args[0], args[1], isUnsigned);
          })) {
    node.setConstantOutput(0, folded, dtype);
    return success();
  }
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(),
      {node.getInputValue(0), node.getInputValue(1)}, *shape, elementType,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return emitBinary(b, loc, op, args[0], args[1], isUnsigned);
      });
  node.setOutput(0, result, dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Unary operators
//===----------------------------------------------------------------------===//

enum class UnaryOp { Sqrt, Reciprocal, Neg, Exp, Erf, Tanh, Sigmoid, Relu };

Value emitUnary(OpBuilder &b, Location loc, UnaryOp op, Value x) {
  Type type = x.getType();
  bool isFloat = isa<FloatType>(type);
  switch (op) {
  case UnaryOp::Sqrt:
    return math::SqrtOp::create(b, loc, x);
  case UnaryOp::Reciprocal:
    return arith::DivFOp::create(b, loc, createScalar(b, loc, type, 1), x);
  case UnaryOp::Neg:
    if (isFloat)
      return arith::NegFOp::create(b, loc, x);
    return arith::SubIOp::create(b, loc, createScalar(b, loc, type, 0), x);
  case UnaryOp::Exp:
    return math::ExpOp::create(b, loc, x);
  case UnaryOp::Erf:
    return math::ErfOp::create(b, loc, x);
  case UnaryOp::Tanh:
    return math::TanhOp::create(b, loc, x);
  case UnaryOp::Sigmoid: {
    // 1 / (1 + exp(-x)).
    Value one = createScalar(b, loc, type, 1);
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, exp));
  }
  case UnaryOp::Relu: {
    Value zero = createScalar(b, loc, type, 0);
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, zero);
    return arith::MaxSIOp::create(b, loc, x, zero);
  }
  }
  llvm_unreachable("unknown unary op");
}

Attribute foldNeg(Attribute x) {
  Type type = cast<TypedAttr>(x).getType();
  if (auto xFloat = dyn_cast<FloatAttr>(x))
    return FloatAttr::get(type, neg(xFloat.getValue()));
  return IntegerAttr::get(type, -cast<IntegerAttr>(x).getValue());
}

LogicalResult convertUnary(NodeContext &node, UnaryOp op) {
  unsigned allowed =
      op == UnaryOp::Neg || op == UnaryOp::Relu ? kFloatsAndSigned : kFloats;
  if (failed(requireTypeClass(node, 0, allowed)))
    return failure();
  RankedTensorType type = node.getInputType(0);
  int32_t dtype = node.getInputDType(0);
  if (op == UnaryOp::Neg) {
    if (DenseElementsAttr folded =
            tryFold(node, {0}, type.getShape(), type.getElementType(),
                    [](auto args) { return foldNeg(args[0]); })) {
      node.setConstantOutput(0, folded, dtype);
      return success();
    }
  }
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(), node.getInputValue(0), type.getShape(),
      type.getElementType(), [&](OpBuilder &b, Location loc, ValueRange args) {
        return emitUnary(b, loc, op, args[0]);
      });
  node.setOutput(0, result, dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Gelu
//===----------------------------------------------------------------------===//

/// x * 0.5 * (1 + erf(x / sqrt(2))), or with approximate="tanh"
/// x * 0.5 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
Value emitGelu(OpBuilder &b, Location loc, Value x, bool useTanh) {
  Type type = x.getType();
  auto constant = [&](double value) {
    return createScalar(b, loc, type, value);
  };
  Value inner;
  if (useTanh) {
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value sum = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, constant(0.044715), cube));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(
            b, loc, constant(std::sqrt(2.0 / llvm::numbers::pi)), sum));
  } else {
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x, constant(llvm::numbers::inv_sqrt2)));
  }
  Value onePlus = arith::AddFOp::create(b, loc, constant(1.0), inner);
  Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

LogicalResult convertGelu(NodeContext &node) {
  if (failed(requireTypeClass(node, 0, kFloats)))
    return failure();
  std::string approximate = node.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return node.emitError() << "attribute 'approximate' must be \"none\" or "
                               "\"tanh\", got \""
                            << approximate << "\"";
  bool useTanh = approximate == "tanh";
  RankedTensorType type = node.getInputType(0);
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(), node.getInputValue(0), type.getShape(),
      type.getElementType(), [&](OpBuilder &b, Location loc, ValueRange args) {
        return emitGelu(b, loc, args[0], useTanh);
      });
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Pow
//===----------------------------------------------------------------------===//

/// Whether the exponent is a known float tensor of 2s, so Pow is x * x (the
/// common square of RMSNorm/variance decompositions).
bool isSquareExponent(const ImportedValue &exponent) {
  DenseElementsAttr constant = exponent.constant;
  if (!constant || !isa<FloatType>(constant.getElementType()) ||
      !constant.isSplat())
    return false;
  return constant.getSplatValue<APFloat>().isExactlyValue(2.0);
}

/// base ^ exponent for the base's type: math.powf or math.fpowi for float
/// bases, math.ipowi for integer ones (negative exponents give 0 unless the
/// base is 1 or -1, as truncating pow() does), and a float power truncated
/// toward zero for an integer base with a float exponent.
Value emitPow(OpBuilder &b, Location loc, Value base, Value exponent,
              int32_t baseDType, int32_t exponentDType) {
  Type baseType = base.getType();
  Type exponentType = exponent.getType();
  bool floatBase = isa<FloatType>(baseType);
  bool floatExponent = isa<FloatType>(exponentType);
  if (floatBase && floatExponent) {
    exponent =
        convertScalar(b, loc, exponent, exponentDType, baseDType, baseType);
    return math::PowFOp::create(b, loc, base, exponent);
  }
  if (floatBase) {
    // fpowi reads its exponent as signed: widen unsigned ones first.
    if (isUnsignedDType(exponentDType) &&
        exponentType.getIntOrFloatBitWidth() < 64)
      exponent = arith::ExtUIOp::create(b, loc, b.getI64Type(), exponent);
    return math::FPowIOp::create(b, loc, base, exponent);
  }
  if (!floatExponent) {
    exponent =
        convertScalar(b, loc, exponent, exponentDType, baseDType, baseType);
    return math::IPowIOp::create(b, loc, base, exponent);
  }
  Value floatBaseValue =
      convertScalar(b, loc, base, baseDType, exponentDType, exponentType);
  Value power = math::PowFOp::create(b, loc, floatBaseValue, exponent);
  return convertScalar(b, loc, power, exponentDType, baseDType, baseType);
}

LogicalResult convertPow(NodeContext &node) {
  if (failed(requireTypeClass(node, 0, kNumeric)) ||
      failed(requireTypeClass(node, 1, kNumeric)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(node, {0, 1});
  if (failed(shape))
    return failure();
  int32_t baseDType = node.getInputDType(0);
  int32_t exponentDType = node.getInputDType(1);
  Type elementType = node.getInputType(0).getElementType();
  bool square =
      isa<FloatType>(elementType) && isSquareExponent(node.getInput(1));
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(),
      {node.getInputValue(0), node.getInputValue(1)}, *shape, elementType,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        if (square)
          return arith::MulFOp::create(b, loc, args[0], args[0]);
        return emitPow(b, loc, args[0], args[1], baseDType, exponentDType);
      });
  node.setOutput(0, result, baseDType);
  return success();
}

//===----------------------------------------------------------------------===//
// Equal, Where
//===----------------------------------------------------------------------===//

Attribute foldEqual(Attribute lhs, Attribute rhs, Type boolType) {
  bool equal;
  if (auto lhsFloat = dyn_cast<FloatAttr>(lhs))
    equal = lhsFloat.getValue().compare(cast<FloatAttr>(rhs).getValue()) ==
            APFloat::cmpEqual;
  else
    equal =
        cast<IntegerAttr>(lhs).getValue() == cast<IntegerAttr>(rhs).getValue();
  return IntegerAttr::get(boolType, APInt(1, equal));
}

LogicalResult convertEqual(NodeContext &node) {
  if (failed(requireSameDType(node, 0, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(node, {0, 1});
  if (failed(shape))
    return failure();
  constexpr int32_t boolDType = static_cast<int32_t>(DType::Bool);
  Type boolType = node.getBuilder().getI1Type();
  if (DenseElementsAttr folded =
          tryFold(node, {0, 1}, *shape, boolType, [&](auto args) {
            return foldEqual(args[0], args[1], boolType);
          })) {
    node.setConstantOutput(0, folded, boolDType);
    return success();
  }
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(),
      {node.getInputValue(0), node.getInputValue(1)}, *shape, boolType,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        if (isa<FloatType>(args[0].getType()))
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       args[0], args[1]);
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, args[0],
                                     args[1]);
      });
  node.setOutput(0, result, boolDType);
  return success();
}

LogicalResult convertWhere(NodeContext &node) {
  if (node.getInputDType(0) != static_cast<int32_t>(DType::Bool))
    return node.emitError() << "condition (input 0) must be BOOL, got "
                            << dtypeName(node.getInputDType(0));
  if (failed(requireSameDType(node, 1, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(node, {0, 1, 2});
  if (failed(shape))
    return failure();
  int32_t dtype = node.getInputDType(1);
  Type elementType = node.getInputType(1).getElementType();
  if (DenseElementsAttr folded =
          tryFold(node, {0, 1, 2}, *shape, elementType, [](auto args) {
            return cast<IntegerAttr>(args[0]).getValue().isZero() ? args[2]
                                                                  : args[1];
          })) {
    node.setConstantOutput(0, folded, dtype);
    return success();
  }
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(),
      {node.getInputValue(0), node.getInputValue(1), node.getInputValue(2)},
      *shape, elementType, [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
  node.setOutput(0, result, dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Cast, CastLike, Identity
//===----------------------------------------------------------------------===//

/// One element converted with ONNX Cast semantics (see convertScalar): float
/// to integer truncates toward zero, to BOOL is "!= 0", integers extend by the
/// source's signedness.
Attribute foldCast(Attribute value, int32_t fromDType, int32_t toDType,
                   Type toType) {
  bool toBool = toDType == static_cast<int32_t>(DType::Bool);
  auto toFloat = dyn_cast<FloatType>(toType);
  if (auto valueFloat = dyn_cast<FloatAttr>(value)) {
    APFloat x = valueFloat.getValue();
    if (toBool)
      return IntegerAttr::get(toType, APInt(1, !x.isZero()));
    if (toFloat) {
      bool losesInfo;
      x.convert(toFloat.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      return FloatAttr::get(toType, x);
    }
    llvm::APSInt result(toType.getIntOrFloatBitWidth(),
                        isUnsignedDType(toDType));
    bool isExact;
    x.convertToInteger(result, APFloat::rmTowardZero, &isExact);
    return IntegerAttr::get(toType, result);
  }
  const APInt &x = cast<IntegerAttr>(value).getValue();
  bool fromUnsigned = isUnsignedDType(fromDType) ||
                      fromDType == static_cast<int32_t>(DType::Bool);
  if (toBool)
    return IntegerAttr::get(toType, APInt(1, !x.isZero()));
  if (toFloat) {
    APFloat result(toFloat.getFloatSemantics());
    result.convertFromAPInt(x, !fromUnsigned, APFloat::rmNearestTiesToEven);
    return FloatAttr::get(toType, result);
  }
  unsigned width = toType.getIntOrFloatBitWidth();
  return IntegerAttr::get(toType, fromUnsigned ? x.zextOrTrunc(width)
                                               : x.sextOrTrunc(width));
}

bool isFloat8(int32_t dtype) {
  return dtype >= static_cast<int32_t>(DType::Float8E4M3FN) &&
         dtype <= static_cast<int32_t>(DType::Float8E5M2FNUZ);
}

/// Converts input 0 to `toDType` (Cast and CastLike). `saturate` (opset 19)
/// only affects float8 targets, which sparq refuses.
LogicalResult convertCastTo(NodeContext &node, int32_t toDType) {
  if (isFloat8(toDType))
    return node.emitError() << "casting to " << dtypeName(toDType)
                            << " is not supported: sparq has no float8 types";
  Type toType = node.getElementType(toDType);
  if (!toType)
    return node.emitError()
           << "casting to " << dtypeName(toDType) << " is not supported";
  const ImportedValue &input = node.getInput(0);
  if (input.getType().getElementType() == toType) {
    // Same bits (possibly a signedness change): keep the value, its known
    // contents and its packed form.
    ImportedValue result = input;
    result.dtype = toDType;
    node.setOutput(0, result);
    return success();
  }
  int32_t fromDType = input.dtype;
  if (DenseElementsAttr folded =
          tryFold(node, {0}, input.getShape(), toType, [&](auto args) {
            return foldCast(args[0], fromDType, toDType, toType);
          })) {
    node.setConstantOutput(0, folded, toDType);
    return success();
  }
  Value result = convertTensor(node.getBuilder(), node.getLoc(), input.value,
                               fromDType, toDType, toType);
  node.setOutput(0, result, toDType);
  return success();
}

LogicalResult convertCast(NodeContext &node) {
  std::optional<int64_t> to = node.getOptionalInt("to");
  if (!to)
    return node.emitError() << "attribute 'to' is required";
  return convertCastTo(node, static_cast<int32_t>(*to));
}

LogicalResult convertCastLike(NodeContext &node) {
  return convertCastTo(node, node.getInputDType(1));
}

LogicalResult convertIdentity(NodeContext &node) {
  // Keeps known contents and packed storage for the consumers.
  node.setOutput(0, node.getInput(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Trilu
//===----------------------------------------------------------------------===//

/// The diagonal offset k as an i64 scalar: 0 when absent, a constant when
/// known, else read from the 1-element tensor at run time.
FailureOr<Value> getTriluOffset(NodeContext &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Type i64 = b.getI64Type();
  if (!node.hasInput(1))
    return Value(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  int32_t dtype = node.getInputDType(1);
  if (classOf(dtype) & ~(kSignedInts | kUnsignedInts)) {
    node.emitError() << "input 1 (k) must be an integer, got "
                     << dtypeName(dtype);
    return failure();
  }
  RankedTensorType type = node.getInputType(1);
  if (type.getNumElements() != 1) {
    node.emitError() << "input 1 (k) must hold one value, got shape "
                     << formatShape(type.getShape());
    return failure();
  }
  if (std::optional<SmallVector<int64_t>> k = node.getInputInts(1))
    return Value(
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr((*k)[0])));
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  Value k = tensor::ExtractOp::create(b, loc, node.getInputValue(1), indices);
  return convertScalar(b, loc, k, dtype, static_cast<int32_t>(DType::Int64),
                       i64);
}

/// Keeps the elements on and above (upper) or on and below (lower) the k-th
/// diagonal of the last two dimensions, zeroing the others.
LogicalResult convertTrilu(NodeContext &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return node.emitError()
           << "input 0 has rank " << rank << ", but Trilu needs rank 2 or more";
  FailureOr<Value> k = getTriluOffset(node);
  if (failed(k))
    return failure();
  bool upper = node.getInt("upper", 1) != 0;
  OpBuilder &builder = node.getBuilder();
  Value zero = createScalar(builder, node.getLoc(), type.getElementType(), 0);
  Value result = buildElementwise(
      builder, node.getLoc(), node.getInputValue(0), type.getShape(),
      type.getElementType(), [&](OpBuilder &b, Location loc, ValueRange args) {
        Value row = linalg::IndexOp::create(b, loc, rank - 2);
        Value col = linalg::IndexOp::create(b, loc, rank - 1);
        Value diagonal = arith::IndexCastOp::create(
            b, loc, b.getI64Type(), arith::SubIOp::create(b, loc, col, row));
        auto predicate =
            upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle;
        Value keep = arith::CmpIOp::create(b, loc, predicate, diagonal, *k);
        return arith::SelectOp::create(b, loc, keep, args[0], zero);
      });
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}

} // namespace

void sparq::onnx_frontend::registerElementwiseConverters(
    ConverterRegistry &registry) {
  auto binary = [](BinaryOp op) {
    return [op](NodeContext &node) { return convertBinary(node, op); };
  };
  auto unary = [](UnaryOp op) {
    return [op](NodeContext &node) { return convertUnary(node, op); };
  };
  // Later opsets of these only add element types (bfloat16, integers for
  // Relu, strings for Equal) or, for Cast, float8 saturation.
  registry.add("", "Add", 13, binary(BinaryOp::Add));
  registry.add("", "Sub", 13, binary(BinaryOp::Sub));
  registry.add("", "Mul", 13, binary(BinaryOp::Mul));
  registry.add("", "Div", 13, binary(BinaryOp::Div));
  registry.add("", "Pow", 12, convertPow);
  registry.add("", "Sqrt", 13, unary(UnaryOp::Sqrt));
  registry.add("", "Reciprocal", 13, unary(UnaryOp::Reciprocal));
  registry.add("", "Neg", 13, unary(UnaryOp::Neg));
  registry.add("", "Exp", 13, unary(UnaryOp::Exp));
  registry.add("", "Erf", 13, unary(UnaryOp::Erf));
  registry.add("", "Tanh", 13, unary(UnaryOp::Tanh));
  registry.add("", "Sigmoid", 13, unary(UnaryOp::Sigmoid));
  registry.add("", "Relu", 13, unary(UnaryOp::Relu));
  registry.add("", "Gelu", 20, convertGelu);
  registry.add("", "Where", 13, convertWhere);
  registry.add("", "Equal", 13, convertEqual);
  registry.add("", "Cast", 13, convertCast);
  registry.add("", "CastLike", 15, convertCastLike);
  registry.add("", "Identity", 13, convertIdentity);
  registry.add("", "Trilu", 14, convertTrilu);
}
