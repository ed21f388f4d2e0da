//===- GenerateGpuKernels.cpp - CUDA kernels and their launchers ----------===//
//
// Part of the sparq project.
//
// generate-sparq-gpu-kernels: every launcher declaration that
// convert-sparq-to-gpu-kernels made gets a body that launches a kernel
// built here, in the gpu.module of its chip. The kernels take the
// launcher's memrefs unchanged.
//
//===----------------------------------------------------------------------===//

#include "GpuKernelSpec.h"
#include "KernelBuilder.h"

#include "sparq/Conversion/Passes.h"
#include "sparq/Conversion/SparqToGpuKernels/SparqToGpuKernels.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

namespace sparq {
#define GEN_PASS_DEF_GENERATESPARQGPUKERNELS
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t expectedArgCount(const GpuKernelSpec &spec) {
  if (spec.weights == WeightKind::int8)
    return 3 + 2 * spec.isRescaled() + spec.hasBias;
  return 4 + spec.hasZeroPoints + spec.hasBias + 3 * spec.hasOutliers +
         spec.hasResidual;
}

/// Whether a W8A8 launcher's memrefs have the element types and shapes the
/// kernel reads and writes (its arguments are memrefs, checked before).
bool hasInt8Types(const GpuKernelSpec &spec, FunctionType type) {
  auto memref = [&](unsigned i) { return cast<MemRefType>(type.getInput(i)); };
  auto hasShape = [](MemRefType t, ArrayRef<int64_t> shape) {
    return t.getShape() == shape;
  };
  unsigned last = type.getNumInputs() - 1;
  Type yElement = memref(last).getElementType();
  bool validY =
      spec.isRescaled() ? isa<FloatType>(yElement) : yElement.isInteger(32);
  if (!memref(0).getElementType().isInteger(8) ||
      !memref(1).getElementType().isInteger(8) || !validY ||
      !hasShape(memref(0), {spec.m, spec.k}) ||
      !hasShape(memref(1), {spec.n, spec.k}) ||
      !hasShape(memref(last), {spec.m, spec.n}))
    return false;
  for (unsigned i = 2; i < last; ++i)
    if (!isa<FloatType>(memref(i).getElementType()))
      return false;
  if (spec.isRescaled() &&
      (!hasShape(memref(2),
                 {spec.inputScales == ScaleKind::perRow ? spec.m : 1, 1}) ||
       !hasShape(memref(3),
                 {spec.weightScales == ScaleKind::perRow ? spec.n : 1, 1})))
    return false;
  return !spec.hasBias || hasShape(memref(4), {spec.n});
}

/// The gpu.module holding the kernels for `chip`, created once.
gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module, StringRef chip) {
  std::string name = ("sparq_kernels_" + chip).str();
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(name))
    return existing;
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  // PTX 8.0 (CUDA 12.0) covers sm_80 to sm_90a; newer chips need 8.6.
  StringRef features = smVersion(chip) >= 100 ? "+ptx86" : "+ptx80";
  auto target =
      NVVM::NVVMTargetAttr::get(module.getContext(), /*optLevel=*/3,
                                "nvptx64-nvidia-cuda", chip, features);
  return gpu::GPUModuleOp::create(b, module.getLoc(), name,
                                  b.getArrayAttr({target}));
}

LogicalResult generateLauncher(func::FuncOp launcher) {
  auto spec = GpuKernelSpec::fromAttr(
      launcher->getAttrOfType<DictionaryAttr>(kGpuKernelAttrName));
  if (failed(spec))
    return launcher.emitError("malformed ")
           << kGpuKernelAttrName << " attribute on launcher @"
           << launcher.getSymName();
  FunctionType type = launcher.getFunctionType();
  if (static_cast<int64_t>(type.getNumInputs()) != expectedArgCount(*spec) ||
      type.getNumResults() != 0 ||
      !llvm::all_of(type.getInputs(), llvm::IsaPred<MemRefType>))
    return launcher.emitError("launcher @")
           << launcher.getSymName() << " should take "
           << expectedArgCount(*spec) << " memrefs and return nothing for its "
           << kGpuKernelAttrName << " spec";

  if (spec->weights == WeightKind::int8 && !hasInt8Types(*spec, type)) {
    std::string expected = llvm::formatv(
        "i8 activations [{0}, {1}] and weights [{2}, {1}], float scales ([M "
        "or 1, 1], [N or 1, 1]) and bias [N], and write {3} y [{0}, {2}]",
        spec->m, spec->k, spec->n, spec->isRescaled() ? "float" : "i32");
    return launcher.emitError("launcher @")
           << launcher.getSymName() << " should take " << expected
           << " for its " << kGpuKernelAttrName << " spec";
  }

  // Split-K adds partial sums into y with atomics after zeroing it.
  auto yType = cast<MemRefType>(type.getInputs().back());
  if (spec->isSplitK() &&
      (!hasSplitKResultType(*spec, yType.getElementType()) ||
       yType.getShape() != ArrayRef<int64_t>{spec->m, spec->n}))
    return launcher.emitError("launcher @")
           << launcher.getSymName() << " should write "
           << (spec->weights == WeightKind::int8 && !spec->isRescaled() ? "i32"
                                                                        : "f32")
           << " y [" << spec->m << ", " << spec->n
           << "] for the split-K of its " << kGpuKernelAttrName << " spec";

  auto module = launcher->getParentOfType<ModuleOp>();
  gpu::GPUModuleOp kernelModule = getOrCreateKernelModule(module, spec->chip);
  bool isGemv = spec->family == KernelFamily::gemv;
  int64_t threads = isGemv ? 32 * schedule::kGemvWarpsPerBlock
                           : 32 * schedule::kGemmWarpsPerBlock;
  int64_t gridX = isGemv ? ceilDiv(spec->n, schedule::kGemvWarpsPerBlock *
                                                gemvRowsPerWarp(*spec))
                         : ceilDiv(spec->n, schedule::kGemmBlockCols);
  int64_t gridY =
      isGemv ? spec->kSplits : ceilDiv(spec->m, schedule::kGemmBlockRows);

  OpBuilder b(launcher.getContext());
  b.setInsertionPointToEnd(&kernelModule.getBodyRegion().front());
  auto kernel =
      gpu::GPUFuncOp::create(b, launcher.getLoc(), launcher.getSymName(), type);
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  if (spec->weights == WeightKind::int8) {
    if (isGemv)
      buildInt8GemvKernel(kernel, *spec);
    else
      buildInt8GemmKernel(kernel, *spec);
  } else if (isGemv) {
    buildGemvKernel(kernel, *spec);
  } else {
    // Left to itself, ptxas caps the uniform-weight GEMM at 96 registers
    // and spills; 128 still lets 4 blocks share an SM. The codebook GEMM
    // keeps its lookups in flight up to any cap it is given and spills at
    // it, while it fits without one.
    if (spec->weights == WeightKind::uniform)
      kernel->setAttr(NVVM::NVVMDialect::getMaxnregAttrName(),
                      b.getI32IntegerAttr(schedule::kGemmMaxRegisters));
    buildGemmKernel(kernel, *spec);
  }

  launcher->removeAttr(kGpuKernelAttrName);
  Block *entry = launcher.addEntryBlock();
  auto lb = ImplicitLocOpBuilder::atBlockEnd(launcher.getLoc(), entry);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(lb, v);
  };
  Value one = constant(1);
  if (spec->isSplitK()) {
    // The splits add into y: zero it first, in a kernel of its own (the
    // launches are ordered on the stream).
    OpBuilder::InsertionGuard guard(b);
    Value y = entry->getArguments().back();
    auto zeroType = b.getFunctionType({y.getType()}, {});
    auto zeroFill = gpu::GPUFuncOp::create(
        b, launcher.getLoc(), (launcher.getSymName() + "_zero_fill").str(),
        zeroType);
    zeroFill->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      b.getUnitAttr());
    constexpr int32_t kZeroFillThreads = 256;
    zeroFill.setKnownBlockSizeAttr(
        b.getDenseI32ArrayAttr({kZeroFillThreads, 1, 1}));
    buildZeroFillKernel(zeroFill, spec->m, spec->n);
    gpu::LaunchFuncOp::create(
        lb, zeroFill,
        gpu::KernelDim3{constant(ceilDiv(spec->m * spec->n, kZeroFillThreads)),
                        one, one},
        gpu::KernelDim3{constant(kZeroFillThreads), one, one},
        /*dynamicSharedMemorySize=*/Value(), ValueRange{y});
  }
  gpu::LaunchFuncOp::create(
      lb, kernel, gpu::KernelDim3{constant(gridX), constant(gridY), one},
      gpu::KernelDim3{constant(threads), one, one},
      /*dynamicSharedMemorySize=*/Value(), entry->getArguments());
  func::ReturnOp::create(lb);
  return success();
}

struct GenerateSparqGpuKernelsPass
    : public sparq::impl::GenerateSparqGpuKernelsBase<
          GenerateSparqGpuKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> launchers;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(kGpuKernelAttrName) && func.isDeclaration())
        launchers.push_back(func);
    if (launchers.empty())
      return;
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(&getContext()));
    for (func::FuncOp launcher : launchers)
      if (failed(generateLauncher(launcher)))
        return signalPassFailure();
  }
};

struct GpuModuleToBinaryOptions
    : public PassPipelineOptions<GpuModuleToBinaryOptions> {
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("isa (PTX), bin (cubin) or fatbin"),
                             llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit (ptxas, libdevice) for bin and fatbin"),
      llvm::cl::init("/usr/local/cuda")};
};

} // namespace

void sparq::addSparqGpuKernelPasses(OpPassManager &pm,
                                    const GpuKernelOptions &) {
  pm.addPass(createGenerateSparqGpuKernels());
}

void sparq::addSparqGpuModuleToBinaryPasses(OpPassManager &pm, StringRef format,
                                            StringRef toolkit) {
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binaryOptions;
  binaryOptions.compilationTarget = format.str();
  binaryOptions.toolkitPath = toolkit.str();
  pm.addPass(createGpuModuleToBinaryPass(binaryOptions));
}

void sparq::registerSparqGpuKernelPipelines() {
  PassPipelineRegistration<GpuModuleToBinaryOptions>(
      "sparq-gpu-module-to-binary",
      "Lower the gpu.modules of sparq's CUDA kernels to NVVM and serialize "
      "them (PTX, cubin or fatbin); the host side stays as gpu.launch_func",
      [](OpPassManager &pm, const GpuModuleToBinaryOptions &options) {
        addSparqGpuModuleToBinaryPasses(pm, options.format, options.toolkit);
      });
}
