//===- CodebookQuantize.cpp - sparq-codebook-quantize ---------------------===//
//
// Part of the sparq project.
//
// SqueezeLLM-style non-uniform quantization: every constant matmul weight
// becomes a sparq.lut_matmul with one k-means codebook per output channel.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"
#include "sparq/Quantization/Algorithms/KMeans.h"
#include "sparq/Reference/Packing.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQCODEBOOKQUANTIZE
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

struct SparqCodebookQuantize
    : public sparq::impl::SparqCodebookQuantizeBase<SparqCodebookQuantize> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    unsigned numBits = bits;
    if (numBits < 2 || numBits > 4) {
      module.emitError("sparq-codebook-quantize: bits must be in [2, 4], got ")
          << numBits;
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (const sparq::ConstantWeightMatmul &target :
         sparq::collectConstantWeightMatmuls(module)) {
      // An empty weight has nothing to quantize (and no group to size).
      if (sparq::matchesAnyPattern(target.name, skip) || target.k == 0 ||
          target.n == 0)
        continue;
      if (failed(quantize(rewriter, target)))
        return signalPassFailure();
    }
  }

  LogicalResult quantize(IRRewriter &rewriter,
                         const sparq::ConstantWeightMatmul &target) {
    std::vector<float> rows = target.readRows();
    if (failed(sparq::verifyFiniteWeights(target, rows)))
      return failure();
    std::vector<float> weights;
    if (!sensitivity.empty()) {
      FailureOr<std::vector<float>> read =
          sparq::readSensitivity(sensitivity, target);
      if (failed(read))
        return failure();
      weights = std::move(*read);
    }
    int64_t n = target.n, k = target.k;
    unsigned numBits = bits;
    sparq::quant::CodebookResult c = sparq::quant::quantizeCodebook(
        rows, n, k, numBits, maxIterations, weights);

    linalg::MatmulOp matmul = target.matmul;
    Location loc = matmul.getLoc();
    rewriter.setInsertionPoint(matmul);
    Value indices = sparq::createPackedConstant(
        rewriter, loc, c.indices, n, k, numBits, target.name + ".indices");
    int64_t entries = int64_t(1) << numBits;
    Value codebooks = sparq::createF32Constant(
        rewriter, loc, {n, entries}, c.codebooks, target.name + ".codebooks");
    auto resultType = cast<RankedTensorType>(matmul.getResult(0).getType());
    auto lut = sparq::LutMatmulOp::create(
        rewriter, loc, resultType, target.getActivations(), indices, codebooks,
        /*bias=*/Value(), Value(), Value(), Value(), uint64_t(numBits));
    int64_t bytesAfter =
        n * sparq::ref::packedRowBytes(k, numBits) + n * entries * 4;
    lut->setAttr(
        sparq::kQuantInfoAttrName,
        sparq::buildQuantInfo(&getContext(), target,
                              "lut-" + std::to_string(numBits), bytesAfter,
                              rows, sparq::quant::dequantizeCodebook(c, n, k)));
    sparq::finishWeightReplacement(rewriter, target, lut.getResult());
    return success();
  }
};

} // namespace
