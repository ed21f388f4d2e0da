//===- FuseSoftmax.cpp - softmax with its scale and mask ------------------===//
//
// Part of the sparq project.
//
// The `softmax` family of sparq-fuse: the ONNX importer's Softmax (row max,
// exp of the shifted scores, row sum, division) becomes sparq.softmax, which
// then absorbs the attention scale (Mul or Div by a constant) and the mask
// (Where with a constant fill, or an additive Add) in front of it. The
// scaled and masked scores are then never written to memory: the op's
// lowering recomputes them in each of its passes over the raw scores.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace {

/// The ONNX node an op came from (its NameLoc), else its printed location.
std::string subjectOf(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (isa<NameLoc>(inner)) {
        loc = inner;
        break;
      }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

bool allParallel(linalg::GenericOp generic) {
  return llvm::all_of(generic.getIteratorTypesArray(), [](auto type) {
    return type == utils::IteratorType::parallel;
  });
}

/// The value `generic` yields, for a single-result generic.
Value yieldedValue(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1)
    return {};
  return generic.getBody()->getTerminator()->getOperand(0);
}

/// The input operand index of `value` if it is an input block argument of
/// `generic`.
std::optional<unsigned> inputIndexOf(linalg::GenericOp generic, Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != generic.getBody() ||
      arg.getArgNumber() >= generic.getNumDpsInputs())
    return std::nullopt;
  return arg.getArgNumber();
}

bool isIdentityInput(linalg::GenericOp generic, unsigned index) {
  return generic.getMatchingIndexingMap(generic.getDpsInputOperand(index))
      .isIdentity();
}

/// True when `map` reads a tensor of `type` broadcast to the loop space of
/// `rank` the way NumPy aligns shapes: at the trailing dims, size-1 dims
/// reading index 0 (or their loop dim).
bool isTrailingBroadcast(AffineMap map, RankedTensorType type, int64_t rank) {
  int64_t offset = rank - map.getNumResults();
  if (offset < 0 || map.getNumDims() != rank)
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      if (dim.getPosition() != offset + static_cast<int64_t>(i))
        return false;
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// The input that reads row statistics: map (d0, ..., dn) -> (d0, ...,
/// d{n-1}, 0) on a tensor whose last dim is 1.
bool isRowBroadcast(AffineMap map, int64_t rank) {
  if (map.getNumDims() != rank || map.getNumResults() != rank)
    return false;
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (map.getResult(d) != getAffineDimExpr(d, map.getContext()))
      return false;
  auto last = dyn_cast<AffineConstantExpr>(map.getResult(rank - 1));
  return last && last.getValue() == 0;
}

/// A float scalar: a scalar constant in the body, or a rank-0 (or
/// all-equal) constant input of `generic` read through block argument
/// `value`.
std::optional<double> scalarConstant(linalg::GenericOp generic, Value value) {
  FloatAttr scalar;
  if (matchPattern(value, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  std::optional<unsigned> index = inputIndexOf(generic, value);
  if (!index)
    return std::nullopt;
  DenseFPElementsAttr dense;
  if (!matchPattern(generic.getDpsInputs()[*index], m_Constant(&dense)) ||
      !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// `reduce(combiner)` over the last dim of a rank-`rank` input, initialized
/// by a fill of `init`, seen through the importer's expand_shape that keeps
/// the reduced dim as size 1. Returns the reduced input.
template <typename CombinerOp>
Value matchRowReduction(Value expanded, int64_t rank, double init) {
  auto expand = expanded.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand)
    return {};
  auto reduce = expand.getSrc().getDefiningOp<linalg::ReduceOp>();
  if (!reduce || reduce.getNumDpsInputs() != 1 ||
      reduce.getDimensions() != ArrayRef<int64_t>{rank - 1})
    return {};
  Operation &combiner = reduce.getCombiner().front().front();
  if (!isa<CombinerOp>(combiner))
    return {};
  auto fill = reduce.getInits()[0].getDefiningOp<linalg::FillOp>();
  FloatAttr fillValue;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&fillValue)) ||
      fillValue.getValueAsDouble() != init)
    return {};
  return reduce.getInputs()[0];
}

struct SoftmaxMatch {
  linalg::GenericOp division; // the root: exp / sum
  Value scores;               // softmax's input
};

/// exp(s - max(s)) / sum(exp(s - max(s))) as the importer writes it.
std::optional<SoftmaxMatch> matchSoftmax(linalg::GenericOp division) {
  if (division.getNumDpsInputs() != 2 || !allParallel(division) ||
      !division.hasPureTensorSemantics())
    return std::nullopt;
  int64_t rank = division.getNumLoops();
  auto div = yieldedValue(division).getDefiningOp<arith::DivFOp>();
  if (!div || inputIndexOf(division, div.getLhs()) != 0u ||
      inputIndexOf(division, div.getRhs()) != 1u ||
      !isIdentityInput(division, 0) ||
      !isRowBroadcast(division.getIndexingMapsArray()[1], rank))
    return std::nullopt;
  Value exps = division.getDpsInputs()[0];
  if (matchRowReduction<arith::AddFOp>(division.getDpsInputs()[1], rank,
                                       0.0) != exps)
    return std::nullopt;
  auto expGeneric = exps.getDefiningOp<linalg::GenericOp>();
  if (!expGeneric || expGeneric.getNumDpsInputs() != 2 ||
      !allParallel(expGeneric) || expGeneric.getNumLoops() != rank ||
      !isIdentityInput(expGeneric, 0) ||
      !isRowBroadcast(expGeneric.getIndexingMapsArray()[1], rank))
    return std::nullopt;
  auto exp = yieldedValue(expGeneric).getDefiningOp<math::ExpOp>();
  auto sub = exp ? exp.getOperand().getDefiningOp<arith::SubFOp>() : nullptr;
  if (!sub || inputIndexOf(expGeneric, sub.getLhs()) != 0u ||
      inputIndexOf(expGeneric, sub.getRhs()) != 1u)
    return std::nullopt;
  Value scores = expGeneric.getDpsInputs()[0];
  if (matchRowReduction<arith::MaximumFOp>(
          expGeneric.getDpsInputs()[1], rank,
          -std::numeric_limits<double>::infinity()) != scores)
    return std::nullopt;
  // The exps feed the sum and the division only.
  if (!llvm::all_of(exps.getUsers(), [&](Operation *user) {
        return user == division || isa<linalg::ReduceOp>(user);
      }))
    return std::nullopt;
  return SoftmaxMatch{division, scores};
}

/// The elementwise producer of `value` that only sparq.softmax-to-be reads:
/// the importer's softmax reads its input twice (max and exp), the scale
/// and mask generics once.
linalg::GenericOp singleReaderGeneric(Value value, unsigned expectedUses) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || !allParallel(generic) || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInits() != 1)
    return {};
  if (static_cast<unsigned>(std::distance(value.use_begin(),
                                          value.use_end())) != expectedUses)
    return {};
  return generic;
}

struct SoftmaxFusion : public OpRewritePattern<linalg::GenericOp> {
  SoftmaxFusion(MLIRContext *context, sparq::FusionStats &stats)
      : OpRewritePattern(context), stats(stats) {}

  LogicalResult matchAndRewrite(linalg::GenericOp division,
                                PatternRewriter &rewriter) const override {
    std::optional<SoftmaxMatch> match = matchSoftmax(division);
    if (!match)
      return failure();
    auto type = dyn_cast<RankedTensorType>(match->scores.getType());
    if (!type || !type.hasStaticShape())
      return failure();
    int64_t rank = type.getRank();
    std::string subject = subjectOf(division);

    // Peel the mask, then the scale, each when nothing else reads the
    // intermediate scores (the importer's softmax reads its input twice).
    Value scores = match->scores;
    unsigned uses = 2;
    Value mask;
    std::optional<double> fill;
    if (linalg::GenericOp masking = singleReaderGeneric(scores, uses)) {
      Value yielded = yieldedValue(masking);
      if (auto select = yielded.getDefiningOp<arith::SelectOp>()) {
        std::optional<unsigned> cond =
            inputIndexOf(masking, select.getCondition());
        std::optional<unsigned> kept =
            inputIndexOf(masking, select.getTrueValue());
        std::optional<double> fillValue =
            scalarConstant(masking, select.getFalseValue());
        if (cond && kept && fillValue && isIdentityInput(masking, *kept) &&
            isTrailingBroadcast(
                masking.getIndexingMapsArray()[*cond],
                cast<RankedTensorType>(masking.getDpsInputs()[*cond].getType()),
                rank)) {
          mask = masking.getDpsInputs()[*cond];
          fill = fillValue;
          scores = masking.getDpsInputs()[*kept];
        }
      } else if (auto add = yielded.getDefiningOp<arith::AddFOp>()) {
        for (auto [lhs, rhs] : {std::pair(add.getLhs(), add.getRhs()),
                                std::pair(add.getRhs(), add.getLhs())}) {
          std::optional<unsigned> kept = inputIndexOf(masking, lhs);
          std::optional<unsigned> added = inputIndexOf(masking, rhs);
          if (!kept || !added || *kept == *added ||
              !isIdentityInput(masking, *kept))
            continue;
          Value addend = masking.getDpsInputs()[*added];
          auto addendType = dyn_cast<RankedTensorType>(addend.getType());
          if (!addendType ||
              addendType.getElementType() != type.getElementType() ||
              !isTrailingBroadcast(masking.getIndexingMapsArray()[*added],
                                   addendType, rank))
            continue;
          mask = addend;
          scores = masking.getDpsInputs()[*kept];
          break;
        }
      }
      if (mask)
        uses = 1;
    }
    std::optional<double> scale;
    if (linalg::GenericOp scaling = singleReaderGeneric(scores, uses)) {
      Value yielded = yieldedValue(scaling);
      Operation *op = yielded.getDefiningOp();
      if (op && isa<arith::MulFOp, arith::DivFOp>(op)) {
        Value lhs = op->getOperand(0), rhs = op->getOperand(1);
        std::optional<unsigned> kept = inputIndexOf(scaling, lhs);
        std::optional<double> factor = scalarConstant(scaling, rhs);
        if (isa<arith::MulFOp>(op) && (!kept || !factor)) {
          kept = inputIndexOf(scaling, rhs);
          factor = scalarConstant(scaling, lhs);
        }
        if (kept && factor && *factor != 0.0 && std::isfinite(*factor) &&
            isIdentityInput(scaling, *kept)) {
          scale = isa<arith::DivFOp>(op) ? 1.0 / *factor : *factor;
          scores = scaling.getDpsInputs()[*kept];
        }
      }
    }

    rewriter.setInsertionPoint(division);
    FloatAttr scaleAttr =
        scale ? rewriter.getF32FloatAttr(static_cast<float>(*scale)) : nullptr;
    FloatAttr fillAttr =
        fill ? rewriter.getF32FloatAttr(static_cast<float>(*fill)) : nullptr;
    auto softmax = sparq::SoftmaxOp::create(rewriter, division.getLoc(), type,
                                            scores, scaleAttr, mask, fillAttr);
    rewriter.replaceOp(division, softmax.getResult());
    stats.add("softmax", subject, "fused");
    stats.add("softmax-scale", subject,
              scale ? "fused" : "not fused: no constant Mul/Div read only by "
                                "the softmax");
    stats.add("softmax-mask", subject,
              mask ? "fused"
                   : "not fused: no Where/Add read only by the softmax");
    return success();
  }

private:
  sparq::FusionStats &stats;
};

} // namespace

void sparq::populateSparqSoftmaxFusionPatterns(RewritePatternSet &patterns,
                                               FusionStats &stats) {
  patterns.add<SoftmaxFusion>(patterns.getContext(), stats);
}
