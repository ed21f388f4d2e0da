//===- QuantizeWeights.cpp - sparq-quantize-weights -----------------------===//
//
// Part of the sparq project.
//
// Round-to-nearest quantization of every constant matmul weight into a
// sparq.qmatmul with packed weights and group-wise scales.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"
#include "sparq/Quantization/Algorithms/Rtn.h"
#include "sparq/Reference/Packing.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQQUANTIZEWEIGHTS
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

struct SparqQuantizeWeights
    : public sparq::impl::SparqQuantizeWeightsBase<SparqQuantizeWeights> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (bits < 2 || bits > 8) {
      module.emitError("sparq-quantize-weights: bits must be in [2, 8], got ")
          << static_cast<unsigned>(bits);
      return signalPassFailure();
    }
    if (groupSize < 0) {
      module.emitError("sparq-quantize-weights: group-size must be >= 0 "
                       "(0: per output channel), got ")
          << static_cast<int64_t>(groupSize);
      return signalPassFailure();
    }

    std::vector<sparq::ConstantWeightMatmul> targets;
    bool valid = true;
    for (sparq::ConstantWeightMatmul &target :
         sparq::collectConstantWeightMatmuls(module)) {
      // An empty weight has nothing to quantize (and no group to size).
      if (sparq::matchesAnyPattern(target.name, skip) || target.k == 0 ||
          target.n == 0)
        continue;
      // A group must not straddle two rows' worth of K, and a silent
      // fallback to another group size would change the accuracy the user
      // asked for, so an indivisible K is an error.
      if (groupSize > 0 && target.k % groupSize != 0) {
        linalg::MatmulOp matmul = target.matmul;
        matmul.emitError("sparq-quantize-weights: group-size ")
            << static_cast<int64_t>(groupSize)
            << " does not divide K = " << target.k << " of weight '"
            << target.name
            << "'; use a divisor of K, group-size=0 (per channel) or skip="
            << target.name;
        valid = false;
        continue;
      }
      targets.push_back(std::move(target));
    }
    if (!valid)
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    for (const sparq::ConstantWeightMatmul &target : targets) {
      if (failed(quantize(rewriter, target)))
        return signalPassFailure();
    }
  }

  LogicalResult quantize(IRRewriter &rewriter,
                         const sparq::ConstantWeightMatmul &target) {
    std::vector<float> rows = target.readRows();
    if (failed(sparq::verifyFiniteWeights(target, rows)))
      return failure();
    int64_t n = target.n, k = target.k;
    sparq::quant::RtnResult q =
        sparq::quant::quantizeRtn(rows, n, k, bits, groupSize, symmetric);
    int64_t groups = k / q.groupSize;

    linalg::MatmulOp matmul = target.matmul;
    Location loc = matmul.getLoc();
    rewriter.setInsertionPoint(matmul);
    Value weights = sparq::createPackedConstant(rewriter, loc, q.codes, n, k,
                                                bits, target.name + ".qweight");
    Value scales = sparq::createF32Constant(
        rewriter, loc, {n, groups}, q.params.scales, target.name + ".scales");
    Value zeroPoints;
    if (!symmetric)
      zeroPoints = sparq::createI8Constant(rewriter, loc, {n, groups},
                                           q.params.zeroPoints,
                                           target.name + ".zero_points");
    auto storage = IntegerType::get(&getContext(), bits,
                                    symmetric ? IntegerType::Signed
                                              : IntegerType::Unsigned);
    auto resultType = cast<RankedTensorType>(matmul.getResult(0).getType());
    auto qmatmul = sparq::QMatmulOp::create(
        rewriter, loc, resultType, target.getActivations(), weights, scales,
        zeroPoints, /*bias=*/Value(), Value(), Value(), Value(), storage);

    std::string scheme = (llvm::Twine("rtn-") + (symmetric ? "int" : "uint") +
                          llvm::Twine(bits) + "-g" + llvm::Twine(q.groupSize) +
                          (symmetric ? "-sym" : "-asym"))
                             .str();
    int64_t bytesAfter = n * sparq::ref::packedRowBytes(k, bits) +
                         n * groups * 4 + (symmetric ? 0 : n * groups);
    qmatmul->setAttr(
        sparq::kQuantInfoAttrName,
        sparq::buildQuantInfo(&getContext(), target, scheme, bytesAfter, rows,
                              sparq::quant::dequantizeRtn(q, n, k)));
    sparq::finishWeightReplacement(rewriter, target, qmatmul.getResult());
    return success();
  }
};

} // namespace
