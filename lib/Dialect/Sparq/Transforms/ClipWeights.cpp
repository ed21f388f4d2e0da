//===- ClipWeights.cpp - sparq-clip-weights -------------------------------===//
//
// Part of the sparq project.
//
// Searches, group by group, the clipping range of constant matmul weights
// that minimizes the squared error of symmetric round-to-nearest
// quantization, and writes the clipped weights back, for
// sparq-quantize-weights to quantize. docs/research-example.md walks through
// this pass as the example of writing a quantization pass.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"
#include "sparq/Quantization/Algorithms/Rtn.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sparq {
#define GEN_PASS_DEF_SPARQCLIPWEIGHTS
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

/// The squared error of each group of `original` ([n, k] rows) when
/// `candidate` is quantized with symmetric RTN, exactly as
/// sparq-quantize-weights will quantize it.
std::vector<double> groupErrors(ArrayRef<float> original,
                                ArrayRef<float> candidate, int64_t n, int64_t k,
                                unsigned bits, int64_t groupSize) {
  sparq::quant::RtnResult q = sparq::quant::quantizeRtn(
      candidate, n, k, bits, groupSize, /*symmetric=*/true);
  std::vector<float> dequantized = sparq::quant::dequantizeRtn(q, n, k);
  std::vector<double> errors(n * (k / groupSize), 0.0);
  for (int64_t i = 0; i < n * k; ++i) {
    double d = double(dequantized[i]) - double(original[i]);
    errors[(i / k) * (k / groupSize) + (i % k) / groupSize] += d * d;
  }
  return errors;
}

struct SparqClipWeights
    : public sparq::impl::SparqClipWeightsBase<SparqClipWeights> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(verifyOptions(module)))
      return signalPassFailure();

    std::vector<sparq::ConstantWeightMatmul> targets;
    bool valid = true;
    for (sparq::ConstantWeightMatmul &target :
         sparq::collectConstantWeightMatmuls(module)) {
      if (sparq::matchesAnyPattern(target.name, skip) || target.k == 0 ||
          target.n == 0)
        continue;
      if (groupSize > 0 && target.k % groupSize != 0) {
        target.matmul.emitError("sparq-clip-weights: group-size ")
            << static_cast<int64_t>(groupSize)
            << " does not divide K = " << target.k << " of weight '"
            << target.name
            << "'; use the group size you will quantize with, or skip="
            << target.name;
        valid = false;
        continue;
      }
      targets.push_back(std::move(target));
    }
    if (!valid)
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    for (const sparq::ConstantWeightMatmul &target : targets)
      if (failed(clip(rewriter, target)))
        return signalPassFailure();
  }

  LogicalResult verifyOptions(ModuleOp module) {
    if (bits < 2 || bits > 8)
      return module.emitError("sparq-clip-weights: bits must be in [2, 8], "
                              "got ")
             << static_cast<unsigned>(bits);
    if (groupSize < 0)
      return module.emitError("sparq-clip-weights: group-size must be >= 0 "
                              "(0: per output channel), got ")
             << static_cast<int64_t>(groupSize);
    if (grid < 1)
      return module.emitError("sparq-clip-weights: grid must be >= 1");
    if (!(maxShrink > 0.0 && maxShrink < 1.0))
      return module.emitError("sparq-clip-weights: max-shrink must be in "
                              "(0, 1), got ")
             << static_cast<double>(maxShrink);
    return success();
  }

  LogicalResult clip(IRRewriter &rewriter,
                     const sparq::ConstantWeightMatmul &target) {
    std::vector<float> rows = target.readRows();
    if (failed(sparq::verifyFiniteWeights(target, rows)))
      return failure();
    int64_t n = target.n, k = target.k;
    int64_t group = groupSize == 0 ? k : static_cast<int64_t>(groupSize);
    int64_t groupsPerRow = k / group;

    std::vector<float> absMax(n * groupsPerRow, 0.0f);
    for (int64_t i = 0; i < n * k; ++i) {
      float &m = absMax[(i / k) * groupsPerRow + (i % k) / group];
      m = std::max(m, std::fabs(rows[i]));
    }

    // Every group is searched at once: candidate i clips each group to
    // ratio(i) times its own absmax, and each group keeps its best ratio.
    auto ratio = [&](unsigned i) {
      return 1.0 - double(i) * double(maxShrink) / double(grid);
    };
    std::vector<double> bestError = groupErrors(rows, rows, n, k, bits, group);
    std::vector<unsigned> bestStep(bestError.size(), 0);
    std::vector<float> candidate(rows.size());
    for (unsigned step = 1; step <= grid; ++step) {
      clipRows(rows, absMax, ratio(step), k, group, candidate);
      std::vector<double> errors =
          groupErrors(rows, candidate, n, k, bits, group);
      for (size_t g = 0; g < errors.size(); ++g)
        if (errors[g] < bestError[g]) {
          bestError[g] = errors[g];
          bestStep[g] = step;
        }
    }
    if (llvm::all_of(bestStep, [](unsigned step) { return step == 0; }))
      return success();

    // The clipped weights, back in the stored [K, N] layout.
    std::vector<float> clipped(k * n);
    for (int64_t row = 0; row < n; ++row)
      for (int64_t col = 0; col < k; ++col) {
        int64_t g = row * groupsPerRow + col / group;
        float limit = clipLimit(absMax[g], ratio(bestStep[g]));
        clipped[col * n + row] = std::clamp(rows[row * k + col], -limit, limit);
      }
    arith::ConstantOp weight = target.weight;
    rewriter.setInsertionPoint(weight);
    Value replacement = sparq::createF32Constant(rewriter, weight.getLoc(),
                                                 {k, n}, clipped, target.name);
    replacement.getDefiningOp()->setAttr(sparq::kWeightNameAttr,
                                         rewriter.getStringAttr(target.name));
    // Only this matmul sees the clipped weights; other users of the
    // constant keep the original.
    linalg::MatmulOp matmul = target.matmul;
    rewriter.modifyOpInPlace(
        matmul, [&] { matmul.getInputsMutable()[1].assign(replacement); });
    if (weight->use_empty())
      rewriter.eraseOp(weight);
    return success();
  }

  /// The clipping limit of a group: `ratio` of its absmax, as a float so the
  /// clipped group's absmax (and so its RTN scale) is exactly this value.
  static float clipLimit(float absMax, double ratio) {
    return static_cast<float>(double(absMax) * ratio);
  }

  static void clipRows(ArrayRef<float> rows, ArrayRef<float> absMax,
                       double ratio, int64_t k, int64_t group,
                       std::vector<float> &out) {
    int64_t groupsPerRow = k / group;
    for (size_t i = 0; i < rows.size(); ++i) {
      float limit =
          clipLimit(absMax[(i / k) * groupsPerRow + (i % k) / group], ratio);
      out[i] = std::clamp(rows[i], -limit, limit);
    }
  }
};

} // namespace
