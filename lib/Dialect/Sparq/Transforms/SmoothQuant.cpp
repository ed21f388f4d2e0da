//===- SmoothQuant.cpp - sparq-smoothquant --------------------------------===//
//
// Part of the sparq project.
//
// Migrates activation outliers into the weights (SmoothQuant): for every
// activation X read by constant-weight matmuls, with per-channel calibration
// statistics, rows j of the consumers' [K, N] weights are multiplied by s_j
// and 1/s_j is folded into X's producer (a norm's gamma/beta, a preceding
// linear layer, ...) or, failing that, applied by a sparq.smooth op.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Reshapes.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Quantization/Algorithms/SmoothingScales.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"

#include <limits>

namespace sparq {
#define GEN_PASS_DEF_SPARQSMOOTHQUANT
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Gives `operand` (an arith.constant result) the new f32 `values`. A
/// constant read only here gets its new value in place; a shared one is left
/// alone and cloned. dense_resource blobs are never rewritten (other modules,
/// such as the fp32 reference a report compares against, share them): the
/// new values get a blob of their own, and the constant keeps the weight's
/// name (which later passes match `skip=` patterns and sensitivity files
/// against) in its `sparq.weight_name` attribute.
void setF32Constant(ModuleOp module, OpOperand &operand,
                    ArrayRef<float> values) {
  auto constant = operand.get().getDefiningOp<arith::ConstantOp>();
  auto type = cast<RankedTensorType>(constant.getType());
  StringAttr weightName = sparq::getWeightName(constant);
  OpBuilder builder(constant);
  builder.setInsertionPointAfter(constant);
  Value replacement = sparq::createF32Constant(
      builder, constant.getLoc(), type.getShape(), values,
      weightName ? weightName.getValue() : "smoothquant");
  if (weightName)
    replacement.getDefiningOp()->setAttr(sparq::kWeightNameAttr, weightName);
  operand.set(replacement);
  if (constant->use_empty())
    constant->erase();
}

//===----------------------------------------------------------------------===//
// Activation groups
//===----------------------------------------------------------------------===//

/// Source of a reshape that keeps the last dimension (so element channels
/// are unchanged), e.g. the [B, S, C] -> [B*S, C] collapse the importer puts
/// in front of a matmul.
Value getChannelPreservingReshapeSource(Operation *op) {
  if (!sparq::keepsLastDim(op))
    return {};
  return op->getOperand(0);
}

/// Ops that pass channel j of their input through to channel j of their
/// result unchanged.
Value getTransparentSource(Operation *op) {
  if (auto observe = dyn_cast<sparq::ObserveOp>(op))
    return observe.getInput();
  return getChannelPreservingReshapeSource(op);
}

/// An activation (the value above any observers and channel-preserving
/// reshapes) and the constant-weight matmuls reading it.
struct ActivationGroup {
  Value root;
  SmallVector<linalg::MatmulOp> consumers;
  SmallVector<std::string> weightNames;
  llvm::SetVector<sparq::ObserveOp> observes;
  int64_t channels = 0;
};

/// True when every use of `value` reaches one of `consumers` as its
/// activation through transparent ops only.
bool feedsOnlyConsumers(Value value,
                        const llvm::SmallPtrSetImpl<Operation *> &consumers) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (consumers.contains(user) && use.getOperandNumber() == 0)
      continue;
    if (user->getNumResults() == 1 && getTransparentSource(user) == value &&
        feedsOnlyConsumers(user->getResult(0), consumers))
      continue;
    return false;
  }
  return true;
}

/// Observers between `value` and the consumers, following transparent ops.
void collectObserversBelow(Value value,
                           llvm::SetVector<sparq::ObserveOp> &observes) {
  for (Operation *user : value.getUsers()) {
    if (user->getNumResults() != 1 || getTransparentSource(user) != value)
      continue;
    if (auto observe = dyn_cast<sparq::ObserveOp>(user))
      observes.insert(observe);
    collectObserversBelow(user->getResult(0), observes);
  }
}

//===----------------------------------------------------------------------===//
// Folding 1/s into the producer
//===----------------------------------------------------------------------===//

/// The edits that make a value's producer compute `value / s` per channel.
struct AbsorbPlan {
  /// [C] f32 constants broadcast along the last dim of an elementwise
  /// linalg.generic (a norm's gamma or beta, a bias): divide by s.
  SmallVector<OpOperand *> channelConstants;
  /// Constant-weight matmuls producing the value: divide weight column j
  /// by s_j.
  SmallVector<linalg::MatmulOp> matmuls;
};

bool isLastDimBroadcast(AffineMap map) {
  return map.getNumResults() == 1 && map.getNumDims() >= 1 &&
         map.getResult(0) ==
             getAffineDimExpr(map.getNumDims() - 1, map.getContext());
}

class AbsorbPlanner {
public:
  explicit AbsorbPlanner(int64_t channels) : channels(channels) {}

  /// Plans edits making the producer of `value` yield `value / s`. Only
  /// values with a single use may change (other users would see it).
  bool planValue(Value value, AbsorbPlan &plan, bool isRoot = false) {
    if (!isRoot && !value.hasOneUse())
      return false;
    Operation *op = value.getDefiningOp();
    if (!op)
      return false;
    if (Value source = getChannelPreservingReshapeSource(op))
      return planValue(source, plan);
    if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
      return planMatmul(matmul, plan);
    if (auto generic = dyn_cast<linalg::GenericOp>(op))
      return planGeneric(generic, plan);
    return false;
  }

private:
  bool planMatmul(linalg::MatmulOp matmul, AbsorbPlan &plan) {
    std::optional<sparq::ConstantWeightMatmul> match =
        sparq::matchConstantWeightMatmul(matmul);
    if (!match || match->n != channels)
      return false;
    // A non-zero init would be added unscaled.
    auto fill = matmul.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      return false;
    plan.matmuls.push_back(matmul);
    return true;
  }

  bool planGeneric(linalg::GenericOp generic, AbsorbPlan &plan) {
    if (generic.getNumResults() != 1 || generic.getNumDpsInits() != 1 ||
        generic.getNumReductionLoops() != 0)
      return false;
    OpOperand *init = generic.getDpsInitOperand(0);
    if (!generic.getMatchingIndexingMap(init).isIdentity() ||
        generic.payloadUsesValueFromOperand(init))
      return false;
    auto resultType = dyn_cast<RankedTensorType>(generic.getResultTypes()[0]);
    if (!resultType || resultType.getShape().back() != channels)
      return false;
    auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
    current = generic;
    return planScalar(yield.getValues()[0], plan);
  }

  /// Plans making the scalar `value` of the current generic's body `value /
  /// s_j` for the element's channel j.
  bool planScalar(Value value, AbsorbPlan &plan) {
    if (!value.hasOneUse())
      return false;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (arg.getOwner() != current.getBody() ||
          arg.getArgNumber() >= current.getNumDpsInputs())
        return false;
      OpOperand *input = current.getDpsInputOperand(arg.getArgNumber());
      AffineMap map = current.getMatchingIndexingMap(input);
      if (isLastDimBroadcast(map)) {
        auto constant = input->get().getDefiningOp<arith::ConstantOp>();
        auto type = dyn_cast<RankedTensorType>(input->get().getType());
        if (!constant || !type || !type.getElementType().isF32() ||
            type.getShape() != ArrayRef<int64_t>{channels} ||
            sparq::readF32Constant(constant).empty())
          return false;
        plan.channelConstants.push_back(input);
        return true;
      }
      if (!map.isIdentity() ||
          input->get().getType() != current.getResultTypes()[0])
        return false;
      linalg::GenericOp saved = current;
      bool planned = planValue(input->get(), plan);
      current = saved;
      return planned;
    }
    Operation *op = value.getDefiningOp();
    if (isa<arith::MulFOp>(op)) {
      // (a * b) / s: scale either factor; a per-channel constant is the
      // cheapest, so try it first.
      SmallVector<Value, 2> factors(op->getOperands());
      if (!isChannelConstantArg(factors[0]) && isChannelConstantArg(factors[1]))
        std::swap(factors[0], factors[1]);
      for (Value factor : factors) {
        AbsorbPlan attempt = plan;
        if (planScalar(factor, attempt)) {
          plan = std::move(attempt);
          return true;
        }
      }
      return false;
    }
    if (isa<arith::DivFOp, arith::NegFOp>(op))
      return planScalar(op->getOperand(0), plan);
    if (isa<arith::AddFOp, arith::SubFOp>(op)) {
      AbsorbPlan attempt = plan;
      if (!planScalar(op->getOperand(0), attempt) ||
          !planScalar(op->getOperand(1), attempt))
        return false;
      plan = std::move(attempt);
      return true;
    }
    return false;
  }

  bool isChannelConstantArg(Value value) {
    auto arg = dyn_cast<BlockArgument>(value);
    if (!arg || arg.getOwner() != current.getBody() ||
        arg.getArgNumber() >= current.getNumDpsInputs())
      return false;
    OpOperand *input = current.getDpsInputOperand(arg.getArgNumber());
    return isLastDimBroadcast(current.getMatchingIndexingMap(input)) &&
           input->get().getDefiningOp<arith::ConstantOp>();
  }

  int64_t channels;
  linalg::GenericOp current;
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct SparqSmoothQuant
    : public sparq::impl::SparqSmoothQuantBase<SparqSmoothQuant> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult smoothGroup(ActivationGroup &group);
  LogicalResult readStatistics(ActivationGroup &group,
                               std::vector<float> &absMax,
                               std::vector<float> &min,
                               std::vector<float> &max);
};

std::string describe(const ActivationGroup &group) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (!group.observes.empty())
    os << "activation '" << sparq::ObserveOp(group.observes.front()).getName()
       << "'";
  else
    os << "activation";
  os << " (read by " << llvm::join(group.weightNames, ", ") << ")";
  return text;
}

LogicalResult SparqSmoothQuant::readStatistics(ActivationGroup &group,
                                               std::vector<float> &absMax,
                                               std::vector<float> &min,
                                               std::vector<float> &max) {
  int64_t k = group.channels;
  bool havePerChannel = false;
  absMax.assign(k, 0.0f);
  min.assign(k, std::numeric_limits<float>::infinity());
  max.assign(k, -std::numeric_limits<float>::infinity());
  for (sparq::ObserveOp observe : group.observes) {
    std::optional<sparq::CalibrationStatsAttr> stats = observe.getStats();
    if (!stats)
      return observe.emitError()
             << "missing calibration statistics for '" << observe.getName()
             << "', an input of " << llvm::join(group.weightNames, ", ")
             << "; run sparq-calibrate first";
    int64_t rank = observe.getInput().getType().getRank();
    std::optional<uint64_t> axis = observe.getAxis();
    if (!axis)
      continue;
    if (static_cast<int64_t>(*axis) != rank - 1 || stats->getNumChannels() != k)
      return observe.emitError()
             << "statistics of '" << observe.getName()
             << "' must be per channel along the last axis (" << k
             << " channels) for sparq-smoothquant";
    havePerChannel = true;
    for (int64_t j = 0; j < k; ++j) {
      absMax[j] = std::max(absMax[j], stats->getAbsmax()[j]);
      min[j] = std::min(min[j], stats->getMin()[j]);
      max[j] = std::max(max[j], stats->getMax()[j]);
    }
  }
  if (!havePerChannel)
    return sparq::ObserveOp(group.observes.front()).emitError()
           << "sparq-smoothquant needs per-channel statistics (axis = last) "
              "for '"
           << sparq::ObserveOp(group.observes.front()).getName()
           << "', found per-tensor ones";
  return success();
}

LogicalResult SparqSmoothQuant::smoothGroup(ActivationGroup &group) {
  ModuleOp module = getOperation();
  int64_t k = group.channels;
  std::vector<float> actAbsMax, actMin, actMax;
  if (failed(readStatistics(group, actAbsMax, actMin, actMax)))
    return failure();

  // The weights may have been edited by an earlier group (as a producer),
  // so read them now.
  std::vector<float> weightAbsMax(k, 0.0f);
  for (linalg::MatmulOp matmul : group.consumers) {
    std::optional<sparq::ConstantWeightMatmul> match =
        sparq::matchConstantWeightMatmul(matmul);
    std::vector<float> kn = sparq::readF32Constant(match->weight);
    sparq::quant::accumulateInputChannelAbsMax(kn, k, match->n, weightAbsMax);
  }
  std::vector<float> scales =
      sparq::quant::computeSmoothingScales(actAbsMax, weightAbsMax, alpha);

  llvm::SmallPtrSet<Operation *, 8> consumerOps;
  for (linalg::MatmulOp matmul : group.consumers)
    consumerOps.insert(matmul);
  bool exclusive = feedsOnlyConsumers(group.root, consumerOps);

  AbsorbPlan plan;
  AbsorbPlanner planner(k);
  bool absorbed = exclusive && planner.planValue(group.root, plan,
                                                 /*isRoot=*/true);
  if (absorbed) {
    for (OpOperand *operand : plan.channelConstants) {
      auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
      std::vector<float> values = sparq::readF32Constant(constant);
      for (int64_t j = 0; j < k; ++j)
        values[j] /= scales[j];
      setF32Constant(module, *operand, values);
    }
    for (linalg::MatmulOp producer : plan.matmuls) {
      OpOperand &weight = *producer.getDpsInputOperand(1);
      auto constant = weight.get().getDefiningOp<arith::ConstantOp>();
      std::vector<float> values = sparq::readF32Constant(constant);
      int64_t rows = static_cast<int64_t>(values.size()) / k;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < k; ++j)
          values[r * k + j] /= scales[j];
      setF32Constant(module, weight, values);
    }
  }
  Value smoothedRoot = group.root;
  if (!absorbed) {
    // Divide on the activation path, leaving other users of the value
    // (e.g. a residual connection) alone.
    OpBuilder builder(module.getContext());
    if (Operation *producer = group.root.getDefiningOp())
      builder.setInsertionPointAfter(producer);
    else
      builder.setInsertionPointToStart(
          cast<BlockArgument>(group.root).getOwner());
    Location loc = group.root.getLoc();
    auto insertSmooth = [&](Value input) -> Value {
      Value scaleValues =
          sparq::createF32Constant(builder, loc, {k}, scales, "smoothquant");
      return sparq::SmoothOp::create(builder, loc, input.getType(), input,
                                     scaleValues);
    };
    smoothedRoot = insertSmooth(group.root);
    group.root.replaceUsesWithIf(smoothedRoot, [&](OpOperand &use) {
      Operation *user = use.getOwner();
      if (user == smoothedRoot.getDefiningOp())
        return false;
      if (consumerOps.contains(user))
        return use.getOperandNumber() == 0;
      return user->getNumResults() == 1 &&
             getTransparentSource(user) == group.root &&
             feedsOnlyConsumers(user->getResult(0), consumerOps);
    });
    // A consumer behind a reshape or observer that also has other users
    // gets its own division right at its input.
    for (linalg::MatmulOp matmul : group.consumers) {
      Value input = matmul.getDpsInputs()[0];
      while (input != smoothedRoot && input.getDefiningOp())
        if (!(input = getTransparentSource(input.getDefiningOp())))
          break;
      if (input == smoothedRoot)
        continue;
      builder.setInsertionPoint(matmul);
      OpOperand &activation = *matmul.getDpsInputOperand(0);
      activation.set(insertSmooth(activation.get()));
    }
    emitRemark(sparq::ObserveOp(group.observes.front()).getLoc())
        << "sparq-smoothquant: no producer of " << describe(group)
        << " can absorb the smoothing scales; inserted "
           "sparq.smooth";
  }

  // Every consumer now reads X / s.
  for (linalg::MatmulOp matmul : group.consumers) {
    OpOperand &weight = *matmul.getDpsInputOperand(1);
    auto constant = weight.get().getDefiningOp<arith::ConstantOp>();
    std::vector<float> values = sparq::readF32Constant(constant);
    int64_t n = static_cast<int64_t>(values.size()) / k;
    sparq::quant::scaleInputChannels(values, k, n, scales);
    setF32Constant(module, weight, values);
  }

  // The observers on the smoothed path see X / s: per channel exactly, per
  // tensor as the extremes over the smoothed channels.
  llvm::SetVector<sparq::ObserveOp> smoothedObserves;
  collectObserversBelow(smoothedRoot, smoothedObserves);
  std::vector<float> newMin(k), newMax(k), newAbsMax(k);
  for (int64_t j = 0; j < k; ++j) {
    newMin[j] = actMin[j] / scales[j];
    newMax[j] = actMax[j] / scales[j];
    newAbsMax[j] = actAbsMax[j] / scales[j];
  }
  for (sparq::ObserveOp observe : smoothedObserves) {
    sparq::CalibrationStatsAttr stats = *observe.getStats();
    MLIRContext *context = observe.getContext();
    sparq::CalibrationStatsAttr updated;
    if (observe.getAxis()) {
      std::vector<float> lo(k), hi(k), abs(k);
      for (int64_t j = 0; j < k; ++j) {
        lo[j] = stats.getMin()[j] / scales[j];
        hi[j] = stats.getMax()[j] / scales[j];
        abs[j] = stats.getAbsmax()[j] / scales[j];
      }
      updated = sparq::CalibrationStatsAttr::get(
          context, stats.getSamples(), DenseF32ArrayAttr::get(context, lo),
          DenseF32ArrayAttr::get(context, hi),
          DenseF32ArrayAttr::get(context, abs));
    } else {
      float lo = *llvm::min_element(newMin);
      float hi = *llvm::max_element(newMax);
      float abs = *llvm::max_element(newAbsMax);
      updated = sparq::CalibrationStatsAttr::get(
          context, stats.getSamples(), DenseF32ArrayAttr::get(context, {lo}),
          DenseF32ArrayAttr::get(context, {hi}),
          DenseF32ArrayAttr::get(context, {abs}));
    }
    observe.setStatsAttr(updated);
  }
  return success();
}

void SparqSmoothQuant::runOnOperation() {
  ModuleOp module = getOperation();
  if (!(alpha >= 0.0 && alpha <= 1.0)) {
    std::string value;
    llvm::raw_string_ostream(value) << llvm::format("%g", alpha.getValue());
    module.emitError() << "sparq-smoothquant: alpha must lie in [0, 1], got "
                       << value;
    return signalPassFailure();
  }

  bool anyObserver = false;
  module.walk([&](sparq::ObserveOp) { anyObserver = true; });

  llvm::MapVector<Value, ActivationGroup> groups;
  for (sparq::ConstantWeightMatmul &match :
       sparq::collectConstantWeightMatmuls(module)) {
    Value root = match.getActivations();
    llvm::SmallVector<sparq::ObserveOp> observes;
    while (Operation *producer = root.getDefiningOp()) {
      Value source = getTransparentSource(producer);
      if (!source)
        break;
      if (auto observe = dyn_cast<sparq::ObserveOp>(producer))
        observes.push_back(observe);
      root = source;
    }
    ActivationGroup &group = groups[root];
    group.root = root;
    group.channels = match.k;
    group.consumers.push_back(match.matmul);
    group.weightNames.push_back(match.name);
    // Top-most first: it names the activation in diagnostics.
    group.observes.insert(observes.rbegin(), observes.rend());
  }

  if (!anyObserver && !groups.empty()) {
    module.emitError() << "sparq-smoothquant: no sparq.observe statistics in "
                          "the module; run sparq-calibrate first";
    return signalPassFailure();
  }

  bool failed = false;
  for (auto &entry : groups) {
    ActivationGroup &group = entry.second;
    if (group.observes.empty()) {
      group.consumers.front().emitWarning()
          << "sparq-smoothquant: no sparq.observe on the " << describe(group)
          << "; left unsmoothed";
      continue;
    }
    if (mlir::failed(smoothGroup(group)))
      failed = true;
  }
  if (failed)
    signalPassFailure();
}

} // namespace
