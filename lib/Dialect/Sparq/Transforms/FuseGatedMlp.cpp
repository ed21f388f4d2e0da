//===- FuseGatedMlp.cpp - act(gate) * up into the gate/up matmul ----------===//
//
// Part of the sparq project.
//
// The `gated-mlp` family of sparq-fuse. After `concat-siblings`, the gate
// and up projections of a gated MLP (SwiGLU, GeGLU) are one wide matmul
// whose result two tensor.extract_slice ops split in halves, and the
// importer's `act(gate) * up` reads the halves (behind the reshapes back to
// the model's 3-D layout). This family marks the wide matmul `gated`: its
// result becomes the product itself, half as wide, so kernels compute each
// gate/up pair of sums together and apply `act(g) * u` in registers; the
// wide pre-activation result is never written.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseChains.h"

#include "sparq/Dialect/Sparq/IR/Epilogue.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace {
using namespace sparq::elementwise_chains;

constexpr llvm::StringLiteral kPatternName = "gated-mlp";
constexpr llvm::StringLiteral kNoProduct =
    "no act(gate) * up reads the two halves";

/// One half of the wide result as the elementwise chain sees it: the slice,
/// and the reshape after it (if any).
struct Half {
  tensor::ExtractSliceOp slice;
  Operation *reshape = nullptr;
  Value view() {
    return reshape ? reshape->getResult(0) : Value(slice.getResult());
  }
};

/// Whether `slice` takes all of every dimension but the last, and columns
/// [offset, offset + width) of the last, with unit strides.
bool isColumnBlock(tensor::ExtractSliceOp slice, int64_t offset,
                   int64_t width) {
  RankedTensorType source = slice.getSourceType();
  RankedTensorType result = slice.getResultType();
  if (!source.hasStaticShape() || !result.hasStaticShape() ||
      result.getRank() != source.getRank() || !slice.hasUnitStride())
    return false;
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  int64_t last = source.getRank() - 1;
  for (int64_t dim = 0; dim < last; ++dim)
    if (offsets[dim] != 0 || result.getDimSize(dim) != source.getDimSize(dim))
      return false;
  return offsets[last] == offset && result.getDimSize(last) == width;
}

/// The matched product `act(gate) * up` rooted at `root`.
struct GatedMatch {
  linalg::GenericOp root;
  sparq::Activation activation;
  /// Whether the activation reads the first half.
  bool gateFirst;
};

/// Matches `act(a) * b` at `root` with a, b the two halves' views.
std::optional<GatedMatch> matchGatedProduct(linalg::GenericOp root, Value first,
                                            Value second) {
  if (root.getNumResults() != 1 ||
      root.getResult(0).getType() != first.getType())
    return std::nullopt;
  for (bool gateFirst : {true, false}) {
    Value gate = gateFirst ? first : second;
    Value up = gateFirst ? second : first;
    ChainReader reader(gate);
    Term term = reader.resolve(root.getBody()->getTerminator()->getOperand(0));
    auto product = matchBinary<arith::MulFOp>(reader, term);
    if (!product)
      return std::nullopt;
    for (auto [activated, other] :
         {*product, std::make_pair(product->second, product->first)}) {
      Term upTerm = reader.normalize(other);
      if (upTerm.kind != Term::Elementwise || upTerm.value != up)
        continue;
      auto activation = matchActivation(reader, activated);
      if (activation && reader.isView(activation->second))
        return GatedMatch{root, activation->first, gateFirst};
    }
  }
  return std::nullopt;
}

template <typename OpTy>
struct FuseGatedProduct : public OpRewritePattern<OpTy> {
  FuseGatedProduct(MLIRContext *context, sparq::FusionStats &stats)
      : OpRewritePattern<OpTy>(context), stats(stats) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (op.getGated() || op.getActivationAttr() || op.getResidual())
      return rewriter.notifyMatchFailure(op, "already has an epilogue");
    // Only a result split by exactly two slices is a gate/up candidate.
    SmallVector<Operation *> users(op->getUsers());
    if (users.size() != 2 ||
        !llvm::all_of(users, llvm::IsaPred<tensor::ExtractSliceOp>))
      return rewriter.notifyMatchFailure(op, "not split in two slices");
    // Until a product of the two halves turns up, a mismatch means "not a
    // gated MLP" (Q+K of unequal widths, say) and is not recorded.
    std::string subject = subjectOf(op);
    RankedTensorType wideType = op.getType();
    if (!wideType.hasStaticShape() || wideType.getShape().back() % 2 != 0)
      return rewriter.notifyMatchFailure(op, "not two static halves");
    int64_t width = wideType.getShape().back() / 2;
    Half halves[2];
    for (Operation *user : users) {
      auto slice = cast<tensor::ExtractSliceOp>(user);
      int index = isColumnBlock(slice, 0, width)       ? 0
                  : isColumnBlock(slice, width, width) ? 1
                                                       : -1;
      if (index < 0 || halves[index].slice)
        return rewriter.notifyMatchFailure(op, "slices are not the halves");
      halves[index].slice = slice;
      if (slice->hasOneUse() &&
          isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
              *slice->getUsers().begin()))
        halves[index].reshape = *slice->getUsers().begin();
    }
    // Both halves reach the product through the same reshape (or none).
    Operation *r0 = halves[0].reshape, *r1 = halves[1].reshape;
    if ((r0 == nullptr) != (r1 == nullptr) ||
        (r0 && (r0->getName() != r1->getName() ||
                r0->getResult(0).getType() != r1->getResult(0).getType() ||
                r0->getAttrDictionary() != r1->getAttrDictionary())))
      return rewriter.notifyMatchFailure(op, "halves reshaped differently");
    Value first = halves[0].view(), second = halves[1].view();

    // Candidate roots downstream of either half, nearest first (SiLU(gate) *
    // up is 3 generics as the importer writes it).
    SmallVector<linalg::GenericOp> candidates =
        downstreamGenerics({first, second}, op->getBlock());
    std::string why = kNoProduct.str();
    for (linalg::GenericOp root : candidates) {
      std::optional<GatedMatch> match = matchGatedProduct(root, first, second);
      if (!match)
        continue;
      if (!match->gateFirst) {
        // The gate's rows would have to move in front of the up rows.
        why = "the activation reads the second half (the gate's rows must "
              "come first)";
        continue;
      }
      FailureOr<SmallVector<linalg::GenericOp>> chain = collectChain(
          {first, second}, root, "a half of the result", "gated product", why);
      if (failed(chain))
        continue;
      rewrite(op, *match, *chain, halves, rewriter);
      record(subject,
             ("fused (" + sparq::stringifyActivation(match->activation) + ")")
                 .str());
      return success();
    }
    // Two halves nobody multiplies (K and V, say) are not a candidate.
    if (why != kNoProduct)
      record(subject, "not fused: " + why);
    return rewriter.notifyMatchFailure(op, why);
  }

private:
  void rewrite(OpTy op, const GatedMatch &match,
               ArrayRef<linalg::GenericOp> chain, Half (&halves)[2],
               PatternRewriter &rewriter) const {
    // At the root, so that nothing the chain reads is used before it
    // exists; the matmul's own operands dominate it anyway.
    linalg::GenericOp root = match.root;
    rewriter.setInsertionPoint(root);
    Operation *gated = sparq::cloneWithEpilogue(
        rewriter, op, halves[0].slice.getType(), op.getBias(),
        sparq::ActivationAttr::get(op.getContext(), match.activation),
        /*residual=*/Value(), rewriter.getUnitAttr());
    Value result = gated->getResult(0);
    if (Operation *reshape = halves[0].reshape) {
      IRMapping mapping;
      mapping.map(halves[0].slice.getResult(), result);
      result = rewriter.clone(*reshape, mapping)->getResult(0);
    }
    // Users first: the rest of the chain, the reshapes, the slices, the
    // matmul.
    SmallVector<Operation *> dead;
    for (linalg::GenericOp generic : chain)
      if (generic != root)
        dead.push_back(generic);
    llvm::sort(
        dead, [](Operation *a, Operation *b) { return b->isBeforeInBlock(a); });
    rewriter.replaceOp(root, result);
    for (Operation *deadOp : dead)
      rewriter.eraseOp(deadOp);
    for (Half &half : halves) {
      if (half.reshape)
        rewriter.eraseOp(half.reshape);
      rewriter.eraseOp(half.slice);
    }
    rewriter.eraseOp(op);
  }

  /// Records each (subject, outcome) once: the driver may visit a matmul
  /// again.
  void record(StringRef subject, StringRef outcome) const {
    std::string key = (subject + "\n" + outcome).str();
    if (recorded.insert(key).second)
      stats.add(kPatternName, subject, outcome);
  }

  sparq::FusionStats &stats;
  mutable llvm::StringSet<> recorded;
};

} // namespace

void sparq::populateSparqGatedMlpFusionPatterns(RewritePatternSet &patterns,
                                                FusionStats &stats) {
  patterns.add<FuseGatedProduct<QMatmulOp>, FuseGatedProduct<LutMatmulOp>>(
      patterns.getContext(), stats);
}
