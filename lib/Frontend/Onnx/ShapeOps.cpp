//===- ShapeOps.cpp - ONNX shape and data-movement converters -------------===//
//
// Part of the sparq project.
//
// Operators that compute shapes or move data without arithmetic: Constant,
// Shape, Reshape, Transpose, Unsqueeze, Squeeze, Concat, Split, Slice,
// Gather, Expand, ConstantOfShape and Range.
//
// sparq compiles static shapes, so every shape-like input (Reshape's shape,
// Slice's starts, Expand's shape, ...) must be known at import. PyTorch's
// exporter computes them with chains such as Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape; each converter here computes its result at import when
// its inputs are known and the result is small, so such chains collapse to
// literals before a consumer needs them. Otherwise the data moves with
// tensor.collapse_shape/expand_shape, tensor.extract_slice, tensor.concat,
// linalg.transpose or a linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {

/// Results up to this many elements are computed at import when their inputs
/// are known (the importer's limit for foldable constants).
constexpr int64_t kMaxFoldedElements = 1024;

constexpr int32_t kInt32 = static_cast<int32_t>(DType::Int32);
constexpr int32_t kInt64 = static_cast<int32_t>(DType::Int64);
constexpr int32_t kFloat = static_cast<int32_t>(DType::Float);

//===----------------------------------------------------------------------===//
// Index arithmetic
//===----------------------------------------------------------------------===//

/// Element count of a shape, or std::nullopt if it overflows int64.
std::optional<int64_t> getElementCount(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    std::optional<int64_t> product = llvm::checkedMul(count, dim);
    if (!product)
      return std::nullopt;
    count = *product;
  }
  return count;
}

/// Row-major strides (in elements) of a shape.
SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn` with every multi-index of `shape` in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (llvm::is_contained(shape, 0))
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t dim = static_cast<int64_t>(shape.size()) - 1;
    for (; dim >= 0; --dim) {
      if (++index[dim] < shape[dim])
        break;
      index[dim] = 0;
    }
    if (dim < 0)
      return;
  }
}

//===----------------------------------------------------------------------===//
// Folding
//===----------------------------------------------------------------------===//

/// Whether a result of `shape` is small enough to compute at import.
bool isSmall(ArrayRef<int64_t> shape) {
  std::optional<int64_t> count = getElementCount(shape);
  return count && *count <= kMaxFoldedElements;
}

/// The contents of an op that only copies elements of `input`: result
/// element `index` is the input's element at flat position `sourceOf(index)`.
/// Null unless the input is known and the result small.
DenseElementsAttr
foldCopy(const ImportedValue &input, ArrayRef<int64_t> resultShape,
         llvm::function_ref<int64_t(ArrayRef<int64_t>)> sourceOf) {
  if (!input.constant || !isSmall(resultShape))
    return {};
  auto type =
      RankedTensorType::get(resultShape, input.constant.getElementType());
  if (type.getNumElements() == 0)
    return DenseElementsAttr::get(type, ArrayRef<Attribute>{});
  if (input.constant.isSplat())
    return DenseElementsAttr::get(type,
                                  input.constant.getSplatValue<Attribute>());
  auto values = input.constant.getValues<Attribute>();
  SmallVector<Attribute> elements;
  elements.reserve(type.getNumElements());
  forEachIndex(resultShape, [&](ArrayRef<int64_t> index) {
    elements.push_back(values[sourceOf(index)]);
  });
  return DenseElementsAttr::get(type, elements);
}

/// A known result: an arith.constant carrying its contents.
ImportedValue makeKnown(NodeContext &node, DenseElementsAttr contents,
                        int32_t dtype) {
  ImportedValue result;
  result.value = createConstant(node.getBuilder(), node.getLoc(), contents);
  result.dtype = dtype;
  result.constant = contents;
  return result;
}

/// A computed result.
ImportedValue makeComputed(Value value, int32_t dtype) {
  ImportedValue result;
  result.value = value;
  result.dtype = dtype;
  return result;
}

/// Records a literal as output 0; like the importer's initializers, its
/// contents stay known when small or BOOL (masks).
void setLiteralOutput(NodeContext &node, DenseElementsAttr contents,
                      int32_t dtype) {
  Value value = createConstant(node.getBuilder(), node.getLoc(), contents);
  bool known = contents.getNumElements() <= kMaxFoldedElements ||
               dtype == static_cast<int32_t>(DType::Bool);
  node.setOutput(0, value, dtype, known ? contents : DenseElementsAttr());
}

/// A 1-D INT64 tensor holding `values`.
DenseElementsAttr getInt64Tensor(MLIRContext *ctx, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    IntegerType::get(ctx, 64));
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// Operand checks
//===----------------------------------------------------------------------===//

/// Checks that the first `names.size()` inputs are present.
LogicalResult requireInputs(NodeContext &node, ArrayRef<StringRef> names) {
  for (auto [index, name] : llvm::enumerate(names))
    if (!node.hasInput(index))
      return node.emitError() << "input '" << name << "' is missing";
  return success();
}

/// The contents of an integer list input that static shapes need at import
/// (Reshape's shape, Slice's starts, Unsqueeze's axes, ...).
FailureOr<SmallVector<int64_t>>
getConstantInts(NodeContext &node, unsigned index, StringRef name) {
  if (!node.hasInput(index)) {
    node.emitError() << "input '" << name << "' is missing";
    return failure();
  }
  RankedTensorType type = node.getInputType(index);
  int32_t dtype = node.getInputDType(index);
  if (!isa<IntegerType>(type.getElementType()) ||
      dtype == static_cast<int32_t>(DType::Bool)) {
    node.emitError() << "input '" << name << "' must be an integer tensor, got "
                     << dtypeName(dtype);
    return failure();
  }
  if (type.getRank() > 1) {
    node.emitError() << "input '" << name << "' must be 1-D, got shape "
                     << formatShape(type.getShape());
    return failure();
  }
  std::optional<SmallVector<int64_t>> ints = node.getInputInts(index);
  if (!ints) {
    node.emitError() << "input '" << name
                     << "' must be a compile-time constant (sparq compiles "
                        "static shapes)";
    return failure();
  }
  return *ints;
}

/// Normalizes a single axis attribute against `rank`.
FailureOr<int64_t> getAxis(NodeContext &node, int64_t axis, int64_t rank) {
  if (std::optional<int64_t> normalized = normalizeAxis(axis, rank))
    return *normalized;
  node.emitError() << "attribute 'axis' " << axis
                   << " is out of range for rank " << rank;
  return failure();
}

/// Normalizes a list of axes read from input `name` against `rank` (named
/// `rankName` in messages); each axis may appear once.
FailureOr<SmallVector<int64_t>> normalizeAxes(NodeContext &node, StringRef name,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank,
                                              StringRef rankName = "rank") {
  SmallVector<int64_t> normalized;
  for (int64_t axis : axes) {
    std::optional<int64_t> n = normalizeAxis(axis, rank);
    if (!n || rank == 0) {
      node.emitError() << "input '" << name << "' " << formatShape(axes)
                       << ": axis " << axis << " is out of range for "
                       << rankName << " " << rank;
      return failure();
    }
    if (llvm::is_contained(normalized, *n)) {
      node.emitError() << "input '" << name << "' " << formatShape(axes)
                       << ": axis " << *n << " appears more than once";
      return failure();
    }
    normalized.push_back(*n);
  }
  return normalized;
}

//===----------------------------------------------------------------------===//
// Shared data movement
//===----------------------------------------------------------------------===//

/// `input` with a new shape of the same element count.
ImportedValue reshapeValue(NodeContext &node, const ImportedValue &input,
                           ArrayRef<int64_t> shape) {
  if (input.getShape() == shape)
    return input;
  if (input.constant) {
    auto type = RankedTensorType::get(shape, input.constant.getElementType());
    DenseElementsAttr contents = input.constant;
    return makeKnown(node, contents.reshape(type), input.dtype);
  }
  return makeComputed(
      reshape(node.getBuilder(), node.getLoc(), input.value, shape),
      input.dtype);
}

/// Reverses the dimensions `dims` of `input` with a linalg.generic reading
/// index (size - 1 - i).
Value reverseDims(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(input.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr dim = getAffineDimExpr(d, ctx);
    exprs.push_back(llvm::is_contained(dims, d)
                        ? getAffineConstantExpr(type.getDimSize(d) - 1, ctx) -
                              dim
                        : dim);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, input, init, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

/// The elements `starts[d] + i * steps[d]`, i < counts[d], of every
/// dimension d of `input` (steps may be negative; the positions are valid).
ImportedValue sliceValue(NodeContext &node, const ImportedValue &input,
                         ArrayRef<int64_t> starts, ArrayRef<int64_t> steps,
                         ArrayRef<int64_t> counts) {
  ArrayRef<int64_t> shape = input.getShape();
  bool whole = counts == shape &&
               llvm::all_of(starts, [](int64_t s) { return s == 0; }) &&
               llvm::all_of(steps, [](int64_t s) { return s == 1; });
  if (whole)
    return input;
  SmallVector<int64_t> strides = getStrides(shape);
  if (DenseElementsAttr folded =
          foldCopy(input, counts, [&](ArrayRef<int64_t> index) {
            int64_t source = 0;
            for (size_t d = 0; d < index.size(); ++d)
              source += (starts[d] + index[d] * steps[d]) * strides[d];
            return source;
          }))
    return makeKnown(node, folded, input.dtype);

  // extract_slice takes positive strides only: a negative step reads the
  // same elements as a positive one from the last of them, reversed.
  SmallVector<int64_t> offsets, sliceStrides, reversed;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (steps[d] > 0) {
      offsets.push_back(counts[d] > 0 ? starts[d] : 0);
      sliceStrides.push_back(steps[d]);
      continue;
    }
    offsets.push_back(counts[d] > 0 ? starts[d] + (counts[d] - 1) * steps[d]
                                    : 0);
    sliceStrides.push_back(-steps[d]);
    if (counts[d] > 1)
      reversed.push_back(d);
  }
  OpBuilder &b = node.getBuilder();
  Value slice = input.value;
  bool reversesOnly =
      counts == shape &&
      llvm::all_of(offsets, [](int64_t o) { return o == 0; }) &&
      llvm::all_of(sliceStrides, [](int64_t s) { return s == 1; });
  if (!reversesOnly) {
    auto type = RankedTensorType::get(counts, input.getType().getElementType());
    slice = tensor::ExtractSliceOp::create(
        b, node.getLoc(), type, input.value, ValueRange{}, ValueRange{},
        ValueRange{}, offsets, counts, sliceStrides);
  }
  if (!reversed.empty())
    slice = reverseDims(b, node.getLoc(), slice, reversed);
  return makeComputed(slice, input.dtype);
}

//===----------------------------------------------------------------------===//
// Constant, Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

LogicalResult convertConstant(NodeContext &node) {
  static constexpr StringLiteral kValueAttrs[] = {
      "value",      "value_float",  "value_floats",  "value_int",
      "value_ints", "value_string", "value_strings", "sparse_value"};
  SmallVector<StringRef> present;
  for (StringRef name : kValueAttrs)
    if (node.hasAttr(name))
      present.push_back(name);
  if (present.empty())
    return node.emitError() << "has no value attribute (value, value_float, "
                               "value_floats, value_int or value_ints)";
  if (present.size() > 1) {
    InFlightDiagnostic diag = node.emitError();
    diag << "has more than one value attribute: ";
    llvm::interleaveComma(present, diag);
    return failure();
  }

  StringRef kind = present.front();
  MLIRContext *ctx = node.getContext();
  Type f32 = Float32Type::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  if (kind == "value") {
    FailureOr<ImportedValue> value = node.getTensorAttr("value");
    if (failed(value))
      return failure();
    node.setOutput(0, *value);
    return success();
  }
  if (kind == "value_float") {
    float value = node.getFloat(kind, 0);
    setLiteralOutput(node,
                     DenseElementsAttr::get(RankedTensorType::get({}, f32),
                                            ArrayRef<float>(value)),
                     kFloat);
    return success();
  }
  if (kind == "value_floats") {
    SmallVector<float> values = *node.getFloats(kind);
    auto type =
        RankedTensorType::get({static_cast<int64_t>(values.size())}, f32);
    setLiteralOutput(node, DenseElementsAttr::get(type, ArrayRef(values)),
                     kFloat);
    return success();
  }
  if (kind == "value_int") {
    int64_t value = node.getInt(kind, 0);
    setLiteralOutput(node,
                     DenseElementsAttr::get(RankedTensorType::get({}, i64),
                                            ArrayRef<int64_t>(value)),
                     kInt64);
    return success();
  }
  if (kind == "value_ints") {
    setLiteralOutput(node, getInt64Tensor(ctx, *node.getInts(kind)), kInt64);
    return success();
  }
  return node.emitError() << "attribute '" << kind
                          << "' is not supported: sparq has no string or "
                             "sparse tensors";
}

/// Shape: always known, since every shape is static.
LogicalResult convertShape(NodeContext &node) {
  if (failed(requireInputs(node, {"data"})))
    return failure();
  ArrayRef<int64_t> shape = node.getInputType(0).getShape();
  int64_t rank = shape.size();
  // start/end (opset 15) select dims like a Python slice, clamped to the
  // rank.
  auto clampToRank = [&](int64_t value) {
    if (value < 0)
      value += rank;
    return std::clamp<int64_t>(value, 0, rank);
  };
  int64_t start = 0, end = rank;
  if (node.getOpset() >= 15) {
    start = clampToRank(node.getInt("start", 0));
    end = clampToRank(node.getInt("end", rank));
  }
  end = std::max(start, end);
  node.setConstantOutput(
      0, getInt64Tensor(node.getContext(), shape.slice(start, end - start)),
      kInt64);
  return success();
}

/// The shape in input `index` for ops that create tensors of a given shape
/// (ConstantOfShape, Expand): known, every dimension >= 0.
FailureOr<SmallVector<int64_t>> getShapeInput(NodeContext &node,
                                              unsigned index) {
  FailureOr<SmallVector<int64_t>> shape = getConstantInts(node, index, "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
      !getElementCount(*shape)) {
    node.emitError() << "input 'shape' " << formatShape(*shape)
                     << " is not a valid shape";
    return failure();
  }
  return shape;
}

/// Erases an unused constant that getTensorAttr materialized.
void eraseIfUnused(Value value) {
  if (!value)
    return;
  Operation *op = value.getDefiningOp();
  if (op && op->use_empty())
    op->erase();
}

LogicalResult convertConstantOfShape(NodeContext &node) {
  FailureOr<SmallVector<int64_t>> shape = getShapeInput(node, 0);
  if (failed(shape))
    return failure();
  MLIRContext *ctx = node.getContext();
  Attribute element = FloatAttr::get(Float32Type::get(ctx), 0.0);
  int32_t dtype = kFloat;
  if (node.hasAttr("value")) {
    FailureOr<ImportedValue> value = node.getTensorAttr("value");
    if (failed(value))
      return failure();
    SmallVector<int64_t> valueShape(value->getShape());
    DenseElementsAttr contents = value->constant;
    dtype = value->dtype;
    // Only the element is needed; drop the constant the import created.
    eraseIfUnused(value->value);
    eraseIfUnused(value->packed);
    if (!contents || contents.getNumElements() != 1)
      return node.emitError() << "attribute 'value' must hold one element, "
                                 "got shape "
                              << formatShape(valueShape);
    element = contents.getValues<Attribute>()[0];
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  setLiteralOutput(node, DenseElementsAttr::get(type, element), dtype);
  return success();
}

/// A Range bound as a double (floats) or an integer (integer types).
struct RangeScalar {
  double real = 0;
  int64_t integer = 0;
};

FailureOr<RangeScalar> getRangeScalar(NodeContext &node, unsigned index,
                                      StringRef name) {
  RankedTensorType type = node.getInputType(index);
  DenseElementsAttr constant = node.getInputConstant(index);
  if (type.getNumElements() != 1) {
    node.emitError() << "input '" << name << "' must be a scalar, got shape "
                     << formatShape(type.getShape());
    return failure();
  }
  if (!constant) {
    node.emitError() << "input '" << name
                     << "' must be a compile-time constant (sparq compiles "
                        "static shapes)";
    return failure();
  }
  RangeScalar scalar;
  if (isa<FloatType>(type.getElementType()))
    scalar.real = constant.getValues<APFloat>()[0].convertToDouble();
  else
    scalar.integer = (*node.getInputInts(index))[0];
  return scalar;
}

/// The number of elements of Range(start, limit, delta):
/// max(ceil((limit - start) / delta), 0).
FailureOr<int64_t> getRangeCount(NodeContext &node, bool isFloat,
                                 RangeScalar start, RangeScalar limit,
                                 RangeScalar delta) {
  if (isFloat ? delta.real == 0 : delta.integer == 0)
    return node.emitError() << "input 'delta' is 0";
  auto tooLong = [&]() -> LogicalResult {
    InFlightDiagnostic diag = node.emitError();
    if (isFloat)
      diag << "start " << start.real << ", limit " << limit.real
           << " and delta " << delta.real;
    else
      diag << "start " << start.integer << ", limit " << limit.integer
           << " and delta " << delta.integer;
    diag << " give no length below 2^63";
    return failure();
  };
  if (isFloat) {
    double count = std::ceil((limit.real - start.real) / delta.real);
    if (std::isnan(count) || count >= 0x1p63)
      return tooLong();
    return count > 0 ? static_cast<int64_t>(count) : 0;
  }
  // In 128 bits: limit - start may not fit in 64.
  __int128 span = static_cast<__int128>(limit.integer) - start.integer;
  __int128 step = delta.integer;
  if ((span > 0) != (step > 0) || span == 0)
    return int64_t(0);
  __int128 count = (span + step + (step > 0 ? -1 : 1)) / step;
  if (count > std::numeric_limits<int64_t>::max())
    return tooLong();
  return static_cast<int64_t>(count);
}

/// start + i * delta for i < count, computed in 64 bits (integers) or as
/// doubles (floats) and converted to the element type.
DenseElementsAttr foldRange(RankedTensorType type, RangeScalar start,
                            RangeScalar delta) {
  int64_t count = type.getNumElements();
  if (auto floatType = dyn_cast<FloatType>(type.getElementType())) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < count; ++i) {
      APFloat value(start.real + static_cast<double>(i) * delta.real);
      bool losesInfo;
      value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      values.push_back(value);
    }
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = type.getElementTypeBitWidth();
  SmallVector<APInt> values;
  for (int64_t i = 0; i < count; ++i) {
    auto value = static_cast<int64_t>(static_cast<uint64_t>(start.integer) +
                                      static_cast<uint64_t>(i) *
                                          static_cast<uint64_t>(delta.integer));
    values.push_back(
        APInt(width, value, /*isSigned=*/true, /*implicitTrunc=*/true));
  }
  return DenseElementsAttr::get(type, values);
}

/// A large Range as a linalg.generic computing start + index * delta.
Value buildRange(OpBuilder &b, Location loc, RankedTensorType type,
                 RangeScalar start, RangeScalar delta) {
  MLIRContext *ctx = b.getContext();
  Type elementType = type.getElementType();
  bool isFloat = isa<FloatType>(elementType);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(1, ctx)};
  Value init = createEmpty(b, loc, type.getShape(), elementType);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{}, init, maps,
             {utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location nl, ValueRange) {
               Value index = linalg::IndexOp::create(nb, nl, 0);
               Value i64 =
                   arith::IndexCastOp::create(nb, nl, nb.getI64Type(), index);
               Value result;
               if (isFloat) {
                 Type f64 = nb.getF64Type();
                 Value i = arith::SIToFPOp::create(nb, nl, f64, i64);
                 Value scaled = arith::MulFOp::create(
                     nb, nl, i, createScalar(nb, nl, f64, delta.real));
                 result = arith::AddFOp::create(
                     nb, nl, scaled, createScalar(nb, nl, f64, start.real));
                 if (!elementType.isF64())
                   result =
                       arith::TruncFOp::create(nb, nl, elementType, result);
               } else {
                 // Integer bounds may not be exact as doubles.
                 Value scaled = arith::MulIOp::create(
                     nb, nl, i64,
                     arith::ConstantOp::create(
                         nb, nl, nb.getI64IntegerAttr(delta.integer)));
                 result = arith::AddIOp::create(
                     nb, nl, scaled,
                     arith::ConstantOp::create(
                         nb, nl, nb.getI64IntegerAttr(start.integer)));
                 if (elementType.getIntOrFloatBitWidth() != 64)
                   result =
                       arith::TruncIOp::create(nb, nl, elementType, result);
               }
               linalg::YieldOp::create(nb, nl, result);
             })
      .getResult(0);
}

LogicalResult convertRange(NodeContext &node) {
  if (failed(requireInputs(node, {"start", "limit", "delta"})))
    return failure();
  int32_t dtype = node.getInputDType(0);
  if (node.getInputDType(1) != dtype || node.getInputDType(2) != dtype)
    return node.emitError()
           << "inputs 'start', 'limit' and 'delta' must have "
              "the same type, got "
           << dtypeName(dtype) << ", " << dtypeName(node.getInputDType(1))
           << " and " << dtypeName(node.getInputDType(2));
  static constexpr DType kRangeTypes[] = {
      DType::Float, DType::Double, DType::Float16, DType::BFloat16,
      DType::Int16, DType::Int32,  DType::Int64};
  if (!llvm::is_contained(kRangeTypes, static_cast<DType>(dtype)))
    return node.emitError() << "element type " << dtypeName(dtype)
                            << " is not supported (FLOAT, DOUBLE, FLOAT16, "
                               "BFLOAT16, INT16, INT32 or INT64)";
  FailureOr<RangeScalar> start = getRangeScalar(node, 0, "start");
  FailureOr<RangeScalar> limit = getRangeScalar(node, 1, "limit");
  FailureOr<RangeScalar> delta = getRangeScalar(node, 2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  Type elementType = node.getInputType(0).getElementType();
  FailureOr<int64_t> count =
      getRangeCount(node, isa<FloatType>(elementType), *start, *limit, *delta);
  if (failed(count))
    return failure();
  auto type = RankedTensorType::get({*count}, elementType);
  if (*count <= kMaxFoldedElements) {
    node.setConstantOutput(0, foldRange(type, *start, *delta), dtype);
    return success();
  }
  node.setOutput(
      0, buildRange(node.getBuilder(), node.getLoc(), type, *start, *delta),
      dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape, Unsqueeze, Squeeze
//===----------------------------------------------------------------------===//

/// Reshape's target shape: 0 copies the input dim (unless allowzero), one -1
/// takes the remaining elements.
FailureOr<SmallVector<int64_t>> inferReshape(NodeContext &node,
                                             ArrayRef<int64_t> inputShape,
                                             ArrayRef<int64_t> requested,
                                             bool allowZero) {
  auto fail = [&]() -> InFlightDiagnostic {
    return node.emitError() << "cannot reshape " << formatShape(inputShape)
                            << " to " << formatShape(requested) << ": ";
  };
  SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  for (auto [i, requestedDim] : llvm::enumerate(requested)) {
    int64_t dim = requestedDim;
    if (dim == -1) {
      if (inferred) {
        fail() << "more than one -1";
        return failure();
      }
      inferred = i;
      shape.push_back(1);
      continue;
    }
    if (dim == 0 && !allowZero) {
      if (i >= inputShape.size()) {
        fail() << "0 at position " << i << " copies a dimension the input "
               << "does not have";
        return failure();
      }
      dim = inputShape[i];
    }
    if (dim < 0) {
      fail() << "negative dimension " << dim;
      return failure();
    }
    shape.push_back(dim);
  }
  if (allowZero && inferred && llvm::is_contained(requested, 0)) {
    fail() << "with allowzero=1 the shape cannot hold both 0 and -1";
    return failure();
  }
  int64_t inputCount = getElementCount(inputShape).value_or(-1);
  std::optional<int64_t> known = getElementCount(shape);
  if (inferred) {
    if (!known || *known == 0 || inputCount % *known != 0) {
      fail() << "the -1 cannot be inferred from " << inputCount << " elements";
      return failure();
    }
    shape[*inferred] = inputCount / *known;
    known = inputCount;
  }
  if (!known || *known != inputCount) {
    InFlightDiagnostic diag = fail();
    diag << "element counts differ (" << inputCount << " and ";
    if (known)
      diag << *known;
    else
      diag << "more than 2^63";
    diag << ")";
    return failure();
  }
  return shape;
}

LogicalResult convertReshape(NodeContext &node) {
  if (failed(requireInputs(node, {"data", "shape"})))
    return failure();
  FailureOr<SmallVector<int64_t>> requested = getConstantInts(node, 1, "shape");
  if (failed(requested))
    return failure();
  bool allowZero = node.getInt("allowzero", 0) != 0;
  const ImportedValue &input = node.getInput(0);
  FailureOr<SmallVector<int64_t>> shape =
      inferReshape(node, input.getShape(), *requested, allowZero);
  if (failed(shape))
    return failure();
  node.setOutput(0, reshapeValue(node, input, *shape));
  return success();
}

LogicalResult convertUnsqueeze(NodeContext &node) {
  if (failed(requireInputs(node, {"data", "axes"})))
    return failure();
  FailureOr<SmallVector<int64_t>> axesInput = getConstantInts(node, 1, "axes");
  if (failed(axesInput))
    return failure();
  const ImportedValue &input = node.getInput(0);
  // Axes count in the result's rank.
  int64_t rank = input.getRank() + static_cast<int64_t>(axesInput->size());
  FailureOr<SmallVector<int64_t>> axes =
      normalizeAxes(node, "axes", *axesInput, rank, "output rank");
  if (failed(axes))
    return failure();
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> remaining = input.getShape();
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(*axes, d)) {
      shape.push_back(1);
      continue;
    }
    shape.push_back(remaining.front());
    remaining = remaining.drop_front();
  }
  node.setOutput(0, reshapeValue(node, input, shape));
  return success();
}

LogicalResult convertSqueeze(NodeContext &node) {
  if (failed(requireInputs(node, {"data"})))
    return failure();
  const ImportedValue &input = node.getInput(0);
  ArrayRef<int64_t> inputShape = input.getShape();
  SmallVector<int64_t> axes;
  if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> axesInput =
        getConstantInts(node, 1, "axes");
    if (failed(axesInput))
      return failure();
    FailureOr<SmallVector<int64_t>> normalized =
        normalizeAxes(node, "axes", *axesInput, input.getRank());
    if (failed(normalized))
      return failure();
    axes = *normalized;
  }
  for (int64_t axis : axes)
    if (inputShape[axis] != 1)
      return node.emitError() << "cannot squeeze axis " << axis << " of size "
                              << inputShape[axis] << " (input shape "
                              << formatShape(inputShape) << ")";
  // Without axes (or with an empty list) every size-1 dimension goes.
  SmallVector<int64_t> shape;
  for (auto [d, dim] : llvm::enumerate(inputShape)) {
    bool squeezed = axes.empty()
                        ? dim == 1
                        : llvm::is_contained(axes, static_cast<int64_t>(d));
    if (!squeezed)
      shape.push_back(dim);
  }
  node.setOutput(0, reshapeValue(node, input, shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Transpose, Expand
//===----------------------------------------------------------------------===//

LogicalResult convertTranspose(NodeContext &node) {
  if (failed(requireInputs(node, {"data"})))
    return failure();
  const ImportedValue &input = node.getInput(0);
  int64_t rank = input.getRank();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> attr = node.getInts("perm")) {
    perm = *attr;
  } else {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  }
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
    return node.emitError()
           << "attribute 'perm' " << formatShape(perm)
           << " is not a permutation of the " << rank << " input dimensions";
  if (llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
    node.setOutput(0, input);
    return success();
  }
  ArrayRef<int64_t> inputShape = input.getShape();
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(inputShape[p]);
  SmallVector<int64_t> strides = getStrides(inputShape);
  if (DenseElementsAttr folded =
          foldCopy(input, shape, [&](ArrayRef<int64_t> index) {
            int64_t source = 0;
            for (int64_t d = 0; d < rank; ++d)
              source += index[d] * strides[perm[d]];
            return source;
          })) {
    node.setConstantOutput(0, folded, input.dtype);
    return success();
  }
  node.setOutput(0,
                 transpose(node.getBuilder(), node.getLoc(), input.value, perm),
                 input.dtype);
  return success();
}

LogicalResult convertExpand(NodeContext &node) {
  if (failed(requireInputs(node, {"input", "shape"})))
    return failure();
  FailureOr<SmallVector<int64_t>> requested = getShapeInput(node, 1);
  if (failed(requested))
    return failure();
  const ImportedValue &input = node.getInput(0);
  ArrayRef<int64_t> inputShape = input.getShape();
  // Broadcasting goes both ways: a 1 in `shape` keeps the input's dim.
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes({inputShape, *requested});
  if (!shape)
    return node.emitError()
           << "input shape " << formatShape(inputShape)
           << " does not broadcast to 'shape' " << formatShape(*requested);
  if (*shape == inputShape) {
    node.setOutput(0, input);
    return success();
  }
  SmallVector<int64_t> strides = getStrides(inputShape);
  int64_t offset = shape->size() - inputShape.size();
  if (DenseElementsAttr folded =
          foldCopy(input, *shape, [&](ArrayRef<int64_t> index) {
            int64_t source = 0;
            for (size_t d = 0; d < inputShape.size(); ++d)
              if (inputShape[d] != 1)
                source += index[offset + d] * strides[d];
            return source;
          })) {
    node.setConstantOutput(0, folded, input.dtype);
    return success();
  }
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(), input.value, *shape,
      input.getType().getElementType(),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  node.setOutput(0, result, input.dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// Concat, Split, Slice
//===----------------------------------------------------------------------===//

/// Concat of known inputs along `axis`.
DenseElementsAttr foldConcat(ArrayRef<const ImportedValue *> inputs,
                             int64_t axis, ArrayRef<int64_t> shape) {
  if (!isSmall(shape) ||
      llvm::any_of(inputs, [](const ImportedValue *v) { return !v->constant; }))
    return {};
  // The result is, for each index before the axis, each input's block of
  // (dims from the axis on) in turn.
  int64_t outer = *getElementCount(shape.take_front(axis));
  SmallVector<Attribute> elements;
  for (int64_t o = 0; o < outer; ++o)
    for (const ImportedValue *input : inputs) {
      int64_t block = *getElementCount(input->getShape().drop_front(axis));
      auto values = input->constant.getValues<Attribute>();
      for (int64_t i = 0; i < block; ++i)
        elements.push_back(values[o * block + i]);
    }
  auto type =
      RankedTensorType::get(shape, inputs.front()->constant.getElementType());
  return DenseElementsAttr::get(type, elements);
}

LogicalResult convertConcat(NodeContext &node) {
  if (node.getNumInputs() == 0)
    return node.emitError() << "has no inputs";
  SmallVector<const ImportedValue *> inputs;
  for (unsigned i = 0; i < node.getNumInputs(); ++i) {
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
    inputs.push_back(&node.getInput(i));
  }
  std::optional<int64_t> axisAttr = node.getOptionalInt("axis");
  if (!axisAttr)
    return node.emitError() << "attribute 'axis' is required";
  const ImportedValue &first = *inputs.front();
  if (first.getRank() == 0)
    return node.emitError() << "cannot concatenate scalars";
  FailureOr<int64_t> axis = getAxis(node, *axisAttr, first.getRank());
  if (failed(axis))
    return failure();

  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    if (input->dtype != first.dtype)
      return node.emitError()
             << "input " << i << " is " << dtypeName(input->dtype)
             << " but input 0 is " << dtypeName(first.dtype);
    bool agree = input->getRank() == first.getRank();
    for (int64_t d = 0; agree && d < first.getRank(); ++d)
      agree = d == *axis || input->getShape()[d] == first.getShape()[d];
    if (!agree)
      return node.emitError()
             << "input " << i << " has shape " << formatShape(input->getShape())
             << " but input 0 has " << formatShape(first.getShape())
             << "; they must agree except on axis " << *axis;
    shape[*axis] += input->getShape()[*axis];
  }

  if (DenseElementsAttr folded = foldConcat(inputs, *axis, shape)) {
    node.setConstantOutput(0, folded, first.dtype);
    return success();
  }
  // Empty inputs add nothing.
  SmallVector<Value> nonEmpty;
  for (const ImportedValue *input : inputs)
    if (input->getShape()[*axis] != 0)
      nonEmpty.push_back(input->value);
  OpBuilder &b = node.getBuilder();
  Value result;
  if (nonEmpty.empty())
    result =
        createEmpty(b, node.getLoc(), shape, first.getType().getElementType());
  else if (nonEmpty.size() == 1)
    result = nonEmpty.front();
  else
    result = tensor::ConcatOp::create(b, node.getLoc(), *axis, nonEmpty);
  node.setOutput(0, result, first.dtype);
  return success();
}

/// The sizes of Split's outputs along an axis of size `dim`.
FailureOr<SmallVector<int64_t>> getSplitSizes(NodeContext &node, int64_t axis,
                                              int64_t dim) {
  int64_t numOutputs = node.getNumOutputs();
  std::optional<int64_t> numOutputsAttr;
  if (node.getOpset() >= 18)
    numOutputsAttr = node.getOptionalInt("num_outputs");
  if (node.hasInput(1)) {
    if (numOutputsAttr)
      return node.emitError()
             << "input 'split' and attribute 'num_outputs' are both set";
    FailureOr<SmallVector<int64_t>> sizes = getConstantInts(node, 1, "split");
    if (failed(sizes))
      return failure();
    if (static_cast<int64_t>(sizes->size()) != numOutputs)
      return node.emitError()
             << "input 'split' " << formatShape(*sizes) << " has "
             << sizes->size() << " sizes but the node has " << numOutputs
             << " outputs";
    int64_t sum = 0;
    for (int64_t size : *sizes)
      sum = size < 0 || sum < 0 ? -1 : sum + size;
    if (sum != dim)
      return node.emitError()
             << "input 'split' " << formatShape(*sizes)
             << " does not divide axis " << axis << " of size " << dim;
    return sizes;
  }
  if (numOutputsAttr && *numOutputsAttr != numOutputs)
    return node.emitError() << "attribute 'num_outputs' is " << *numOutputsAttr
                            << " but the node has " << numOutputs << " outputs";
  if (numOutputs < 1)
    return node.emitError() << "has no outputs";
  if (dim % numOutputs == 0)
    return SmallVector<int64_t>(numOutputs, dim / numOutputs);
  // Since opset 18 the last chunk may be smaller.
  int64_t chunk = llvm::divideCeil(dim, numOutputs);
  int64_t last = dim - chunk * (numOutputs - 1);
  if (node.getOpset() < 18 || last < 0)
    return node.emitError()
           << "axis " << axis << " of size " << dim << " does not split into "
           << numOutputs << " parts";
  SmallVector<int64_t> sizes(numOutputs, chunk);
  sizes.back() = last;
  return sizes;
}

LogicalResult convertSplit(NodeContext &node) {
  if (failed(requireInputs(node, {"input"})))
    return failure();
  const ImportedValue &input = node.getInput(0);
  if (input.getRank() == 0)
    return node.emitError() << "cannot split a scalar";
  FailureOr<int64_t> axis =
      getAxis(node, node.getInt("axis", 0), input.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> shape = input.getShape();
  FailureOr<SmallVector<int64_t>> sizes =
      getSplitSizes(node, *axis, shape[*axis]);
  if (failed(sizes))
    return failure();
  SmallVector<int64_t> starts(shape.size(), 0), steps(shape.size(), 1);
  SmallVector<int64_t> counts(shape);
  for (auto [i, size] : llvm::enumerate(*sizes)) {
    counts[*axis] = size;
    if (node.hasOutput(i))
      node.setOutput(i, sliceValue(node, input, starts, steps, counts));
    starts[*axis] += size;
  }
  return success();
}

/// One sliced dimension: elements start + i * step for i < count.
struct SliceRange {
  int64_t start, step, count;
};

/// numpy's rule for a slice start:end:step of a dimension of size `dim`:
/// negative positions count from the end, then clamp to the dimension.
SliceRange clampSlice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (dim == 0)
    return {0, step, 0};
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    int64_t count = end > start ? llvm::divideCeil(end - start, step) : 0;
    return {start, step, count};
  }
  // Walking backwards: start at most the last element, end at least one
  // before the first (-1 meaning "through index 0").
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  int64_t count = start > end ? llvm::divideCeil(start - end, -step) : 0;
  return {start, step, count};
}

LogicalResult convertSlice(NodeContext &node) {
  if (failed(requireInputs(node, {"data", "starts", "ends"})))
    return failure();
  const ImportedValue &input = node.getInput(0);
  int64_t rank = input.getRank();
  FailureOr<SmallVector<int64_t>> starts = getConstantInts(node, 1, "starts");
  if (failed(starts))
    return failure();
  FailureOr<SmallVector<int64_t>> ends = getConstantInts(node, 2, "ends");
  if (failed(ends))
    return failure();
  size_t n = starts->size();
  if (ends->size() != n)
    return node.emitError()
           << "inputs 'starts' " << formatShape(*starts) << " and 'ends' "
           << formatShape(*ends) << " differ in length";
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, n));
  if (node.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> axesInput =
        getConstantInts(node, 3, "axes");
    if (failed(axesInput))
      return failure();
    if (axesInput->size() != n)
      return node.emitError()
             << "input 'axes' " << formatShape(*axesInput) << " has "
             << axesInput->size() << " entries but 'starts' has " << n;
    axes = *axesInput;
  }
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(node, "axes", axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> steps(n, 1);
  if (node.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> stepsInput =
        getConstantInts(node, 4, "steps");
    if (failed(stepsInput))
      return failure();
    if (stepsInput->size() != n)
      return node.emitError()
             << "input 'steps' " << formatShape(*stepsInput) << " has "
             << stepsInput->size() << " entries but 'starts' has " << n;
    steps = *stepsInput;
  }

  ArrayRef<int64_t> shape = input.getShape();
  SmallVector<int64_t> sliceStarts(rank, 0), sliceSteps(rank, 1);
  SmallVector<int64_t> counts(shape);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = (*normalized)[i];
    if (steps[i] == 0)
      return node.emitError() << "input 'steps' " << formatShape(steps)
                              << " has a 0 step for axis " << axis;
    SliceRange range =
        clampSlice((*starts)[i], (*ends)[i], steps[i], shape[axis]);
    sliceStarts[axis] = range.start;
    sliceSteps[axis] = range.step;
    counts[axis] = range.count;
  }
  node.setOutput(0, sliceValue(node, input, sliceStarts, sliceSteps, counts));
  return success();
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// Gather's result shape: data dims before the axis, the indices' dims, data
/// dims after the axis.
SmallVector<int64_t> getGatherShape(ArrayRef<int64_t> dataShape,
                                    ArrayRef<int64_t> indicesShape,
                                    int64_t axis) {
  SmallVector<int64_t> shape(dataShape.take_front(axis));
  llvm::append_range(shape, indicesShape);
  llvm::append_range(shape, dataShape.drop_front(axis + 1));
  return shape;
}

/// The step of `indices` if they are start, start + step, ... with step > 0
/// (a single index counts as step 1).
std::optional<int64_t> getProgressionStep(ArrayRef<int64_t> indices) {
  if (indices.size() == 1)
    return 1;
  if (indices.size() < 2 || indices[1] <= indices[0])
    return std::nullopt;
  int64_t step = indices[1] - indices[0];
  for (size_t i = 2; i < indices.size(); ++i)
    if (indices[i] - indices[i - 1] != step)
      return std::nullopt;
  return step;
}

/// Gather with known indices that are an evenly spaced increasing run: one
/// extract_slice (rank-reducing for a scalar index).
Value buildStridedGather(OpBuilder &b, Location loc, Value data,
                         ArrayRef<int64_t> indices, int64_t step, int64_t axis,
                         ArrayRef<int64_t> resultShape, int64_t indicesRank) {
  auto dataType = cast<RankedTensorType>(data.getType());
  SmallVector<int64_t> offsets(dataType.getRank(), 0);
  SmallVector<int64_t> sizes(dataType.getShape());
  SmallVector<int64_t> strides(dataType.getRank(), 1);
  offsets[axis] = indices.front();
  sizes[axis] = indices.size();
  strides[axis] = step;
  SmallVector<int64_t> sliceShape =
      indicesRank <= 1 ? SmallVector<int64_t>(resultShape) : sizes;
  auto type = RankedTensorType::get(sliceShape, dataType.getElementType());
  Value slice = tensor::ExtractSliceOp::create(b, loc, type, data, ValueRange{},
                                               ValueRange{}, ValueRange{},
                                               offsets, sizes, strides);
  return reshape(b, loc, slice, resultShape);
}

/// Gather with indices known only at run time: a linalg.generic reading each
/// index and extracting the data element. Negative indices wrap once; out of
/// range ones are clamped, since no error can be raised at run time.
Value buildDynamicGather(OpBuilder &b, Location loc, Value data, Value indices,
                         int64_t axis, ArrayRef<int64_t> resultShape) {
  MLIRContext *ctx = b.getContext();
  auto dataType = cast<RankedTensorType>(data.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  int64_t rank = resultShape.size();
  int64_t indicesRank = indicesType.getRank();
  int64_t dimSize = dataType.getDimSize(axis);
  SmallVector<AffineExpr> indexExprs;
  for (int64_t d = 0; d < indicesRank; ++d)
    indexExprs.push_back(getAffineDimExpr(axis + d, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultShape, dataType.getElementType());
  auto body = [&](OpBuilder &nb, Location nl, ValueRange args) {
    Type i64 = nb.getI64Type();
    Value index = args[0];
    if (index.getType() != i64)
      index = arith::ExtSIOp::create(nb, nl, i64, index);
    Value size = createScalar(nb, nl, i64, dimSize);
    Value zero = createScalar(nb, nl, i64, 0);
    Value isNegative =
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, index, zero);
    Value wrapped = arith::AddIOp::create(nb, nl, index, size);
    index = arith::SelectOp::create(nb, nl, isNegative, wrapped, index);
    index = arith::MaxSIOp::create(nb, nl, index, zero);
    index = arith::MinSIOp::create(nb, nl, index,
                                   createScalar(nb, nl, i64, dimSize - 1));
    SmallVector<Value> coords;
    for (int64_t d = 0; d < axis; ++d)
      coords.push_back(linalg::IndexOp::create(nb, nl, d));
    coords.push_back(
        arith::IndexCastOp::create(nb, nl, nb.getIndexType(), index));
    for (int64_t d = axis + 1; d < dataType.getRank(); ++d)
      coords.push_back(linalg::IndexOp::create(nb, nl, d - 1 + indicesRank));
    Value element = tensor::ExtractOp::create(nb, nl, data, coords);
    linalg::YieldOp::create(nb, nl, element);
  };
  return linalg::GenericOp::create(b, loc, init.getType(), indices, init, maps,
                                   iterators, body)
      .getResult(0);
}

LogicalResult convertGather(NodeContext &node) {
  if (failed(requireInputs(node, {"data", "indices"})))
    return failure();
  const ImportedValue &data = node.getInput(0);
  const ImportedValue &indices = node.getInput(1);
  if (data.getRank() == 0)
    return node.emitError() << "input 'data' must have rank >= 1";
  if (indices.dtype != kInt32 && indices.dtype != kInt64)
    return node.emitError() << "input 'indices' must be INT32 or INT64, got "
                            << dtypeName(indices.dtype);
  FailureOr<int64_t> axis =
      getAxis(node, node.getInt("axis", 0), data.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> dataShape = data.getShape();
  int64_t dimSize = dataShape[*axis];
  SmallVector<int64_t> shape =
      getGatherShape(dataShape, indices.getShape(), *axis);
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  if (getElementCount(shape).value_or(1) == 0) {
    node.setOutput(0,
                   createEmpty(b, loc, shape, data.getType().getElementType()),
                   data.dtype);
    return success();
  }

  std::optional<SmallVector<int64_t>> known = node.getInputInts(1);
  if (!known) {
    if (dimSize == 0)
      return node.emitError()
             << "cannot gather from axis " << *axis << " of size 0";
    node.setOutput(
        0, buildDynamicGather(b, loc, data.value, indices.value, *axis, shape),
        data.dtype);
    return success();
  }
  for (int64_t &index : *known) {
    if (index < -dimSize || index >= dimSize)
      return node.emitError()
             << "index " << index << " is out of range for axis " << *axis
             << " of size " << dimSize;
    if (index < 0)
      index += dimSize;
  }
  SmallVector<int64_t> strides = getStrides(dataShape);
  int64_t indicesRank = indices.getRank();
  SmallVector<int64_t> indexStrides = getStrides(indices.getShape());
  if (DenseElementsAttr folded =
          foldCopy(data, shape, [&](ArrayRef<int64_t> index) {
            int64_t source = 0;
            for (int64_t d = 0; d < *axis; ++d)
              source += index[d] * strides[d];
            int64_t flat = 0;
            for (int64_t d = 0; d < indicesRank; ++d)
              flat += index[*axis + d] * indexStrides[d];
            source += (*known)[flat] * strides[*axis];
            for (int64_t d = *axis + 1; d < data.getRank(); ++d)
              source += index[d - 1 + indicesRank] * strides[d];
            return source;
          })) {
    node.setConstantOutput(0, folded, data.dtype);
    return success();
  }
  Value result;
  if (std::optional<int64_t> step = getProgressionStep(*known))
    result = buildStridedGather(b, loc, data.value, *known, *step, *axis, shape,
                                indicesRank);
  else
    result =
        buildDynamicGather(b, loc, data.value, indices.value, *axis, shape);
  node.setOutput(0, result, data.dtype);
  return success();
}

} // namespace

void sparq::onnx_frontend::registerShapeConverters(
    ConverterRegistry &registry) {
  registry.add("", "Constant", 13, convertConstant);
  registry.add("", "Shape", 13, convertShape);
  registry.add("", "ConstantOfShape", 13, convertConstantOfShape);
  registry.add("", "Range", 13, convertRange);
  registry.add("", "Reshape", 13, convertReshape);
  registry.add("", "Unsqueeze", 13, convertUnsqueeze);
  registry.add("", "Squeeze", 13, convertSqueeze);
  registry.add("", "Transpose", 13, convertTranspose);
  registry.add("", "Expand", 13, convertExpand);
  registry.add("", "Concat", 13, convertConcat);
  registry.add("", "Split", 13, convertSplit);
  registry.add("", "Slice", 13, convertSlice);
  registry.add("", "Gather", 13, convertGather);
}
