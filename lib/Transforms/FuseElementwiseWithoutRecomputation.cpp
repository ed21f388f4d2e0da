//===- FuseElementwiseWithoutRecomputation.cpp - Fusion, each value once --===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sparq {
#define GEN_PASS_DEF_FUSEELEMENTWISEWITHOUTRECOMPUTATION
#include "sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
/// Fusing the producer of `operand` into its consumer evaluates the
/// producer's body once per consumer iteration; that is once per produced
/// element only when the consumer's map for the operand visits every
/// element exactly once, i.e. is a permutation of all its loops.
bool fusesWithoutRecomputation(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!consumer)
    return true;
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

/// Reshapes move through generic ops (so that producers and consumers
/// separated by a collapse_shape meet) under the same rule.
bool propagatesReshape(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  return producer && producer->hasOneUse();
}

struct FuseElementwiseWithoutRecomputationPass
    : public sparq::impl::FuseElementwiseWithoutRecomputationBase<
          FuseElementwiseWithoutRecomputationPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 fusesWithoutRecomputation);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns,
                                                      propagatesReshape);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns,
                                                 fusesWithoutRecomputation);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
