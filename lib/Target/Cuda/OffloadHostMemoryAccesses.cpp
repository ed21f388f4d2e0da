//===- OffloadHostMemoryAccesses.cpp - No device memory access on the host ===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQGPUOFFLOADHOSTMEMORYACCESSES
#include "sparq/Target/Cuda/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
/// Rewrites `copy` as a parallel loop of loads and stores over the target's
/// shape (rank 0: a load and a store, wrapped later like any access).
void rewriteCopyAsLoop(memref::CopyOp copy) {
  OpBuilder builder(copy);
  Location loc = copy.getLoc();
  Value source = copy.getSource(), target = copy.getTarget();
  auto type = cast<MemRefType>(target.getType());
  if (type.getRank() == 0) {
    Value value = memref::LoadOp::create(builder, loc, source, ValueRange{});
    memref::StoreOp::create(builder, loc, value, target, ValueRange{});
    copy.erase();
    return;
  }
  SmallVector<Value> lower, upper, steps;
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  for (int64_t d = 0; d < type.getRank(); ++d) {
    lower.push_back(zero);
    steps.push_back(one);
    upper.push_back(memref::DimOp::create(builder, loc, target, d));
  }
  scf::ParallelOp::create(
      builder, loc, lower, upper, steps,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange indices) {
        Value value =
            memref::LoadOp::create(nested, nestedLoc, source, indices);
        memref::StoreOp::create(nested, nestedLoc, value, target, indices);
      });
  copy.erase();
}

/// Whether `op` itself reads or writes a buffer (allocation and
/// deallocation stay on the host: they only manage addresses).
bool accessesMemory(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, func::CallOp>(op))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()) &&
           e.getValue() && isa<BaseMemRefType>(e.getValue().getType());
  });
}

/// Whether `op` must run on the device: it or an op nested in it touches a
/// buffer. Parallel loops are left to the loop mapping.
bool needsDevice(Operation *op) {
  if (isa<scf::ParallelOp>(op))
    return false;
  bool found = false;
  op->walk([&](Operation *nested) {
    if (isa<scf::ParallelOp>(nested) && nested != op)
      return WalkResult::skip();
    if (accessesMemory(nested)) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

/// Moves `ops` (consecutive in one block) into a one-iteration parallel
/// loop placed after them. Pure ops whose results are also used after the
/// run stay where they are; the pass fails if the host uses a result of an
/// op that touched memory.
LogicalResult wrapInSerialLoop(ArrayRef<Operation *> ops) {
  llvm::SetVector<Operation *> group(ops.begin(), ops.end());
  Block *block = ops.front()->getBlock();
  auto usedOutside = [&](Operation *op) {
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        Operation *ancestor = block->findAncestorOpInBlock(*user);
        if (!ancestor || !group.contains(ancestor))
          return true;
      }
    return false;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *op : group.takeVector()) {
      if (isPure(op) && usedOutside(op)) {
        changed = true;
        continue;
      }
      group.insert(op);
    }
    if (!changed)
      break;
  }
  for (Operation *op : group)
    if (usedOutside(op))
      return op->emitError()
             << "reads device memory into a value the host code needs; "
                "the CUDA target cannot run it on the host";
  OpBuilder builder(block, std::next(Block::iterator(ops.back())));
  Location loc = ops.front()->getLoc();
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto loop = scf::ParallelOp::create(builder, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  Operation *terminator = loop.getBody()->getTerminator();
  for (Operation *op : group)
    op->moveBefore(terminator);
  return success();
}

/// Wraps each run of consecutive device-touching ops of `block` (and of the
/// blocks of host control flow inside it) in a serial loop.
LogicalResult offloadBlock(Block &block) {
  SmallVector<SmallVector<Operation *>> runs;
  SmallVector<Operation *> current;
  for (Operation &op : block) {
    if (needsDevice(&op)) {
      // Control flow that only partly touches memory (an scf.if around
      // deallocations and a copy) is split where possible: its regions
      // are offloaded one op at a time instead.
      if (op.getNumRegions() && !isa<scf::ForOp, scf::WhileOp>(op) &&
          op.getNumResults() == 0) {
        if (!current.empty())
          runs.push_back(std::move(current));
        current.clear();
        for (Region &region : op.getRegions())
          for (Block &nested : region)
            if (failed(offloadBlock(nested)))
              return failure();
        continue;
      }
      current.push_back(&op);
      continue;
    }
    // Pure ops between accesses (index arithmetic) may join the run;
    // anything else ends it.
    if (!current.empty() && isPure(&op) && op.getNumRegions() == 0 &&
        !op.hasTrait<OpTrait::IsTerminator>()) {
      current.push_back(&op);
      continue;
    }
    if (!current.empty())
      runs.push_back(std::move(current));
    current.clear();
  }
  if (!current.empty())
    runs.push_back(std::move(current));
  for (auto &run : runs) {
    // Trailing pure ops belong to what follows.
    while (!run.empty() && !needsDevice(run.back()))
      run.pop_back();
    if (!run.empty() && failed(wrapInSerialLoop(run)))
      return failure();
  }
  return success();
}

struct OffloadHostMemoryAccessesPass
    : public sparq::impl::SparqGpuOffloadHostMemoryAccessesBase<
          OffloadHostMemoryAccessesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<memref::CopyOp> copies;
      func.walk([&](memref::CopyOp copy) {
        if (!copy->getParentOfType<scf::ParallelOp>())
          copies.push_back(copy);
      });
      for (memref::CopyOp copy : copies)
        rewriteCopyAsLoop(copy);
      for (Block &block : func.getBody())
        if (failed(offloadBlock(block)))
          return signalPassFailure();
    }
  }
};
} // namespace
