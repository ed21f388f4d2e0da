//===- SparqToGpuKernels.h - generated CUDA kernels for sparq ---*- C++ -*-===//
//
// Part of the sparq project.
//
// Entry points for the CUDA target: the passes that replace quantized
// matmuls by launches of kernels generated from IR, and the pass order that
// turns those kernels into PTX or cubin.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_CONVERSION_SPARQTOGPUKERNELS_SPARQTOGPUKERNELS_H
#define SPARQ_CONVERSION_SPARQTOGPUKERNELS_SPARQTOGPUKERNELS_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace sparq {

struct GpuKernelOptions {
  /// Target GPU: sm_80, sm_86, sm_89, sm_90, sm_90a, ...
  std::string gpuArch = "sm_80";
  /// Largest M (activation rows) that goes to the GEMV kernels; larger M
  /// goes to the tensor-core GEMM kernels.
  int64_t gemvMaxRows = 8;
  /// Split K over grid rows for GEMVs with small grids (atomic adds into
  /// y; not bitwise reproducible run to run).
  bool gemvSplitK = true;
};

/// Adds `convert-sparq-to-gpu-kernels` (tensor level). Run it before
/// one-shot bufferization; ops it does not cover stay for
/// `convert-sparq-to-linalg`.
void addSparqGpuKernelCallPasses(mlir::OpPassManager &pm,
                                 const GpuKernelOptions &options);

/// Adds `generate-sparq-gpu-kernels` (memref level): run it after one-shot
/// bufferization.
void addSparqGpuKernelPasses(mlir::OpPassManager &pm,
                             const GpuKernelOptions &options);

/// Lowers every `gpu.module` of the module to NVVM and serializes it:
/// `format` is "isa" (PTX), "bin" (cubin, needs ptxas from `toolkit`) or
/// "fatbin". The host side (gpu.launch_func) is left for the runtime's
/// lowering (gpu-to-llvm).
void addSparqGpuModuleToBinaryPasses(mlir::OpPassManager &pm,
                                     llvm::StringRef format,
                                     llvm::StringRef toolkit);

/// Registers `sparq-gpu-module-to-binary{format=isa|bin|fatbin toolkit=...}`
/// (addSparqGpuModuleToBinaryPasses) for sparq-opt.
void registerSparqGpuKernelPipelines();

} // namespace sparq

#endif // SPARQ_CONVERSION_SPARQTOGPUKERNELS_SPARQTOGPUKERNELS_H
