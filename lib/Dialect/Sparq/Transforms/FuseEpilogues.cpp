//===- FuseEpilogues.cpp - matmul epilogue fusion for sparq-fuse ----------===//
//
// Part of the sparq project.
//
// Folds the elementwise ops that follow a sparq.qmatmul / sparq.lut_matmul
// into its epilogue: a bias add of an [N] vector, an activation (ReLU, exact
// and tanh GELU, SiLU) and a residual add of a tensor of the result's shape,
// so that `act(x W^T + b) + r` is computed in registers before the store.
//
// The importer spells these as chains of elementwise linalg.generic ops (one
// per ONNX node, or one per fused node such as Gelu), possibly behind the
// collapse/expand_shape around a 2-D matmul. The matcher reads such a chain
// as one scalar expression per output element, whatever the generic
// boundaries, and fuses the longest chain whose intermediate results nobody
// else reads.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Fusion.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Elementwise chains as scalar expressions
//===----------------------------------------------------------------------===//

/// True for a linalg.generic that computes each output element from the
/// inputs at (or broadcast to) the same index: all loops parallel, one
/// identity-mapped output whose old value is not read, no linalg.index.
bool isElementwiseGeneric(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity() ||
      generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
    return false;
  return !generic.getBody()
              ->walk([](linalg::IndexOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
}

/// One output element's value, as seen from the end of a chain: a scalar
/// computed in some generic body, or a leaf tensor read at the output index
/// (`Elementwise`), at its last index (`LastDim`: an [N] vector over the
/// output's last dimension) or as a scalar (`Splat`: a rank-0 tensor).
struct Term {
  enum Kind { Scalar, Elementwise, LastDim, Splat, Opaque } kind = Opaque;
  Value value;
  bool operator==(const Term &other) const {
    return kind == other.kind && value == other.value;
  }
};

/// Reads chains rooted at one generic; `view` (the matmul result as the chain
/// sees it) is a leaf even if it were produced by a generic.
class ChainReader {
public:
  ChainReader(Value view) : view(view) {}

  /// The value `scalar` (inside a generic body, or captured) stands for.
  Term resolve(Value scalar) const {
    auto arg = dyn_cast<BlockArgument>(scalar);
    if (!arg)
      return {Term::Scalar, scalar};
    auto generic = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
    if (!generic || arg.getArgNumber() >= generic.getNumDpsInputs())
      return {Term::Opaque, scalar};
    OpOperand *operand = generic.getDpsInputOperand(arg.getArgNumber());
    AffineMap map = generic.getMatchingIndexingMap(operand);
    Value tensor = operand->get();
    auto type = dyn_cast<RankedTensorType>(tensor.getType());
    if (!type)
      return {Term::Opaque, tensor};
    if (map.isIdentity() &&
        type == cast<RankedTensorType>(generic.getResult(0).getType())
                    .clone(type.getElementType()))
      return {Term::Elementwise, tensor};
    if (map.getNumResults() == 0 && type.getRank() == 0)
      return {Term::Splat, tensor};
    if (map.getNumResults() == 1 && type.getRank() == 1 &&
        map.getResult(0) ==
            getAffineDimExpr(map.getNumDims() - 1, map.getContext()))
      return {Term::LastDim, tensor};
    return {Term::Opaque, tensor};
  }

  /// The op computing `term`, looking through generics; null for leaves.
  Operation *definingOp(const Term &term) const {
    Term scalar = normalize(term);
    if (scalar.kind != Term::Scalar)
      return nullptr;
    return scalar.value.getDefiningOp();
  }

  /// Whether two terms are the same value (one may be a tensor whose
  /// generic yields the other).
  bool same(const Term &a, const Term &b) const {
    return a == b || normalize(a) == normalize(b);
  }

  Term operand(Operation *op, unsigned index) const {
    return resolve(op->getOperand(index));
  }

  /// A float constant: a scalar arith.constant or a splat constant tensor.
  std::optional<double> constant(const Term &original) const {
    Term term = normalize(original);
    if (term.kind == Term::Opaque || term.kind == Term::LastDim)
      return std::nullopt;
    Attribute attr;
    if (!matchPattern(term.value, m_Constant(&attr)))
      return std::nullopt;
    if (auto floatAttr = dyn_cast<FloatAttr>(attr))
      return floatAttr.getValueAsDouble();
    if (auto dense = dyn_cast<DenseFPElementsAttr>(attr))
      if (dense.isSplat())
        return dense.getSplatValue<APFloat>().convertToDouble();
    return std::nullopt;
  }

  bool isView(const Term &term) const {
    return term.kind == Term::Elementwise && term.value == view;
  }

  Value view;

  /// Looks through tensors computed by elementwise generics (to the scalar
  /// their body yields) and through body arguments.
  Term normalize(Term term) const {
    while (term.kind == Term::Elementwise && term.value != view) {
      Operation *producer = term.value.getDefiningOp();
      if (!isElementwiseGeneric(producer))
        return term;
      auto generic = cast<linalg::GenericOp>(producer);
      term = resolve(generic.getBody()->getTerminator()->getOperand(0));
    }
    return term;
  }
};

bool near(std::optional<double> value, double expected) {
  return value && std::abs(*value - expected) <= 1e-6 * std::abs(expected);
}

/// Flattens a product (mulf, and divf by constants) into its non-constant
/// factors and the product of its constants.
void collectFactors(const ChainReader &reader, const Term &term,
                    SmallVectorImpl<Term> &factors, double &scale) {
  if (std::optional<double> c = reader.constant(term)) {
    scale *= *c;
    return;
  }
  Operation *op = reader.definingOp(term);
  if (isa_and_nonnull<arith::MulFOp>(op)) {
    collectFactors(reader, reader.operand(op, 0), factors, scale);
    collectFactors(reader, reader.operand(op, 1), factors, scale);
    return;
  }
  if (isa_and_nonnull<arith::DivFOp>(op)) {
    if (std::optional<double> c = reader.constant(reader.operand(op, 1))) {
      if (*c != 0.0) {
        collectFactors(reader, reader.operand(op, 0), factors, scale);
        scale /= *c;
        return;
      }
    }
  }
  factors.push_back(term);
}

/// Matches `c * x` (any association, constants multiplied or divided in);
/// returns x.
std::optional<Term> matchScaled(const ChainReader &reader, const Term &term,
                                double c) {
  SmallVector<Term> factors;
  double scale = 1.0;
  collectFactors(reader, term, factors, scale);
  if (factors.size() != 1 || !near(scale, c))
    return std::nullopt;
  return factors[0];
}

/// The two operands of a commutative binary `OpTy` computing `term`.
template <typename OpTy>
std::optional<std::pair<Term, Term>> matchBinary(const ChainReader &reader,
                                                 const Term &term) {
  Operation *op = reader.definingOp(term);
  if (!isa_and_nonnull<OpTy>(op))
    return std::nullopt;
  return std::make_pair(reader.operand(op, 0), reader.operand(op, 1));
}

/// `1 + f` in either order; returns f.
std::optional<Term> matchOnePlus(const ChainReader &reader, const Term &term) {
  auto sum = matchBinary<arith::AddFOp>(reader, term);
  if (!sum)
    return std::nullopt;
  if (near(reader.constant(sum->first), 1.0))
    return sum->second;
  if (near(reader.constant(sum->second), 1.0))
    return sum->first;
  return std::nullopt;
}

/// `-x` as negf, 0 - x or -1 * x; returns x.
std::optional<Term> matchNeg(const ChainReader &reader, const Term &term) {
  Operation *op = reader.definingOp(term);
  if (isa_and_nonnull<arith::NegFOp>(op))
    return reader.operand(op, 0);
  if (isa_and_nonnull<arith::SubFOp>(op) &&
      reader.constant(reader.operand(op, 0)) == 0.0)
    return reader.operand(op, 1);
  return matchScaled(reader, term, -1.0);
}

/// `1 + exp(-x)`; returns x.
std::optional<Term> matchOnePlusExpNeg(const ChainReader &reader,
                                       const Term &term) {
  std::optional<Term> exp = matchOnePlus(reader, term);
  if (!exp)
    return std::nullopt;
  Operation *op = reader.definingOp(*exp);
  if (!isa_and_nonnull<math::ExpOp>(op))
    return std::nullopt;
  return matchNeg(reader, reader.operand(op, 0));
}

/// sigmoid(x) = 1 / (1 + exp(-x)); returns x.
std::optional<Term> matchSigmoid(const ChainReader &reader, const Term &term) {
  Operation *op = reader.definingOp(term);
  if (!isa_and_nonnull<arith::DivFOp>(op) ||
      !near(reader.constant(reader.operand(op, 0)), 1.0))
    return std::nullopt;
  return matchOnePlusExpNeg(reader, reader.operand(op, 1));
}

/// c * x^3, the cube as x * x * x or powf(x, 3) / fpowi(x, 3); returns x.
std::optional<Term> matchScaledCube(const ChainReader &reader, const Term &term,
                                    double c) {
  SmallVector<Term> factors;
  double scale = 1.0;
  collectFactors(reader, term, factors, scale);
  if (!near(scale, c))
    return std::nullopt;
  if (factors.size() == 3 && reader.same(factors[0], factors[1]) &&
      reader.same(factors[1], factors[2]))
    return factors[0];
  if (factors.size() != 1)
    return std::nullopt;
  Operation *op = reader.definingOp(factors[0]);
  if (isa_and_nonnull<math::PowFOp>(op) &&
      near(reader.constant(reader.operand(op, 1)), 3.0))
    return reader.operand(op, 0);
  if (isa_and_nonnull<math::FPowIOp>(op)) {
    APInt exponent;
    if (matchPattern(op->getOperand(1), m_ConstantInt(&exponent)) &&
        exponent == 3)
      return reader.operand(op, 0);
  }
  return std::nullopt;
}

/// `0.5 * x * (1 + inner)` in any association; returns (x, inner).
std::optional<std::pair<Term, Term>>
matchHalfXOnePlus(const ChainReader &reader, const Term &term) {
  SmallVector<Term> factors;
  double scale = 1.0;
  collectFactors(reader, term, factors, scale);
  if (factors.size() != 2 || !near(scale, 0.5))
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (std::optional<Term> inner = matchOnePlus(reader, factors[1 - i]))
      return std::make_pair(factors[i], *inner);
  return std::nullopt;
}

/// An activation of the epilogue computing `term`, and its argument.
std::optional<std::pair<sparq::Activation, Term>>
matchActivation(const ChainReader &reader, const Term &term) {
  using sparq::Activation;
  // ReLU: max(x, 0).
  Operation *op = reader.definingOp(term);
  if (isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(op)) {
    for (int i = 0; i < 2; ++i)
      if (reader.constant(reader.operand(op, 1 - i)) == 0.0)
        return std::make_pair(Activation::relu, reader.operand(op, i));
    return std::nullopt;
  }
  // SiLU: x * sigmoid(x) or x / (1 + exp(-x)).
  if (auto product = matchBinary<arith::MulFOp>(reader, term)) {
    for (auto [x, sigmoid] :
         {*product, std::make_pair(product->second, product->first)}) {
      std::optional<Term> arg = matchSigmoid(reader, sigmoid);
      if (arg && reader.same(*arg, x))
        return std::make_pair(Activation::silu, x);
    }
  }
  if (isa_and_nonnull<arith::DivFOp>(op)) {
    Term x = reader.operand(op, 0);
    std::optional<Term> arg = matchOnePlusExpNeg(reader, reader.operand(op, 1));
    if (arg && reader.same(*arg, x))
      return std::make_pair(Activation::silu, x);
  }
  // GELU: 0.5 * x * (1 + erf(x / sqrt(2))) or
  // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
  auto gelu = matchHalfXOnePlus(reader, term);
  if (!gelu)
    return std::nullopt;
  auto [x, inner] = *gelu;
  Operation *innerOp = reader.definingOp(inner);
  if (isa_and_nonnull<math::ErfOp>(innerOp)) {
    std::optional<Term> arg =
        matchScaled(reader, reader.operand(innerOp, 0), M_SQRT1_2);
    if (arg && reader.same(*arg, x))
      return std::make_pair(Activation::gelu, x);
    return std::nullopt;
  }
  if (!isa_and_nonnull<math::TanhOp>(innerOp))
    return std::nullopt;
  std::optional<Term> poly =
      matchScaled(reader, reader.operand(innerOp, 0), std::sqrt(2.0 / M_PI));
  if (!poly)
    return std::nullopt;
  auto sum = matchBinary<arith::AddFOp>(reader, *poly);
  if (!sum)
    return std::nullopt;
  for (auto [linear, cubic] : {*sum, std::make_pair(sum->second, sum->first)}) {
    if (!reader.same(linear, x))
      continue;
    std::optional<Term> base = matchScaledCube(reader, cubic, 0.044715);
    if (base && reader.same(*base, x))
      return std::make_pair(Activation::gelu_tanh, x);
  }
  return std::nullopt;
}

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
/// `match.chain`; fails unless every value they compute (and `view`) is read
/// only inside the chain, so that fusing leaves nothing of it behind.
LogicalResult collectChain(Value view, EpilogueMatch &match, std::string &why) {
  llvm::SetVector<Operation *> onPath;
  DenseMap<Operation *, bool> reaches;
  std::function<bool(Operation *)> visit = [&](Operation *op) -> bool {
    auto it = reaches.find(op);
    if (it != reaches.end())
      return it->second;
    reaches[op] = false;
    bool result = false;
    for (Value input : cast<linalg::GenericOp>(op).getDpsInputs()) {
      if (input == view) {
        result = true;
        continue;
      }
      Operation *producer = input.getDefiningOp();
      if (isElementwiseGeneric(producer) &&
          producer->getBlock() == op->getBlock() && visit(producer))
        result = true;
    }
    reaches[op] = result;
    if (result)
      onPath.insert(op);
    return result;
  };
  visit(match.root);
  for (Operation *user : view.getUsers())
    if (!onPath.contains(user)) {
      why = "the result has uses outside the epilogue";
      return failure();
    }
  for (Operation *op : onPath) {
    if (op == match.root)
      continue;
    for (Operation *user : op->getResult(0).getUsers())
      if (!onPath.contains(user)) {
        why = "an intermediate value of the epilogue has other uses";
        return failure();
      }
  }
  if (match.residual && onPath.contains(match.residual.getDefiningOp())) {
    why = "the residual is computed from the matmul";
    return failure();
  }
  match.chain.clear();
  for (Operation *op : onPath)
    match.chain.push_back(cast<linalg::GenericOp>(op));
  return success();
}

/// The weight name of a matmul for the stats: its quantization record's
/// layer, its packed weights' resource name, else its location.
std::string subjectOf(Operation *op) {
  if (auto info = op->getAttrOfType<DictionaryAttr>(sparq::kQuantInfoAttrName))
    if (auto layer = info.getAs<StringAttr>("layer"))
      return layer.str();
  if (auto name = op->getAttrOfType<StringAttr>("sparq.weight_name"))
    return name.str();
  // The packed weights' resource name (through the importer's reshapes).
  Value weights = op->getOperand(1);
  while (Operation *producer = weights.getDefiningOp()) {
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(producer)) {
      weights = producer->getOperand(0);
      continue;
    }
    Attribute value;
    if (matchPattern(weights, m_Constant(&value)))
      if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        return resource.getRawHandle().getKey().str();
    break;
  }
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

/// Makes the epilogue ops with one template over sparq.qmatmul and
/// sparq.lut_matmul.
Operation *createWithEpilogue(RewriterBase &rewriter, sparq::QMatmulOp op,
                              Value bias, sparq::ActivationAttr activation,
                              Value residual) {
  return sparq::QMatmulOp::create(
      rewriter, op.getLoc(), op.getType(), op.getInput(), op.getWeights(),
      op.getScales(), op.getZeroPoints(), bias, op.getOutlierRowPtr(),
      op.getOutlierColInd(), op.getOutlierValues(), op.getStorageTypeAttr(),
      activation, residual);
}

Operation *createWithEpilogue(RewriterBase &rewriter, sparq::LutMatmulOp op,
                              Value bias, sparq::ActivationAttr activation,
                              Value residual) {
  return sparq::LutMatmulOp::create(
      rewriter, op.getLoc(), op.getType(), op.getInput(), op.getIndices(),
      op.getCodebooks(), bias, op.getOutlierRowPtr(), op.getOutlierColInd(),
      op.getOutlierValues(), op.getBitsAttr(), activation, residual);
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

    // Candidate roots: elementwise generics downstream of the view, nearest
    // first (a few ops cover the longest importer chains: GELU as 5).
    SmallVector<linalg::GenericOp> candidates;
    llvm::SetVector<Operation *> seen;
    SmallVector<Value> frontier = {view};
    while (!frontier.empty() && candidates.size() < 16) {
      Value value = frontier.pop_back_val();
      for (Operation *user : value.getUsers()) {
        if (!isElementwiseGeneric(user) || user->getBlock() != op->getBlock() ||
            !seen.insert(user))
          continue;
        candidates.push_back(cast<linalg::GenericOp>(user));
        frontier.insert(frontier.begin(), user->getResult(0));
      }
    }
    if (candidates.empty())
      return rewriter.notifyMatchFailure(op, "no elementwise consumer");

    ChainReader reader(view);
    std::optional<EpilogueMatch> best;
    std::string firstWhy;
    for (linalg::GenericOp root : candidates) {
      EpilogueMatch match;
      std::string why;
      if (succeeded(matchEpilogue(reader, root, state, match, why)) &&
          succeeded(collectChain(view, match, why))) {
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
        createWithEpilogue(rewriter, op, bias, activationAttr, residual);
    fused->setDiscardableAttrs(op->getDiscardableAttrDictionary());
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
