//===- DecomposeOutliers.cpp - sparq-decompose-outliers -------------------===//
//
// Part of the sparq project.
//
// SqueezeLLM's dense-and-sparse decomposition: a fraction of every constant
// matmul weight is kept exactly in CSR outliers, and the rest is quantized
// with RTN (sparq.qmatmul) or per-channel codebooks (sparq.lut_matmul).
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"
#include "sparq/Quantization/Algorithms/Outliers.h"
#include "sparq/Reference/Packing.h"

#include <cmath>
#include <cstdio>

namespace sparq {
#define GEN_PASS_DEF_SPARQDECOMPOSEOUTLIERS
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {

struct SparqDecomposeOutliers
    : public sparq::impl::SparqDecomposeOutliersBase<SparqDecomposeOutliers> {
  using Base::Base;

  bool useCodebook() const { return dense == "codebook"; }

  LogicalResult verifyOptions(ModuleOp module) {
    double f = fraction;
    if (!(f >= 0.0 && f <= 0.5))
      return module.emitError("sparq-decompose-outliers: fraction must be in "
                              "[0, 0.5], got ")
             << f;
    if (dense != "rtn" && dense != "codebook")
      return module.emitError("sparq-decompose-outliers: dense must be 'rtn' "
                              "or 'codebook', got '")
             << dense << "'";
    unsigned numBits = bits;
    unsigned maxBits = useCodebook() ? 4 : 8;
    if (numBits < 2 || numBits > maxBits)
      return module.emitError("sparq-decompose-outliers: bits must be in [2, ")
             << maxBits << "] with dense=" << dense << ", got " << numBits;
    if (!useCodebook() && groupSize < 0)
      return module.emitError("sparq-decompose-outliers: group-size must be "
                              ">= 0 (0: per output channel), got ")
             << static_cast<int64_t>(groupSize);
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(verifyOptions(module)))
      return signalPassFailure();
    std::vector<sparq::ConstantWeightMatmul> targets;
    bool valid = true;
    for (sparq::ConstantWeightMatmul &target :
         sparq::collectConstantWeightMatmuls(module)) {
      // An empty weight has nothing to quantize (and no group to size).
      if (sparq::matchesAnyPattern(target.name, skip) || target.k == 0 ||
          target.n == 0)
        continue;
      if (!useCodebook() && groupSize > 0 && target.k % groupSize != 0) {
        linalg::MatmulOp matmul = target.matmul;
        matmul.emitError("sparq-decompose-outliers: group-size ")
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
    for (const sparq::ConstantWeightMatmul &target : targets)
      if (failed(decompose(rewriter, target)))
        return signalPassFailure();
  }

  LogicalResult decompose(IRRewriter &rewriter,
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
    sparq::quant::OutlierSplit split =
        sparq::quant::extractOutliers(rows, n, k, weights, fraction);

    linalg::MatmulOp matmul = target.matmul;
    Location loc = matmul.getLoc();
    rewriter.setInsertionPoint(matmul);
    auto resultType = cast<RankedTensorType>(matmul.getResult(0).getType());
    std::string scheme;
    int64_t bytesAfter = 0;
    std::vector<float> reconstructed;
    // Built after the dense part, which may rewrite the CSR values.
    auto outliers = [&]() -> sparq::OutlierConstants {
      if (split.outliers.values.empty())
        return {}; // nothing to add: no zero-sized operands
      bytesAfter += sparq::outlierBytes(split.outliers);
      return sparq::createOutlierConstants(rewriter, loc, split.outliers,
                                           target.name);
    };
    Operation *replacement;
    if (useCodebook()) {
      sparq::quant::CodebookResult c = sparq::quant::quantizeCodebookRemainder(
          split, n, k, numBits, maxIterations, weights);
      Value indices = sparq::createPackedConstant(
          rewriter, loc, c.indices, n, k, numBits, target.name + ".indices");
      int64_t entries = int64_t(1) << numBits;
      Value codebooks = sparq::createF32Constant(
          rewriter, loc, {n, entries}, c.codebooks, target.name + ".codebooks");
      sparq::OutlierConstants csr = outliers();
      replacement = sparq::LutMatmulOp::create(
          rewriter, loc, resultType, target.getActivations(), indices,
          codebooks, /*bias=*/Value(), csr.rowPtr, csr.colInd, csr.values,
          uint64_t(numBits));
      scheme = "lut-" + std::to_string(numBits);
      bytesAfter +=
          n * sparq::ref::packedRowBytes(k, numBits) + n * entries * 4;
      reconstructed = sparq::quant::dequantizeCodebook(c, n, k);
    } else {
      // Symmetric: with the outliers gone the remainder is centred enough.
      sparq::quant::RtnResult q = sparq::quant::quantizeRtnRemainder(
          split, n, k, numBits, groupSize, /*symmetric=*/true);
      int64_t groups = k / q.groupSize;
      Value qweights = sparq::createPackedConstant(
          rewriter, loc, q.codes, n, k, numBits, target.name + ".qweight");
      Value scales = sparq::createF32Constant(
          rewriter, loc, {n, groups}, q.params.scales, target.name + ".scales");
      sparq::OutlierConstants csr = outliers();
      auto storage =
          IntegerType::get(&getContext(), numBits, IntegerType::Signed);
      replacement = sparq::QMatmulOp::create(
          rewriter, loc, resultType, target.getActivations(), qweights, scales,
          /*zero_points=*/Value(), /*bias=*/Value(), csr.rowPtr, csr.colInd,
          csr.values, storage);
      scheme = "rtn-int" + std::to_string(numBits) + "-g" +
               std::to_string(q.groupSize) + "-sym";
      bytesAfter += n * sparq::ref::packedRowBytes(k, numBits) + n * groups * 4;
      reconstructed = sparq::quant::dequantizeRtn(q, n, k);
    }
    // The weight the op computes with: dense part plus outliers.
    const sparq::ref::CsrMatrix &s = split.outliers;
    for (int64_t row = 0; row < n; ++row)
      for (int32_t p = s.rowPtr[row]; p < s.rowPtr[row + 1]; ++p)
        reconstructed[row * k + s.colInd[p]] += s.values[p];
    char percent[32];
    std::snprintf(percent, sizeof(percent), "%g%%", fraction * 100.0);
    scheme += std::string("+sparse-") + percent;
    replacement->setAttr(sparq::kQuantInfoAttrName,
                         sparq::buildQuantInfo(&getContext(), target, scheme,
                                               bytesAfter, rows,
                                               reconstructed));
    sparq::finishWeightReplacement(rewriter, target, replacement->getResult(0));
    return success();
  }
};

} // namespace
