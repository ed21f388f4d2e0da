//===- Calibrate.cpp - sparq-calibrate ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQCALIBRATE
#include "sparq/Quantization/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqCalibrate : public sparq::impl::SparqCalibrateBase<SparqCalibrate> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-calibrate is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
