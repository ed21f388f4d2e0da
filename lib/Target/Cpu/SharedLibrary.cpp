//===- SharedLibrary.cpp - From a module to a model library ---------------===//
//
// Part of the sparq project.
//
// The stages of sparqc's CPU path as reusable functions, so that passes which
// run the model they transform (sparq-calibrate, the quantization report)
// compile it exactly as sparqc does.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cpu/CpuTarget.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

FailureOr<sparq::cpu::LoweredModel>
sparq::cpu::lowerModelForCpu(func::FuncOp entry,
                             const CpuPipelineOptions &options) {
  ModuleOp module = entry->getParentOfType<ModuleOp>();
  FailureOr<ModelSignature> signature = getModelSignature(entry);
  if (failed(signature))
    return failure();
  LoweredModel lowered{std::move(*signature), entry.getSymName().str()};
  // The names and signedness now live in the signature; LLVM has no use for
  // them.
  entry.removeArgAttrsAttr();
  entry.removeResAttrsAttr();
  // The ABI wrapper calls the entry through its C interface (memref
  // descriptors by pointer); nothing else needs one.
  entry->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  PassManager pm(module.getContext());
  if (failed(buildCpuLoweringPipeline(pm, options)) || failed(pm.run(module)))
    return failure();
  return lowered;
}

bool sparq::cpu::linkModelLibrary(llvm::Module &llvmModule,
                                  const CpuCodegenOptions &codegen,
                                  const LoweredModel &lowered,
                                  llvm::StringRef outputPath,
                                  std::string &error) {
  llvm::SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("sparq-model", "o", objectPath)) {
    error = "cannot create a temporary object file: " + ec.message();
    return false;
  }
  llvm::FileRemover removeObject(objectPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec);
    if (ec) {
      error = ("cannot write " + objectPath + ": " + ec.message()).str();
      return false;
    }
    if (!emitMachineCode(llvmModule, codegen, OutputKind::Object, os, error))
      return false;
  }
  return linkSharedLibrary(
      objectPath, generateAbiSource(lowered.signature, lowered.entrySymbol),
      outputPath, error);
}

bool sparq::cpu::compileModuleToSharedLibrary(
    func::FuncOp entry, const CpuPipelineOptions &pipeline,
    const CpuCodegenOptions &codegen, llvm::StringRef outputPath,
    std::string &error) {
  ModuleOp module = entry->getParentOfType<ModuleOp>();
  FailureOr<LoweredModel> lowered = lowerModelForCpu(entry, pipeline);
  if (failed(lowered)) {
    error = "lowering for the CPU failed";
    return false;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, llvmContext, codegen, error);
  if (!llvmModule)
    return false;
  return linkModelLibrary(*llvmModule, codegen, *lowered, outputPath, error);
}
