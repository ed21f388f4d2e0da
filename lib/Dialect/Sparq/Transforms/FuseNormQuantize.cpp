//===- FuseNormQuantize.cpp - norm + activation quantization --------------===//
//
// Part of the sparq project.
//
// The `norm-quantize` family of sparq-fuse: in a W8A8 graph (after
// SmoothQuant folded its scales into the norm's gamma and
// sparq-fold-calibration made static activation parameters), the ONNX
// importer's RMSNorm or LayerNormalization feeds only the sparq.quantize ops
// of int8 matmuls. The norm and the quantizations become one
// sparq.rms_norm_quantize / sparq.layer_norm_quantize, so the normalized
// activations are never written in float.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/Reshapes.h"

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
template <typename OpTy> Value unaryInput(linalg::GenericOp generic) {
  if (!generic || !allParallel(generic) || generic.getNumDpsInits() != 1 ||
      generic.getNumDpsInputs() < 1 || !isIdentityInput(generic, 0))
    return {};
  Value yielded = yieldedValue(generic);
  auto op = yielded ? yielded.getDefiningOp<OpTy>() : OpTy();
  if (!op || op->getBlock() != generic.getBody())
    return {};
  return generic.getDpsInputs()[0];
}

struct NormMatch {
  bool layerNorm = false; // RMSNorm otherwise
  Value input;            // x, the norm's input
  Value gamma;            // [K] constant
  Value beta;             // [K] constant, LayerNorm only (optional)
  double epsilon = 0;
};

/// The block argument of `generic` that `value` is, as an input index.
bool isInput(linalg::GenericOp generic, Value value, unsigned index) {
  return inputIndexOf(generic, value) == index;
}

/// A [K] constant read along the last dim by input `index` of `generic`.
bool isChannelConstant(linalg::GenericOp generic, unsigned index,
                       int64_t rank) {
  Value operand = generic.getDpsInputs()[index];
  auto type = dyn_cast<RankedTensorType>(operand.getType());
  return type && type.getRank() == 1 &&
         isTrailingBroadcast(generic.getIndexingMapsArray()[index], type,
                             rank) &&
         matchPattern(operand, m_Constant());
}

/// `value` (a [..., 1] tensor) made by a single-input generic whose body
/// starts with `in / K`, `in` being a row sum: returns what was summed (and
/// the generic, whose body the caller checks further).
Value matchRowMeanInput(Value value, int64_t rank, int64_t channels,
                        linalg::GenericOp &generic) {
  generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || !allParallel(generic) || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || !isIdentityInput(generic, 0))
    return {};
  // The first op of the body divides the input by K.
  auto divide = dyn_cast<arith::DivFOp>(&generic.getBody()->front());
  std::optional<double> k = divide && isInput(generic, divide.getLhs(), 0)
                                ? scalarConstant(generic, divide.getRhs())
                                : std::nullopt;
  if (!k || *k != static_cast<double>(channels))
    return {};
  return matchRowReduction<arith::AddFOp>(generic.getDpsInputs()[0], rank, 0.0);
}

/// The importer's LayerNormalization: mean = sum(x) / K; rstd = 1 /
/// sqrt(sum((x - mean)^2) / K + eps); y = ((x - mean) * rstd) * gamma
/// (+ beta).
std::optional<NormMatch> matchLayerNorm(Value normalized) {
  auto root = normalized.getDefiningOp<linalg::GenericOp>();
  if (!root || !allParallel(root) || root.getNumDpsInits() != 1 ||
      (root.getNumDpsInputs() != 4 && root.getNumDpsInputs() != 5) ||
      !root.hasPureTensorSemantics())
    return std::nullopt;
  auto type = cast<RankedTensorType>(normalized.getType());
  int64_t rank = type.getRank();
  int64_t channels = type.getShape().back();
  bool hasBeta = root.getNumDpsInputs() == 5;
  Value yielded = yieldedValue(root);
  if (hasBeta) {
    auto add = yielded.getDefiningOp<arith::AddFOp>();
    if (!add || !isInput(root, add.getRhs(), 4))
      return std::nullopt;
    yielded = add.getLhs();
  }
  auto byGamma = yielded.getDefiningOp<arith::MulFOp>();
  if (!byGamma || !isInput(root, byGamma.getRhs(), 3))
    return std::nullopt;
  auto byRstd = byGamma.getLhs().getDefiningOp<arith::MulFOp>();
  if (!byRstd || !isInput(root, byRstd.getRhs(), 2))
    return std::nullopt;
  auto centered = byRstd.getLhs().getDefiningOp<arith::SubFOp>();
  if (!centered || !isInput(root, centered.getLhs(), 0) ||
      !isInput(root, centered.getRhs(), 1))
    return std::nullopt;
  auto maps = root.getIndexingMapsArray();
  if (!isIdentityInput(root, 0) || !isRowBroadcast(maps[1], rank) ||
      !isRowBroadcast(maps[2], rank) || !isChannelConstant(root, 3, rank) ||
      (hasBeta && !isChannelConstant(root, 4, rank)))
    return std::nullopt;
  Value x = root.getDpsInputs()[0];
  Value mean = root.getDpsInputs()[1];

  // mean = sum(x) / K, nothing else in its body.
  linalg::GenericOp meanGeneric;
  Value summed = matchRowMeanInput(mean, rank, channels, meanGeneric);
  if (summed != x ||
      yieldedValue(meanGeneric) != meanGeneric.getBody()->front().getResult(0))
    return std::nullopt;

  // rstd = 1 / sqrt(sum(d * d) / K + eps), d = x - mean.
  linalg::GenericOp rstdGeneric;
  Value squares =
      matchRowMeanInput(root.getDpsInputs()[2], rank, channels, rstdGeneric);
  if (!squares)
    return std::nullopt;
  auto reciprocal = yieldedValue(rstdGeneric).getDefiningOp<arith::DivFOp>();
  std::optional<double> one =
      reciprocal ? scalarConstant(rstdGeneric, reciprocal.getLhs())
                 : std::nullopt;
  auto root2 = reciprocal ? reciprocal.getRhs().getDefiningOp<math::SqrtOp>()
                          : math::SqrtOp();
  auto shifted = root2 ? root2.getOperand().getDefiningOp<arith::AddFOp>()
                       : arith::AddFOp();
  if (!one || *one != 1.0 || !shifted ||
      shifted.getLhs() != rstdGeneric.getBody()->front().getResult(0))
    return std::nullopt;
  std::optional<double> epsilon = scalarConstant(rstdGeneric, shifted.getRhs());
  if (!epsilon)
    return std::nullopt;
  auto squareGeneric = squares.getDefiningOp<linalg::GenericOp>();
  if (!squareGeneric || !allParallel(squareGeneric) ||
      squareGeneric.getNumDpsInputs() != 2 ||
      squareGeneric.getDpsInputs()[0] != x ||
      squareGeneric.getDpsInputs()[1] != mean ||
      !isIdentityInput(squareGeneric, 0) ||
      !isRowBroadcast(squareGeneric.getIndexingMapsArray()[1], rank))
    return std::nullopt;
  auto square = yieldedValue(squareGeneric).getDefiningOp<arith::MulFOp>();
  auto difference = square && square.getLhs() == square.getRhs()
                        ? square.getLhs().getDefiningOp<arith::SubFOp>()
                        : arith::SubFOp();
  if (!difference || !isInput(squareGeneric, difference.getLhs(), 0) ||
      !isInput(squareGeneric, difference.getRhs(), 1))
    return std::nullopt;
  NormMatch match;
  match.layerNorm = true;
  match.input = x;
  match.gamma = root.getDpsInputs()[3];
  if (hasBeta)
    match.beta = root.getDpsInputs()[4];
  match.epsilon = *epsilon;
  return match;
}

/// gamma * (x * (1 / sqrt(reduce_add(x * x) / K + eps))) as the importer
/// writes RMSNorm (ONNX Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul).
std::optional<NormMatch> matchRmsNorm(Value normalized) {
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
  Value shifted =
      unaryInput<math::SqrtOp>(root.getDefiningOp<linalg::GenericOp>());
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
  Value squares =
      matchRowReduction<arith::AddFOp>(divide.getDpsInputs()[0], rank, 0.0);
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
  NormMatch match;
  match.input = x;
  match.gamma = gamma;
  match.epsilon = *epsilon;
  return match;
}

/// Dynamic quantization's per-token scales as sparq-fold-calibration
/// computes them from `activation` for `storage`: a row reduction
/// `max(max(y, -y), acc)` from 0, then `select(m > 0, m / qmax, 1)` into
/// [..., 1]. Returns the row reduction (the op reading `activation`), or
/// null.
linalg::GenericOp matchTokenScales(Value scales, Value activation,
                                   IntegerType storage) {
  auto scaleOp = scales.getDefiningOp<linalg::GenericOp>();
  if (!scaleOp || !allParallel(scaleOp) || scaleOp.getNumDpsInputs() != 1 ||
      scaleOp.getNumResults() != 1)
    return {};
  auto select = yieldedValue(scaleOp).getDefiningOp<arith::SelectOp>();
  if (!select)
    return {};
  auto compare = select.getCondition().getDefiningOp<arith::CmpFOp>();
  auto divide = select.getTrueValue().getDefiningOp<arith::DivFOp>();
  double qmax =
      static_cast<double>((int64_t(1) << (storage.getWidth() - 1)) - 1);
  if (!compare || compare.getPredicate() != arith::CmpFPredicate::OGT ||
      inputIndexOf(scaleOp, compare.getLhs()) != 0u ||
      scalarConstant(scaleOp, compare.getRhs()) != 0.0 || !divide ||
      inputIndexOf(scaleOp, divide.getLhs()) != 0u ||
      scalarConstant(scaleOp, divide.getRhs()) != qmax ||
      scalarConstant(scaleOp, select.getFalseValue()) != 1.0)
    return {};
  auto reduce = scaleOp.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>();
  if (!reduce || reduce.getNumDpsInputs() != 1 || reduce.getNumResults() != 1 ||
      reduce.getDpsInputs()[0] != activation)
    return {};
  SmallVector<utils::IteratorType> iterators = reduce.getIteratorTypesArray();
  if (iterators.empty() || iterators.back() != utils::IteratorType::reduction ||
      llvm::count(iterators, utils::IteratorType::reduction) != 1)
    return {};
  auto fill = reduce.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  FloatAttr fillValue;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&fillValue)) ||
      fillValue.getValueAsDouble() != 0.0)
    return {};
  // max(|y|, acc) with |y| = max(y, -y), operands in either order.
  Block *body = reduce.getBody();
  Value x = body->getArgument(0), acc = body->getArgument(1);
  auto outer = yieldedValue(reduce).getDefiningOp<arith::MaximumFOp>();
  if (!outer)
    return {};
  Value abs = outer.getRhs() == acc   ? outer.getLhs()
              : outer.getLhs() == acc ? outer.getRhs()
                                      : Value();
  auto inner = abs ? abs.getDefiningOp<arith::MaximumFOp>() : nullptr;
  if (!inner)
    return {};
  auto isNegX = [&](Value v) {
    auto neg = v.getDefiningOp<arith::NegFOp>();
    return neg && neg.getOperand() == x;
  };
  if (!((inner.getLhs() == x && isNegX(inner.getRhs())) ||
        (inner.getRhs() == x && isNegX(inner.getLhs()))))
    return {};
  return reduce;
}

/// Rooted at the normalized tensor's sparq.quantize ops: they all become one
/// norm + quantize op when every reader of the norm's output (through the
/// importer's collapse_shape) is a quantize with the same parameters, or
/// (dynamic quantization) a quantize with per-token scales and the
/// computation of those scales.
struct NormQuantizeFusion : public OpRewritePattern<sparq::QuantizeOp> {
  NormQuantizeFusion(MLIRContext *context, sparq::FusionStats &stats)
      : OpRewritePattern(context), stats(stats) {}

  LogicalResult matchAndRewrite(sparq::QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Value activation = quantize.getInput();
    auto collapse = activation.getDefiningOp<tensor::CollapseShapeOp>();
    Value normalized = collapse ? collapse.getSrc() : activation;
    std::optional<NormMatch> match = matchRmsNorm(normalized);
    if (!match)
      match = matchLayerNorm(normalized);
    if (!match)
      return failure(); // not a norm: nothing to report
    std::string subject =
        sparq::describeLocation(normalized.getDefiningOp()->getLoc());
    if (collapse) {
      // Only row-collapsing reshapes (the last dim kept) commute with a
      // norm along the last dim.
      if (!sparq::keepsLastDim(collapse)) {
        stats.add("norm-quantize", subject,
                  "not fused: the reshape before quantize merges the "
                  "normalized dim");
        return failure();
      }
    }
    auto storage = cast<IntegerType>(quantize.getStorageType());
    // Static parameters are constants; dynamic ones are per-token scales
    // computed from the quantized tensor itself.
    bool dynamic = !matchPattern(quantize.getScales(), m_Constant());
    if (dynamic && (quantize.getZeroPoints() || !storage.isSigned() ||
                    !matchTokenScales(quantize.getScales(), quantize.getInput(),
                                      storage))) {
      stats.add("norm-quantize", subject,
                "not fused: the activation scales are computed at run time, "
                "not as per-token absmax / qmax");
      return failure();
    }
    if (!dynamic && quantize.getZeroPoints() &&
        !matchPattern(quantize.getZeroPoints(), m_Constant())) {
      stats.add("norm-quantize", subject,
                "not fused: the zero points are computed at run time");
      return failure();
    }
    // Every reader of the normalized tensor must be a quantize of the same
    // kind (or, dynamic, the per-token absmax feeding one); otherwise the
    // float activations are needed anyway.
    SmallVector<sparq::QuantizeOp> quantizes;
    // Dynamic: the absmax reductions among the readers, and those feeding
    // the quantizations' scales.
    SmallVector<Operation *> reductions, scaleReductions;
    for (Operation *user : normalized.getUsers()) {
      auto readers = isa<tensor::CollapseShapeOp>(user)
                         ? llvm::to_vector(user->getResult(0).getUsers())
                         : SmallVector<Operation *>{user};
      for (Operation *reader : readers) {
        auto other = dyn_cast<sparq::QuantizeOp>(reader);
        if (dynamic && !other && isa<linalg::GenericOp>(reader)) {
          reductions.push_back(reader);
          continue;
        }
        bool sameKind =
            other &&
            other.getInput().getType() == quantize.getInput().getType() &&
            other.getStorageType() == quantize.getStorageType() &&
            other.getType() == quantize.getType();
        if (sameKind && dynamic) {
          linalg::GenericOp reduction =
              other.getZeroPoints()
                  ? linalg::GenericOp()
                  : matchTokenScales(other.getScales(), other.getInput(),
                                     storage);
          sameKind = static_cast<bool>(reduction);
          if (reduction)
            scaleReductions.push_back(reduction);
        } else if (sameKind)
          sameKind = other.getScales() == quantize.getScales() &&
                     other.getZeroPoints() == quantize.getZeroPoints();
        if (!sameKind) {
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
    // Dynamic: each other reader is the absmax of one of the quantizations,
    // and each scale tensor is read only by its quantization and int8
    // matmuls after the fused op's place.
    SmallVector<Operation *> scaleOps;
    for (Operation *reduction : reductions)
      if (!llvm::is_contained(scaleReductions, reduction)) {
        stats.add("norm-quantize", subject,
                  "not fused: the normalized activations have other "
                  "readers than one quantization");
        return failure();
      }
    // The fused op goes where the first quantization was; x, gamma and the
    // (shared) parameters all come before it.
    sparq::QuantizeOp first = quantize;
    for (sparq::QuantizeOp other : quantizes)
      if (other->isBeforeInBlock(first))
        first = other;
    if (dynamic) {
      for (sparq::QuantizeOp q : quantizes) {
        Operation *scaleOp = q.getScales().getDefiningOp();
        for (Operation *user : scaleOp->getUsers())
          if (user->getBlock() != first->getBlock() ||
              user->isBeforeInBlock(first) ||
              !isa<sparq::QuantizeOp, sparq::IntMatmulOp>(user)) {
            stats.add("norm-quantize", subject,
                      "not fused: the per-token scales have other readers "
                      "than the quantizations and int8 matmuls");
            return failure();
          }
        if (!llvm::is_contained(scaleOps, scaleOp))
          scaleOps.push_back(scaleOp);
      }
    }
    Location loc = normalized.getDefiningOp()->getLoc();
    rewriter.setInsertionPoint(first);
    Value input = match->input;
    if (collapse)
      input = tensor::CollapseShapeOp::create(
          rewriter, loc, collapse.getResultType(), input,
          collapse.getReassociationIndices());
    FloatAttr epsilon =
        rewriter.getF32FloatAttr(static_cast<float>(match->epsilon));
    Value scales = dynamic ? Value() : quantize.getScales();
    Type tokenScalesType = dynamic ? quantize.getScales().getType() : Type();
    Operation *fused =
        match->layerNorm
            ? sparq::LayerNormQuantizeOp::create(
                  rewriter, loc, quantize.getType(), tokenScalesType, input,
                  match->gamma, match->beta, scales, quantize.getZeroPoints(),
                  epsilon, quantize.getStorageTypeAttr())
                  .getOperation()
            : sparq::RmsNormQuantizeOp::create(
                  rewriter, loc, quantize.getType(), tokenScalesType, input,
                  match->gamma, scales, quantize.getZeroPoints(), epsilon,
                  quantize.getStorageTypeAttr())
                  .getOperation();
    for (sparq::QuantizeOp other : quantizes)
      rewriter.replaceOp(other, fused->getResult(0));
    // The per-token scales now come from the fused op; their computations
    // (scale, absmax reduction, fill) die.
    for (Operation *scaleOp : scaleOps) {
      Operation *reduction = scaleOp->getOperand(0).getDefiningOp();
      Operation *fill = reduction->getOperand(1).getDefiningOp();
      rewriter.replaceOp(scaleOp, fused->getResult(1));
      if (reduction->use_empty())
        rewriter.eraseOp(reduction);
      if (fill->use_empty())
        rewriter.eraseOp(fill);
    }
    std::string merged =
        quantizes.size() > 1
            ? " (" + std::to_string(quantizes.size()) +
                  (dynamic ? " per-token quantizations merged)"
                           : " identical quantizations merged)")
            : std::string(dynamic ? " (per-token scales)" : "");
    stats.add("norm-quantize", subject, "fused" + merged);
    return success();
  }

  sparq::FusionStats &stats;
};

} // namespace

void sparq::populateSparqNormQuantizeFusionPatterns(RewritePatternSet &patterns,
                                                    FusionStats &stats) {
  patterns.add<NormQuantizeFusion>(patterns.getContext(), stats);
}
