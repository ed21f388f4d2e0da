//===- Pipelines.cpp - Named quantization pipelines -----------------------===//
//
// Part of the sparq project.
//
// Recipes of the quantization passes under the names users know them by,
// for sparq-opt (--sparq-w4a16="group-size=64") and sparqc (--quant=w4a16).
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {
struct W4A16Options : public PassPipelineOptions<W4A16Options> {
  Option<int64_t> groupSize{*this, "group-size",
                            llvm::cl::desc("Weights per scale along K (0: per "
                                           "output channel)"),
                            llvm::cl::init(128)};
  ListOption<std::string> skip{
      *this, "skip",
      llvm::cl::desc("Weights left in fp32 (glob patterns, e.g. lm_head*)")};
};

struct SqueezeLLMOptions : public PassPipelineOptions<SqueezeLLMOptions> {
  Option<unsigned> bits{*this, "bits",
                        llvm::cl::desc("Codebook index bits (2 to 4)"),
                        llvm::cl::init(3)};
  Option<double> fraction{
      *this, "fraction",
      llvm::cl::desc("Fraction of each weight kept exactly in CSR"),
      llvm::cl::init(0.0045)};
  Option<std::string> sensitivity{
      *this, "sensitivity",
      llvm::cl::desc("Directory of <weight name>.npy sensitivities (empty: "
                     "unweighted k-means, magnitude outliers)"),
      llvm::cl::init("")};
  ListOption<std::string> skip{
      *this, "skip", llvm::cl::desc("Weights left in fp32 (glob patterns)")};
};

struct W8A8SmoothQuantOptions
    : public PassPipelineOptions<W8A8SmoothQuantOptions> {
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Directory of calibration samples (see sparq-calibrate)"),
      llvm::cl::init("")};
  Option<double> alpha{*this, "alpha",
                       llvm::cl::desc("SmoothQuant migration strength"),
                       llvm::cl::init(0.5)};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("Activation scales: static (calibrated, per tensor) or "
                     "dynamic (per token at run time)"),
      llvm::cl::init("static")};
  Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("Percentile of |x| calibration records as absmax"),
      llvm::cl::init(100.0)};
};

void buildW4A16Pipeline(OpPassManager &pm, const W4A16Options &options) {
  sparq::SparqQuantizeWeightsOptions weights;
  weights.bits = 4;
  weights.groupSize = options.groupSize;
  weights.symmetric = true;
  weights.skip.assign(options.skip.begin(), options.skip.end());
  pm.addPass(sparq::createSparqQuantizeWeights(weights));
}

void buildSqueezeLLMPipeline(OpPassManager &pm,
                             const SqueezeLLMOptions &options) {
  sparq::SparqDecomposeOutliersOptions outliers;
  outliers.dense = "codebook";
  outliers.bits = options.bits;
  outliers.fraction = options.fraction;
  outliers.sensitivity = options.sensitivity;
  outliers.skip.assign(options.skip.begin(), options.skip.end());
  pm.addPass(sparq::createSparqDecomposeOutliers(outliers));
}

void buildW8A8SmoothQuantPipeline(OpPassManager &pm,
                                  const W8A8SmoothQuantOptions &options) {
  sparq::SparqCalibrateOptions calibrate;
  calibrate.inputs = options.calibration;
  calibrate.percentile = options.percentile;
  pm.addPass(sparq::createSparqCalibrate(calibrate));
  sparq::SparqSmoothQuantOptions smooth;
  smooth.alpha = options.alpha;
  pm.addPass(sparq::createSparqSmoothQuant(smooth));
  sparq::SparqFoldCalibrationOptions fold;
  fold.activations = options.activations;
  pm.addPass(sparq::createSparqFoldCalibration(fold));
}
} // namespace

void sparq::registerQuantizationPipelines() {
  PassPipelineRegistration<W4A16Options>(
      "sparq-w4a16",
      "Weight-only int4 (symmetric, group-wise RTN) quantization of every "
      "constant-weight matmul into sparq.qmatmul; activations stay float",
      buildW4A16Pipeline);
  PassPipelineRegistration<SqueezeLLMOptions>(
      "sparq-squeezellm",
      "SqueezeLLM: dense-and-sparse decomposition with per-channel k-means "
      "codebooks (sparq.lut_matmul with CSR outliers)",
      buildSqueezeLLMPipeline);
  PassPipelineRegistration<W8A8SmoothQuantOptions>(
      "sparq-w8a8-smoothquant",
      "W8A8 SmoothQuant: calibrate on `calibration`, migrate activation "
      "outliers into the weights, and fold the statistics into "
      "sparq.int_matmul",
      buildW8A8SmoothQuantPipeline);
}
