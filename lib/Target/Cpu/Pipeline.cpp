//===- Pipeline.cpp - Lowering sparq modules to the LLVM dialect ----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cpu/CpuTarget.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

LogicalResult
sparq::cpu::buildCpuLoweringPipeline(OpPassManager &pm,
                                     const CpuPipelineOptions &options) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  // Quantized matmuls the kernels cover become kernel calls; every other
  // sparq op takes the reference lowering.
  if (options.kernels != MatmulKernels::Reference)
    os << "convert-sparq-to-cpu-kernels{activations="
       << (options.kernels == MatmulKernels::Exact ? "f32" : "int8")
       << " vector-bits=" << options.vectorBits << " vbmi=" << options.vbmi
       << " int8-matmuls=" << options.int8Matmuls << "},";
  // Results become out-parameters the caller (the ABI wrapper) owns, with
  // identity layouts, so outputs are written in place and copied never.
  // Deallocation runs before scf.parallel becomes OpenMP, whose loop
  // wrappers must hold nothing but the loop.
  os << "convert-sparq-to-linalg,"
        "canonicalize,"
        "convert-elementwise-to-linalg,"
        "fuse-elementwise-without-recomputation,"
        "interchange-contraction-loops,"
        "one-shot-bufferize{bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map},"
        "buffer-results-to-out-params{hoist-static-allocs "
        "modify-public-functions},"
        "buffer-deallocation-pipeline,"
        "generate-sparq-cpu-kernels,"
        "convert-strided-copies-to-linalg,"
        "convert-linalg-to-loops,"
        "convert-scf-to-openmp{num-threads="
     << options.threads
     << "},"
        "convert-vector-to-llvm,"
        "expand-strided-metadata,"
        "lower-affine,"
        "finalize-memref-to-llvm,"
        "convert-scf-to-cf,"
        // Integer powers get generated functions, LLVM intrinsics take what
        // they can, and libm the rest (erf, tanh, ...).
        "convert-math-to-funcs,"
        "convert-math-to-llvm,"
        "convert-math-to-libm,"
        "convert-arith-to-llvm,"
        "convert-index-to-llvm,"
        "convert-cf-to-llvm,"
        "convert-func-to-llvm,"
        "convert-openmp-to-llvm,"
        "reconcile-unrealized-casts";
  // Fails (with a message on stderr) only if a pass is not registered.
  return parsePassPipeline(pipeline, pm);
}

namespace {
struct CpuPipelineRegistrationOptions
    : public PassPipelineOptions<CpuPipelineRegistrationOptions> {
  Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc("Quantized matmul kernels: exact (f32 activations), "
                     "vnni-int8 (int8 activations, AVX-512 VNNI) or "
                     "reference (no kernels)"),
      llvm::cl::init("exact")};
  Option<unsigned> threads{*this, "threads",
                           llvm::cl::desc("OpenMP threads (0: runtime "
                                          "default)"),
                           llvm::cl::init(0)};
  Option<unsigned> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector width of the codebook kernels: 512 (AVX-512), "
                     "256 (AVX2) or 0 (none)"),
      llvm::cl::init(512)};
  Option<bool> vbmi{*this, "vbmi",
                    llvm::cl::desc("The target has AVX-512 VBMI (codebook "
                                   "kernels unpack with vpmultishiftqb)"),
                    llvm::cl::init(false)};
  Option<bool> int8Matmuls{
      *this, "int8-matmuls",
      llvm::cl::desc("W8A8 int_matmul on AVX-512 VNNI kernels (the target "
                     "needs avx512vnni and avx512vl)"),
      llvm::cl::init(false)};
};
} // namespace

void sparq::cpu::registerCpuPipelines() {
  PassPipelineRegistration<CpuPipelineRegistrationOptions>(
      "sparq-cpu-lowering",
      "Lower tensors and sparq ops to the LLVM dialect for the CPU, with "
      "outputs as caller-owned out-parameters; functions marked "
      "llvm.emit_c_interface get C wrappers",
      [](OpPassManager &pm, const CpuPipelineRegistrationOptions &options) {
        CpuPipelineOptions pipelineOptions;
        pipelineOptions.kernels =
            options.kernels == "vnni-int8" ? MatmulKernels::VnniInt8
            : options.kernels == "reference" ? MatmulKernels::Reference
                                             : MatmulKernels::Exact;
        pipelineOptions.threads = options.threads;
        pipelineOptions.vectorBits = options.vectorBits;
        pipelineOptions.vbmi = options.vbmi;
        pipelineOptions.int8Matmuls = options.int8Matmuls;
        (void)buildCpuLoweringPipeline(pm, pipelineOptions);
      });
}
