//===- SharedLibrary.cpp - From a module to a GPU model library -----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/CudaTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"

using namespace mlir;

namespace {
bool isToolkit(llvm::StringRef root) {
  llvm::SmallString<256> ptxas(root);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  return llvm::sys::fs::can_execute(ptxas);
}

sparq::cuda::CudaToolkit describeToolkit(llvm::StringRef root) {
  sparq::cuda::CudaToolkit toolkit;
  toolkit.path = root.str();
  llvm::SmallString<256> libdevice(root);
  llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
  toolkit.hasLibdevice = llvm::sys::fs::exists(libdevice);
  return toolkit;
}
} // namespace

sparq::cuda::CudaToolkit
sparq::cuda::findCudaToolkit(llvm::StringRef requested) {
  if (!requested.empty())
    return isToolkit(requested) ? describeToolkit(requested) : CudaToolkit();
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (std::optional<std::string> root = llvm::sys::Process::GetEnv(variable))
      if (!root->empty() && isToolkit(*root))
        return describeToolkit(*root);
  if (isToolkit("/usr/local/cuda"))
    return describeToolkit("/usr/local/cuda");
  if (llvm::ErrorOr<std::string> ptxas = llvm::sys::findProgramByName("ptxas"))
    return describeToolkit(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas)));
  return CudaToolkit();
}

FailureOr<sparq::cuda::LoweredCudaModel>
sparq::cuda::lowerModelToKernels(func::FuncOp entry,
                                 const CudaPipelineOptions &options) {
  ModuleOp module = entry->getParentOfType<ModuleOp>();
  FailureOr<cpu::ModelSignature> signature = cpu::getModelSignature(entry);
  if (failed(signature))
    return failure();
  LoweredCudaModel lowered;
  lowered.signature = std::move(*signature);
  lowered.entrySymbol = entry.getSymName().str();
  lowered.arch = options.arch;
  entry.removeArgAttrsAttr();
  entry.removeResAttrsAttr();
  entry->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));

  registerCudaTranslations(*module.getContext());
  PassManager buffers(module.getContext());
  if (failed(buildCudaBufferizationPipeline(buffers, options)) ||
      failed(buffers.run(module)))
    return failure();
  // The weights the entry now takes after its inputs and outputs.
  for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i) {
    auto symbol =
        entry.getArgAttrOfType<FlatSymbolRefAttr>(i, "sparq.constant");
    if (!symbol)
      continue;
    auto type = cast<MemRefType>(entry.getArgument(i).getType());
    ConstantArgument constant;
    constant.symbol = symbol.getValue().str();
    constant.shape.assign(type.getShape().begin(), type.getShape().end());
    Type element = type.getElementType();
    constant.elementBytes =
        element.isIndex() ? 8 : (element.getIntOrFloatBitWidth() + 7) / 8;
    lowered.constants.push_back(std::move(constant));
  }
  entry.removeArgAttrsAttr();

  PassManager kernels(module.getContext());
  if (failed(buildCudaKernelPipeline(kernels, options)) ||
      failed(kernels.run(module)))
    return failure();
  // The host cannot touch device memory: anything still reading or writing
  // buffers outside the kernels is a bug of the lowering, not a slow path.
  WalkResult leftover = module.walk([](Operation *op) {
    if (op->getParentOfType<gpu::GPUModuleOp>())
      return WalkResult::skip();
    if (isa<scf::ParallelOp, memref::LoadOp, memref::StoreOp, memref::CopyOp,
            linalg::LinalgOp>(op)) {
      op->emitError() << "the CUDA lowering left '" << op->getName()
                      << "' in host code, which cannot access device memory";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (leftover.wasInterrupted())
    return failure();
  return lowered;
}

FailureOr<std::string> sparq::cuda::getKernelPtx(ModuleOp module) {
  std::string ptx;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(attr);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
        return binary.emitError()
                   << "holds no PTX (serialized in another format)",
               failure();
      ptx += object.getObject().getValue();
    }
  return ptx;
}

std::optional<std::string>
sparq::cuda::findUnresolvedLibdeviceCall(llvm::StringRef ptx) {
  llvm::Regex declaration("\\.extern \\.func[^\n]*(__nv_[A-Za-z0-9_]+)");
  llvm::SmallVector<llvm::StringRef> match;
  if (declaration.match(ptx, &match))
    return match[1].str();
  return std::nullopt;
}

llvm::StringRef sparq::cuda::getCudaRuntimeSource() {
  static const char text[] = {
#include "sparq_cuda_runtime.c.inc"
  };
  return llvm::StringRef(text, sizeof(text));
}

bool sparq::cuda::linkCudaModelLibrary(llvm::Module &llvmModule,
                                       const cpu::CpuCodegenOptions &codegen,
                                       const LoweredCudaModel &lowered,
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
    if (!cpu::emitMachineCode(llvmModule, codegen, cpu::OutputKind::Object, os,
                              error))
      return false;
  }
  cpu::SharedLibraryInputs inputs;
  inputs.abiSource = generateCudaAbiSource(lowered);
  inputs.extraSources.push_back(
      {"sparq_cuda_runtime.c", getCudaRuntimeSource().str()});
  // The driver is opened with dlopen; nothing else beyond libc.
  inputs.libraries = {"-ldl", "-lpthread"};
  inputs.extraExports = {"sparq_run_async"};
  return cpu::linkSharedLibrary(objectPath, inputs, outputPath, error);
}

void sparq::cuda::registerCudaTranslations(MLIRContext &context) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  context.appendDialectRegistry(registry);
}

std::unique_ptr<llvm::Module> sparq::cuda::translateHostModule(
    ModuleOp module, llvm::LLVMContext &llvmContext,
    const cpu::CpuCodegenOptions &codegen, std::string &error) {
  registerCudaTranslations(*module->getContext());
  return cpu::translateAndOptimize(module, llvmContext, codegen, error);
}
