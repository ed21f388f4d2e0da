//===- MergeKernelModules.cpp - One gpu.module for all kernels ------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQGPUMERGEKERNELMODULES
#include "sparq/Target/Cuda/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
struct MergeKernelModulesPass
    : public sparq::impl::SparqGpuMergeKernelModulesBase<
          MergeKernelModulesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources =
        llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    SymbolTable topSymbols(module);
    if (Operation *existing = topSymbols.lookup(moduleName);
        existing && !isa<gpu::GPUModuleOp>(existing)) {
      existing->emitError()
          << "@" << moduleName << " is taken; the kernels' gpu.module needs it";
      return signalPassFailure();
    }
    auto merged =
        dyn_cast_or_null<gpu::GPUModuleOp>(topSymbols.lookup(moduleName));
    if (!merged) {
      OpBuilder builder(sources.front());
      merged = gpu::GPUModuleOp::create(builder, sources.front().getLoc(),
                                        moduleName);
      if (ArrayAttr targets = sources.front().getTargetsAttr())
        merged.setTargetsAttr(targets);
      topSymbols.insert(merged);
    }
    llvm::StringSet<> mergedNames;
    for (Operation &op : merged.getBody()->getOperations())
      if (auto symbol = dyn_cast<SymbolOpInterface>(op))
        mergedNames.insert(symbol.getName());

    for (gpu::GPUModuleOp source : sources) {
      if (source == merged)
        continue;
      // gpu.module has no terminator: every op of the body moves. Outlining
      // names kernels after their function, so kernels of different modules
      // share names: a kernel whose name is taken takes its (unique)
      // module's name, or that name with a suffix.
      StringAttr oldRoot = source.getNameAttr();
      llvm::DenseMap<StringAttr, StringAttr> renamedKernels;
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
            kernel && kernel.isKernel()) {
          if (mergedNames.contains(kernel.getName())) {
            std::string name = oldRoot.str();
            for (unsigned suffix = 0; mergedNames.contains(name); ++suffix)
              name = (oldRoot.getValue() + "_" + Twine(suffix)).str();
            renamedKernels[kernel.getNameAttr()] =
                StringAttr::get(&getContext(), name);
            kernel.setName(name);
          }
        } else if (symbol && mergedNames.contains(symbol.getName())) {
          // The same upstream symbol (a helper function, a global), copied
          // into each kernel's module: keep one.
          continue;
        }
        op.moveBefore(merged.getBody(), merged.getBody()->end());
        if (symbol)
          mergedNames.insert(symbol.getName());
      }
      auto newRoot = FlatSymbolRefAttr::get(merged.getNameAttr());
      module.walk([&](gpu::LaunchFuncOp launch) {
        SymbolRefAttr kernel = launch.getKernel();
        if (kernel.getRootReference() != oldRoot)
          return;
        StringAttr name = kernel.getLeafReference();
        if (StringAttr renamed = renamedKernels.lookup(name))
          name = renamed;
        launch.setKernelAttr(SymbolRefAttr::get(
            newRoot.getAttr(), {FlatSymbolRefAttr::get(name)}));
      });
      source.erase();
    }
  }
};
} // namespace
