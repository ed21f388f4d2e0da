//===- OffloadHostMemoryAccesses.cpp - No device memory access on the host ===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
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
  Block *block = ops.front()->getBlock();
  SmallVector<Operation *> members(ops.begin(), ops.end());
  llvm::SmallPtrSet<Operation *, 16> group;
  auto usedOutside = [&](Operation *op) {
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        Operation *ancestor = block->findAncestorOpInBlock(*user);
        if (!ancestor || !group.contains(ancestor))
          return true;
      }
    return false;
  };
  // Drop pure ops the host needs until none is left (dropping one may
  // expose another that computes its operands).
  for (bool changed = true; changed;) {
    changed = false;
    group = llvm::SmallPtrSet<Operation *, 16>(members.begin(), members.end());
    SmallVector<Operation *> kept;
    for (Operation *op : members) {
      if (isPure(op) && usedOutside(op)) {
        changed = true;
        continue;
      }
      kept.push_back(op);
    }
    members = std::move(kept);
  }
  group = llvm::SmallPtrSet<Operation *, 16>(members.begin(), members.end());
  for (Operation *op : members)
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
  for (Operation *op : members)
    op->moveBefore(terminator);
  return success();
}

/// Whether `op` (or an op nested in it) writes to `buffer` itself.
bool writesTo(Operation *op, Value buffer) {
  WalkResult walk = op->walk([&](Operation *nested) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects)
      return nested->getNumRegions() || isPure(nested) ||
                     nested->hasTrait<OpTrait::IsTerminator>()
                 ? WalkResult::advance()
                 : WalkResult::interrupt(); // unknown: assume it writes
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const MemoryEffects::EffectInstance &e : instances)
      if (isa<MemoryEffects::Write>(e.getEffect()) &&
          (!e.getValue() || e.getValue() == buffer))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return walk.wasInterrupted();
}

/// A value the host loads and kernels use (a scalar input, a reduction's
/// result feeding the next elementwise loop) is loaded again inside each
/// parallel loop that uses it, with the pure ops computing from it; the
/// host keeps no copy. Done when nothing from the load to the loop writes
/// the buffer. Returns whether `load` was sunk.
bool sinkLoadIntoLoops(memref::LoadOp load) {
  Block *block = load->getBlock();
  // The load and the pure ops of the host that compute from it.
  llvm::SetVector<Operation *> chain;
  chain.insert(load);
  llvm::SetVector<scf::ParallelOp> loops;
  for (size_t i = 0; i < chain.size(); ++i)
    for (Value result : chain[i]->getResults())
      for (Operation *user : result.getUsers()) {
        Operation *top = block->findAncestorOpInBlock(*user);
        if (!top)
          return false;
        if (top == user && isPure(user) && user->getNumRegions() == 0) {
          chain.insert(user);
          continue;
        }
        auto loop = dyn_cast<scf::ParallelOp>(top);
        if (!loop)
          return false;
        loops.insert(loop);
      }
  Value buffer = load.getMemRef();
  for (scf::ParallelOp loop : loops) {
    if (writesTo(loop, buffer))
      return false;
    for (Operation *op = load->getNextNode(); op != loop;
         op = op->getNextNode())
      if (writesTo(op, buffer))
        return false;
  }
  // Chain ops are in block order (each user follows what it uses).
  SmallVector<Operation *> ordered = chain.takeVector();
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (scf::ParallelOp loop : loops) {
    OpBuilder builder = OpBuilder::atBlockBegin(loop.getBody());
    IRMapping mapping;
    for (Operation *op : ordered)
      builder.clone(*op, mapping);
    for (Operation *op : ordered)
      for (Value result : op->getResults())
        result.replaceUsesWithIf(mapping.lookup(result), [&](OpOperand &use) {
          return loop->isProperAncestor(use.getOwner());
        });
  }
  for (Operation *op : llvm::reverse(ordered))
    if (op->use_empty())
      op->erase();
  return true;
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
      for (Block &block : func.getBody()) {
        SmallVector<memref::LoadOp> loads(block.getOps<memref::LoadOp>());
        for (memref::LoadOp load : loads)
          (void)sinkLoadIntoLoops(load);
      }
      for (Block &block : func.getBody())
        if (failed(offloadBlock(block)))
          return signalPassFailure();
    }
  }
};
} // namespace
