//===- HoistConstants.cpp - Constants become entry arguments -------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"

namespace sparq {
#define GEN_PASS_DEF_SPARQGPUHOISTCONSTANTS
#include "sparq/Target/Cuda/Passes.h.inc"
} // namespace sparq

using namespace mlir;

namespace {
struct HoistConstantsPass
    : public sparq::impl::SparqGpuHoistConstantsBase<HoistConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    unsigned nextIndex = 0;
    // Globals already renamed, by their new name.
    llvm::DenseSet<StringAttr> renamed;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      // The constants the function reads, in order of first use.
      llvm::MapVector<memref::GlobalOp, SmallVector<memref::GetGlobalOp>> reads;
      WalkResult walk = func.walk([&](memref::GetGlobalOp get) {
        auto global = symbols.lookup<memref::GlobalOp>(get.getName());
        if (!global || !global.getConstant())
          return WalkResult::advance();
        if (func.isPrivate()) {
          get.emitError() << "private function @" << func.getSymName()
                          << " reads constant @" << get.getName()
                          << "; on the GPU only public (entry) functions "
                             "may, which receive the device copies";
          return WalkResult::interrupt();
        }
        reads[global].push_back(get);
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
      for (auto &[global, gets] : reads) {
        if (!renamed.contains(global.getSymNameAttr())) {
          std::string name =
              llvm::formatv("__sparq_const_{0}", nextIndex++).str();
          while (symbols.lookup(name))
            name = llvm::formatv("__sparq_const_{0}", nextIndex++).str();
          if (failed(symbols.rename(global, name)))
            return signalPassFailure();
          global.setPublic();
          renamed.insert(global.getSymNameAttr());
        }
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(
                index, global.getType(),
                DictionaryAttr::get(
                    &getContext(),
                    {NamedAttribute(
                        StringAttr::get(&getContext(), "sparq.constant"),
                        FlatSymbolRefAttr::get(global.getSymNameAttr()))}),
                global.getLoc())))
          return signalPassFailure();
        Value argument = func.getArgument(index);
        for (memref::GetGlobalOp get : gets) {
          get.replaceAllUsesWith(argument);
          get.erase();
        }
      }
    }
  }
};
} // namespace
