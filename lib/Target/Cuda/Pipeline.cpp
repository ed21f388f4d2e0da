//===- Pipeline.cpp - Lowering sparq modules for NVIDIA GPUs --------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cuda/CudaTarget.h"
#include "sparq/Conversion/SparqToGpuKernels/SparqToGpuKernels.h"
#include "sparq/Target/Cuda/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

void sparq::cuda::addSparqGpuKernelPasses(OpPassManager &pm,
                                          const CudaPipelineOptions &options,
                                          int stage) {
  // Quantized and codebook matmuls become launches of the kernels generated
  // from IR (docs/gpu-kernels.md): stage 0 (tensors) replaces them by calls
  // of launchers, stage 1 (buffers) gives the launchers bodies. What the
  // kernels do not cover stays for the reference lowering, as generic
  // parallel loops.
  sparq::GpuKernelOptions kernelOptions;
  kernelOptions.gpuArch = options.arch;
  if (stage == 0)
    sparq::addSparqGpuKernelCallPasses(pm, kernelOptions);
  else
    sparq::addSparqGpuKernelPasses(pm, kernelOptions);
}

LogicalResult sparq::cuda::buildCudaBufferizationPipeline(
    OpPassManager &pm, const CudaPipelineOptions &options) {
  if (options.quantizedKernels)
    addSparqGpuKernelPasses(pm, options, /*stage=*/0);
  // As on the CPU: results become out-parameters the caller (the ABI
  // wrapper, here with device buffers) owns.
  if (failed(parsePassPipeline(
          "convert-sparq-to-linalg,"
          "canonicalize,"
          "convert-elementwise-to-linalg,"
          "fuse-elementwise-without-recomputation,"
          "one-shot-bufferize{bufferize-function-boundaries "
          "function-boundary-type-conversion=identity-layout-map},"
          "buffer-results-to-out-params{hoist-static-allocs "
          "modify-public-functions},"
          "buffer-deallocation-pipeline",
          pm)))
    return failure();
  if (options.quantizedKernels)
    addSparqGpuKernelPasses(pm, options, /*stage=*/1);
  // Every linalg op becomes an scf.parallel nest (reductions as scf.for
  // inside); what else touches memory on the host moves into loops too.
  return parsePassPipeline("convert-linalg-to-parallel-loops,"
                           "canonicalize,"
                           "sparq-gpu-offload-host-memory-accesses,"
                           "sparq-gpu-hoist-constants",
                           pm);
}

LogicalResult
sparq::cuda::buildCudaKernelPipeline(OpPassManager &pm,
                                     const CudaPipelineOptions &options) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  // Integer powers become generated functions, which outlining copies into
  // the kernels' module (NVVM has no lowering for math.ipowi).
  os << "convert-math-to-funcs,"
        "sparq-gpu-map-parallel-loops{block-size="
     << options.blockSize
     << "},"
        "convert-parallel-loops-to-gpu,"
        "gpu-kernel-outlining,"
        "sparq-gpu-merge-kernel-modules,"
        "lower-affine,"
        "canonicalize,"
        "cse,"
        "nvvm-attach-target{chip="
     << options.arch << " O=3}";
  return parsePassPipeline(pipeline, pm);
}

LogicalResult sparq::cuda::buildCudaSerializationPipeline(
    OpPassManager &pm, const CudaPipelineOptions &options, KernelFormat format,
    const CudaToolkit &toolkit) {
  (void)options;
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  // Kernels take memref descriptors (not bare pointers), as the host
  // lowering passes them.
  os << "expand-strided-metadata,"
        "lower-affine,"
        "gpu.module(convert-scf-to-cf,"
        "convert-nvgpu-to-nvvm,"
        "convert-gpu-to-nvvm,"
        "canonicalize,"
        "cse,"
        "reconcile-unrealized-casts),"
        "gpu-module-to-binary{format="
     << (format == KernelFormat::Fatbin ? "fatbin" : "isa");
  // Without a toolkit, a directory that holds none ("/") keeps the NVVM
  // target from looking for one of its own (whose libdevice it would link).
  os << " toolkit=" << (toolkit.path.empty() ? "/" : toolkit.path) << "}";
  return parsePassPipeline(pipeline, pm);
}

LogicalResult sparq::cuda::buildCudaHostPipeline(OpPassManager &pm) {
  // memref.alloc in host code calls the runtime's
  // _mlir_memref_to_llvm_alloc, which allocates device memory.
  return parsePassPipeline("convert-scf-to-cf,"
                           "finalize-memref-to-llvm{use-generic-functions},"
                           "convert-arith-to-llvm,"
                           "convert-index-to-llvm,"
                           "convert-cf-to-llvm,"
                           "gpu-to-llvm,"
                           "convert-func-to-llvm,"
                           "reconcile-unrealized-casts",
                           pm);
}

namespace {
struct CudaPipelineRegistrationOptions
    : public PassPipelineOptions<CudaPipelineRegistrationOptions> {
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("GPU architecture (sm_80, sm_89, "
                                          "sm_90a, ...)"),
                           llvm::cl::init("sm_90a")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block along the "
                                           "innermost loop dimension"),
                            llvm::cl::init(256)};
  Option<std::string> stop{
      *this, "stop",
      llvm::cl::desc("Last stage: buffers, kernels, binary or llvm"),
      llvm::cl::init("llvm")};
};
} // namespace

void sparq::cuda::registerCudaPipelines() {
  registerSparqCudaPasses();
  PassPipelineRegistration<CudaPipelineRegistrationOptions>(
      "sparq-cuda-lowering",
      "Lower tensors and sparq ops for NVIDIA GPUs: buffers and parallel "
      "loops, kernels in one gpu.module, PTX in a gpu.binary, and host code "
      "in the LLVM dialect calling sparq's CUDA runtime (stop= ends earlier)",
      [](OpPassManager &pm, const CudaPipelineRegistrationOptions &options) {
        CudaPipelineOptions pipelineOptions;
        pipelineOptions.arch = options.arch;
        pipelineOptions.blockSize = options.blockSize;
        (void)buildCudaBufferizationPipeline(pm, pipelineOptions);
        if (options.stop == "buffers")
          return;
        (void)buildCudaKernelPipeline(pm, pipelineOptions);
        if (options.stop == "kernels")
          return;
        (void)buildCudaSerializationPipeline(
            pm, pipelineOptions, KernelFormat::Ptx, findCudaToolkit());
        if (options.stop == "binary")
          return;
        (void)buildCudaHostPipeline(pm);
      });
}
