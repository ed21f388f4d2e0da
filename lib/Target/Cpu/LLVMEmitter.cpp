//===- LLVMEmitter.cpp - LLVM IR and machine code for the CPU -------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cpu/CpuTarget.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace {
/// A target machine for the host triple and the requested CPU, producing
/// position-independent code (the result goes into a shared library).
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const sparq::cpu::CpuCodegenOptions &options,
                    std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SmallVector<std::string> enabled;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      enabled.push_back((feature.second ? "+" : "-") + feature.getKey().str());
    features = llvm::join(enabled, ",");
  }
  llvm::CodeGenOptLevel level = options.optLevel >= 3
                                    ? llvm::CodeGenOptLevel::Aggressive
                                    : llvm::CodeGenOptLevel::Default;
  // Constructors (the CUDA target registers its kernels from one) go into
  // .init_array, which the loader runs, as clang does; the legacy .ctors
  // section is not run by today's crtbegin.
  llvm::TargetOptions targetOptions;
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for CPU '" + options.cpu + "'";
  return machine;
}
} // namespace

bool sparq::cpu::cpuHasFeature(const CpuCodegenOptions &options,
                               llvm::StringRef feature) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  return machine &&
         machine->getMCSubtargetInfo()->checkFeatures(("+" + feature).str());
}

unsigned sparq::cpu::vectorBitsForCpu(const CpuCodegenOptions &options) {
  if (cpuHasFeature(options, "avx512f"))
    return 512;
  return cpuHasFeature(options, "avx2") ? 256 : 0;
}

std::unique_ptr<llvm::Module> sparq::cpu::translateAndOptimize(
    ModuleOp module, llvm::LLVMContext &llvmContext,
    const CpuCodegenOptions &options, std::string &error) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "sparq_model");
  if (!llvmModule) {
    error = "cannot translate the lowered module to LLVM IR";
    return nullptr;
  }
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return nullptr;
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = "LLVM optimization failed: " + llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

bool sparq::cpu::emitMachineCode(llvm::Module &module,
                                 const CpuCodegenOptions &options,
                                 OutputKind kind, llvm::raw_pwrite_stream &os,
                                 std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return false;
  module.setDataLayout(machine->createDataLayout());
  llvm::legacy::PassManager passes;
  llvm::CodeGenFileType fileType = kind == OutputKind::Object
                                       ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile;
  if (machine->addPassesToEmitFile(passes, os, nullptr, fileType)) {
    error = "the target cannot emit this kind of file";
    return false;
  }
  passes.run(module);
  return true;
}
