//===- FuseEpilogues.cpp - matmul epilogue fusion for sparq-fuse ----------===//
//
// Part of the sparq project.
//
// Folds the elementwise ops that follow a sparq.qmatmul / sparq.lut_matmul
// into its epilogue: a bias add of an [N] vector, an activation (ReLU, exact
// and tanh GELU, SiLU) and a residual add of a tensor of the result's shape,
// so that `act(x W^T + b) + r` is computed in registers before the store.
//
// The matcher reads the importer's chains of elementwise generics as one
// scalar expression per output element (ElementwiseChains.h) and fuses the
// longest chain whose intermediate results nobody else reads. On a `gated`
// matmul (gated-mlp) the activation is taken, so only a residual add fuses.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseChains.h"

#include "sparq/Dialect/Sparq/IR/Epilogue.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace {
using namespace sparq::elementwise_chains;

//===----------------------------------------------------------------------===//
// Epilogue matching
//===----------------------------------------------------------------------===//

/// What a chain adds to a matmul's epilogue.
struct EpilogueMatch {
  linalg::GenericOp root;
  Value bias, residual;
  sparq::Activation activation = sparq::Activation::none;
  /// The generics between the matmul and `root` (inclusive).
  SmallVector<linalg::GenericOp> chain;

  int parts() const {
    return (bias ? 1 : 0) + (residual ? 1 : 0) +
           (activation != sparq::Activation::none ? 1 : 0);
  }
};

/// The epilogue state of the matmul being extended.
struct MatmulEpilogue {
  bool hasBias, hasActivation, hasResidual;
  RankedTensorType viewType;
};

/// Matches `[bias +] view`, with a bias only before any activation.
LogicalResult matchBiasedView(const ChainReader &reader, const Term &term,
                              const MatmulEpilogue &state, bool afterAct,
                              EpilogueMatch &match, std::string &why) {
  if (reader.isView(term))
    return success();
  auto sum = matchBinary<arith::AddFOp>(reader, term);
  if (!sum) {
    if (matchBinary<arith::MulFOp>(reader, term))
      why = "a product with another tensor (a gated product, not an "
            "epilogue)";
    else
      why = "not a bias add, activation or residual add";
    return failure();
  }
  for (auto [bias, rest] : {*sum, std::make_pair(sum->second, sum->first)}) {
    if (bias.kind != Term::LastDim || !reader.isView(rest))
      continue;
    if (state.hasActivation && !afterAct) {
      why = "bias add after the fused activation";
      return failure();
    }
    auto biasType = cast<RankedTensorType>(bias.value.getType());
    if (biasType.getElementType() != state.viewType.getElementType() ||
        biasType.getDimSize(0) != state.viewType.getShape().back()) {
      why = "bias is not an [N] vector of the result's element type";
      return failure();
    }
    match.bias = bias.value;
    return success();
  }
  why = "an add of something other than an [N] bias or a residual of the "
        "result's shape";
  return failure();
}

/// Matches `[activation(] [bias +] view [)]`.
LogicalResult matchActivated(const ChainReader &reader, const Term &term,
                             const MatmulEpilogue &state, EpilogueMatch &match,
                             std::string &why) {
  if (auto activation = matchActivation(reader, term)) {
    if (state.hasActivation || state.hasResidual) {
      why = "the matmul already has an activation or a residual";
      return failure();
    }
    match.activation = activation->first;
    return matchBiasedView(reader, activation->second, state,
                           /*afterAct=*/true, match, why);
  }
  if (state.hasResidual) {
    why = "the matmul already has a residual";
    return failure();
  }
  return matchBiasedView(reader, term, state, /*afterAct=*/false, match, why);
}

/// Matches the whole expression `root` yields.
LogicalResult matchEpilogue(const ChainReader &reader, linalg::GenericOp root,
                            const MatmulEpilogue &state, EpilogueMatch &match,
                            std::string &why) {
  if (root.getNumResults() != 1 ||
      root.getResult(0).getType() != state.viewType) {
    why = "its consumer changes the shape or element type";
    return failure();
  }
  Term term = reader.resolve(root.getBody()->getTerminator()->getOperand(0));
  match = EpilogueMatch();
  match.root = root;
  if (succeeded(matchActivated(reader, term, state, match, why)))
    return success();
  // A residual add: view-derived expression + a tensor of the view's shape.
  auto sum = matchBinary<arith::AddFOp>(reader, term);
  if (!sum || state.hasResidual)
    return failure();
  for (auto [residual, rest] :
       {*sum, std::make_pair(sum->second, sum->first)}) {
    if (residual.kind != Term::Elementwise || reader.isView(residual) ||
        residual.value.getType() != state.viewType)
      continue;
    EpilogueMatch attempt;
    attempt.root = root;
    std::string innerWhy;
    if (failed(matchActivated(reader, rest, state, attempt, innerWhy)))
      continue;
    attempt.residual = residual.value;
    match = attempt;
    return success();
  }
  return failure();
}

/// Collects the generics on def-use paths from `view` to `root` into
/// `match.chain` (see collectChain); the residual must not come from the
/// matmul itself.
LogicalResult collectEpilogueChain(Value view, EpilogueMatch &match,
                                   std::string &why) {
  FailureOr<SmallVector<linalg::GenericOp>> chain =
      collectChain({view}, match.root, "the result", "epilogue", why);
  if (failed(chain))
    return failure();
  Operation *residualOp =
      match.residual ? match.residual.getDefiningOp() : nullptr;
  if (residualOp && llvm::any_of(*chain, [&](linalg::GenericOp generic) {
        return generic.getOperation() == residualOp;
      })) {
    why = "the residual is computed from the matmul";
    return failure();
  }
  match.chain = std::move(*chain);
  return success();
}

/// Folds the longest fusable elementwise chain after a quantized matmul into
/// its epilogue, recording the outcome per part.
template <typename OpTy>
struct FuseMatmulEpilogue : public OpRewritePattern<OpTy> {
  FuseMatmulEpilogue(MLIRContext *context, sparq::FusionStats &stats,
                     bool biasOnly)
      : OpRewritePattern<OpTy>(context), stats(stats), biasOnly(biasOnly) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    // The matmul as the elementwise chain sees it: through one reshape.
    Value view = op.getResult();
    Operation *reshape = nullptr;
    if (view.hasOneUse() && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
                                *view.getUsers().begin())) {
      reshape = *view.getUsers().begin();
      view = reshape->getResult(0);
    }
    MatmulEpilogue state{static_cast<bool>(op.getBias()),
                         op.getActivationKind() != sparq::Activation::none,
                         static_cast<bool>(op.getResidual()),
                         cast<RankedTensorType>(view.getType())};
    // Nothing runs after the residual add.
    if (state.hasResidual)
      return rewriter.notifyMatchFailure(op, "epilogue already complete");
    std::string subject = subjectOf(op);

    // Candidate roots, nearest first (a few ops cover the longest importer
    // chains: GELU as 5).
    SmallVector<linalg::GenericOp> candidates =
        downstreamGenerics({view}, op->getBlock());
    if (candidates.empty())
      return rewriter.notifyMatchFailure(op, "no elementwise consumer");

    ChainReader reader(view);
    std::optional<EpilogueMatch> best;
    std::string firstWhy;
    for (linalg::GenericOp root : candidates) {
      EpilogueMatch match;
      std::string why;
      if (succeeded(matchEpilogue(reader, root, state, match, why)) &&
          succeeded(collectEpilogueChain(view, match, why))) {
        if (biasOnly && (!match.bias || match.residual ||
                         match.activation != sparq::Activation::none))
          continue;
        if (!best || match.parts() > best->parts() ||
            (match.parts() == best->parts() &&
             match.chain.size() > best->chain.size()))
          best = std::move(match);
      } else if (firstWhy.empty()) {
        firstWhy =
            why.empty() ? "not a bias add, activation or residual add" : why;
      }
    }
    if (!best) {
      // The full family runs later and says what did not fuse.
      if (biasOnly)
        return failure();
      record("epilogue", subject, "not fused: " + firstWhy);
      return rewriter.notifyMatchFailure(op, firstWhy);
    }

    // Build the fused op where the chain ends, so that every operand
    // (the bias and residual are read inside the chain) dominates it.
    linalg::GenericOp root = best->root;
    rewriter.setInsertionPoint(root);
    Location loc = root.getLoc();
    Value bias = op.getBias();
    if (best->bias && bias) {
      // Two [N] biases: add them once, outside the matmul.
      auto type = cast<RankedTensorType>(bias.getType());
      if (type != best->bias.getType()) {
        record("epilogue-bias", subject,
               "not fused: the existing bias has another type");
        return failure();
      }
      Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
      AffineMap id = rewriter.getMultiDimIdentityMap(1);
      bias =
          linalg::GenericOp::create(
              rewriter, loc, type, ValueRange{bias, best->bias},
              ValueRange{init}, ArrayRef<AffineMap>{id, id, id},
              ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
              [](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l,
                    ValueRange{arith::AddFOp::create(b, l, args[0], args[1])});
              })
              .getResult(0);
    } else if (best->bias) {
      bias = best->bias;
    }
    Value residual = best->residual;
    if (residual && reshape) {
      // Back to the matmul's own shape: the inverse of the view's reshape.
      if (auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape))
        residual = tensor::CollapseShapeOp::create(
            rewriter, loc, op.getType(), residual,
            expand.getReassociationIndices());
      else
        residual = tensor::ExpandShapeOp::create(
            rewriter, loc, op.getType(), residual,
            cast<tensor::CollapseShapeOp>(reshape).getReassociationIndices());
    }
    sparq::Activation activation = best->activation != sparq::Activation::none
                                       ? best->activation
                                       : op.getActivationKind();
    sparq::ActivationAttr activationAttr =
        activation == sparq::Activation::none
            ? nullptr
            : sparq::ActivationAttr::get(op.getContext(), activation);
    if (!residual)
      residual = op.getResidual();
    Operation *fused =
        sparq::cloneWithEpilogue(rewriter, op, op.getType(), bias,
                                 activationAttr, residual, op.getGatedAttr());
    Value result = fused->getResult(0);
    if (reshape) {
      IRMapping mapping;
      mapping.map(op.getResult(), result);
      result = rewriter.clone(*reshape, mapping)->getResult(0);
    }

    // An earlier miss of this matmul (before its neighbours fused) is moot.
    llvm::erase_if(stats.records, [&](const sparq::FusionRecord &r) {
      return r.pattern == "epilogue" && r.subject == subject;
    });
    if (best->bias)
      record("epilogue-bias", subject, "fused");
    if (best->activation != sparq::Activation::none)
      record(("epilogue-" + sparq::stringifyActivation(best->activation)).str(),
             subject, "fused");
    if (best->residual)
      record("epilogue-residual", subject, "fused");

    // The rest of the chain, the reshape and the matmul die with the root;
    // erase them users first.
    SmallVector<Operation *> dead;
    for (linalg::GenericOp generic : best->chain)
      if (generic != root)
        dead.push_back(generic);
    llvm::sort(
        dead, [](Operation *a, Operation *b) { return b->isBeforeInBlock(a); });
    rewriter.replaceOp(root, result);
    for (Operation *deadOp : dead)
      if (deadOp->use_empty())
        rewriter.eraseOp(deadOp);
    if (reshape && reshape->use_empty())
      rewriter.eraseOp(reshape);
    if (op->use_empty())
      rewriter.eraseOp(op);
    return success();
  }

private:
  /// Records each (pattern, subject, outcome) once: the driver may visit a
  /// matmul again after its neighbourhood changed.
  void record(StringRef pattern, StringRef subject, StringRef outcome) const {
    std::string key = (pattern + "\n" + subject + "\n" + outcome).str();
    if (recorded.insert(key).second)
      stats.add(pattern, subject, outcome);
  }

  sparq::FusionStats &stats;
  /// Fold only a bias add (before sibling concatenation, which merges
  /// biases but not activations or residuals).
  bool biasOnly;
  mutable llvm::StringSet<> recorded;
};

} // namespace

void sparq::populateSparqEpilogueFusionPatterns(RewritePatternSet &patterns,
                                                FusionStats &stats,
                                                bool biasOnly) {
  patterns.add<FuseMatmulEpilogue<QMatmulOp>, FuseMatmulEpilogue<LutMatmulOp>>(
      patterns.getContext(), stats, biasOnly);
}
