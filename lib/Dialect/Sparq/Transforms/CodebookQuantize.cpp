//===- CodebookQuantize.cpp - sparq-codebook-quantize ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/Passes.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQCODEBOOKQUANTIZE
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
// TODO(issue 6): not implemented yet.
struct SparqCodebookQuantize : public sparq::impl::SparqCodebookQuantizeBase<SparqCodebookQuantize> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("sparq-codebook-quantize is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
