//===- DecomposeOutliers.cpp - sparq-decompose-outliers ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQDECOMPOSEOUTLIERS
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqDecomposeOutliers : public sparq::impl::SparqDecomposeOutliersBase<SparqDecomposeOutliers> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-decompose-outliers is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
