//===- StridedCopiesToLinalg.cpp - strided memref.copy as linalg.copy -----===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sparq {
#define GEN_PASS_DEF_CONVERTSTRIDEDCOPIESTOLINALG
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
bool isContiguous(Value buffer) {
  return memref::isStaticShapeAndContiguousRowMajor(
      cast<MemRefType>(buffer.getType()));
}

/// Copies between contiguous buffers stay memref.copy (an llvm.memcpy);
/// the others become loops through linalg.copy.
struct StridedCopyToLinalg : public OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(op.getSource().getType()) ||
        !isa<MemRefType>(op.getTarget().getType()))
      return rewriter.notifyMatchFailure(op, "unranked memrefs");
    if (isContiguous(op.getSource()) && isContiguous(op.getTarget()))
      return rewriter.notifyMatchFailure(op, "a contiguous copy");
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct ConvertStridedCopiesToLinalgPass
    : public sparq::impl::ConvertStridedCopiesToLinalgBase<
          ConvertStridedCopiesToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<StridedCopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
