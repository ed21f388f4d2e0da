//===- FoldCalibration.cpp - sparq-fold-calibration ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQFOLDCALIBRATION
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqFoldCalibration : public sparq::impl::SparqFoldCalibrationBase<SparqFoldCalibration> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-fold-calibration is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
