//===- FoldCalibration.cpp - sparq-fold-calibration -----------------------===//
//
// Part of the sparq project.
//
// Turns calibration results into quantized compute:
//  - QDQ weights of pre-quantized ONNX models (sparq.dequantize of constant
//    integer codes feeding a matmul) become sparq.qmatmul on the codes (the
//    dequantize-matmul fusion family, FuseDequantizeMatmul.cpp);
//  - constant-weight f32 matmuls whose activation carries calibration
//    statistics become W8A8 sparq.int_matmul;
//  - observers are removed, and small constant sparq.dequantize ops fold.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Reshapes.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Reference/Packing.h"
#include "sparq/Reference/Quantization.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace sparq {
#define GEN_PASS_DEF_SPARQFOLDCALIBRATION
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

/// Dequantized results up to this many elements fold into f32 constants
/// (biases, norm weights); larger ones stay quantized in memory.
constexpr int64_t kMaxFoldedDequantizeElements = 4096;

double weightSqnrDb(ArrayRef<float> w, ArrayRef<float> wHat) {
  double signal = 0.0, noise = 0.0;
  for (auto [a, b] : llvm::zip_equal(w, wHat)) {
    signal += static_cast<double>(a) * a;
    noise += (static_cast<double>(a) - b) * (static_cast<double>(a) - b);
  }
  if (noise == 0.0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

void annotate(Operation *op, StringRef layer, StringRef scheme,
              int64_t bytesBefore, int64_t bytesAfter, double sqnrDb) {
  Builder b(op->getContext());
  NamedAttrList info;
  info.append("layer", b.getStringAttr(layer));
  info.append("scheme", b.getStringAttr(scheme));
  info.append("bytes_before", b.getI64IntegerAttr(bytesBefore));
  info.append("bytes_after", b.getI64IntegerAttr(bytesAfter));
  info.append("weight_sqnr_db", b.getF64FloatAttr(sqnrDb));
  op->setAttr("sparq.quant_info", info.getDictionary(op->getContext()));
}

/// Channel-preserving ops an observer may sit behind on the way to a
/// matmul: observers themselves and reshapes keeping the last dimension.
Value getTransparentSource(Operation *op) {
  if (auto observe = dyn_cast<sparq::ObserveOp>(op))
    return observe.getInput();
  if (sparq::keepsLastDim(op))
    return op->getOperand(0);
  return {};
}

SmallVector<sparq::ObserveOp> findObservers(Value activation) {
  SmallVector<sparq::ObserveOp> observes;
  while (Operation *producer = activation.getDefiningOp()) {
    Value source = getTransparentSource(producer);
    if (!source)
      break;
    if (auto observe = dyn_cast<sparq::ObserveOp>(producer))
      observes.push_back(observe);
    activation = source;
  }
  return observes;
}

/// Erases the producers of `values` that became dead (the float weights and
/// QDQ constants that were folded away), so they do not linger in the IR.
void eraseIfDead(ArrayRef<Value> values) {
  for (Value value : values)
    if (Operation *op = value ? value.getDefiningOp() : nullptr)
      if (op->use_empty() && isa<arith::ConstantOp>(op))
        op->erase();
}

struct SparqFoldCalibration
    : public sparq::impl::SparqFoldCalibrationBase<SparqFoldCalibration> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult convertToW8A8(const sparq::ConstantWeightMatmul &match,
                              ArrayRef<sparq::ObserveOp> observes,
                              bool dynamic);
  Value computePerTokenScales(OpBuilder &builder, Location loc, Value x);
  void foldSmallDequantizes();
};

//===----------------------------------------------------------------------===//
// Observed f32 matmuls -> W8A8 sparq.int_matmul
//===----------------------------------------------------------------------===//

/// scale[m, 0] = max_k |x[m, k]| / 127 (1 for an all-zero row), computed at
/// run time.
Value SparqFoldCalibration::computePerTokenScales(OpBuilder &builder,
                                                  Location loc, Value x) {
  Type f32 = builder.getF32Type();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(builder, loc, x);
  Value zero =
      arith::ConstantOp::create(builder, loc, builder.getF32FloatAttr(0));
  Value rowInit = tensor::EmptyOp::create(builder, loc, {sizes[0]}, f32);
  rowInit = linalg::FillOp::create(builder, loc, zero, rowInit).getResult(0);
  MLIRContext *context = builder.getContext();
  AffineExpr d0 = getAffineDimExpr(0, context);
  auto identity = AffineMap::getMultiDimIdentityMap(2, context);
  auto rows = AffineMap::get(2, 0, {d0}, context);
  Value rowAbsMax =
      linalg::GenericOp::create(
          builder, loc, TypeRange{rowInit.getType()}, ValueRange{x},
          ValueRange{rowInit}, ArrayRef<AffineMap>{identity, rows},
          ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                        utils::IteratorType::reduction},
          [](OpBuilder &b, Location l, ValueRange args) {
            Value negated = arith::NegFOp::create(b, l, args[0]);
            Value abs = arith::MaximumFOp::create(b, l, args[0], negated);
            Value max = arith::MaximumFOp::create(b, l, abs, args[1]);
            linalg::YieldOp::create(b, l, max);
          })
          .getResult(0);
  SmallVector<OpFoldResult> scaleSizes = {sizes[0], builder.getIndexAttr(1)};
  Value scaleInit = tensor::EmptyOp::create(builder, loc, scaleSizes, f32);
  return linalg::GenericOp::create(
             builder, loc, TypeRange{scaleInit.getType()},
             ValueRange{rowAbsMax}, ValueRange{scaleInit},
             ArrayRef<AffineMap>{rows, identity},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel},
             [](OpBuilder &b, Location l, ValueRange args) {
               Value qmax =
                   arith::ConstantOp::create(b, l, b.getF32FloatAttr(127));
               Value zero =
                   arith::ConstantOp::create(b, l, b.getF32FloatAttr(0));
               Value one =
                   arith::ConstantOp::create(b, l, b.getF32FloatAttr(1));
               Value scale = arith::DivFOp::create(b, l, args[0], qmax);
               Value positive = arith::CmpFOp::create(
                   b, l, arith::CmpFPredicate::OGT, args[0], zero);
               Value result =
                   arith::SelectOp::create(b, l, positive, scale, one);
               linalg::YieldOp::create(b, l, result);
             })
      .getResult(0);
}

LogicalResult
SparqFoldCalibration::convertToW8A8(const sparq::ConstantWeightMatmul &match,
                                    ArrayRef<sparq::ObserveOp> observes,
                                    bool dynamic) {
  float absMax = 0.0f;
  for (sparq::ObserveOp observe : observes) {
    std::optional<sparq::CalibrationStatsAttr> stats = observe.getStats();
    if (!stats)
      return observe.emitError() << "missing calibration statistics for '"
                                 << observe.getName() << "', the input of "
                                 << match.name << "; run sparq-calibrate first";
    for (float v : stats->getAbsmax().asArrayRef())
      absMax = std::max(absMax, v);
  }
  int64_t k = match.k, n = match.n;
  std::vector<float> rows = match.readRows();
  sparq::ref::QuantParams params = sparq::ref::computeRTNParams(
      rows, n, k, /*bits=*/8, /*symmetric=*/true, /*groupSize=*/0);
  std::vector<int32_t> codes =
      sparq::ref::quantize(rows, n, k, params, 8, /*isSigned=*/true);
  std::vector<float> dequantized = sparq::ref::dequantize(codes, n, k, params);
  std::vector<int8_t> codeBytes(codes.begin(), codes.end());

  linalg::MatmulOp matmul = match.matmul;
  OpBuilder builder(matmul);
  Location loc = matmul.getLoc();
  MLIRContext *context = &getContext();
  IntegerType i8 = IntegerType::get(context, 8);
  IntegerType si8 = IntegerType::get(context, 8, IntegerType::Signed);
  Value weights = sparq::createConstantTensor(
      builder, loc, RankedTensorType::get({n, k}, i8),
      ArrayRef(reinterpret_cast<const char *>(codeBytes.data()),
               codeBytes.size()),
      match.name + ".int8");
  Value weightScales = sparq::createF32Constant(
      builder, loc, {n, 1}, params.scales, match.name + ".scales");

  Value x = match.getActivations();
  auto xType = cast<RankedTensorType>(x.getType());
  Value inputScales;
  if (dynamic) {
    inputScales = computePerTokenScales(builder, loc, x);
  } else {
    // Per tensor, symmetric: the calibrated range maps onto [-127, 127].
    float scale =
        absMax > 0.0f && std::isfinite(absMax) ? absMax / 127.0f : 1.0f;
    inputScales = sparq::createF32Constant(builder, loc, {1, 1}, {scale},
                                           match.name + ".input_scale");
  }
  auto xqType = RankedTensorType::get(xType.getShape(), i8);
  Value xq =
      sparq::QuantizeOp::create(builder, loc, xqType, x, inputScales,
                                /*zero_points=*/Value(), TypeAttr::get(si8));
  auto resultType = cast<RankedTensorType>(matmul.getResultTypes()[0]);
  auto intMatmul =
      sparq::IntMatmulOp::create(builder, loc, resultType, xq, weights,
                                 inputScales, weightScales, /*bias=*/Value());
  annotate(intMatmul, match.name, dynamic ? "w8a8-dynamic" : "w8a8-static",
           4 * k * n, k * n + 4 * n, weightSqnrDb(rows, dequantized));
  IRRewriter rewriter(context);
  arith::ConstantOp weightOp = match.weight;
  Value floatWeights = weightOp.getResult();
  sparq::replaceConstantWeightMatmul(rewriter, match, intMatmul.getResult());
  eraseIfDead(floatWeights);
  return success();
}

//===----------------------------------------------------------------------===//
// Remaining constant dequantizes
//===----------------------------------------------------------------------===//

void SparqFoldCalibration::foldSmallDequantizes() {
  SmallVector<sparq::DequantizeOp> candidates;
  getOperation().walk(
      [&](sparq::DequantizeOp op) { candidates.push_back(op); });
  for (sparq::DequantizeOp op : candidates) {
    RankedTensorType type = op.getType();
    auto codes = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto scalesConst = op.getScales().getDefiningOp<arith::ConstantOp>();
    Value zp = op.getZeroPoints();
    auto zpConst = zp ? zp.getDefiningOp<arith::ConstantOp>() : nullptr;
    if (!codes || !scalesConst || (zp && !zpConst) || !type.hasStaticShape() ||
        !type.getElementType().isF32() || type.getRank() < 1 ||
        type.getNumElements() > kMaxFoldedDequantizeElements)
      continue;
    auto scalesType = cast<RankedTensorType>(scalesConst.getType());
    if (scalesType.getRank() != type.getRank())
      continue;
    // View as [rows, cols] over the last dim; parameters likewise.
    int64_t cols = type.getShape().back();
    int64_t rows = type.getNumElements() / cols;
    int64_t paramCols = scalesType.getShape().back();
    int64_t paramRows = scalesType.getNumElements() / paramCols;
    // The 2-D view is only exact when the leading parameter dims are all 1
    // or all full (no blocking across flattened leading dims).
    bool leadingOk = true;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d)
      if (scalesType.getDimSize(d) != 1 &&
          scalesType.getDimSize(d) != type.getDimSize(d))
        leadingOk = false;
    if (!leadingOk || (paramRows != 1 && paramRows != rows))
      continue;
    auto storage = cast<IntegerType>(op.getStorageType());
    std::vector<int8_t> packed = sparq::readI8Constant(codes);
    std::vector<float> scales = sparq::readF32Constant(scalesConst);
    if (packed.empty() || scales.empty())
      continue;
    sparq::ref::QuantParams params;
    params.scales = scales;
    params.paramRows = paramRows;
    params.paramCols = paramCols;
    params.zeroPoints.assign(scales.size(), 0);
    if (zpConst) {
      auto zpType = cast<RankedTensorType>(zpConst.getType());
      if (!zpType.getElementType().isInteger(8))
        continue;
      std::vector<int8_t> zpValues = sparq::readI8Constant(zpConst);
      if (zpValues.size() != scales.size())
        continue;
      for (size_t i = 0; i < zpValues.size(); ++i)
        params.zeroPoints[i] = storage.isUnsigned()
                                   ? static_cast<uint8_t>(zpValues[i])
                                   : zpValues[i];
    }
    std::vector<int32_t> q = sparq::ref::unpack(
        ArrayRef(reinterpret_cast<const uint8_t *>(packed.data()),
                 packed.size()),
        rows, cols, storage.getWidth(), !storage.isUnsigned());
    std::vector<float> values = sparq::ref::dequantize(q, rows, cols, params);
    OpBuilder builder(op);
    Value folded = sparq::createF32Constant(
        builder, op.getLoc(), type.getShape(), values, "dequantized");
    op.replaceAllUsesWith(folded);
    SmallVector<Value> operands(op->getOperands());
    op->erase();
    eraseIfDead(operands);
  }
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void SparqFoldCalibration::runOnOperation() {
  ModuleOp module = getOperation();
  bool dynamic;
  if (activations == "static") {
    dynamic = false;
  } else if (activations == "dynamic") {
    dynamic = true;
  } else {
    module.emitError() << "sparq-fold-calibration: invalid activations='"
                       << activations << "'; expected 'static' or 'dynamic'";
    return signalPassFailure();
  }

  // 1. QDQ weights.
  {
    RewritePatternSet qdqPatterns(&getContext());
    sparq::populateSparqDequantizeMatmulFusionPatterns(qdqPatterns,
                                                       /*stats=*/nullptr);
    // Dequantizes that cannot fold (non-constant codes, f16 scales) stay.
    (void)applyPatternsGreedily(module, std::move(qdqPatterns));
  }

  // 2. Observed f32 matmuls.
  bool failed = false;
  for (sparq::ConstantWeightMatmul &match :
       sparq::collectConstantWeightMatmuls(module)) {
    SmallVector<sparq::ObserveOp> observes =
        findObservers(match.getActivations());
    if (observes.empty())
      continue;
    if (mlir::failed(convertToW8A8(match, observes, dynamic)))
      failed = true;
  }
  if (failed)
    return signalPassFailure();

  // 3. Observers have served their purpose.
  module.walk([](sparq::ObserveOp observe) {
    observe.replaceAllUsesWith(observe.getInput());
    observe->erase();
  });

  // 4. Small constant dequantizes left over.
  foldSmallDequantizes();
}

} // namespace
