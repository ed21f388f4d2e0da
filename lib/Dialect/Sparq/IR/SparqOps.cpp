//===- SparqOps.cpp - sparq operations ------------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "sparq/Reference/Packing.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace sparq;

//===----------------------------------------------------------------------===//
// Helpers shared by the verifiers
//===----------------------------------------------------------------------===//

unsigned sparq::getPackedElementBits(Type elementType) {
  unsigned bits = 0;
  if (auto intType = dyn_cast<IntegerType>(elementType))
    bits = intType.getWidth();
  else if (auto quantType = dyn_cast<quant::QuantizedType>(elementType))
    bits = quantType.getStorageTypeIntegralWidth();
  return bits >= 2 && bits <= 8 ? bits : 0;
}

int64_t sparq::getPackedRowBytes(int64_t numElements, unsigned bits) {
  return ::sparq::ref::packedRowBytes(numElements, bits);
}

namespace {
/// Prints a shape as `[4, ?, 8]` for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

/// Dimensions conflict only when both are known: dynamic dimensions are
/// checked once shapes are bound.
bool dimsConflict(int64_t lhs, int64_t rhs) {
  return !ShapedType::isDynamic(lhs) && !ShapedType::isDynamic(rhs) &&
         lhs != rhs;
}

bool shapesConflict(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  if (lhs.size() != rhs.size())
    return true;
  return llvm::any_of(llvm::zip_equal(lhs, rhs), [](auto dims) {
    return dimsConflict(std::get<0>(dims), std::get<1>(dims));
  });
}

/// A storage type is a signed or unsigned integer type of 2 to 8 bits.
/// Signless types are refused because they would leave the integer range of
/// the quantized values unsaid.
LogicalResult verifyStorageType(Operation *op, Type storageType) {
  auto intType = dyn_cast<IntegerType>(storageType);
  if (!intType || intType.isSignless() || intType.getWidth() < 2 ||
      intType.getWidth() > 8)
    return op->emitOpError("storage type must be a signed or unsigned integer "
                           "of 2 to 8 bits (si2..si8, ui2..ui8), got ")
           << storageType;
  return success();
}

/// Checks that `packed` holds a tensor of logical shape `logicalShape` with
/// `bits`-bit elements in sparq's packed layout.
LogicalResult verifyPackedShape(Operation *op, StringRef what,
                                RankedTensorType packed,
                                ArrayRef<int64_t> logicalShape, unsigned bits) {
  if (logicalShape.empty())
    return op->emitOpError("packed tensors need rank >= 1, got a rank-0 ")
           << what;
  ArrayRef<int64_t> packedShape = packed.getShape();
  if (packedShape.size() != logicalShape.size())
    return op->emitOpError()
           << what << " must have rank " << logicalShape.size() << ", got "
           << packedShape.size();
  for (auto [dim, sizes] :
       llvm::enumerate(llvm::zip(packedShape.drop_back(), logicalShape))) {
    auto [packedDim, logicalDim] = sizes;
    if (dimsConflict(packedDim, logicalDim))
      return op->emitOpError() << what << " dim " << dim << " must be "
                               << logicalDim << ", got " << packedDim;
  }
  int64_t k = logicalShape.back();
  if (ShapedType::isDynamic(k) || packed.isDynamicDim(packed.getRank() - 1))
    return success();
  int64_t expected = getPackedRowBytes(k, bits);
  if (packedShape.back() != expected)
    return op->emitOpError()
           << what << " last dim must be ceil(K * bits / 8) = " << expected
           << " for K = " << k << " at " << bits << " bits, got "
           << packedShape.back();
  return success();
}

/// Checks block-wise quantization parameters of a tensor of shape
/// `logicalShape`: `scales` has the same rank and each of its dimensions
/// divides the matching one; zero points match the scales.
LogicalResult verifyBlockParams(Operation *op, ArrayRef<int64_t> logicalShape,
                                RankedTensorType scalesType, Value zeroPoints) {
  ArrayRef<int64_t> scaleShape = scalesType.getShape();
  if (scaleShape.size() != logicalShape.size())
    return op->emitOpError("scales must have rank ")
           << logicalShape.size() << " (that of the quantized tensor), got "
           << scaleShape.size();
  for (auto [dim, sizes] :
       llvm::enumerate(llvm::zip(scaleShape, logicalShape))) {
    auto [scaleDim, dataDim] = sizes;
    if (ShapedType::isDynamic(scaleDim) || ShapedType::isDynamic(dataDim))
      continue;
    if (scaleDim == 0 || dataDim % scaleDim != 0)
      return op->emitOpError("scales dim ")
             << dim << " (" << scaleDim << ") must divide the quantized dim "
             << dim << " (" << dataDim << ")";
  }
  if (!zeroPoints)
    return success();
  auto zpType = cast<RankedTensorType>(zeroPoints.getType());
  if (shapesConflict(zpType.getShape(), scaleShape))
    return op->emitOpError("zero points shape ")
           << formatShape(zpType.getShape()) << " must match scales shape "
           << formatShape(scaleShape);
  Type zpElement = zpType.getElementType();
  if (!zpElement.isSignlessInteger() &&
      zpElement != scalesType.getElementType())
    return op->emitOpError("zero points must be integers or have the scales' "
                           "element type ")
           << scalesType.getElementType() << ", got " << zpElement;
  return success();
}

/// Checks what every weight-times-activation op shares: `input` is
/// `[..., K]`, the weights are logically `[N, K]`, the result is `[..., N]`
/// with the input's element type (unless `resultElementType` is given), and
/// the optional bias is `[N]`.
LogicalResult verifyMatmulShapes(Operation *op, RankedTensorType inputType,
                                 int64_t n, RankedTensorType resultType,
                                 Value bias, Type resultElementType = nullptr,
                                 bool gated = false) {
  if (inputType.getRank() < 1)
    return op->emitOpError("input must have rank >= 1 (its last dim is K)");
  if (gated && !ShapedType::isDynamic(n) && n % 2 != 0)
    return op->emitOpError("gated weights must have an even number of rows "
                           "(gate rows, then as many up rows), got N = ")
           << n;
  SmallVector<int64_t> expected(inputType.getShape().drop_back());
  expected.push_back(gated && !ShapedType::isDynamic(n) ? n / 2 : n);
  if (shapesConflict(resultType.getShape(), expected))
    return op->emitOpError("result shape ")
           << formatShape(resultType.getShape())
           << " must be the input's leading dims followed by "
           << (gated ? "N / 2 (gated): " : "N: ") << formatShape(expected);
  if (!resultElementType)
    resultElementType = inputType.getElementType();
  if (resultType.getElementType() != resultElementType)
    return op->emitOpError("result element type must be ")
           << resultElementType << ", got " << resultType.getElementType();
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || dimsConflict(biasType.getDimSize(0), n))
      return op->emitOpError("bias must be [N] = ")
             << formatShape({n}) << ", got "
             << formatShape(biasType.getShape());
  }
  return success();
}

/// Checks the CSR outlier operands of an `[N, K]` dense-and-sparse weight.
LogicalResult verifyOutliers(Operation *op, int64_t n, Value rowPtr,
                             Value colInd, Value values) {
  if (!rowPtr && !colInd && !values)
    return success();
  if (!rowPtr || !colInd || !values)
    return op->emitOpError(
        "outliers need row_ptr, col_ind and values together");
  int64_t rows = cast<RankedTensorType>(rowPtr.getType()).getDimSize(0);
  if (!ShapedType::isDynamic(n) && dimsConflict(rows, n + 1))
    return op->emitOpError("outlier row_ptr must have N + 1 = ")
           << n + 1 << " elements, got " << rows;
  int64_t numCols = cast<RankedTensorType>(colInd.getType()).getDimSize(0);
  int64_t numValues = cast<RankedTensorType>(values.getType()).getDimSize(0);
  if (dimsConflict(numCols, numValues))
    return op->emitOpError("outlier col_ind (")
           << numCols << ") and values (" << numValues
           << ") must have the same length";
  return success();
}

/// Checks the epilogue's residual: it is added to the result elementwise, so
/// it must have exactly the result type.
LogicalResult verifyResidual(Operation *op, Value residual,
                             RankedTensorType resultType) {
  if (residual && residual.getType() != resultType)
    return op->emitOpError("residual must have the result type ")
           << resultType << ", got " << residual.getType();
  return success();
}

/// True if `value` is a constant whose elements are all zero.
bool isAllZeroConstant(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return false;
  if (isa<IntegerType>(attr.getElementType()))
    return llvm::all_of(attr.getValues<APInt>(),
                        [](const APInt &v) { return v.isZero(); });
  if (isa<FloatType>(attr.getElementType()))
    return llvm::all_of(attr.getValues<APFloat>(),
                        [](const APFloat &v) { return v.isZero(); });
  return false;
}

/// `(q - 0) * s` is `q * s`: all-zero zero points are dropped so lowerings
/// see the cheaper symmetric form.
template <typename OpTy>
struct DropZeroZeroPoints : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isAllZeroConstant(op.getZeroPoints()))
      return rewriter.notifyMatchFailure(op, "no all-zero zero points");
    rewriter.modifyOpInPlace(op, [&] { op.getZeroPointsMutable().clear(); });
    return success();
  }
};

/// Adding zero is free to drop.
template <typename OpTy> struct DropZeroBias : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isAllZeroConstant(op.getBias()))
      return rewriter.notifyMatchFailure(op, "no all-zero bias");
    rewriter.modifyOpInPlace(op, [&] { op.getBiasMutable().clear(); });
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

/// Checks a pack/unpack pair of types; `op` names the op in messages.
static LogicalResult verifyPackUnpack(Operation *op,
                                      RankedTensorType unpackedType,
                                      RankedTensorType packedType) {
  unsigned bits = getPackedElementBits(unpackedType.getElementType());
  if (bits == 0)
    return op->emitOpError("unpacked element type must be an integer or "
                           "!quant type of 2 to 8 bits, got ")
           << unpackedType.getElementType();
  return verifyPackedShape(op, "packed tensor", packedType,
                           unpackedType.getShape(), bits);
}

LogicalResult PackOp::verify() {
  return verifyPackUnpack(*this, getSource().getType(), getType());
}

LogicalResult UnpackOp::verify() {
  return verifyPackUnpack(*this, getType(), getSource().getType());
}

OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  if (auto unpack = getSource().getDefiningOp<UnpackOp>())
    if (unpack.getSource().getType() == getType())
      return unpack.getSource();

  auto values = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getSource());
  RankedTensorType sourceType = getSource().getType();
  if (!values || !sourceType.hasStaticShape())
    return {};
  unsigned bits = getPackedElementBits(sourceType.getElementType());
  int64_t k = sourceType.getShape().back();
  int64_t rows = k == 0 ? 0 : sourceType.getNumElements() / k;
  int64_t rowBytes = getPackedRowBytes(k, bits);
  SmallVector<int32_t> elements;
  elements.reserve(sourceType.getNumElements());
  for (const APInt &v : values.getValues<APInt>())
    elements.push_back(static_cast<int32_t>(v.getZExtValue()));
  SmallVector<uint8_t> bytes(rows * rowBytes);
  for (int64_t r = 0; r < rows; ++r)
    ::sparq::ref::packRow(ArrayRef(elements).slice(r * k, k), bits,
                          MutableArrayRef(bytes).slice(r * rowBytes, rowBytes));
  SmallVector<APInt> byteValues =
      llvm::map_to_vector(bytes, [](uint8_t b) { return APInt(8, b); });
  return DenseElementsAttr::get(getType(), byteValues);
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  if (auto pack = getSource().getDefiningOp<PackOp>())
    if (pack.getSource().getType() == getType())
      return pack.getSource();

  auto bytesAttr =
      dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getSource());
  RankedTensorType resultType = getType();
  auto intType = dyn_cast<IntegerType>(resultType.getElementType());
  // Constants of !quant element types do not exist, so only integer results
  // fold.
  if (!bytesAttr || !intType || !resultType.hasStaticShape())
    return {};
  unsigned bits = intType.getWidth();
  int64_t k = resultType.getShape().back();
  int64_t rows = k == 0 ? 0 : resultType.getNumElements() / k;
  int64_t rowBytes = getPackedRowBytes(k, bits);
  SmallVector<uint8_t> bytes =
      llvm::map_to_vector(bytesAttr.getValues<APInt>(), [](const APInt &v) {
        return static_cast<uint8_t>(v.getZExtValue());
      });
  SmallVector<int32_t> elements(rows * k);
  for (int64_t r = 0; r < rows; ++r)
    ::sparq::ref::unpackRow(ArrayRef(bytes).slice(r * rowBytes, rowBytes), bits,
                            /*isSigned=*/false,
                            MutableArrayRef(elements).slice(r * k, k));
  SmallVector<APInt> values =
      llvm::map_to_vector(elements, [&](int32_t v) { return APInt(bits, v); });
  return DenseElementsAttr::get(resultType, values);
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

/// Verifies a quantize or dequantize op between `floatType` and packed
/// `packedType` storage.
template <typename OpTy>
static LogicalResult verifyQuantizeLike(OpTy op, RankedTensorType floatType,
                                        RankedTensorType packedType) {
  if (failed(verifyStorageType(op, op.getStorageType())))
    return failure();
  unsigned bits = op.getStorageType().getIntOrFloatBitWidth();
  if (failed(verifyPackedShape(op, "packed tensor", packedType,
                               floatType.getShape(), bits)))
    return failure();
  return verifyBlockParams(op, floatType.getShape(), op.getScales().getType(),
                           op.getZeroPoints());
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantizeLike(*this, getInput().getType(), getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantizeLike(*this, getType(), getInput().getType());
}

namespace {
/// quantize(dequantize(p, s, z), s, z) == p: the dequantized values sit
/// exactly on the quantization grid, so rounding returns every q (scales are
/// finite and non-zero, as quantization parameters must be).
struct FoldQuantizeOfDequantize : public OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto dequant = op.getInput().getDefiningOp<DequantizeOp>();
    if (!dequant || dequant.getScales() != op.getScales() ||
        dequant.getZeroPoints() != op.getZeroPoints() ||
        dequant.getStorageType() != op.getStorageType() ||
        dequant.getInput().getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "not a matching dequantize");
    rewriter.replaceOp(op, dequant.getInput());
    return success();
  }
};
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<DropZeroZeroPoints<QuantizeOp>, FoldQuantizeOfDequantize>(
      context);
}

void DequantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<DropZeroZeroPoints<DequantizeOp>>(context);
}

//===----------------------------------------------------------------------===//
// QMatmulOp / LutMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult QMatmulOp::verify() {
  if (failed(verifyStorageType(*this, getStorageType())))
    return failure();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeights().getType();
  if (weightType.getRank() != 2)
    return emitOpError("weights must be a 2-D packed [N, K] matrix, got rank ")
           << weightType.getRank();
  int64_t n = weightType.getDimSize(0);
  if (failed(verifyMatmulShapes(*this, inputType, n, getType(), getBias(),
                                /*resultElementType=*/nullptr, getGated())))
    return failure();
  SmallVector<int64_t> logical = {n, inputType.getShape().back()};
  unsigned bits = getStorageType().getIntOrFloatBitWidth();
  if (failed(verifyPackedShape(*this, "weights", weightType, logical, bits)) ||
      failed(verifyBlockParams(*this, logical, getScales().getType(),
                               getZeroPoints())) ||
      failed(verifyResidual(*this, getResidual(), getType())))
    return failure();
  return verifyOutliers(*this, n, getOutlierRowPtr(), getOutlierColInd(),
                        getOutlierValues());
}

void QMatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<DropZeroZeroPoints<QMatmulOp>, DropZeroBias<QMatmulOp>>(context);
}

LogicalResult LutMatmulOp::verify() {
  int64_t bits = getBits();
  if (bits < 2 || bits > 8)
    return emitOpError("bits must be between 2 and 8, got ") << bits;
  RankedTensorType inputType = getInput().getType();
  RankedTensorType indexType = getIndices().getType();
  if (indexType.getRank() != 2)
    return emitOpError("indices must be a 2-D packed [N, K] matrix, got rank ")
           << indexType.getRank();
  int64_t n = indexType.getDimSize(0);
  if (failed(verifyMatmulShapes(*this, inputType, n, getType(), getBias(),
                                /*resultElementType=*/nullptr, getGated())))
    return failure();
  SmallVector<int64_t> logical = {n, inputType.getShape().back()};
  if (failed(verifyPackedShape(*this, "indices", indexType, logical, bits)) ||
      failed(verifyResidual(*this, getResidual(), getType())))
    return failure();
  ArrayRef<int64_t> codebookShape = getCodebooks().getType().getShape();
  SmallVector<int64_t> expected = {n, int64_t(1) << bits};
  if (shapesConflict(codebookShape, expected))
    return emitOpError("codebooks must be [N, 2^bits] = ")
           << formatShape(expected) << ", got " << formatShape(codebookShape);
  return verifyOutliers(*this, n, getOutlierRowPtr(), getOutlierColInd(),
                        getOutlierValues());
}

void LutMatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DropZeroBias<LutMatmulOp>>(context);
}

//===----------------------------------------------------------------------===//
// IntMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult IntMatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeights().getType();
  if (weightType.getRank() != 2)
    return emitOpError("weights must be a 2-D [N, K] matrix, got rank ")
           << weightType.getRank();
  Value inputScales = getInputScales();
  Value weightScales = getWeightScales();
  if (!inputScales != !weightScales)
    return emitOpError("input_scales and weight_scales go together");
  bool rescaled = static_cast<bool>(inputScales);
  Type resultElement = getType().getElementType();
  if (rescaled != isa<FloatType>(resultElement))
    return emitOpError("result element type must be i32 without scales and "
                       "a float type with them, got ")
           << resultElement;
  if (getBias() && !rescaled)
    return emitOpError("bias needs scales: an i32 result is not rescaled");
  int64_t n = weightType.getDimSize(0);
  if (failed(verifyMatmulShapes(*this, inputType, n, getType(), getBias(),
                                resultElement)))
    return failure();
  SmallVector<int64_t> logical = {n, inputType.getShape().back()};
  if (failed(verifyPackedShape(*this, "weights", weightType, logical, 8)))
    return failure();
  if (!rescaled)
    return success();

  ArrayRef<int64_t> inputScaleShape =
      cast<RankedTensorType>(inputScales.getType()).getShape();
  SmallVector<int64_t> perTensor(inputType.getRank(), 1);
  SmallVector<int64_t> perToken(inputType.getShape().drop_back());
  perToken.push_back(1);
  if (shapesConflict(inputScaleShape, perTensor) &&
      shapesConflict(inputScaleShape, perToken))
    return emitOpError("input_scales must be ")
           << formatShape(perTensor) << " (per-tensor) or "
           << formatShape(perToken) << " (per-token), got "
           << formatShape(inputScaleShape);
  ArrayRef<int64_t> weightScaleShape =
      cast<RankedTensorType>(weightScales.getType()).getShape();
  if (shapesConflict(weightScaleShape, {1, 1}) &&
      shapesConflict(weightScaleShape, {n, 1}))
    return emitOpError("weight_scales must be [1, 1] (per-tensor) or ")
           << formatShape({n, 1}) << " (per-channel), got "
           << formatShape(weightScaleShape);
  return success();
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty: calibration results are "
                       "keyed by it");
  RankedTensorType inputType = getInput().getType();
  std::optional<int64_t> axis = getAxis();
  if (axis && (*axis < 0 || *axis >= inputType.getRank()))
    return emitOpError("axis ") << *axis << " is out of range for a rank-"
                                << inputType.getRank() << " input";
  CalibrationStatsAttr stats = getStatsAttr();
  if (!stats)
    return success();
  int64_t expected = axis ? inputType.getDimSize(*axis) : 1;
  if (dimsConflict(stats.getNumChannels(), expected))
    return emitOpError("stats cover ")
           << stats.getNumChannels() << " channels, expected " << expected
           << (axis ? " (the size of the observed axis)"
                    : " (per-tensor observer)");
  return success();
}

//===----------------------------------------------------------------------===//
// SmoothOp
//===----------------------------------------------------------------------===//

LogicalResult SmoothOp::verify() {
  RankedTensorType inputType = getInput().getType();
  if (inputType.getRank() < 1)
    return emitOpError("input must have rank >= 1 (channels are its last dim)");
  int64_t channels = inputType.getShape().back();
  int64_t numScales = getScales().getType().getDimSize(0);
  if (dimsConflict(numScales, channels))
    return emitOpError("has ")
           << numScales << " scales but the input's last dim is " << channels;
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

/// What both norm + quantize ops need: a last dim to normalize, per-channel
/// parameters of the input's type and a usable epsilon.
template <typename OpTy>
static LogicalResult verifyNormQuantize(OpTy op, ValueRange channelParams) {
  RankedTensorType inputType = op.getInput().getType();
  if (inputType.getRank() < 1)
    return op.emitOpError("input must have rank >= 1 (the norm runs along "
                          "its last dim)");
  int64_t channels = inputType.getShape().back();
  static constexpr StringLiteral kNames[] = {"gamma", "beta"};
  for (auto [name, param] : llvm::zip(kNames, channelParams)) {
    if (!param)
      continue;
    auto type = cast<RankedTensorType>(param.getType());
    if (type.getRank() != 1 || dimsConflict(type.getDimSize(0), channels))
      return op.emitOpError()
             << name << " must be 1-D with the input's last dim (" << channels
             << "), got " << type;
    if (type.getElementType() != inputType.getElementType())
      return op.emitOpError()
             << name << " element type " << type.getElementType()
             << " differs from the input's " << inputType.getElementType();
  }
  double epsilon = op.getEpsilon().convertToDouble();
  if (!(epsilon >= 0) || std::isinf(epsilon))
    return op.emitOpError("epsilon must be finite and >= 0, got ") << epsilon;
  RankedTensorType packedType = op.getResult().getType();
  Value tokenScales = op.getTokenScales();
  if (op.getScales()) {
    if (tokenScales)
      return op.emitOpError("returns token_scales, which only dynamic "
                            "quantization (no scales operand) computes");
    return verifyQuantizeLike(op, inputType, packedType);
  }
  // Dynamic: symmetric per-token scales, computed and returned.
  if (failed(verifyStorageType(op, op.getStorageType())))
    return failure();
  auto storage = cast<IntegerType>(op.getStorageType());
  if (failed(verifyPackedShape(op, "packed tensor", packedType,
                               inputType.getShape(), storage.getWidth())))
    return failure();
  if (op.getZeroPoints())
    return op.emitOpError("has zero_points but no scales; dynamic "
                          "quantization is symmetric");
  if (!storage.isSigned())
    return op.emitOpError("dynamic (per-token, symmetric) quantization needs "
                          "signed storage, got ")
           << storage;
  SmallVector<int64_t> scaleShape(inputType.getShape());
  scaleShape.back() = 1;
  auto expected =
      RankedTensorType::get(scaleShape, Float32Type::get(op.getContext()));
  if (!tokenScales)
    return op.emitOpError("without scales (dynamic quantization) must also "
                          "return the per-token scales ")
           << expected;
  if (shapesConflict(cast<RankedTensorType>(tokenScales.getType()).getShape(),
                     scaleShape))
    return op.emitOpError("token_scales must be ")
           << expected << " (the input's shape with a last dim of 1), got "
           << tokenScales.getType();
  return success();
}

LogicalResult RmsNormQuantizeOp::verify() {
  return verifyNormQuantize(*this, {getGamma()});
}

LogicalResult LayerNormQuantizeOp::verify() {
  return verifyNormQuantize(*this, {getGamma(), getBeta()});
}

LogicalResult SoftmaxOp::verify() {
  RankedTensorType inputType = getInput().getType();
  if (inputType.getRank() < 1)
    return emitOpError("input must have rank >= 1 (softmax runs along its "
                       "last dim)");
  if (std::optional<APFloat> scale = getScale())
    if (!scale->isFiniteNonZero())
      return emitOpError("scale must be finite and non-zero, got ")
             << scale->convertToDouble();
  Value mask = getMask();
  if (!mask) {
    if (getFill())
      return emitOpError("fill(...) needs an i1 mask");
    return success();
  }
  auto maskType = cast<RankedTensorType>(mask.getType());
  Type maskElement = maskType.getElementType();
  if (maskElement.isInteger(1)) {
    if (!getFill())
      return emitOpError("an i1 mask needs fill(...), the score of masked "
                         "positions");
  } else if (maskElement != inputType.getElementType()) {
    return emitOpError("mask element type ")
           << maskElement << " is neither i1 nor the input's "
           << inputType.getElementType();
  } else if (getFill()) {
    return emitOpError("fill(...) applies to an i1 mask only; an additive "
                       "mask of ")
           << maskElement << " has none";
  }
  ArrayRef<int64_t> inputShape = inputType.getShape();
  ArrayRef<int64_t> maskShape = maskType.getShape();
  bool broadcasts = maskShape.size() <= inputShape.size();
  for (size_t i = 0; broadcasts && i < maskShape.size(); ++i) {
    int64_t maskDim = maskShape[maskShape.size() - 1 - i];
    int64_t inputDim = inputShape[inputShape.size() - 1 - i];
    broadcasts = maskDim == 1 || !dimsConflict(maskDim, inputDim);
  }
  if (!broadcasts)
    return emitOpError("mask of type ")
           << maskType << " does not broadcast to the input's type "
           << inputType;
  return success();
}

OpFoldResult SmoothOp::fold(FoldAdaptor adaptor) {
  auto scales = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getScales());
  if (scales && llvm::all_of(scales.getValues<APFloat>(), [](const APFloat &v) {
        return v.isExactlyValue(1.0);
      }))
    return getInput();
  return {};
}

namespace {
/// smooth(smooth(x, a), b) == smooth(x, a * b) for constant scales: one
/// division per element instead of two.
struct MergeConstantSmooths : public OpRewritePattern<SmoothOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SmoothOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<SmoothOp>();
    DenseFPElementsAttr outerScales, innerScales;
    if (!inner || !matchPattern(op.getScales(), m_Constant(&outerScales)) ||
        !matchPattern(inner.getScales(), m_Constant(&innerScales)) ||
        outerScales.getType() != innerScales.getType())
      return rewriter.notifyMatchFailure(op, "not two constant smooths");
    SmallVector<APFloat> product;
    for (auto [a, b] : llvm::zip_equal(innerScales.getValues<APFloat>(),
                                       outerScales.getValues<APFloat>())) {
      APFloat merged = a;
      merged.multiply(b, APFloat::rmNearestTiesToEven);
      product.push_back(merged);
    }
    auto mergedAttr = DenseElementsAttr::get(outerScales.getType(), product);
    Value merged = arith::ConstantOp::create(rewriter, op.getLoc(),
                                             cast<TypedAttr>(mergedAttr));
    rewriter.replaceOpWithNewOp<SmoothOp>(op, op.getType(), inner.getInput(),
                                          merged);
    return success();
  }
};
} // namespace

void SmoothOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<MergeConstantSmooths>(context);
}

#define GET_OP_CLASSES
#include "sparq/Dialect/Sparq/IR/SparqOps.cpp.inc"
