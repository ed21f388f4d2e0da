//===- Quantized.cpp - ONNX quantization converters -----------------------===//
//
// Part of the sparq project.
//
// QuantizeLinear / DequantizeLinear (per-tensor, per-axis, blocked),
// DynamicQuantizeLinear, MatMulInteger, QLinearMatMul and ONNX Runtime's
// com.microsoft MatMulNBits.
//
// A DequantizeLinear of a constant 4- or 8-bit weight (the QDQ weight
// pattern) becomes `sparq.dequantize` on packed storage, so later passes can
// fuse it into `sparq.qmatmul`; everything on activations becomes plain
// elementwise linalg IR. MatMulNBits maps onto `sparq.qmatmul` directly: its
// B layout (low bits first, rows of K) is sparq's packed layout.
//
// Rounding is half to even and results saturate to the quantized type's
// range. Quantization divides in f32 whatever the float type (exact for f16
// and bf16 inputs; an f16 division could round the quotient differently in
// rare ties), as sparq.quantize does.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Reference/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {
constexpr int64_t kMaxLiteralElements = 1024;

//===----------------------------------------------------------------------===//
// Quantized types and scalar arithmetic
//===----------------------------------------------------------------------===//

/// An integer type that values are quantized into.
struct QuantType {
  int32_t dtype;
  unsigned bits;
  bool isSigned;

  double min() const { return isSigned ? -std::ldexp(1.0, bits - 1) : 0.0; }
  double max() const {
    return isSigned ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
  }
  /// The storage type sparq's ops take (si8, ui4, ...).
  IntegerType getStorageType(MLIRContext *ctx) const {
    return IntegerType::get(
        ctx, bits, isSigned ? IntegerType::Signed : IntegerType::Unsigned);
  }
};

std::optional<QuantType> getQuantType(int32_t dtype) {
  switch (static_cast<DType>(dtype)) {
  case DType::Int8:
    return QuantType{dtype, 8, true};
  case DType::UInt8:
    return QuantType{dtype, 8, false};
  case DType::Int16:
    return QuantType{dtype, 16, true};
  case DType::UInt16:
    return QuantType{dtype, 16, false};
  case DType::Int4:
    return QuantType{dtype, 4, true};
  case DType::UInt4:
    return QuantType{dtype, 4, false};
  default:
    return std::nullopt;
  }
}

constexpr llvm::StringLiteral kQuantTypeNames =
    "INT8, UINT8, INT16, UINT16, INT4 or UINT4";

bool isScaleDType(int32_t dtype) {
  return dtype == static_cast<int32_t>(DType::Float) ||
         dtype == static_cast<int32_t>(DType::Float16) ||
         dtype == static_cast<int32_t>(DType::BFloat16);
}

bool isByteDType(int32_t dtype) {
  return dtype == static_cast<int32_t>(DType::Int8) ||
         dtype == static_cast<int32_t>(DType::UInt8);
}

/// Checks that the required inputs (`names[i]` is input i) are present:
/// models the ONNX checker does not know (newer opsets, other domains) may
/// leave them out.
LogicalResult requireInputs(NodeContext &node, ArrayRef<StringRef> names) {
  for (auto [index, name] : llvm::enumerate(names))
    if (!node.hasInput(index))
      return node.emitError()
             << "input '" << name << "' (" << index << ") is required";
  return success();
}

constexpr int32_t kFloat = static_cast<int32_t>(DType::Float);
constexpr int32_t kInt32 = static_cast<int32_t>(DType::Int32);

Value toF32(OpBuilder &b, Location loc, Value scalar, int32_t dtype) {
  return convertScalar(b, loc, scalar, dtype, kFloat, b.getF32Type());
}

Value toI32(OpBuilder &b, Location loc, Value scalar, int32_t dtype) {
  return convertScalar(b, loc, scalar, dtype, kInt32, b.getI32Type());
}

/// clamp(v, qmin, qmax) of an f32 holding a whole number, converted to the
/// quantized type. NaN becomes qmin (maxnumf), never poison.
Value saturate(OpBuilder &b, Location loc, Value v, const QuantType &type) {
  Type f32 = b.getF32Type();
  v = arith::MaxNumFOp::create(b, loc, v,
                               createScalar(b, loc, f32, type.min()));
  v = arith::MinNumFOp::create(b, loc, v,
                               createScalar(b, loc, f32, type.max()));
  Value wide = arith::FPToSIOp::create(b, loc, b.getI32Type(), v);
  if (type.bits >= 32)
    return wide;
  return arith::TruncIOp::create(b, loc, b.getIntegerType(type.bits), wide);
}

/// saturate(round_half_even(x / scale) + zeroPoint), all f32 (zeroPoint may
/// be null).
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value scale,
                     Value zeroPoint, const QuantType &type) {
  Value v = math::RoundEvenOp::create(b, loc,
                                      arith::DivFOp::create(b, loc, x, scale));
  if (zeroPoint)
    v = arith::AddFOp::create(b, loc, v, zeroPoint);
  return saturate(b, loc, v, type);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// `value` reshaped; known contents are reshaped at import time.
ImportedValue reshapeImported(OpBuilder &b, Location loc,
                              const ImportedValue &value,
                              ArrayRef<int64_t> shape) {
  if (value.getShape() == shape)
    return value;
  ImportedValue result = value;
  result.packed = nullptr;
  if (value.constant) {
    result.constant = DenseElementsAttr(value.constant)
                          .reshape(RankedTensorType::get(
                              shape, value.getType().getElementType()));
    result.value = createConstant(b, loc, result.constant);
  } else {
    result.value = reshape(b, loc, value.value, shape);
  }
  return result;
}

bool isConstantValue(const ImportedValue &value) {
  return value.constant || value.packed ||
         matchPattern(value.value, m_Constant());
}

/// The bytes of a constant 8-bit tensor, whether a dense literal or a
/// dense_resource blob.
std::optional<std::vector<uint8_t>> getConstantBytes(const ImportedValue &v) {
  auto fromDense = [](DenseElementsAttr dense) {
    std::vector<uint8_t> bytes;
    for (const APInt &element : dense.getValues<APInt>())
      bytes.push_back(static_cast<uint8_t>(element.getZExtValue()));
    return bytes;
  };
  if (v.constant)
    return fromDense(v.constant);
  Attribute attr;
  if (!matchPattern(v.value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return fromDense(dense);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob()) {
      ArrayRef<char> data = blob->getData();
      return std::vector<uint8_t>(data.begin(), data.end());
    }
  return std::nullopt;
}

/// An i8 constant: a literal when small, a dense_resource blob otherwise
/// (like the importer's initializers).
Value createI8Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       ArrayRef<int8_t> values, StringRef name) {
  auto type = RankedTensorType::get(shape, b.getI8Type());
  if (static_cast<int64_t>(values.size()) <= kMaxLiteralElements)
    return createConstant(b, loc, DenseElementsAttr::get(type, values));
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(key.begin(), 'w');
  return createConstant(
      b, loc,
      DenseResourceElementsAttr::get(
          type, key, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear parameters
//===----------------------------------------------------------------------===//

enum class Granularity { PerTensor, PerAxis, Blocked };

/// How scale and zero point (inputs 1 and 2) map onto x's elements.
struct QuantLayout {
  Granularity granularity = Granularity::PerTensor;
  int64_t axis = 0;
  int64_t blockSize = 0;
};

/// Classifies the scale (and checks the zero point) of a QuantizeLinear or
/// DequantizeLinear; `scaleName`/`zeroPointName` name inputs 1 and 2.
FailureOr<QuantLayout> getQuantLayout(NodeContext &node,
                                      ArrayRef<int64_t> xShape,
                                      StringRef scaleName,
                                      StringRef zeroPointName) {
  int32_t scaleDType = node.getInputDType(1);
  if (!isScaleDType(scaleDType))
    return node.emitError()
           << scaleName << " must be FLOAT, FLOAT16 or BFLOAT16, got "
           << dtypeName(scaleDType);
  ArrayRef<int64_t> scaleShape = node.getInputType(1).getShape();
  int64_t rank = xShape.size();
  QuantLayout layout;
  // block_size arrived in opset 21; 0 means not blocked.
  layout.blockSize = node.getOpset() >= 21 ? node.getInt("block_size", 0) : 0;
  if (layout.blockSize < 0)
    return node.emitError()
           << "block_size must be >= 0, got " << layout.blockSize;
  int64_t scaleCount = node.getInputType(1).getNumElements();
  bool perTensor =
      layout.blockSize == 0 && scaleCount == 1 && scaleShape.size() <= 1;
  if (!perTensor) {
    int64_t axisAttr = node.getInt("axis", 1);
    std::optional<int64_t> axis = normalizeAxis(axisAttr, rank);
    if (!axis || rank == 0)
      return node.emitError()
             << "axis " << axisAttr << " is out of range for rank " << rank;
    layout.axis = *axis;
    int64_t dim = xShape[layout.axis];
    if (layout.blockSize > 0) {
      layout.granularity = Granularity::Blocked;
      SmallVector<int64_t> expected(xShape);
      expected[layout.axis] = llvm::divideCeil(dim, layout.blockSize);
      if (scaleShape != ArrayRef(expected))
        return node.emitError()
               << scaleName << " shape " << formatShape(scaleShape)
               << " does not match x shape " << formatShape(xShape)
               << " blocked by " << layout.blockSize << " along axis "
               << layout.axis << ": expected " << formatShape(expected);
    } else if (scaleShape.size() == 1) {
      layout.granularity = Granularity::PerAxis;
      if (scaleShape[0] != dim)
        return node.emitError() << scaleName << " has " << scaleShape[0]
                                << " elements but x dim " << layout.axis
                                << " (axis " << axisAttr << ") has " << dim;
    } else {
      return node.emitError()
             << scaleName << " must be a scalar or a 1-D tensor (per axis), "
             << "got shape " << formatShape(scaleShape)
             << "; blocked quantization needs block_size (opset 21)";
    }
  }
  if (!node.hasInput(2))
    return layout;
  RankedTensorType zpType = node.getInputType(2);
  bool zpMatches = perTensor
                       ? zpType.getNumElements() == 1 && zpType.getRank() <= 1
                       : zpType.getShape() == scaleShape;
  if (!zpMatches)
    return node.emitError()
           << zeroPointName << " shape " << formatShape(zpType.getShape())
           << " differs from " << scaleName << " shape "
           << formatShape(scaleShape);
  return layout;
}

/// The parameter in the form paramMap() indexes: per-tensor ones as rank 0.
Value layoutParam(OpBuilder &b, Location loc, Value param,
                  const QuantLayout &layout) {
  if (layout.granularity == Granularity::PerTensor)
    return reshape(b, loc, param, {});
  return param;
}

/// Map from x's iteration space to a parameter's elements.
AffineMap paramMap(MLIRContext *ctx, int64_t rank, const QuantLayout &layout) {
  switch (layout.granularity) {
  case Granularity::PerTensor:
    return AffineMap::get(rank, 0, ctx);
  case Granularity::PerAxis:
    return AffineMap::get(rank, 0, getAffineDimExpr(layout.axis, ctx));
  case Granularity::Blocked: {
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr dim = getAffineDimExpr(d, ctx);
      exprs.push_back(d == layout.axis ? dim.floorDiv(layout.blockSize) : dim);
    }
    return AffineMap::get(rank, 0, exprs, ctx);
  }
  }
  llvm_unreachable("unknown granularity");
}

/// An elementwise linalg.generic over x, reading each parameter (scale, zero
/// point) at the element's block.
Value buildQuantElementwise(OpBuilder &b, Location loc, Value x,
                            ValueRange params, const QuantLayout &layout,
                            Type resultElementType, ScalarBodyFn body) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
  int64_t rank = shape.size();
  SmallVector<Value> inputs = {x};
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (Value param : params) {
    inputs.push_back(layoutParam(b, loc, param, layout));
    maps.push_back(paramMap(ctx, rank, layout));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, shape, resultElementType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// QuantizeLinear
//===----------------------------------------------------------------------===//

/// The quantized output type: y_zero_point's type, else output_dtype (opset
/// 21), else UINT8.
FailureOr<QuantType> getQuantizeOutputType(NodeContext &node) {
  int64_t outputDType =
      node.getOpset() >= 21 ? node.getInt("output_dtype", 0) : 0;
  int32_t dtype = static_cast<int32_t>(DType::UInt8);
  if (node.hasInput(2)) {
    dtype = node.getInputDType(2);
    if (outputDType != 0 && outputDType != dtype)
      return node.emitError()
             << "output_dtype " << dtypeName(outputDType)
             << " disagrees with y_zero_point's type " << dtypeName(dtype);
  } else if (outputDType != 0) {
    dtype = static_cast<int32_t>(outputDType);
  }
  std::optional<QuantType> type = getQuantType(dtype);
  if (!type)
    return node.emitError() << "quantized type " << dtypeName(dtype)
                            << " is not supported (" << kQuantTypeNames << ")";
  return *type;
}

LogicalResult convertQuantizeLinear(NodeContext &node) {
  if (failed(requireInputs(node, {"x", "y_scale"})))
    return failure();
  const ImportedValue &x = node.getInput(0);
  if (!isScaleDType(x.dtype) && x.dtype != kInt32)
    return node.emitError() << "x must be FLOAT, FLOAT16, BFLOAT16 or INT32, "
                            << "got " << dtypeName(x.dtype);
  FailureOr<QuantLayout> layout =
      getQuantLayout(node, x.getShape(), "y_scale", "y_zero_point");
  if (failed(layout))
    return failure();
  FailureOr<QuantType> type = getQuantizeOutputType(node);
  if (failed(type))
    return failure();
  int32_t scaleDType = node.getInputDType(1);
  SmallVector<Value> params = {node.getInputValue(1)};
  if (node.hasInput(2))
    params.push_back(node.getInputValue(2));
  Value result = buildQuantElementwise(
      node.getBuilder(), node.getLoc(), x.value, params, *layout,
      node.getElementType(type->dtype),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value zeroPoint;
        if (args.size() > 2)
          zeroPoint = toF32(b, loc, args[2], type->dtype);
        return quantizeScalar(b, loc, toF32(b, loc, args[0], x.dtype),
                              toF32(b, loc, args[1], scaleDType), zeroPoint,
                              *type);
      });
  node.setOutput(0, result, type->dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeLinear
//===----------------------------------------------------------------------===//

/// Elements per sparq block along the quantized axis. sparq needs blocks that
/// divide the dim; ONNX lets the last block be short. When it is, blocks of
/// gcd(block_size, D) elements never straddle an ONNX block and do divide D,
/// so repeating each parameter block_size / gcd times is exact.
int64_t getSparqBlockSize(int64_t dim, int64_t blockSize) {
  if (blockSize >= dim)
    return dim;
  if (dim % blockSize == 0)
    return blockSize;
  return std::gcd(blockSize, dim);
}

/// Repeats a blocked parameter along `axis` from ONNX blocks of `blockSize`
/// to sparq blocks of `sparqBlock` elements (`count` of them).
ImportedValue expandBlocks(OpBuilder &b, Location loc,
                           const ImportedValue &param, int64_t axis,
                           int64_t blockSize, int64_t sparqBlock,
                           int64_t count) {
  ArrayRef<int64_t> shape = param.getShape();
  SmallVector<int64_t> newShape(shape);
  newShape[axis] = count;
  auto newType =
      RankedTensorType::get(newShape, param.getType().getElementType());
  ImportedValue result = param;
  result.packed = nullptr;
  if (param.constant) {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= shape[d];
    for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
      inner *= shape[d];
    SmallVector<Attribute> source(param.constant.getValues<Attribute>());
    SmallVector<Attribute> values;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < count; ++j)
        for (int64_t i = 0; i < inner; ++i)
          values.push_back(
              source[(o * shape[axis] + j * sparqBlock / blockSize) * inner +
                     i]);
    result.constant = DenseElementsAttr::get(newType, values);
    result.value = createConstant(b, loc, result.constant);
    return result;
  }
  MLIRContext *ctx = b.getContext();
  int64_t rank = shape.size();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr dim = getAffineDimExpr(d, ctx);
    exprs.push_back(d == axis ? (dim * sparqBlock).floorDiv(blockSize) : dim);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, newShape, newType.getElementType());
  result.constant = nullptr;
  result.value = linalg::GenericOp::create(
                     b, loc, TypeRange{newType}, ValueRange{param.value},
                     ValueRange{init}, maps, iterators,
                     [](OpBuilder &nb, Location nl, ValueRange args) {
                       linalg::YieldOp::create(nb, nl, args[0]);
                     })
                     .getResult(0);
  return result;
}

/// A 4-bit zero point widened to i8 (sparq's zero points are i8, read with
/// the storage's signedness).
ImportedValue widenZeroPoint(OpBuilder &b, Location loc,
                             const ImportedValue &zp, const QuantType &type) {
  if (type.bits == 8)
    return zp;
  auto i8Type = RankedTensorType::get(zp.getShape(), b.getI8Type());
  ImportedValue result;
  result.dtype = type.isSigned ? static_cast<int32_t>(DType::Int8)
                               : static_cast<int32_t>(DType::UInt8);
  if (zp.constant) {
    SmallVector<APInt> values;
    for (const APInt &v : zp.constant.getValues<APInt>())
      values.push_back(type.isSigned ? v.sext(8) : v.zext(8));
    result.constant = DenseElementsAttr::get(i8Type, values);
    result.value = createConstant(b, loc, result.constant);
    return result;
  }
  result.value =
      convertTensor(b, loc, zp.value, zp.dtype, result.dtype, b.getI8Type());
  return result;
}

/// The parameter reshaped to sparq's rule: x's rank, each dim dividing x's.
ImportedValue toSparqParam(OpBuilder &b, Location loc,
                           const ImportedValue &param,
                           const QuantLayout &layout,
                           ArrayRef<int64_t> xShape) {
  SmallVector<int64_t> shape(xShape.size(), 1);
  if (layout.granularity == Granularity::PerAxis)
    shape[layout.axis] = xShape[layout.axis];
  if (layout.granularity != Granularity::Blocked)
    return reshapeImported(b, loc, param, shape);
  int64_t dim = xShape[layout.axis];
  int64_t sparqBlock = getSparqBlockSize(dim, layout.blockSize);
  if (param.getShape()[layout.axis] == dim / sparqBlock)
    return param;
  return expandBlocks(b, loc, param, layout.axis, layout.blockSize, sparqBlock,
                      dim / sparqBlock);
}

/// x as sparq packed storage if it is a constant 4- or 8-bit tensor (the QDQ
/// weight case); null otherwise.
Value getPackedWeight(OpBuilder &b, Location loc, const ImportedValue &x) {
  std::optional<QuantType> type = getQuantType(x.dtype);
  // Rank-0 and empty tensors have no rows to pack.
  if (!type || type->bits > 8 || x.getRank() == 0 ||
      x.getType().getNumElements() == 0 || !isConstantValue(x))
    return {};
  // An 8-bit tensor is its own packed form.
  if (type->bits == 8)
    return x.value;
  if (x.packed)
    return x.packed;
  SmallVector<int64_t> packedShape(x.getShape());
  packedShape.back() =
      ::sparq::ref::packedRowBytes(packedShape.back(), type->bits);
  auto packedType = RankedTensorType::get(packedShape, b.getI8Type());
  // Folds once canonicalized: x is a constant.
  return sparq::PackOp::create(b, loc, packedType, x.value);
}

Value buildSparqDequantize(NodeContext &node, Value packed,
                           const QuantLayout &layout, const QuantType &type) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  ArrayRef<int64_t> xShape = node.getInput(0).getShape();
  Value scales = toSparqParam(b, loc, node.getInput(1), layout, xShape).value;
  Value zeroPoints;
  if (node.hasInput(2))
    zeroPoints =
        toSparqParam(b, loc, widenZeroPoint(b, loc, node.getInput(2), type),
                     layout, xShape)
            .value;
  auto resultType =
      RankedTensorType::get(xShape, node.getInputType(1).getElementType());
  return sparq::DequantizeOp::create(
      b, loc, resultType, packed, scales, zeroPoints,
      TypeAttr::get(type.getStorageType(b.getContext())));
}

LogicalResult convertDequantizeLinear(NodeContext &node) {
  if (failed(requireInputs(node, {"x", "x_scale"})))
    return failure();
  const ImportedValue &x = node.getInput(0);
  std::optional<QuantType> type = getQuantType(x.dtype);
  if (!type && x.dtype != kInt32)
    return node.emitError()
           << "x must be INT8, UINT8, INT16, UINT16, INT4, UINT4 or INT32, got "
           << dtypeName(x.dtype);
  if (node.hasInput(2) && node.getInputDType(2) != x.dtype)
    return node.emitError()
           << "x_zero_point is " << dtypeName(node.getInputDType(2))
           << " but x is " << dtypeName(x.dtype);
  FailureOr<QuantLayout> layout =
      getQuantLayout(node, x.getShape(), "x_scale", "x_zero_point");
  if (failed(layout))
    return failure();
  int32_t scaleDType = node.getInputDType(1);
  if (type) {
    if (Value packed = getPackedWeight(node.getBuilder(), node.getLoc(), x)) {
      node.setOutput(0, buildSparqDequantize(node, packed, *layout, *type),
                     scaleDType);
      return success();
    }
  }
  SmallVector<Value> params = {node.getInputValue(1)};
  if (node.hasInput(2))
    params.push_back(node.getInputValue(2));
  Type resultElementType = node.getInputType(1).getElementType();
  Value result = buildQuantElementwise(
      node.getBuilder(), node.getLoc(), x.value, params, *layout,
      resultElementType, [&](OpBuilder &b, Location loc, ValueRange args) {
        // (x - zp) * scale: the difference is exact in i32, converted once
        // and multiplied in the scale's type, as sparq.dequantize does.
        Value q = toI32(b, loc, args[0], x.dtype);
        if (args.size() > 2)
          q = arith::SubIOp::create(b, loc, q, toI32(b, loc, args[2], x.dtype));
        Value diff = arith::SIToFPOp::create(b, loc, resultElementType, q);
        return arith::MulFOp::create(b, loc, diff, args[1]);
      });
  node.setOutput(0, result, scaleDType);
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// uint8 with scale = (max(x_max, 0) - min(x_min, 0)) / 255 and
/// zero point = round(saturate(-min / scale)).
LogicalResult convertDynamicQuantizeLinear(NodeContext &node) {
  if (failed(requireInputs(node, {"x"})))
    return failure();
  const ImportedValue &x = node.getInput(0);
  if (x.dtype != kFloat)
    return node.emitError() << "x must be FLOAT, got " << dtypeName(x.dtype);
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Type f32 = b.getF32Type();
  QuantType u8 = *getQuantType(static_cast<int32_t>(DType::UInt8));
  Value flat = x.value;
  if (x.getRank() == 0)
    flat = reshape(b, loc, flat, {1});
  SmallVector<int64_t> allAxes = llvm::to_vector(
      llvm::seq<int64_t>(0, cast<RankedTensorType>(flat.getType()).getRank()));
  // NaN propagates like numpy's min/max.
  Value xMin = reduce(b, loc, flat, allAxes, /*keepDims=*/false,
                      createScalar(b, loc, f32, INFINITY),
                      [](OpBuilder &nb, Location l, Value acc, Value v) {
                        return arith::MinimumFOp::create(nb, l, acc, v);
                      });
  Value xMax = reduce(b, loc, flat, allAxes, /*keepDims=*/false,
                      createScalar(b, loc, f32, -INFINITY),
                      [](OpBuilder &nb, Location l, Value acc, Value v) {
                        return arith::MaximumFOp::create(nb, l, acc, v);
                      });
  // The range always includes 0, so that 0 is exactly representable.
  auto lowFrom = [&](OpBuilder &nb, Location l, Value min) -> Value {
    return arith::MinimumFOp::create(nb, l, min, createScalar(nb, l, f32, 0));
  };
  Value scale = buildElementwise(
      b, loc, {xMin, xMax}, {}, f32,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value high = arith::MaximumFOp::create(nb, l, args[1],
                                               createScalar(nb, l, f32, 0));
        Value range =
            arith::SubFOp::create(nb, l, high, lowFrom(nb, l, args[0]));
        return arith::DivFOp::create(nb, l, range,
                                     createScalar(nb, l, f32, u8.max()));
      });
  // Saturated before rounding, as the operator defines it; an all-zero x
  // (scale 0, -0/0 = NaN) gets zero point 0.
  Value zeroPoint = buildElementwise(
      b, loc, {xMin, scale}, {}, f32,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value shifted = arith::NegFOp::create(
            nb, l,
            arith::DivFOp::create(nb, l, lowFrom(nb, l, args[0]), args[1]));
        shifted = arith::MaxNumFOp::create(nb, l, shifted,
                                           createScalar(nb, l, f32, 0));
        shifted = arith::MinNumFOp::create(nb, l, shifted,
                                           createScalar(nb, l, f32, u8.max()));
        return math::RoundEvenOp::create(nb, l, shifted);
      });
  Value y = buildElementwise(
      b, loc, {x.value, scale, zeroPoint}, x.getShape(), b.getI8Type(),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return quantizeScalar(nb, l, args[0], args[1], args[2], u8);
      });
  Value zeroPointU8 =
      buildElementwise(b, loc, {zeroPoint}, {}, b.getI8Type(),
                       [&](OpBuilder &nb, Location l, ValueRange args) {
                         return saturate(nb, l, args[0], u8);
                       });
  node.setOutput(0, y, u8.dtype);
  node.setOutput(1, scale, kFloat);
  node.setOutput(2, zeroPointU8, u8.dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger / QLinearMatMul
//===----------------------------------------------------------------------===//

/// A matmul operand's quantization parameter (scale or zero point) reshaped
/// to broadcast against the operand: per tensor (one element) as a scalar;
/// per row of A ([M] or [..., M, 1]) or per column of B ([N] or [..., 1, N]).
FailureOr<Value> alignOperandParam(NodeContext &node, unsigned index,
                                   StringRef name, unsigned operandIndex,
                                   StringRef operandName, bool isLhs) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value param = node.getInputValue(index);
  RankedTensorType paramType = node.getInputType(index);
  ArrayRef<int64_t> shape = paramType.getShape();
  ArrayRef<int64_t> operand = node.getInputType(operandIndex).getShape();
  if (paramType.getNumElements() == 1 && shape.size() <= operand.size())
    return reshape(b, loc, param, {});
  int64_t rank = operand.size();
  if (rank < 2)
    return node.emitError()
           << name << " must be a scalar because " << operandName
           << " is 1-D, got " << formatShape(shape);
  // Rows of A are dim -2; columns of B are dim -1.
  int64_t dim = isLhs ? operand[rank - 2] : operand[rank - 1];
  if (shape.size() == 1 && shape[0] == dim)
    return isLhs ? reshape(b, loc, param, {dim, 1}) : param;
  std::optional<SmallVector<int64_t>> broadcast =
      broadcastShapes({operand, shape});
  int64_t unitDim = isLhs ? 1 : 2; // counted from the back
  if (shape.size() >= 2 && shape[shape.size() - unitDim] == 1 && broadcast &&
      *broadcast == operand)
    return param;
  InFlightDiagnostic diag = node.emitError();
  diag << name << " must be a scalar (per tensor) or per "
       << (isLhs ? "row" : "column") << " of " << operandName << " "
       << formatShape(operand) << ": ";
  if (isLhs)
    diag << "[M] = [" << dim << "] or [..., M, 1]";
  else
    diag << "[N] = [" << dim << "] or [..., 1, N]";
  diag << "; got " << formatShape(shape);
  return failure();
}

/// ext(x) - ext(zero point) in i32, elementwise; `zeroPoint` may be null.
Value widenAndShift(OpBuilder &b, Location loc, Value operand, int32_t dtype,
                    Value zeroPoint) {
  SmallVector<Value> inputs = {operand};
  if (zeroPoint)
    inputs.push_back(zeroPoint);
  return buildElementwise(
      b, loc, inputs, cast<RankedTensorType>(operand.getType()).getShape(),
      b.getI32Type(), [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = toI32(nb, l, args[0], dtype);
        if (args.size() < 2)
          return v;
        return arith::SubIOp::create(nb, l, v, toI32(nb, l, args[1], dtype));
      });
}

/// Checks that operand `index` is INT8/UINT8 and its zero point (if present)
/// has the same type.
LogicalResult checkByteOperand(NodeContext &node, unsigned index,
                               StringRef name, unsigned zeroPointIndex,
                               StringRef zeroPointName) {
  int32_t dtype = node.getInputDType(index);
  if (!isByteDType(dtype))
    return node.emitError()
           << name << " must be INT8 or UINT8, got " << dtypeName(dtype);
  if (node.hasInput(zeroPointIndex) &&
      node.getInputDType(zeroPointIndex) != dtype)
    return node.emitError() << zeroPointName << " is "
                            << dtypeName(node.getInputDType(zeroPointIndex))
                            << " but " << name << " is " << dtypeName(dtype);
  return success();
}

/// The operand widened to i32 minus its aligned zero point.
FailureOr<Value> shiftedOperand(NodeContext &node, unsigned index,
                                StringRef name, unsigned zeroPointIndex,
                                StringRef zeroPointName, bool isLhs) {
  Value zeroPoint;
  if (node.hasInput(zeroPointIndex)) {
    FailureOr<Value> aligned = alignOperandParam(
        node, zeroPointIndex, zeroPointName, index, name, isLhs);
    if (failed(aligned))
      return failure();
    zeroPoint = *aligned;
  }
  return widenAndShift(node.getBuilder(), node.getLoc(),
                       node.getInputValue(index), node.getInputDType(index),
                       zeroPoint);
}

/// int32 sum((a - a_zero_point) * (b - b_zero_point)), numpy-batched.
LogicalResult convertMatMulInteger(NodeContext &node) {
  if (failed(requireInputs(node, {"A", "B"})) ||
      failed(checkByteOperand(node, 0, "A", 2, "a_zero_point")) ||
      failed(checkByteOperand(node, 1, "B", 3, "b_zero_point")))
    return failure();
  FailureOr<Value> a = shiftedOperand(node, 0, "A", 2, "a_zero_point", true);
  if (failed(a))
    return failure();
  FailureOr<Value> b = shiftedOperand(node, 1, "B", 3, "b_zero_point", false);
  if (failed(b))
    return failure();
  SmallVector<int64_t> resultShape;
  FailureOr<Value> product = buildNumpyMatmul(node, *a, *b, resultShape);
  if (failed(product))
    return failure();
  node.setOutput(
      0, reshape(node.getBuilder(), node.getLoc(), *product, resultShape),
      kInt32);
  return success();
}

/// y = saturate(round(acc * (a_scale * b_scale / y_scale)) + y_zero_point),
/// with acc the exact int32 product of the shifted operands (ONNX Runtime's
/// requantization).
LogicalResult convertQLinearMatMul(NodeContext &node) {
  static constexpr StringRef names[] = {
      "a",       "a_scale",      "a_zero_point", "b",
      "b_scale", "b_zero_point", "y_scale",      "y_zero_point"};
  if (failed(requireInputs(node, names)))
    return failure();
  if (failed(checkByteOperand(node, 0, "a", 2, "a_zero_point")) ||
      failed(checkByteOperand(node, 3, "b", 5, "b_zero_point")))
    return failure();
  if (!isByteDType(node.getInputDType(7)))
    return node.emitError() << "y_zero_point must be INT8 or UINT8, got "
                            << dtypeName(node.getInputDType(7));
  QuantType outputType = *getQuantType(node.getInputDType(7));
  for (unsigned index : {1u, 4u, 6u})
    if (!isScaleDType(node.getInputDType(index)))
      return node.emitError()
             << names[index] << " must be FLOAT, FLOAT16 or BFLOAT16, got "
             << dtypeName(node.getInputDType(index));
  for (auto [scale, zeroPoint] : {std::pair(1u, 2u), std::pair(4u, 5u)})
    if (node.getInputType(scale).getShape() !=
        node.getInputType(zeroPoint).getShape())
      return node.emitError()
             << names[zeroPoint] << " shape "
             << formatShape(node.getInputType(zeroPoint).getShape())
             << " differs from " << names[scale] << " shape "
             << formatShape(node.getInputType(scale).getShape());
  for (unsigned index : {6u, 7u})
    if (node.getInputType(index).getNumElements() != 1 ||
        node.getInputType(index).getRank() > 1)
      return node.emitError()
             << names[index] << " must be a scalar (per tensor), got shape "
             << formatShape(node.getInputType(index).getShape());

  FailureOr<Value> a = shiftedOperand(node, 0, "a", 2, "a_zero_point", true);
  if (failed(a))
    return failure();
  FailureOr<Value> b = shiftedOperand(node, 3, "b", 5, "b_zero_point", false);
  if (failed(b))
    return failure();
  FailureOr<Value> aScale =
      alignOperandParam(node, 1, "a_scale", 0, "a", /*isLhs=*/true);
  FailureOr<Value> bScale =
      alignOperandParam(node, 4, "b_scale", 3, "b", /*isLhs=*/false);
  if (failed(aScale) || failed(bScale))
    return failure();
  SmallVector<int64_t> resultShape;
  FailureOr<Value> acc = buildNumpyMatmul(node, *a, *b, resultShape);
  if (failed(acc))
    return failure();

  OpBuilder &builder = node.getBuilder();
  Location loc = node.getLoc();
  Value yScale = reshape(builder, loc, node.getInputValue(6), {});
  Value yZeroPoint = reshape(builder, loc, node.getInputValue(7), {});
  int32_t aScaleDType = node.getInputDType(1);
  int32_t bScaleDType = node.getInputDType(4);
  int32_t yScaleDType = node.getInputDType(6);
  Value result = buildElementwise(
      builder, loc, {*acc, *aScale, *bScale, yScale, yZeroPoint},
      cast<RankedTensorType>(acc->getType()).getShape(),
      node.getElementType(outputType.dtype),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value multiplier = arith::DivFOp::create(
            nb, l,
            arith::MulFOp::create(nb, l, toF32(nb, l, args[1], aScaleDType),
                                  toF32(nb, l, args[2], bScaleDType)),
            toF32(nb, l, args[3], yScaleDType));
        Value scaled = arith::MulFOp::create(
            nb, l, toF32(nb, l, args[0], kInt32), multiplier);
        Value v = arith::AddFOp::create(
            nb, l, math::RoundEvenOp::create(nb, l, scaled),
            toF32(nb, l, args[4], outputType.dtype));
        return saturate(nb, l, v, outputType);
      });
  node.setOutput(0, reshape(builder, loc, result, resultShape),
                 outputType.dtype);
  return success();
}

//===----------------------------------------------------------------------===//
// com.microsoft MatMulNBits
//===----------------------------------------------------------------------===//

/// MatMulNBits' attributes and the shapes they imply.
struct NBitsLayout {
  int64_t k, n, bits, blockSize;
  int64_t blocks;            // k_blocks = K / block_size
  int64_t blobSize;          // block_size * bits / 8
  int64_t zeroPointRowBytes; // ceil(k_blocks * bits / 8)
};

FailureOr<NBitsLayout> getNBitsLayout(NodeContext &node) {
  NBitsLayout layout;
  for (auto [name, field] :
       {std::pair<StringRef, int64_t *>("K", &layout.k),
        std::pair<StringRef, int64_t *>("N", &layout.n),
        std::pair<StringRef, int64_t *>("block_size", &layout.blockSize)}) {
    std::optional<int64_t> value = node.getOptionalInt(name);
    if (!value)
      return node.emitError() << "attribute '" << name << "' is required";
    if (*value <= 0)
      return node.emitError()
             << "attribute '" << name << "' must be positive, got " << *value;
    *field = *value;
  }
  layout.bits = node.getInt("bits", 4);
  if (layout.bits != 2 && layout.bits != 4 && layout.bits != 8)
    return node.emitError()
           << "bits " << layout.bits << " is not supported (2, 4 or 8)";
  if (layout.blockSize * layout.bits % 8 != 0)
    return node.emitError()
           << "block_size " << layout.blockSize
           << " does not fill whole bytes at " << layout.bits << " bits";
  if (layout.k % layout.blockSize != 0)
    return node.emitError()
           << "K " << layout.k << " is not a multiple of block_size "
           << layout.blockSize << "; sparq needs whole blocks";
  layout.blocks = layout.k / layout.blockSize;
  layout.blobSize = layout.blockSize * layout.bits / 8;
  layout.zeroPointRowBytes = llvm::divideCeil(layout.blocks * layout.bits, 8);
  return layout;
}

/// An expected shape and how MatMulNBits' attributes define it.
struct NamedShape {
  StringRef formula;
  SmallVector<int64_t> shape;
};

/// Checks that input `index` has element type `dtype` and one of `shapes`.
LogicalResult checkNBitsInput(NodeContext &node, unsigned index, StringRef name,
                              int32_t dtype, ArrayRef<NamedShape> shapes) {
  if (node.getInputDType(index) != dtype)
    return node.emitError() << name << " must be " << dtypeName(dtype)
                            << ", got " << dtypeName(node.getInputDType(index));
  ArrayRef<int64_t> shape = node.getInputType(index).getShape();
  if (llvm::any_of(shapes, [&](const NamedShape &expected) {
        return ArrayRef(expected.shape) == shape;
      }))
    return success();
  InFlightDiagnostic diag = node.emitError();
  diag << name << " must have shape ";
  llvm::interleave(
      shapes, diag,
      [&](const NamedShape &expected) {
        diag << expected.formula << " = " << formatShape(expected.shape);
      },
      " or ");
  diag << ", got " << formatShape(shape);
  return failure();
}

/// MatMulNBits' zero points as sparq's [N, k_blocks] parameter: packed uint8
/// ones are unpacked (at import when constant), float ones reshaped, absent
/// ones are the midpoint 2^(bits-1).
FailureOr<Value> getNBitsZeroPoints(NodeContext &node,
                                    const NBitsLayout &layout) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  SmallVector<int64_t> paramShape = {layout.n, layout.blocks};
  if (!node.hasInput(3))
    return createSplat(b, loc, paramShape, b.getI8Type(),
                       std::ldexp(1.0, layout.bits - 1));
  int32_t aDType = node.getInputDType(0);
  int32_t dtype = node.getInputDType(3);
  const ImportedValue &zp = node.getInput(3);
  if (dtype == aDType) {
    if (failed(checkNBitsInput(node, 3, "zero_points", aDType,
                               {{"[N * k_blocks]", {layout.n * layout.blocks}},
                                {"[N, k_blocks]", paramShape}})))
      return failure();
    return reshapeImported(b, loc, zp, paramShape).value;
  }
  if (dtype != static_cast<int32_t>(DType::UInt8))
    return node.emitError()
           << "zero_points must be UINT8 or A's type " << dtypeName(aDType)
           << ", got " << dtypeName(dtype);
  SmallVector<int64_t> packedShape = {layout.n, layout.zeroPointRowBytes};
  if (failed(
          checkNBitsInput(node, 3, "zero_points", dtype,
                          {{"[N * ceil(k_blocks * bits / 8)]",
                            {layout.n * layout.zeroPointRowBytes}},
                           {"[N, ceil(k_blocks * bits / 8)]", packedShape}})))
    return failure();
  if (layout.bits == 8)
    return reshapeImported(b, loc, zp, paramShape).value;
  unsigned bits = layout.bits;
  if (std::optional<std::vector<uint8_t>> bytes = getConstantBytes(zp)) {
    std::vector<int32_t> values = ::sparq::ref::unpack(
        *bytes, layout.n, layout.blocks, bits, /*isSigned=*/false);
    SmallVector<int8_t> narrow(values.begin(), values.end());
    return createI8Constant(b, loc, paramShape, narrow,
                            (node.getName() + "_zero_points").str());
  }
  // Zero points computed in the graph: unpack in IR.
  Value packed = reshape(b, loc, zp.value, packedShape);
  Value unpacked = sparq::UnpackOp::create(
      b, loc, RankedTensorType::get(paramShape, b.getIntegerType(bits)),
      packed);
  return buildElementwise(b, loc, unpacked, paramShape, b.getI8Type(),
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::ExtUIOp::create(nb, l, nb.getI8Type(),
                                                          args[0]);
                          });
}

/// A[..., K] times the block-quantized B^T: sparq.qmatmul with B's rows as
/// the packed [N, K] weights (MatMulNBits stores them low bits first, sparq's
/// layout). accuracy_level only lets runtimes quantize A for integer
/// kernels; sparq computes in A's float type and ignores it.
LogicalResult convertMatMulNBits(NodeContext &node) {
  if (failed(requireInputs(node, {"A", "B", "scales"})))
    return failure();
  FailureOr<NBitsLayout> layout = getNBitsLayout(node);
  if (failed(layout))
    return failure();
  const ImportedValue &a = node.getInput(0);
  if (!isScaleDType(a.dtype))
    return node.emitError() << "A must be FLOAT, FLOAT16 or BFLOAT16, got "
                            << dtypeName(a.dtype);
  if (a.getRank() == 0 || a.getShape().back() != layout->k)
    return node.emitError()
           << "A " << formatShape(a.getShape())
           << " must have K = " << layout->k << " as its last dim";
  if (node.hasInput(4))
    return node.emitError() << "g_idx (input 4) is not supported: act-order "
                               "group indices are not contiguous blocks";
  int64_t n = layout->n;
  if (failed(checkNBitsInput(node, 1, "B", static_cast<int32_t>(DType::UInt8),
                             {{"[N, k_blocks, blob_size]",
                               {n, layout->blocks, layout->blobSize}}})) ||
      failed(checkNBitsInput(node, 2, "scales", a.dtype,
                             {{"[N * k_blocks]", {n * layout->blocks}},
                              {"[N, k_blocks]", {n, layout->blocks}}})))
    return failure();
  if (node.hasInput(5) &&
      failed(checkNBitsInput(node, 5, "bias", a.dtype, {{"[N]", {n}}})))
    return failure();
  FailureOr<Value> zeroPoints = getNBitsZeroPoints(node, *layout);
  if (failed(zeroPoints))
    return failure();

  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value weights = reshapeImported(b, loc, node.getInput(1),
                                  {n, layout->blocks * layout->blobSize})
                      .value;
  Value scales =
      reshapeImported(b, loc, node.getInput(2), {n, layout->blocks}).value;
  Value bias = node.hasInput(5) ? node.getInputValue(5) : Value();
  SmallVector<int64_t> resultShape(a.getShape().drop_back());
  resultShape.push_back(n);
  auto storage =
      IntegerType::get(b.getContext(), layout->bits, IntegerType::Unsigned);
  Value result = sparq::QMatmulOp::create(
      b, loc, RankedTensorType::get(resultShape, a.getType().getElementType()),
      a.value, weights, scales, *zeroPoints, bias, /*outlier_row_ptr=*/Value(),
      /*outlier_col_ind=*/Value(), /*outlier_values=*/Value(),
      TypeAttr::get(storage));
  node.setOutput(0, result, a.dtype);
  return success();
}
} // namespace

void sparq::onnx_frontend::registerQuantizedConverters(
    ConverterRegistry &registry) {
  // Opset 10's QuantizeLinear/DequantizeLinear are per-tensor only, which the
  // later axis-aware converters handle unchanged.
  registry.add("", "QuantizeLinear", 10, convertQuantizeLinear);
  registry.add("", "DequantizeLinear", 10, convertDequantizeLinear);
  registry.add("", "DynamicQuantizeLinear", 11, convertDynamicQuantizeLinear);
  registry.add("", "MatMulInteger", 10, convertMatMulInteger);
  registry.add("", "QLinearMatMul", 10, convertQLinearMatMul);
  registry.add(kMicrosoftDomain, "MatMulNBits", 1, convertMatMulNBits);
}
