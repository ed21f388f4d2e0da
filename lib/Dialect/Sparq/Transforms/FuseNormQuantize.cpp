//===- FuseNormQuantize.cpp - RMSNorm + activation quantization -----------===//
//
// Part of the sparq project.
//
// The `norm-quantize` family of sparq-fuse: in a W8A8 graph (after
// SmoothQuant folded its scales into the norm's gamma and
// sparq-fold-calibration made static activation parameters), the ONNX
// importer's RMSNorm feeds only the sparq.quantize ops of int8 matmuls. The
// norm and the quantization become one sparq.rms_norm_quantize, so the
// normalized activations are never written in float.
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

/// `generic` computes `op(input a, input b)` elementwise over identity maps
/// with one result; returns the two operand indices (in the op's order).
template <typename OpTy>
std::optional<std::pair<unsigned, unsigned>>
binaryInputs(linalg::GenericOp generic) {
  if (!generic || !allParallel(generic) || generic.getNumDpsInits() != 1 ||
      !generic.hasPureTensorSemantics())
    return std::nullopt;
  Value yielded = yieldedValue(generic);
  auto op = yielded ? yielded.getDefiningOp<OpTy>() : OpTy();
  if (!op || op->getBlock() != generic.getBody())
    return std::nullopt;
  std::optional<unsigned> lhs = inputIndexOf(generic, op->getOperand(0));
  std::optional<unsigned> rhs = inputIndexOf(generic, op->getOperand(1));
  if (!lhs || !rhs)
    return std::nullopt;
  return std::pair(*lhs, *rhs);
}

/// The single-input elementwise generic whose body is `OpTy(in)` (or, with
/// a constant, `OpTy(constant, in)` / `OpTy(in, constant)`); returns its
/// input.
template <typename OpTy>
Value unaryInput(linalg::GenericOp generic) {
  if (!generic || !allParallel(generic) || generic.getNumDpsInits() != 1 ||
      generic.getNumDpsInputs() < 1 || !isIdentityInput(generic, 0))
    return {};
  Value yielded = yieldedValue(generic);
  auto op = yielded ? yielded.getDefiningOp<OpTy>() : OpTy();
  if (!op || op->getBlock() != generic.getBody())
    return {};
  return generic.getDpsInputs()[0];
}

struct RmsNormMatch {
  Value input;       // x, the norm's input
  Value gamma;       // [K] constant
  double epsilon;
};

/// gamma * (x * (1 / sqrt(reduce_add(x * x) / K + eps))) as the importer
/// writes RMSNorm (ONNX Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul). Returns
/// why not as a string when it is not one.
std::optional<RmsNormMatch> matchRmsNorm(Value normalized, std::string &why) {
  why = "the quantized activation is not an RMSNorm's output";
  auto scaleByGamma = normalized.getDefiningOp<linalg::GenericOp>();
  auto gammaMul = binaryInputs<arith::MulFOp>(scaleByGamma);
  if (!gammaMul)
    return std::nullopt;
  auto type = cast<RankedTensorType>(normalized.getType());
  int64_t rank = type.getRank();
  // One operand is gamma ([K], read along the last dim), the other x * r.
  Value gamma, scaled;
  for (auto [g, n] : {std::pair(gammaMul->first, gammaMul->second),
                      std::pair(gammaMul->second, gammaMul->first)}) {
    Value candidate = scaleByGamma.getDpsInputs()[g];
    auto candidateType = dyn_cast<RankedTensorType>(candidate.getType());
    if (candidateType && candidateType.getRank() == 1 &&
        isTrailingBroadcast(scaleByGamma.getIndexingMapsArray()[g],
                            candidateType, rank) &&
        isIdentityInput(scaleByGamma, n) &&
        matchPattern(candidate, m_Constant())) {
      gamma = candidate;
      scaled = scaleByGamma.getDpsInputs()[n];
      break;
    }
  }
  if (!gamma)
    return std::nullopt;
  auto scaleByInverse = scaled.getDefiningOp<linalg::GenericOp>();
  auto inverseMul = binaryInputs<arith::MulFOp>(scaleByInverse);
  if (!inverseMul || !isIdentityInput(scaleByInverse, inverseMul->first) ||
      !isRowBroadcast(scaleByInverse.getIndexingMapsArray()[inverseMul->second],
                      rank))
    return std::nullopt;
  Value x = scaleByInverse.getDpsInputs()[inverseMul->first];
  Value inverse = scaleByInverse.getDpsInputs()[inverseMul->second];

  // 1 / sqrt(mean + eps)
  auto reciprocal = inverse.getDefiningOp<linalg::GenericOp>();
  Value root;
  if (reciprocal && reciprocal.getNumDpsInputs() == 1) {
    auto divOp = yieldedValue(reciprocal).getDefiningOp<arith::DivFOp>();
    std::optional<double> one =
        divOp ? scalarConstant(reciprocal, divOp.getLhs()) : std::nullopt;
    if (one && *one == 1.0 && inputIndexOf(reciprocal, divOp.getRhs()) == 0u)
      root = reciprocal.getDpsInputs()[0];
  }
  if (!root)
    return std::nullopt;
  Value shifted = unaryInput<math::SqrtOp>(root.getDefiningOp<linalg::GenericOp>());
  if (!shifted)
    return std::nullopt;
  auto addEps = shifted.getDefiningOp<linalg::GenericOp>();
  if (!addEps || !allParallel(addEps) || !isIdentityInput(addEps, 0))
    return std::nullopt;
  auto add = yieldedValue(addEps).getDefiningOp<arith::AddFOp>();
  if (!add || inputIndexOf(addEps, add.getLhs()) != 0u)
    return std::nullopt;
  std::optional<double> epsilon = scalarConstant(addEps, add.getRhs());
  if (!epsilon)
    return std::nullopt;
  Value mean = addEps.getDpsInputs()[0];
  auto divide = mean.getDefiningOp<linalg::GenericOp>();
  if (!divide || !allParallel(divide) || !isIdentityInput(divide, 0))
    return std::nullopt;
  auto divByK = yieldedValue(divide).getDefiningOp<arith::DivFOp>();
  int64_t channels = type.getShape().back();
  std::optional<double> k =
      divByK && inputIndexOf(divide, divByK.getLhs()) == 0u
          ? scalarConstant(divide, divByK.getRhs())
          : std::nullopt;
  if (!k || *k != static_cast<double>(channels))
    return std::nullopt;
  Value squares = matchRowReduction<arith::AddFOp>(divide.getDpsInputs()[0],
                                                   rank, 0.0);
  if (!squares)
    return std::nullopt;
  auto square = squares.getDefiningOp<linalg::GenericOp>();
  if (!square || !allParallel(square) || square.getNumDpsInits() != 1)
    return std::nullopt;
  auto mul = yieldedValue(square).getDefiningOp<arith::MulFOp>();
  if (!mul || mul.getLhs() != mul.getRhs())
    return std::nullopt;
  std::optional<unsigned> squared = inputIndexOf(square, mul.getLhs());
  if (!squared || !isIdentityInput(square, *squared) ||
      square.getDpsInputs()[*squared] != x)
    return std::nullopt;
  why.clear();
  return RmsNormMatch{x, gamma, *epsilon};
}

/// Rooted at the normalized tensor's sparq.quantize ops: they all become one
/// rms_norm_quantize when every reader of the norm's output (through the
/// importer's collapse_shape) is a quantize with the same parameters.
struct NormQuantizeFusion : public OpRewritePattern<sparq::QuantizeOp> {
  NormQuantizeFusion(MLIRContext *context, sparq::FusionStats &stats)
      : OpRewritePattern(context), stats(stats) {}

  LogicalResult matchAndRewrite(sparq::QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Value activation = quantize.getInput();
    auto collapse = activation.getDefiningOp<tensor::CollapseShapeOp>();
    Value normalized = collapse ? collapse.getSrc() : activation;
    std::string why;
    std::optional<RmsNormMatch> match = matchRmsNorm(normalized, why);
    if (!match)
      return failure(); // not a norm: nothing to report
    std::string subject =
        sparq::describeLocation(normalized.getDefiningOp()->getLoc());
    if (collapse) {
      // Only row-collapsing reshapes (the last dim kept) commute with a
      // norm along the last dim.
      SmallVector<ReassociationIndices> groups =
          collapse.getReassociationIndices();
      if (groups.back().size() != 1) {
        stats.add("norm-quantize", subject,
                  "not fused: the reshape before quantize merges the "
                  "normalized dim");
        return failure();
      }
    }
    for (Value scale : {quantize.getScales(), quantize.getZeroPoints()})
      if (scale && !matchPattern(scale, m_Constant())) {
        stats.add("norm-quantize", subject,
                  "not fused: the activation scales are computed at run time "
                  "(dynamic quantization)");
        return failure();
      }
    // Every reader of the normalized tensor must be a quantize of the same
    // kind; otherwise the float activations are needed anyway.
    SmallVector<sparq::QuantizeOp> quantizes;
    for (Operation *user : normalized.getUsers()) {
      auto readers = isa<tensor::CollapseShapeOp>(user)
                         ? llvm::to_vector(user->getResult(0).getUsers())
                         : SmallVector<Operation *>{user};
      for (Operation *reader : readers) {
        auto other = dyn_cast<sparq::QuantizeOp>(reader);
        if (!other || other.getInput().getType() != quantize.getInput().getType() ||
            other.getScales() != quantize.getScales() ||
            other.getZeroPoints() != quantize.getZeroPoints() ||
            other.getStorageType() != quantize.getStorageType() ||
            other.getType() != quantize.getType()) {
          stats.add("norm-quantize", subject,
                    "not fused: the normalized activations have other "
                    "readers than one quantization");
          return failure();
        }
        if (other->getBlock() != quantize->getBlock()) {
          stats.add("norm-quantize", subject,
                    "not fused: its quantizations are in different blocks");
          return failure();
        }
        quantizes.push_back(other);
      }
    }
    // The fused op goes where the first quantization was; x, gamma and the
    // (shared) parameters all come before it.
    sparq::QuantizeOp first = quantize;
    for (sparq::QuantizeOp other : quantizes)
      if (other->isBeforeInBlock(first))
        first = other;
    Location loc = normalized.getDefiningOp()->getLoc();
    rewriter.setInsertionPoint(first);
    Value input = match->input;
    if (collapse)
      input = tensor::CollapseShapeOp::create(
          rewriter, loc, collapse.getResultType(), input,
          collapse.getReassociationIndices());
    auto fused = sparq::RmsNormQuantizeOp::create(
        rewriter, loc, quantize.getType(), input, match->gamma,
        quantize.getScales(), quantize.getZeroPoints(),
        rewriter.getF32FloatAttr(static_cast<float>(match->epsilon)),
        quantize.getStorageTypeAttr());
    for (sparq::QuantizeOp other : quantizes)
      rewriter.replaceOp(other, fused.getResult());
    stats.add("norm-quantize", subject,
              "fused" + (quantizes.size() > 1
                             ? " (" + std::to_string(quantizes.size()) +
                                   " identical quantizations merged)"
                             : std::string()));
    return success();
  }

  sparq::FusionStats &stats;
};

} // namespace

void sparq::populateSparqNormQuantizeFusionPatterns(
    RewritePatternSet &patterns, FusionStats &stats) {
  patterns.add<NormQuantizeFusion>(patterns.getContext(), stats);
}
