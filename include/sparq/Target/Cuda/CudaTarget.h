//===- CudaTarget.h - Compiling sparq modules for NVIDIA GPUs ---*- C++ -*-===//
//
// Part of the sparq project.
//
// The CUDA back end of sparqc: lowering a module of upstream tensor dialects
// and sparq ops to kernels in one gpu.module (NVVM, then PTX and a cubin
// made by the toolkit's ptxas, embedded as a fatbinary) and host code that
// launches them through sparq's CUDA runtime (lib/Runtime/Cuda), then a
// shared library exporting the same C ABI as the CPU target
// (include/sparq/Runtime/sparq_model.h).
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_TARGET_CUDA_CUDATARGET_H
#define SPARQ_TARGET_CUDA_CUDATARGET_H

#include "sparq/Target/Cpu/CpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace sparq::cuda {

/// Where the CUDA toolkit's tools are, if anywhere.
struct CudaToolkit {
  /// The toolkit's root (with bin/ptxas), or empty when there is none:
  /// kernels are then embedded as PTX only and compiled by the driver.
  std::string path;
  /// nvvm/libdevice/libdevice.10.bc exists (math functions in kernels).
  bool hasLibdevice = false;
};

/// Looks for the toolkit at `requested` if given, else $CUDA_HOME,
/// $CUDA_PATH, $CUDA_ROOT, /usr/local/cuda, then a ptxas on PATH.
CudaToolkit findCudaToolkit(llvm::StringRef requested = "");

struct CudaPipelineOptions {
  /// The GPU architecture: sm_80, sm_89, sm_90a, ...
  std::string arch = "sm_90a";
  /// Threads per block along the innermost dimension of parallel loops.
  int64_t blockSize = 256;
  /// Use sparq's generated quantized matmul kernels (the passes of
  /// addSparqGpuKernelPasses) instead of the reference lowering.
  bool quantizedKernels = true;
};

/// The hook for sparq's GPU kernels for quantized matmuls: passes that turn
/// sparq.qmatmul / sparq.lut_matmul into calls of launcher functions (on
/// tensors, before the reference lowering) and, after bufferization, give
/// the launchers their bodies. Until those passes exist it adds nothing, and
/// every sparq op takes the reference lowering (generic parallel loops).
/// `stage` is 0 before the reference lowering, 1 after bufferization.
void addSparqGpuKernelPasses(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options, int stage);

/// First half of the lowering: tensors and sparq ops to buffers and
/// parallel loops, host memory accesses offloaded, constants hoisted into
/// arguments of public functions (sparq-gpu-hoist-constants).
mlir::LogicalResult
buildCudaBufferizationPipeline(mlir::OpPassManager &pm,
                               const CudaPipelineOptions &options);

/// Parallel loops to kernels outlined into one gpu.module with an NVVM
/// target for options.arch (the module sparqc --emit=mlir writes).
mlir::LogicalResult buildCudaKernelPipeline(mlir::OpPassManager &pm,
                                            const CudaPipelineOptions &options);

/// What the kernels become when serialized.
enum class KernelFormat {
  /// PTX text in the gpu.binary (--emit=ptx, and libraries built without
  /// ptxas: the driver compiles it when the library loads its kernels).
  Ptx,
  /// A fatbinary with the cubin for options.arch and the PTX (newer GPUs
  /// can JIT-compile the PTX unless the architecture is arch-specific).
  Fatbin,
};

/// The kernels to NVVM and a gpu.binary; `toolkit` provides ptxas,
/// fatbinary and libdevice.
mlir::LogicalResult
buildCudaSerializationPipeline(mlir::OpPassManager &pm,
                               const CudaPipelineOptions &options,
                               KernelFormat format, const CudaToolkit &toolkit);

/// The host code (with gpu.launch_func and a gpu.binary) to the LLVM
/// dialect: runtime calls of lib/Runtime/Cuda, memref.alloc as device
/// allocations, C wrappers for functions marked llvm.emit_c_interface.
mlir::LogicalResult buildCudaHostPipeline(mlir::OpPassManager &pm);

/// Registers the translations to LLVM IR that serializing kernels and
/// translating the host code need (builtin, LLVM, GPU, NVVM, the NVVM target
/// and gpu.binary embedding) in `context`.
void registerCudaTranslations(mlir::MLIRContext &context);

/// Registers `sparq-cuda-lowering` (all four stages with PTX kernels) and
/// the passes of Passes.td for sparq-opt.
void registerCudaPipelines();

/// A weight the entry function receives as an argument: the public global
/// holding its data, and its shape and element size.
struct ConstantArgument {
  std::string symbol;
  llvm::SmallVector<int64_t> shape;
  int64_t elementBytes = 0;
};

struct LoweredCudaModel {
  cpu::ModelSignature signature;
  std::string entrySymbol;
  std::vector<ConstantArgument> constants;
  std::string arch;
  /// The embedded kernels include PTX (always, today).
  bool hasPtx = true;
};

/// Lowers `entry`'s module to the gpu.module stage (buildCudaKernelPipeline
/// and what precedes it). Errors are emitted as diagnostics.
mlir::FailureOr<LoweredCudaModel>
lowerModelToKernels(mlir::func::FuncOp entry,
                    const CudaPipelineOptions &options);

/// The PTX of the module's gpu.binary after serialization in the Ptx
/// format, or an error.
mlir::FailureOr<std::string> getKernelPtx(mlir::ModuleOp module);

/// The kernels' PTX calls a libdevice function (__nv_*) that was not linked
/// (no toolkit): its name, or nullopt.
std::optional<std::string> findUnresolvedLibdeviceCall(llvm::StringRef ptx);

/// C source of the ABI for a model lowered for the GPU: device buffers per
/// context, inputs copied in and outputs copied back by sparq_run.
std::string generateCudaAbiSource(const LoweredCudaModel &model);

/// Text of lib/Runtime/Cuda/sparq_cuda_runtime.c.
llvm::StringRef getCudaRuntimeSource();

/// Translates the host module (with its gpu.binary) to LLVM IR optimized
/// for the host CPU; returns null after writing a message to `error`.
std::unique_ptr<llvm::Module>
translateHostModule(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                    const cpu::CpuCodegenOptions &codegen, std::string &error);

/// Writes object code for the host module and links it with the ABI and the
/// CUDA runtime into the shared library `outputPath`.
bool linkCudaModelLibrary(llvm::Module &llvmModule,
                          const cpu::CpuCodegenOptions &codegen,
                          const LoweredCudaModel &lowered,
                          llvm::StringRef outputPath, std::string &error);

} // namespace sparq::cuda

#endif // SPARQ_TARGET_CUDA_CUDATARGET_H
