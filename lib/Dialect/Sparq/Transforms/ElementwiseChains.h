//===- ElementwiseChains.h - matmul consumers as expressions ----*- C++ -*-===//
//
// Part of the sparq project.
//
// The importer spells bias adds, activations and residual adds as chains of
// elementwise linalg.generic ops (one per ONNX node, or one per fused node
// such as Gelu), possibly behind the collapse/expand_shape around a 2-D
// matmul. These helpers read such a chain as one scalar expression per
// output element, whatever the generic boundaries. The epilogue and gated
// MLP fusion families share them.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_ELEMENTWISECHAINS_H
#define SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_ELEMENTWISECHAINS_H

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

#include <cmath>
#include <functional>
#include <optional>
#include <string>

namespace sparq::elementwise_chains {
using namespace mlir;

//===----------------------------------------------------------------------===//
// Elementwise chains as scalar expressions
//===----------------------------------------------------------------------===//

/// True for a linalg.generic that computes each output element from the
/// inputs at (or broadcast to) the same index: all loops parallel, one
/// identity-mapped output whose old value is not read, no linalg.index.
inline bool isElementwiseGeneric(Operation *op) {
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

inline bool near(std::optional<double> value, double expected) {
  return value && std::abs(*value - expected) <= 1e-6 * std::abs(expected);
}

/// Flattens a product (mulf, and divf by constants) into its non-constant
/// factors and the product of its constants.
inline void collectFactors(const ChainReader &reader, const Term &term,
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
inline std::optional<Term> matchScaled(const ChainReader &reader,
                                       const Term &term, double c) {
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
inline std::optional<Term> matchOnePlus(const ChainReader &reader,
                                        const Term &term) {
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
inline std::optional<Term> matchNeg(const ChainReader &reader,
                                    const Term &term) {
  Operation *op = reader.definingOp(term);
  if (isa_and_nonnull<arith::NegFOp>(op))
    return reader.operand(op, 0);
  if (isa_and_nonnull<arith::SubFOp>(op) &&
      reader.constant(reader.operand(op, 0)) == 0.0)
    return reader.operand(op, 1);
  return matchScaled(reader, term, -1.0);
}

/// `1 + exp(-x)`; returns x.
inline std::optional<Term> matchOnePlusExpNeg(const ChainReader &reader,
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
inline std::optional<Term> matchSigmoid(const ChainReader &reader,
                                        const Term &term) {
  Operation *op = reader.definingOp(term);
  if (!isa_and_nonnull<arith::DivFOp>(op) ||
      !near(reader.constant(reader.operand(op, 0)), 1.0))
    return std::nullopt;
  return matchOnePlusExpNeg(reader, reader.operand(op, 1));
}

/// c * x^3, the cube as x * x * x or powf(x, 3) / fpowi(x, 3); returns x.
inline std::optional<Term> matchScaledCube(const ChainReader &reader,
                                           const Term &term, double c) {
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
inline std::optional<std::pair<Term, Term>>
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
inline std::optional<std::pair<sparq::Activation, Term>>
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

/// The weight name of a matmul for the stats: its quantization record's
/// layer, its packed weights' resource name, else its location.
inline std::string subjectOf(Operation *op) {
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
  return sparq::describeLocation(op->getLoc());
}

/// Candidate roots of a chain: the elementwise generics in `block`
/// downstream of `views`, breadth first (nearest first), at most 16.
inline SmallVector<linalg::GenericOp> downstreamGenerics(ArrayRef<Value> views,
                                                         Block *block) {
  SmallVector<linalg::GenericOp> candidates;
  llvm::SetVector<Operation *> seen;
  SmallVector<Value> frontier(views);
  while (!frontier.empty() && candidates.size() < 16) {
    Value value = frontier.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (!isElementwiseGeneric(user) || user->getBlock() != block ||
          !seen.insert(user))
        continue;
      candidates.push_back(cast<linalg::GenericOp>(user));
      frontier.insert(frontier.begin(), user->getResult(0));
    }
  }
  return candidates;
}

/// The elementwise generics on def-use paths from `views` to `root`; fails
/// (with `why`) unless every value they compute, and each view, is read only
/// among them, so that fusing the chain into one op leaves nothing of it
/// behind. `viewName` and `chainName` word the reasons.
inline FailureOr<SmallVector<linalg::GenericOp>>
collectChain(ArrayRef<Value> views, linalg::GenericOp root, StringRef viewName,
             StringRef chainName, std::string &why) {
  llvm::SetVector<Operation *> onPath;
  DenseMap<Operation *, bool> reaches;
  std::function<bool(Operation *)> visit = [&](Operation *op) -> bool {
    auto it = reaches.find(op);
    if (it != reaches.end())
      return it->second;
    reaches[op] = false;
    bool result = false;
    for (Value input : cast<linalg::GenericOp>(op).getDpsInputs()) {
      if (llvm::is_contained(views, input)) {
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
  visit(root);
  for (Value view : views)
    for (Operation *user : view.getUsers())
      if (!onPath.contains(user)) {
        why = (viewName + " has uses outside the " + chainName).str();
        return failure();
      }
  for (Operation *op : onPath)
    if (op != root)
      for (Operation *user : op->getResult(0).getUsers())
        if (!onPath.contains(user)) {
          why =
              ("an intermediate value of the " + chainName + " has other uses")
                  .str();
          return failure();
        }
  return llvm::map_to_vector(
      onPath, [](Operation *op) { return cast<linalg::GenericOp>(op); });
}

} // namespace sparq::elementwise_chains

#endif // SPARQ_LIB_DIALECT_SPARQ_TRANSFORMS_ELEMENTWISECHAINS_H
