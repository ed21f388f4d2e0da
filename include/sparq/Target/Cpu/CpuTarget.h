//===- CpuTarget.h - Compiling sparq modules for the CPU --------*- C++ -*-===//
//
// Part of the sparq project.
//
// The CPU back end of sparqc: lowering a module of upstream tensor dialects
// and sparq ops to the LLVM dialect, LLVM IR optimized for a target CPU,
// object code, and a shared library exporting the C ABI of
// include/sparq/Runtime/sparq_model.h.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_TARGET_CPU_CPUTARGET_H
#define SPARQ_TARGET_CPU_CPUTARGET_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace sparq::cpu {

/// How quantized matmuls run.
enum class MatmulKernels {
  /// The reference lowering only (exact; materializes dequantized weights).
  Reference,
  /// Vectorized kernels with f32 activations and in-register dequantization
  /// (exact up to float summation order); the reference for what they do
  /// not cover.
  Exact,
  /// AVX-512 VNNI kernels with activations quantized to int8 per group
  /// (fast, approximate; the CPU needs avx512vnni and avx512vl).
  VnniInt8,
};

struct CpuPipelineOptions {
  MatmulKernels kernels = MatmulKernels::Exact;
  /// OpenMP threads for parallel kernels; 0 leaves it to the runtime
  /// (OMP_NUM_THREADS or one per core).
  unsigned threads = 0;
  /// Vector register width of the codebook (lut_matmul) kernels: 512
  /// (AVX-512), 256 (AVX2), or 0 to leave codebook matmuls to the reference
  /// lowering. sparqc derives it from --cpu (vectorBitsForCpu).
  unsigned vectorBits = 512;
  /// The target has AVX-512 VBMI (512-bit codebook kernels unpack with
  /// vpmultishiftqb).
  bool vbmi = false;
  /// W8A8 sparq.int_matmul ops run on AVX-512 VNNI kernels (exact; the
  /// target needs avx512vnni and avx512vl). sparqc sets it from --cpu.
  bool int8Matmuls = false;
};

/// Adds the passes lowering a module of tensors and sparq ops to the LLVM
/// dialect: kernels for quantized matmuls, the reference lowering for the
/// other sparq ops, bufferization with results as caller-owned
/// out-parameters, loops, OpenMP, and LLVM. Functions marked
/// `llvm.emit_c_interface` (the entry) get C wrappers. The passes must be
/// registered (mlir::registerAllPasses and sparq's).
mlir::LogicalResult buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                                             const CpuPipelineOptions &options);

/// Registers the pipeline as `sparq-cpu-lowering` for sparq-opt.
void registerCpuPipelines();

struct CpuCodegenOptions {
  /// "native" (the host CPU and its features) or an LLVM CPU name such as
  /// "x86-64-v3" (AVX2+FMA) or "x86-64-v4" (AVX-512).
  std::string cpu = "native";
  unsigned optLevel = 3;
};

/// Whether the target CPU has an LLVM subtarget feature ("avx512vnni").
bool cpuHasFeature(const CpuCodegenOptions &options, llvm::StringRef feature);

/// The widest vector registers the kernels may use on the target CPU: 512
/// with AVX-512 (avx512f), 256 with AVX2, else 0.
unsigned vectorBitsForCpu(const CpuCodegenOptions &options);

/// Translates a module in the LLVM dialect to LLVM IR optimized for the
/// target CPU. Returns null after writing a message to `error`.
std::unique_ptr<llvm::Module>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                     const CpuCodegenOptions &options, std::string &error);

enum class OutputKind { Assembly, Object };

/// Writes `module` as assembly or an object file for the target CPU.
bool emitMachineCode(llvm::Module &module, const CpuCodegenOptions &options,
                     OutputKind kind, llvm::raw_pwrite_stream &os,
                     std::string &error);

/// One input or output of the compiled model's entry function.
struct TensorSignature {
  std::string name;
  int32_t dtype = 0; // ONNX TensorProto.DataType code
  llvm::SmallVector<int64_t> shape;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
};

/// Reads the entry function's signature (static shapes, names from
/// `sparq.name` attributes, signedness from `sparq.unsigned`), before
/// lowering. Returns failure after emitting an error on the function.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::func::FuncOp entry);

/// C source implementing the ABI around `_mlir_ciface_<entrySymbol>`.
std::string generateAbiSource(const ModelSignature &signature,
                              llvm::StringRef entrySymbol);

/// Text of include/sparq/Runtime/sparq_model.h, which the ABI source
/// includes.
llvm::StringRef getModelHeaderText();

/// Compiles `abiSource` and links it with `objectPath` into the shared
/// library `outputPath` using clang-22 and lld. Returns false after writing
/// a message (with the toolchain's output) to `error`.
bool linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef abiSource,
                       llvm::StringRef outputPath, std::string &error);

/// What goes into a model library besides the model's object.
struct SharedLibraryInputs {
  std::string abiSource;
  /// More C files compiled into the library: file name and text.
  std::vector<std::pair<std::string, std::string>> extraSources;
  /// Linker arguments after the objects ("-lm", "-lomp", ...).
  std::vector<std::string> libraries;
  /// Exported functions beyond those of sparq_model.h every library has.
  std::vector<std::string> extraExports;
};

/// linkSharedLibrary with extra C sources and libraries (the CUDA target's
/// runtime).
bool linkSharedLibrary(llvm::StringRef objectPath,
                       const SharedLibraryInputs &inputs,
                       llvm::StringRef outputPath, std::string &error);

/// `text` as a C string literal.
std::string cStringLiteral(llvm::StringRef text);

/// Bytes of a tensor of the signature's shape and type.
int64_t tensorByteSize(const TensorSignature &tensor);

/// Bytes of one element of ONNX data type `dtype`.
int64_t dtypeBytes(int32_t dtype);

/// What lowering leaves for the later stages: the entry's ABI signature and
/// symbol.
struct LoweredModel {
  ModelSignature signature;
  std::string entrySymbol;
};

/// Reads `entry`'s signature, marks it for the ABI wrapper and lowers its
/// module to the LLVM dialect (buildCpuLoweringPipeline). Errors are emitted
/// as diagnostics.
mlir::FailureOr<LoweredModel>
lowerModelForCpu(mlir::func::FuncOp entry, const CpuPipelineOptions &options);

/// Writes object code for `llvmModule` to a temporary file and links it with
/// the ABI wrapper of `lowered` into the shared library `outputPath`.
bool linkModelLibrary(llvm::Module &llvmModule,
                      const CpuCodegenOptions &codegen,
                      const LoweredModel &lowered, llvm::StringRef outputPath,
                      std::string &error);

/// Every stage at once: lowers `entry`'s module in place and writes the
/// shared library `outputPath`. Returns false after writing a message to
/// `error` (lowering errors are also emitted as diagnostics).
bool compileModuleToSharedLibrary(mlir::func::FuncOp entry,
                                  const CpuPipelineOptions &pipeline,
                                  const CpuCodegenOptions &codegen,
                                  llvm::StringRef outputPath,
                                  std::string &error);

} // namespace sparq::cpu

#endif // SPARQ_TARGET_CPU_CPUTARGET_H
