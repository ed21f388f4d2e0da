//===- sparq-opt.cpp - sparq's optimizer driver ---------------------------===//
//
// Part of the sparq project.
//
// Runs pass pipelines over MLIR files: every upstream dialect, extension and
// pass, plus sparq's.
//
//===----------------------------------------------------------------------===//

#include "sparq/Conversion/Passes.h"
#include "sparq/Conversion/SparqToGpuKernels/SparqToGpuKernels.h"
#include "sparq/Dialect/Sparq/IR/SparqDialect.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"
#include "sparq/Quantization/Passes.h"
#include "sparq/Target/Cpu/CpuTarget.h"
#include "sparq/Target/Cuda/CudaTarget.h"
#include "sparq/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  sparq::registerSparqConversionPasses();
  sparq::registerSparqGeneralTransformsPasses();
  sparq::registerSparqTransformsPasses();
  sparq::registerSparqQuantizationPasses();
  sparq::registerQuantizationPipelines();
  sparq::cpu::registerCpuPipelines();
  sparq::registerSparqGpuKernelPipelines();
  sparq::cuda::registerCudaPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<sparq::SparqDialect>();
  // gpu-module-to-binary translates the kernels' gpu.modules to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "sparq optimizer driver\n", registry));
}
