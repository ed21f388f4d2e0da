//===- FuseDequantizeMatmul.cpp - dequantize -> matmul fusion -------------===//
//
// Part of the sparq project.
//
// The `dequantize-matmul` family of sparq-fuse (also run by
// sparq-fold-calibration): a linalg.matmul whose weight is a sparq.dequantize
// of constant integer codes (QDQ weights of pre-quantized ONNX models)
// becomes a sparq.qmatmul that streams the codes and dequantizes in
// registers, or a W8A8 sparq.int_matmul when the activation is a symmetric
// int8 Q/DQ as well. The dequantized f32 weight is never materialized.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Reshapes.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Reference/Packing.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kFamily = "dequantize-matmul";

std::string describeStorage(IntegerType type) {
  return (type.isUnsigned() ? "u" : "s") + std::string("i") +
         std::to_string(type.getWidth());
}

/// Codes and scale of a symmetric, per-tensor, signed 8-bit Q/DQ activation.
struct Int8Activation {
  Value codes;
  float scale = 0.0f;
};

/// Matches `activation` = sparq.dequantize (si8, one constant scale, no or
/// zero zero points), possibly behind a reshape keeping the last dim, which
/// is then repeated on the codes.
std::optional<Int8Activation>
matchInt8Activation(RewriterBase &rewriter, Location loc, Value activation) {
  auto collapse = activation.getDefiningOp<tensor::CollapseShapeOp>();
  Value source = activation;
  if (collapse) {
    if (!sparq::keepsLastDim(collapse))
      return std::nullopt;
    source = collapse.getSrc();
  }
  auto dq = source.getDefiningOp<sparq::DequantizeOp>();
  if (!dq)
    return std::nullopt;
  auto storage = cast<IntegerType>(dq.getStorageType());
  if (storage.getWidth() != 8 || storage.isUnsigned())
    return std::nullopt;
  if (Value zp = dq.getZeroPoints()) {
    DenseIntElementsAttr zeros;
    if (!matchPattern(zp, m_Constant(&zeros)) ||
        llvm::any_of(zeros.getValues<APInt>(),
                     [](const APInt &v) { return !v.isZero(); }))
      return std::nullopt;
  }
  auto scaleConst = dq.getScales().getDefiningOp<arith::ConstantOp>();
  std::vector<float> scale =
      scaleConst ? sparq::readF32Constant(scaleConst) : std::vector<float>();
  if (scale.size() != 1)
    return std::nullopt;
  Int8Activation result;
  result.scale = scale[0];
  result.codes = dq.getInput();
  if (collapse) {
    auto collapsedType = RankedTensorType::get(collapse.getType().getShape(),
                                               rewriter.getIntegerType(8));
    result.codes = tensor::CollapseShapeOp::create(
        rewriter, loc, collapsedType, result.codes,
        collapse.getReassociationIndices());
  }
  return result;
}

/// [rows, cols] row-major -> [cols, rows] row-major.
template <typename T>
std::vector<T> transposed(ArrayRef<T> values, int64_t rows, int64_t cols) {
  std::vector<T> result(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      result[c * rows + r] = values[r * cols + c];
  return result;
}

/// Erases `op` and then its producers that became dead on the way back to
/// the constants (the codes, parameters and a folded activation Q/DQ).
void eraseWithDeadProducers(RewriterBase &rewriter, Operation *op) {
  SmallVector<Operation *> worklist{op};
  while (!worklist.empty()) {
    Operation *dead = worklist.pop_back_val();
    if (!dead->use_empty())
      continue;
    SmallVector<Operation *> producers;
    for (Value operand : dead->getOperands())
      if (Operation *producer = operand.getDefiningOp())
        if (isa<arith::ConstantOp, tensor::CollapseShapeOp,
                sparq::DequantizeOp>(producer))
          producers.push_back(producer);
    rewriter.eraseOp(dead);
    for (Operation *producer : producers)
      if (llvm::none_of(worklist,
                        [&](Operation *queued) { return queued == producer; }))
        worklist.push_back(producer);
  }
}

struct DequantizeMatmulFusion : public OpRewritePattern<linalg::MatmulOp> {
  DequantizeMatmulFusion(MLIRContext *context, sparq::FusionStats *stats)
      : OpRewritePattern(context), stats(stats) {}

  LogicalResult matchAndRewrite(linalg::MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    if (matmul.hasUserDefinedMaps() || !matmul.hasPureTensorSemantics())
      return failure();
    auto dequantize =
        matmul.getDpsInputs()[1].getDefiningOp<sparq::DequantizeOp>();
    if (!dequantize)
      return failure();
    std::string name = describe(dequantize);
    std::string whyNot;
    FailureOr<Operation *> fused =
        sparq::fuseDequantizeIntoMatmul(rewriter, matmul, dequantize, name,
                                        &whyNot);
    if (stats)
      stats->add(kFamily, name,
                 succeeded(fused) ? "fused" : "not fused: " + whyNot);
    return fused;
  }

private:
  /// The weight's name: its initializer's, else matmul_qdq_<i> in the
  /// order the driver visits them (the module's order).
  std::string describe(sparq::DequantizeOp dequantize) const {
    if (auto codes = dequantize.getInput().getDefiningOp<arith::ConstantOp>())
      if (StringAttr weightName = sparq::getWeightName(codes))
        return weightName.str();
    return "matmul_qdq_" + std::to_string(nextIndex++);
  }

  mutable unsigned nextIndex = 0;
  sparq::FusionStats *stats;
};

} // namespace

FailureOr<Operation *>
sparq::fuseDequantizeIntoMatmul(RewriterBase &rewriter,
                                linalg::MatmulOp matmul,
                                DequantizeOp dequantize, StringRef name,
                                std::string *whyNot) {
  auto refuse = [&](const Twine &reason) -> FailureOr<Operation *> {
    if (whyNot)
      *whyNot = reason.str();
    return failure();
  };
  auto codesConst = dequantize.getInput().getDefiningOp<arith::ConstantOp>();
  auto scalesConst = dequantize.getScales().getDefiningOp<arith::ConstantOp>();
  Value zeroPoints = dequantize.getZeroPoints();
  auto zpConst =
      zeroPoints ? zeroPoints.getDefiningOp<arith::ConstantOp>() : nullptr;
  RankedTensorType weightType = dequantize.getType();
  auto storage = cast<IntegerType>(dequantize.getStorageType());
  auto lhsType = dyn_cast<RankedTensorType>(matmul.getDpsInputs()[0].getType());
  if (!codesConst)
    return refuse("the integer codes are not a constant");
  if (!scalesConst || (zeroPoints && !zpConst))
    return refuse("the scales or zero points are not constants");
  if (weightType.getRank() != 2 || !weightType.hasStaticShape() ||
      !weightType.getElementType().isF32())
    return refuse("the dequantized weight is not a static 2-D f32 tensor");
  if (!lhsType || !lhsType.getElementType().isF32())
    return refuse("the activation is not f32");
  int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
  unsigned bits = storage.getWidth();
  bool isSigned = !storage.isUnsigned();

  std::vector<int8_t> packed = readI8Constant(codesConst);
  std::vector<float> scales = readF32Constant(scalesConst);
  auto scalesType = cast<RankedTensorType>(scalesConst.getType());
  if (packed.empty() || scales.empty() || scalesType.getRank() != 2)
    return refuse("the codes or f32 scales cannot be read");
  int64_t scaleRows = scalesType.getDimSize(0);
  int64_t scaleCols = scalesType.getDimSize(1);

  // Codes [K, N] -> [N, K], one packed row per output channel.
  std::vector<int32_t> kn = ref::unpack(
      ArrayRef(reinterpret_cast<const uint8_t *>(packed.data()), packed.size()),
      k, n, bits, isSigned);
  std::vector<uint8_t> packedNk =
      ref::pack(transposed<int32_t>(kn, k, n), n, k, bits);
  // Parameters [K/Gk, N/Gn] -> [N/Gn, K/Gk].
  std::vector<float> scalesNk =
      transposed<float>(scales, scaleRows, scaleCols);

  rewriter.setInsertionPoint(matmul);
  Location loc = matmul.getLoc();
  int64_t packedCols = ref::packedRowBytes(k, bits);
  auto packedType =
      RankedTensorType::get({n, packedCols}, rewriter.getIntegerType(8));
  Value weights = createConstantTensor(
      rewriter, loc, packedType,
      ArrayRef(reinterpret_cast<const char *>(packedNk.data()),
               packedNk.size()),
      name.str() + ".nk");
  Value scalesValue = createF32Constant(rewriter, loc, {scaleCols, scaleRows},
                                        scalesNk, name.str() + ".scales");

  // Zero points: integer ones are dropped when all zero (symmetric).
  Value zeroPointsValue;
  int64_t zeroPointBytes = 0;
  if (zpConst) {
    auto zpType = cast<RankedTensorType>(zpConst.getType());
    if (zpType.getElementType().isF32()) {
      std::vector<float> zpNk = transposed<float>(readF32Constant(zpConst),
                                                  scaleRows, scaleCols);
      zeroPointsValue = createF32Constant(
          rewriter, loc, {scaleCols, scaleRows}, zpNk, name.str() + ".zp");
      zeroPointBytes = 4 * zpNk.size();
    } else {
      std::vector<int8_t> zp = readI8Constant(zpConst);
      if (zp.empty())
        return refuse("the zero points cannot be read");
      if (llvm::any_of(zp, [](int8_t v) { return v != 0; })) {
        std::vector<int8_t> zpNk =
            transposed<int8_t>(zp, scaleRows, scaleCols);
        zeroPointsValue = createConstantTensor(
            rewriter, loc,
            RankedTensorType::get({scaleCols, scaleRows},
                                  zpType.getElementType()),
            ArrayRef(reinterpret_cast<const char *>(zpNk.data()), zpNk.size()),
            name.str() + ".zp");
        zeroPointBytes = zpNk.size();
      }
    }
  }

  auto resultType = cast<RankedTensorType>(matmul.getResultTypes()[0]);
  std::string scheme = "qdq-" + describeStorage(storage);
  if (scaleRows == 1 && scaleCols == n)
    scheme += "-per-channel";
  else if (scaleRows == 1 && scaleCols == 1)
    scheme += "-per-tensor";
  else
    scheme += "-g" + std::to_string(k / scaleRows);
  int64_t bytesAfter = static_cast<int64_t>(packedNk.size()) +
                       4 * scalesNk.size() + zeroPointBytes;

  // Symmetric int8 weights with one scale per output channel (or tensor)
  // times a symmetric int8 Q/DQ activation: an int8 x int8 product.
  Operation *replacement = nullptr;
  if (bits == 8 && isSigned && !zeroPointsValue && scaleRows == 1) {
    if (std::optional<Int8Activation> input =
            matchInt8Activation(rewriter, loc, matmul.getDpsInputs()[0])) {
      int64_t rank = cast<RankedTensorType>(input->codes.getType()).getRank();
      SmallVector<int64_t> scaleShape(rank, 1);
      Value inputScales = createF32Constant(
          rewriter, loc, scaleShape, {input->scale}, name.str() + ".in_scale");
      replacement =
          IntMatmulOp::create(rewriter, loc, resultType, input->codes, weights,
                              inputScales, scalesValue, /*bias=*/Value());
      scheme = "qdq-w8a8-static";
    }
  }
  if (!replacement)
    replacement = QMatmulOp::create(
        rewriter, loc, resultType, matmul.getDpsInputs()[0], weights,
        scalesValue, zeroPointsValue, /*bias=*/Value(),
        /*outlier_row_ptr=*/Value(), /*outlier_col_ind=*/Value(),
        /*outlier_values=*/Value(), TypeAttr::get(storage));
  // The dequantized codes are the model's weights: nothing is lost here.
  Builder b(rewriter.getContext());
  NamedAttrList info;
  info.append("layer", b.getStringAttr(name));
  info.append("scheme", b.getStringAttr(scheme));
  info.append("bytes_before", b.getI64IntegerAttr(4 * k * n));
  info.append("bytes_after", b.getI64IntegerAttr(bytesAfter));
  info.append("weight_sqnr_db",
              b.getF64FloatAttr(std::numeric_limits<double>::infinity()));
  replacement->setAttr("sparq.quant_info",
                       info.getDictionary(rewriter.getContext()));

  Operation *activationProducer = matmul.getDpsInputs()[0].getDefiningOp();
  ConstantWeightMatmul target;
  target.matmul = matmul;
  replaceConstantWeightMatmul(rewriter, target, replacement->getResult(0));
  eraseWithDeadProducers(rewriter, dequantize);
  // The float activation path of a folded Q/DQ activation is dead now.
  if (activationProducer &&
      isa<tensor::CollapseShapeOp, DequantizeOp>(activationProducer))
    eraseWithDeadProducers(rewriter, activationProducer);
  return replacement;
}

void sparq::populateSparqDequantizeMatmulFusionPatterns(
    RewritePatternSet &patterns, FusionStats *stats) {
  patterns.add<DequantizeMatmulFusion>(patterns.getContext(), stats);
}
