//===- SmoothQuant.cpp - sparq-smoothquant ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQSMOOTHQUANT
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqSmoothQuant : public sparq::impl::SparqSmoothQuantBase<SparqSmoothQuant> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-smoothquant is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
