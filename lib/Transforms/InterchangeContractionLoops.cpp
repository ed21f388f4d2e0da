//===- InterchangeContractionLoops.cpp - Vectorizable contraction order ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sparq {
#define GEN_PASS_DEF_INTERCHANGECONTRACTIONLOOPS
#include "sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
/// The loop that indexes the innermost dimension of `map`'s results, if
/// that result is a plain loop dimension.
std::optional<unsigned> innermostLoop(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(map.getResults().back());
  if (!dim)
    return std::nullopt;
  return dim.getPosition();
}

/// The loop order that puts the output's innermost parallel dimension last
/// (after the reductions), or nothing when the op should stay as it is.
std::optional<SmallVector<unsigned>> vectorizableOrder(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::optional<unsigned> outputInner =
      innermostLoop(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  if (!outputInner || *outputInner + 1 == iterators.size() ||
      iterators[*outputInner] != utils::IteratorType::parallel)
    return std::nullopt;
  // Only worth it when an input also walks that loop with unit stride (the
  // weight rows of a matmul); a row reduction would turn strided instead.
  bool inputStreams = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
    return innermostLoop(op.getMatchingIndexingMap(in)) == outputInner;
  });
  if (!inputStreams)
    return std::nullopt;
  SmallVector<unsigned> order;
  for (unsigned loop = 0; loop < iterators.size(); ++loop)
    if (loop != *outputInner &&
        iterators[loop] == utils::IteratorType::parallel)
      order.push_back(loop);
  for (unsigned loop = 0; loop < iterators.size(); ++loop)
    if (iterators[loop] == utils::IteratorType::reduction)
      order.push_back(loop);
  order.push_back(*outputInner);
  return order;
}

struct InterchangeContraction
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<SmallVector<unsigned>> order = vectorizableOrder(op);
    if (!order)
      return rewriter.notifyMatchFailure(op, "already in a good order");
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> generalized =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(generalized))
        return rewriter.notifyMatchFailure(op, "cannot be generalized");
      generic = *generalized;
    }
    if (failed(linalg::interchangeGenericOp(rewriter, generic, *order)))
      return rewriter.notifyMatchFailure(op, "invalid interchange");
    return success();
  }
};

struct InterchangeContractionLoopsPass
    : public sparq::impl::InterchangeContractionLoopsBase<
          InterchangeContractionLoopsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<InterchangeContraction>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
