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

#include "GenericMatchers.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace sparq::generic_matchers;

namespace {

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
    std::string subject = sparq::describeLocation(division.getLoc());

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
