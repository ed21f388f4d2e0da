//===- Reductions.cpp - ONNX reduction and normalization converters -------===//
//
// Part of the sparq project.
//
// ReduceSum/ReduceMean/ReduceMax become linalg.reduce (plus an elementwise
// division for the mean); Softmax and LayerNormalization are built from the
// same reductions and linalg.generic elementwise steps, so later passes can
// fuse them as they see fit.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {

Value addValues(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value maxFloats(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  return arith::MaximumFOp::create(b, loc, lhs, rhs);
}

/// Fails with an error unless input `index` is a float tensor.
LogicalResult requireFloat(NodeContext &node, unsigned index) {
  int32_t dtype = node.getInputDType(index);
  if (isFloatDType(dtype))
    return success();
  return node.emitError() << "input " << index << " has element type "
                          << dtypeName(dtype) << ", but " << node.getOpType()
                          << " takes floating-point tensors";
}

/// Product of the sizes of `axes` of `shape`.
int64_t countElements(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= shape[axis];
  return count;
}

//===----------------------------------------------------------------------===//
// ReduceSum, ReduceMean, ReduceMax
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max };

/// Which axes a reduction node reduces: `identity` when
/// noop_with_empty_axes makes it a copy.
struct ReductionAxes {
  SmallVector<int64_t> axes;
  bool identity = false;
};

/// The raw axes of a reduction node: an attribute before opset 18 (except
/// ReduceSum, whose axes became an input in opset 13), else an optional
/// constant input. std::nullopt when none are given.
FailureOr<std::optional<SmallVector<int64_t>>> getRawAxes(NodeContext &node,
                                                          bool axesAsInput) {
  if (!axesAsInput) {
    if (node.hasInput(1)) {
      node.emitError() << "axes is an attribute, not an input, of "
                       << node.getOpType() << " before opset 18";
      return failure();
    }
    return node.getInts("axes");
  }
  if (node.hasAttr("axes")) {
    node.emitError() << "axes is an input, not an attribute, of "
                     << node.getOpType() << " at opset " << node.getOpset();
    return failure();
  }
  if (!node.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  if (!node.getInputConstant(1)) {
    node.emitError() << "input 1 (axes) must be known at compile time";
    return failure();
  }
  std::optional<SmallVector<int64_t>> axes = node.getInputInts(1);
  if (!axes) {
    node.emitError() << "input 1 (axes) must be an integer tensor, got "
                     << dtypeName(node.getInputDType(1));
    return failure();
  }
  return axes;
}

/// Normalized, sorted reduction axes; empty axes reduce everything unless
/// noop_with_empty_axes (an attribute wherever axes are an input) is set.
FailureOr<ReductionAxes> getReductionAxes(NodeContext &node, int64_t rank) {
  bool axesAsInput = node.getOpType() == "ReduceSum" || node.getOpset() >= 18;
  FailureOr<std::optional<SmallVector<int64_t>>> raw =
      getRawAxes(node, axesAsInput);
  if (failed(raw))
    return failure();
  ReductionAxes result;
  // A scalar has nothing to reduce (its only valid axis is 0).
  result.identity = rank == 0;
  if (!*raw || (*raw)->empty()) {
    if (axesAsInput && node.getInt("noop_with_empty_axes", 0) != 0)
      result.identity = true;
    else
      result.axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    return result;
  }
  for (int64_t axis : **raw) {
    std::optional<int64_t> normalized = normalizeAxis(axis, rank);
    if (!normalized) {
      node.emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
      return failure();
    }
    if (llvm::is_contained(result.axes, *normalized)) {
      node.emitError() << "axis " << axis << " repeats axis " << *normalized
                       << " in axes";
      return failure();
    }
    result.axes.push_back(*normalized);
  }
  llvm::sort(result.axes);
  return result;
}

/// The identity of the reduction for the element type: 0 for sums, the
/// lowest value for maxima.
Value reductionInit(OpBuilder &b, Location loc, ReduceKind kind, Type type,
                    bool isUnsigned) {
  if (kind != ReduceKind::Max || isUnsigned || type.isInteger(1))
    return createScalar(b, loc, type, 0);
  if (auto floatType = dyn_cast<FloatType>(type))
    return createScalar(b, loc, floatType,
                        -std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, APInt::getSignedMinValue(width)));
}

Value combineMax(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return maxFloats(b, loc, lhs, rhs);
  // Unsigned max is also BOOL's "any".
  if (isUnsigned || lhs.getType().isInteger(1))
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

/// Divides every element by `count`: exactly for floats, truncating toward
/// zero for integers.
Value divideByCount(OpBuilder &b, Location loc, Value input, int64_t count,
                    bool isUnsigned) {
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  return buildElementwise(
      b, loc, input, type.getShape(), elementType,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) -> Value {
        Value divisor =
            createScalar(nested, nestedLoc, elementType, double(count));
        if (isa<FloatType>(elementType))
          return arith::DivFOp::create(nested, nestedLoc, args[0], divisor);
        if (isUnsigned)
          return arith::DivUIOp::create(nested, nestedLoc, args[0], divisor);
        return arith::DivSIOp::create(nested, nestedLoc, args[0], divisor);
      });
}

LogicalResult convertReduce(NodeContext &node, ReduceKind kind) {
  int32_t dtype = node.getInputDType(0);
  if (kind != ReduceKind::Max && dtype == static_cast<int32_t>(DType::Bool))
    return node.emitError()
           << "input 0 has element type BOOL, but " << node.getOpType()
           << " takes floating-point or integer tensors";
  RankedTensorType type = node.getInputType(0);
  FailureOr<ReductionAxes> axes = getReductionAxes(node, type.getRank());
  if (failed(axes))
    return failure();
  if (axes->identity) {
    node.setOutput(0, node.getInput(0));
    return success();
  }
  bool keepDims = node.getInt("keepdims", 1) != 0;
  bool isUnsigned = isUnsignedDType(dtype);
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value init = reductionInit(b, loc, kind, type.getElementType(), isUnsigned);
  Value result = reduce(
      b, loc, node.getInputValue(0), axes->axes, keepDims, init,
      [&](OpBuilder &nested, Location nestedLoc, Value acc, Value element) {
        if (kind == ReduceKind::Max)
          return combineMax(nested, nestedLoc, acc, element, isUnsigned);
        return addValues(nested, nestedLoc, acc, element);
      });
  if (kind == ReduceKind::Mean)
    result = divideByCount(
        b, loc, result, countElements(type.getShape(), axes->axes), isUnsigned);
  node.setOutput(0, result, dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// exp(x - max(x)) / sum(exp(x - max(x))) along `axis` (opset 13 semantics):
/// subtracting the maximum keeps exp from overflowing.
LogicalResult convertSoftmax(NodeContext &node) {
  if (failed(requireFloat(node, 0)))
    return failure();
  RankedTensorType type = node.getInputType(0);
  int64_t axisAttr = node.getInt("axis", -1);
  std::optional<int64_t> axis = normalizeAxis(axisAttr, type.getRank());
  if (!axis || *axis >= type.getRank())
    return node.emitError() << "axis " << axisAttr
                            << " is out of range for rank " << type.getRank();
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Type elementType = type.getElementType();
  Value input = node.getInputValue(0);
  Value lowest = createScalar(b, loc, elementType,
                              -std::numeric_limits<double>::infinity());
  Value max =
      reduce(b, loc, input, *axis, /*keepDims=*/true, lowest, maxFloats);
  Value exp = buildElementwise(
      b, loc, {input, max}, type.getShape(), elementType,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value shifted =
            arith::SubFOp::create(nested, nestedLoc, args[0], args[1]);
        return math::ExpOp::create(nested, nestedLoc, shifted);
      });
  Value zero = createScalar(b, loc, elementType, 0);
  Value sum = reduce(b, loc, exp, *axis, /*keepDims=*/true, zero, addValues);
  Value result = buildElementwise(
      b, loc, {exp, sum}, type.getShape(), elementType,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        return arith::DivFOp::create(nested, nestedLoc, args[0], args[1]);
      });
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormalization
//===----------------------------------------------------------------------===//

/// Fails unless Scale (1) or B (2) has X's element type and broadcasts to
/// X's shape.
LogicalResult checkAffineInput(NodeContext &node, unsigned index,
                               StringRef name) {
  int32_t dtype = node.getInputDType(index);
  if (dtype != node.getInputDType(0))
    return node.emitError()
           << "input " << index << " (" << name << ") has element type "
           << dtypeName(dtype) << ", but X has "
           << dtypeName(node.getInputDType(0));
  ArrayRef<int64_t> xShape = node.getInputType(0).getShape();
  ArrayRef<int64_t> shape = node.getInputType(index).getShape();
  std::optional<SmallVector<int64_t>> broadcast =
      broadcastShapes({xShape, shape});
  if (!broadcast || ArrayRef<int64_t>(*broadcast) != xShape)
    return node.emitError()
           << "input " << index << " (" << name << ") of shape "
           << formatShape(shape) << " does not broadcast to X's shape "
           << formatShape(xShape);
  return success();
}

/// Mean and InvStdDev = 1 / sqrt(var + epsilon) of `x` over `axes`, kept as
/// size-1 dimensions.
std::pair<Value, Value> buildMoments(OpBuilder &b, Location loc, Value x,
                                     ArrayRef<int64_t> axes, double epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  double count = double(countElements(type.getShape(), axes));
  Value zero = createScalar(b, loc, elementType, 0);
  Value sum = reduce(b, loc, x, axes, /*keepDims=*/true, zero, addValues);
  ArrayRef<int64_t> statShape =
      cast<RankedTensorType>(sum.getType()).getShape();
  Value mean = buildElementwise(
      b, loc, sum, statShape, elementType,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value n = createScalar(nested, nestedLoc, elementType, count);
        return arith::DivFOp::create(nested, nestedLoc, args[0], n);
      });
  Value squares = buildElementwise(
      b, loc, {x, mean}, type.getShape(), elementType,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value d = arith::SubFOp::create(nested, nestedLoc, args[0], args[1]);
        return arith::MulFOp::create(nested, nestedLoc, d, d);
      });
  Value squareSum =
      reduce(b, loc, squares, axes, /*keepDims=*/true, zero, addValues);
  Value invStdDev = buildElementwise(
      b, loc, squareSum, statShape, elementType,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value n = createScalar(nested, nestedLoc, elementType, count);
        Value eps = createScalar(nested, nestedLoc, elementType, epsilon);
        Value one = createScalar(nested, nestedLoc, elementType, 1);
        Value var = arith::DivFOp::create(nested, nestedLoc, args[0], n);
        Value stdDev = math::SqrtOp::create(
            nested, nestedLoc,
            arith::AddFOp::create(nested, nestedLoc, var, eps));
        return arith::DivFOp::create(nested, nestedLoc, one, stdDev);
      });
  return {mean, invStdDev};
}

/// Opset 17: standardizes X over dims [axis, rank) in the precision of
/// stash_type (X is cast to it, the normalized value cast back), then
/// scales by Scale and shifts by the optional B. Mean and InvStdDev have the
/// stash type and X's shape with the normalized dims as 1.
LogicalResult convertLayerNormalization(NodeContext &node) {
  if (failed(requireFloat(node, 0)) ||
      failed(checkAffineInput(node, 1, "Scale")))
    return failure();
  bool hasBias = node.hasInput(2);
  if (hasBias && failed(checkAffineInput(node, 2, "B")))
    return failure();
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  int64_t axisAttr = node.getInt("axis", -1);
  std::optional<int64_t> axis = normalizeAxis(axisAttr, rank);
  if (!axis || *axis >= rank)
    return node.emitError()
           << "axis " << axisAttr << " is out of range for rank " << rank;
  int64_t stashDType = node.getInt("stash_type", 1);
  if (!isFloatDType(static_cast<int32_t>(stashDType)))
    return node.emitError()
           << "attribute 'stash_type' must be a floating-point type, got "
           << dtypeName(static_cast<int32_t>(stashDType));
  int32_t stash = static_cast<int32_t>(stashDType);
  int32_t dtype = node.getInputDType(0);
  Type computeType = node.getElementType(stash);
  Type elementType = type.getElementType();
  double epsilon = node.getFloat("epsilon", 1e-5f);

  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value x =
      convertTensor(b, loc, node.getInputValue(0), dtype, stash, computeType);
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
  auto [mean, invStdDev] = buildMoments(b, loc, x, axes, epsilon);

  SmallVector<Value> inputs = {x, mean, invStdDev, node.getInputValue(1)};
  if (hasBias)
    inputs.push_back(node.getInputValue(2));
  Value result = buildElementwise(
      b, loc, inputs, type.getShape(), elementType,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value centered =
            arith::SubFOp::create(nested, nestedLoc, args[0], args[1]);
        Value normalized =
            arith::MulFOp::create(nested, nestedLoc, centered, args[2]);
        normalized = convertScalar(nested, nestedLoc, normalized, stash, dtype,
                                   elementType);
        Value scaled =
            arith::MulFOp::create(nested, nestedLoc, normalized, args[3]);
        if (!hasBias)
          return scaled;
        return Value(arith::AddFOp::create(nested, nestedLoc, scaled, args[4]));
      });
  node.setOutput(0, result, dtype);
  node.setOutput(1, mean, stash);
  node.setOutput(2, invStdDev, stash);
  return success();
}

} // namespace

void sparq::onnx_frontend::registerReductionConverters(
    ConverterRegistry &registry) {
  auto reduction = [](ReduceKind kind) {
    return [kind](NodeContext &node) { return convertReduce(node, kind); };
  };
  // Opset 18 turned ReduceMean/ReduceMax's axes into an input (ReduceSum's
  // was one from 13 on); getReductionAxes reads either form.
  registry.add("", "ReduceSum", 13, reduction(ReduceKind::Sum));
  registry.add("", "ReduceMean", 13, reduction(ReduceKind::Mean));
  registry.add("", "ReduceMax", 13, reduction(ReduceKind::Max));
  registry.add("", "Softmax", 13, convertSoftmax);
  registry.add("", "LayerNormalization", 17, convertLayerNormalization);
}
