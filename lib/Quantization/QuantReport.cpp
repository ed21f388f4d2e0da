//===- QuantReport.cpp - sparq-quant-report ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Quantization/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQQUANTREPORT
#include "sparq/Quantization/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqQuantReport : public sparq::impl::SparqQuantReportBase<SparqQuantReport> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-quant-report is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
