//===- QuantizeWeights.cpp - sparq-quantize-weights ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQQUANTIZEWEIGHTS
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqQuantizeWeights : public sparq::impl::SparqQuantizeWeightsBase<SparqQuantizeWeights> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-quantize-weights is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
