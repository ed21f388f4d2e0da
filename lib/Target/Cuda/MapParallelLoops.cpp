//===- MapParallelLoops.cpp - Parallel loops to blocks and threads --------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQGPUMAPPARALLELLOOPS
#include "sparq/Target/Cuda/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
/// Largest grid size along y and z.
constexpr int64_t kMaxGridYZ = 65535;

gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *context,
                                      gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                              identity);
}

/// Iterations of dimension `d` of `loop`, if constant.
std::optional<int64_t> tripCount(scf::ParallelOp loop, unsigned d) {
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound()[d]);
  std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound()[d]);
  std::optional<int64_t> step = getConstantIntValue(loop.getStep()[d]);
  if (!lower || !upper || !step || *step <= 0)
    return std::nullopt;
  return *upper <= *lower ? 0 : llvm::divideCeil(*upper - *lower, *step);
}

struct MapParallelLoopsPass
    : public sparq::impl::SparqGpuMapParallelLoopsBase<MapParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize <= 0 || blockSize > 1024) {
      getOperation().emitError()
          << "block-size=" << blockSize << " is not in 1..1024";
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> outermost, nested;
    for (auto func : getOperation().getOps<func::FuncOp>())
      func.walk([&](scf::ParallelOp loop) {
        if (loop->hasAttr(gpu::getMappingAttrName()))
          return;
        if (loop->getParentOfType<scf::ParallelOp>())
          nested.push_back(loop);
        else
          outermost.push_back(loop);
      });
    // Nested parallel loops run sequentially in each thread (innermost
    // first: the walk visits them in post-order).
    for (scf::ParallelOp loop : nested)
      if (failed(sequentialize(loop)))
        return signalPassFailure();
    for (scf::ParallelOp loop : outermost)
      mapLoop(loop);
  }

  /// Rewrites a parallel loop nested in a mapped one as sequential loops
  /// (convert-parallel-loops-to-gpu only handles nested parallel loops
  /// directly in the body of the mapped one).
  static LogicalResult sequentialize(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitError()
             << "a parallel loop with reductions inside a kernel is not "
                "supported by the CUDA target";
    OpBuilder builder(loop);
    SmallVector<Value> ivs;
    Block *body = nullptr;
    for (unsigned d = 0; d < loop.getNumLoops(); ++d) {
      auto forOp =
          scf::ForOp::create(builder, loop.getLoc(), loop.getLowerBound()[d],
                             loop.getUpperBound()[d], loop.getStep()[d]);
      ivs.push_back(forOp.getInductionVar());
      body = forOp.getBody();
      builder.setInsertionPoint(body->getTerminator());
    }
    Block *parallelBody = loop.getBody();
    for (auto [iv, replacement] : llvm::zip(parallelBody->getArguments(), ivs))
      iv.replaceAllUsesWith(replacement);
    parallelBody->getTerminator()->erase();
    body->getOperations().splice(Block::iterator(body->getTerminator()),
                                 parallelBody->getOperations());
    loop.erase();
    return success();
  }

  void mapLoop(scf::ParallelOp loop) {
    MLIRContext *context = loop.getContext();
    unsigned rank = loop.getNumLoops();
    unsigned innermost = rank - 1;
    // A block covers up to blockSize iterations of the innermost dimension
    // (fewer when the dimension is shorter).
    int64_t threads = blockSize;
    if (std::optional<int64_t> count = tripCount(loop, innermost))
      threads = std::clamp<int64_t>(llvm::PowerOf2Ceil(*count), 1, blockSize);
    SmallVector<int64_t> tileSizes(rank, 1);
    tileSizes[innermost] = threads;
    // Tiles per dimension (the tiled loop's bounds are no longer constants).
    SmallVector<std::optional<int64_t>> tileCounts;
    for (unsigned d = 0; d < rank; ++d) {
      std::optional<int64_t> count = tripCount(loop, d);
      tileCounts.push_back(
          count ? std::optional<int64_t>(llvm::divideCeil(*count, tileSizes[d]))
                : std::nullopt);
    }
    auto [tiles, inner] =
        scf::tileParallelLoop(loop, tileSizes, /*noMinMaxBounds=*/true);

    // Tiles: innermost dimension first to blocks x, then y and z while they
    // fit. A dimension of one tile needs no block index (a dimension that
    // fits in one block, under a long outer one, leaves blocks x to it).
    SmallVector<gpu::ParallelLoopDimMappingAttr> tileMapping(
        rank, mapTo(context, gpu::Processor::Sequential));
    const gpu::Processor blockIds[] = {
        gpu::Processor::BlockX, gpu::Processor::BlockY, gpu::Processor::BlockZ};
    unsigned nextBlockId = 0;
    for (int d = rank - 1; d >= 0 && nextBlockId < 3; --d) {
      std::optional<int64_t> count = tileCounts[d];
      if (count && *count == 1)
        continue;
      if (nextBlockId > 0 && (!count || *count > kMaxGridYZ))
        continue;
      tileMapping[d] = mapTo(context, blockIds[nextBlockId++]);
    }
    (void)gpu::setMappingAttr(tiles, tileMapping);

    // Within a tile: the innermost dimension to threads x; the others have
    // one iteration.
    SmallVector<gpu::ParallelLoopDimMappingAttr> innerMapping(
        rank, mapTo(context, gpu::Processor::Sequential));
    innerMapping[innermost] = mapTo(context, gpu::Processor::ThreadX);
    (void)gpu::setMappingAttr(inner, innerMapping);
  }
};
} // namespace
