//===- sparqc.cpp - sparq's ahead-of-time compiler driver -----------------===//
//
// Part of the sparq project.
//
//   sparqc model.onnx --target=cpu -o out/ [--emit=mlir|llvm|asm|obj|so]
//          [--cpu=native|x86-64-v3|x86-64-v4] [--dim seq=128]
//   sparqc model.onnx --target=cuda --gpu-arch=sm_90a|sm_80|sm_89 -o out/
//          [--emit=mlir|ptx|llvm|asm|obj|so] [--cuda-path=/usr/local/cuda]
//          [--quant=w4a16|squeezellm|w8a8-smoothquant|<pipeline>]
//          [--calibration=DIR] [--report[=file]]
//
// Imports an ONNX model (or reads an .mlir/.mlirbc module), optionally
// quantizes it (and reports what that did), lowers it for the CPU or an NVIDIA
// GPU, and writes a shared library exporting the C ABI of
// include/sparq/Runtime/sparq_model.h, or stops at an earlier stage. Output
// files appear only when every stage succeeds.
//
//===----------------------------------------------------------------------===//

#include "sparq/Conversion/Passes.h"
#include "sparq/Dialect/Sparq/IR/SparqDialect.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"
#include "sparq/Frontend/Onnx/Importer.h"
#include "sparq/Quantization/Passes.h"
#include "sparq/Quantization/QuantReport.h"
#include "sparq/Support/OutputFile.h"
#include "sparq/Target/Cpu/CpuTarget.h"
#include "sparq/Target/Cuda/CudaTarget.h"
#include "sparq/Transforms/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <optional>

using namespace llvm;

namespace {
cl::OptionCategory sparqcOptions("sparqc options");
cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<model.onnx|model.mlir|model.mlirbc>"),
                               cl::Optional, cl::cat(sparqcOptions));
cl::opt<std::string> outputPath(
    "o", cl::desc("Output file, or a directory to write <model>.<ext> into"),
    cl::init("."), cl::cat(sparqcOptions));
cl::opt<std::string> target("target", cl::desc("cpu, or cuda (NVIDIA GPUs)"),
                            cl::init("cpu"), cl::cat(sparqcOptions));
cl::opt<std::string>
    emit("emit",
         cl::desc("Stop after: mlir, ptx (cuda), llvm, asm, obj or so. With "
                  "--target=cuda, mlir is the module after kernel outlining "
                  "(one gpu.module, host code launching it); .mlir output "
                  "files are text, others bytecode"),
         cl::init("so"), cl::cat(sparqcOptions));
cl::opt<std::string> cpu("cpu",
                         cl::desc("native, x86-64-v3 (AVX2+FMA), x86-64-v4 "
                                  "(AVX-512) or another LLVM CPU name (for "
                                  "--target=cuda, the host code's; default "
                                  "x86-64 there)"),
                         cl::init("native"), cl::cat(sparqcOptions));
cl::opt<std::string> gpuArch("gpu-arch",
                             cl::desc("--target=cuda: the GPU architecture "
                                      "(sm_90a, sm_80, sm_89, ...)"),
                             cl::init("sm_90a"), cl::cat(sparqcOptions));
cl::opt<std::string>
    cudaPath("cuda-path",
             cl::desc("--target=cuda: the CUDA toolkit (ptxas, libdevice); "
                      "default $CUDA_HOME or /usr/local/cuda. Without one "
                      "(or with 'none'), kernels are embedded as PTX for the "
                      "driver to compile"),
             cl::init(""), cl::cat(sparqcOptions));
cl::opt<unsigned> gpuBlockSize(
    "gpu-block-size",
    cl::desc("--target=cuda: threads per block of the generic kernels"),
    cl::init(256), cl::cat(sparqcOptions));
cl::list<std::string> dims("dim",
                           cl::desc("Bind a symbolic dim: --dim seq=128"),
                           cl::value_desc("name=N"), cl::cat(sparqcOptions));
cl::opt<bool> quiet("quiet", cl::desc("No progress lines"),
                    cl::cat(sparqcOptions));
cl::list<std::string>
    boundInputs("bind-input",
                cl::desc("Fix an input's value at compile time: --bind-input "
                         "shape=shape.npy (or .pb)"),
                cl::value_desc("name=file"), cl::cat(sparqcOptions));
cl::opt<std::string> kernels(
    "kernels",
    cl::desc("Quantized matmul kernels: exact (default: vectorized, f32 "
             "activations, weights dequantized in registers), vnni-int8 "
             "(AVX-512 VNNI, activations quantized to int8 per group: "
             "faster, approximate) or reference (no kernels)"),
    cl::init("exact"), cl::cat(sparqcOptions));

cl::opt<std::string> quant(
    "quant",
    cl::desc("Quantize after import: w4a16, squeezellm or w8a8-smoothquant "
             "(each optionally with {options}, e.g. w4a16{group-size=64}), "
             "or any pass pipeline (sparq-quantize-weights{bits=3})"),
    cl::init(""), cl::cat(sparqcOptions));
cl::opt<std::string> calibration(
    "calibration",
    cl::desc("Directory of calibration samples (test_data_set_*/input_*.pb, "
             "<sample>/<input>.npy or <input>.npy): w8a8-smoothquant "
             "calibrates on it, --report measures output error on it"),
    cl::init(""), cl::cat(sparqcOptions));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("After --quant, print the per-layer size and accuracy report "
             "(--report: stdout, --report=file: a file, JSON if it ends in "
             ".json)"),
    cl::ValueOptional, cl::init(""), cl::cat(sparqcOptions));
cl::opt<std::string>
    fuse("fuse",
         cl::desc("Fusion before lowering (docs/fusion.md): all (default), "
                  "none, or a comma-separated list of sparq-fuse families"),
         cl::init("all"), cl::cat(sparqcOptions));
cl::opt<bool> fusionStats(
    "fusion-stats",
    cl::desc("Print what each fusion candidate became, and why not"),
    cl::cat(sparqcOptions));

/// Progress lines on stderr, with the time each stage took.
class Progress {
public:
  explicit Progress(int stages) : stages(stages) {}
  void start(StringRef what) {
    finish();
    current = what.str();
    begin = std::chrono::steady_clock::now();
    if (!quiet)
      errs() << "sparqc: [" << ++stage << "/" << stages << "] " << what
             << "...\n";
  }
  void finish() {
    if (current.empty() || quiet)
      return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
            .count();
    errs() << formatv("sparqc:       {0} took {1:f2} s\n", current, seconds);
    current.clear();
  }

private:
  int stages;
  int stage = 0;
  std::string current;
  std::chrono::steady_clock::time_point begin;
};

/// libLLVM already registers a hidden global --threads option, so sparqc's
/// own --threads=N (threads for parallel kernels; 0 = OMP_NUM_THREADS or one
/// per core) is taken out of argv before LLVM's parser sees it.
std::optional<std::string> extractThreadsFlag(int &argc, char **argv) {
  std::optional<std::string> value;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg.consume_front("--threads") || arg.consume_front("-threads")) {
      if (arg.consume_front("=")) {
        value = arg.str();
        continue;
      }
      if (arg.empty() && i + 1 < argc) {
        value = argv[++i];
        continue;
      }
    }
    argv[out++] = argv[i];
  }
  argc = out;
  return value;
}

int fail(const Twine &message) {
  errs() << "sparqc: error: " << message << "\n";
  return 1;
}

/// The pass pipeline --quant names: sparq-<name>{options} for a named
/// recipe (w8a8-smoothquant gets --calibration), else --quant itself.
std::optional<std::string> quantizationPipeline() {
  StringRef text = StringRef(quant).trim();
  // The pass manager is anchored on the module already; a pipeline spelled
  // with its anchor would otherwise look for nested modules.
  if (text.consume_front("builtin.module(") && !text.consume_back(")")) {
    fail("--quant=" + quant + " has unbalanced parentheses");
    return std::nullopt;
  }
  StringRef name = text.take_until([](char c) { return c == '{'; });
  StringRef options = text.drop_front(name.size());
  if (name != "w4a16" && name != "squeezellm" && name != "w8a8-smoothquant")
    return text.str();
  std::string pipeline = ("sparq-" + name).str();
  if (name != "w8a8-smoothquant")
    return pipeline + options.str();
  if (options.contains("calibration="))
    return pipeline + options.str();
  if (calibration.empty()) {
    fail("--quant=w8a8-smoothquant needs --calibration=DIR, the samples to "
         "calibrate activation scales on");
    return std::nullopt;
  }
  std::string inner =
      options.empty() ? "" : options.drop_front().drop_back().str();
  return pipeline + "{calibration=" + calibration + (inner.empty() ? "" : " ") +
         inner + "}";
}

/// The output file for extension `ext`: -o itself when it names a file with
/// that extension, else <dir>/<input stem>.<ext>.
std::string outputFile(StringRef ext) {
  if (sys::path::extension(outputPath) == ("." + ext).str())
    return outputPath;
  SmallString<256> path(outputPath);
  sys::path::append(path, sys::path::stem(inputPath) + "." + ext);
  return std::string(path);
}

/// Writes `write`'s output to `path` through a temporary file, so a failure
/// leaves nothing behind.
int writeOutput(StringRef path, function_ref<bool(raw_pwrite_stream &)> write) {
  // `write` reports its own failures; a failure to create or rename the
  // file is reported here.
  bool wrote = true;
  if (Error err = sparq::writeFileAtomically(path, [&](raw_pwrite_stream &os) {
        wrote = write(os);
        return wrote ? Error::success()
                     : createStringError(inconvertibleErrorCode(), "");
      })) {
    std::string message = toString(std::move(err));
    return wrote ? fail(message) : 1;
  }
  if (!quiet)
    errs() << "sparqc: wrote " << path << "\n";
  return 0;
}
/// sm_<digits>[a|f], as ptxas spells architectures.
bool isValidGpuArch(StringRef arch) {
  if (!arch.consume_front("sm_"))
    return false;
  arch.consume_back("a") || arch.consume_back("f");
  unsigned version = 0;
  return !arch.getAsInteger(10, version) && version >= 50;
}

/// Writes `module` as text (an output ending in .mlir) or bytecode.
int writeModule(mlir::ModuleOp module) {
  bool text = sys::path::extension(outputPath) == ".mlir";
  return writeOutput(outputFile(text ? "mlir" : "mlirbc"),
                     [&](raw_pwrite_stream &os) {
                       if (text) {
                         module.print(os);
                         return true;
                       }
                       return succeeded(mlir::writeBytecodeToFile(module, os));
                     });
}

/// Pre-quantized (QDQ) weights become quantized matmuls and the graph is
/// fused (--fuse), unless the module still has observers (the user is
/// calibrating). Shared by both targets.
bool foldCalibration(mlir::ModuleOp module) {
  bool hasObservers = false;
  module->walk([&](sparq::ObserveOp) { hasObservers = true; });
  if (hasObservers)
    return true;
  mlir::PassManager pm(module.getContext());
  pm.addPass(sparq::createSparqFoldCalibration());
  if (failed(pm.run(module))) {
    fail("folding quantize/dequantize pairs failed");
    return false;
  }
  // Fusion needs the quantized ops fold-calibration makes; with observers
  // left the graph is still being calibrated, so it is kept as it is.
  if (fuse == "none")
    return true;
  sparq::SparqFuseOptions fuseOptions;
  if (fuse != "all")
    for (StringRef family : split(StringRef(fuse), ','))
      fuseOptions.patterns.push_back(family.trim().str());
  fuseOptions.stats = fusionStats;
  mlir::PassManager fusePm(module.getContext());
  fusePm.addPass(sparq::createSparqFuse(fuseOptions));
  if (failed(fusePm.run(module))) {
    fail("--fuse=" + fuse + " failed");
    return false;
  }
  return true;
}

/// The last stages of both targets, from the host's LLVM module: the module
/// itself (--emit=llvm), machine code (asm, obj), or the library, which
/// `link` writes to a temporary that is renamed once complete. `code` names
/// what is generated, for the progress lines.
int emitFromLlvm(llvm::Module &llvmModule,
                 const sparq::cpu::CpuCodegenOptions &codegen,
                 Progress &progress, StringRef code,
                 function_ref<bool(StringRef, std::string &)> link) {
  if (emit == "llvm") {
    progress.finish();
    return writeOutput(outputFile("ll"), [&](raw_pwrite_stream &os) {
      llvmModule.print(os, nullptr);
      return true;
    });
  }

  progress.start(("generating " + code +
                  (emit == "so" ? " and linking" : ""))
                     .str());
  std::string error;
  if (emit == "asm" || emit == "obj") {
    bool asmOutput = emit == "asm";
    int status = writeOutput(outputFile(asmOutput ? "s" : "o"),
                             [&](raw_pwrite_stream &os) {
                               bool ok = sparq::cpu::emitMachineCode(
                                   llvmModule, codegen,
                                   asmOutput ? sparq::cpu::OutputKind::Assembly
                                             : sparq::cpu::OutputKind::Object,
                                   os, error);
                               if (!ok)
                                 fail(error);
                               return ok;
                             });
    progress.finish();
    return status;
  }
  std::string libraryPath = outputFile("so");
  std::string partialPath = libraryPath + ".partial";
  FileRemover removePartial(partialPath);
  if (!link(partialPath, error))
    return fail(error);
  if (std::error_code ec = sys::fs::rename(partialPath, libraryPath))
    return fail("cannot write " + libraryPath + ": " + ec.message());
  progress.finish();
  if (!quiet)
    errs() << "sparqc: wrote " << libraryPath << "\n";
  return 0;
}

/// The --target=cuda stages after import (and quantization).
int compileForGpu(mlir::ModuleOp module, mlir::func::FuncOp entry,
                  Progress &progress) {
  progress.start("lowering for the GPU (" + gpuArch + ")");
  if (!foldCalibration(module))
    return 1;
  sparq::cuda::CudaPipelineOptions options;
  options.arch = gpuArch;
  // --kernels=reference keeps the quantized matmuls on the reference
  // lowering even once GPU kernels for them exist.
  if (kernels == "vnni-int8")
    return fail("--kernels=vnni-int8 is a CPU kernel; --target=cuda takes "
                "exact (the default) or reference");
  if (kernels != "exact" && kernels != "reference")
    return fail("--kernels=" + kernels + " is not one of exact, reference");
  options.quantizedKernels = kernels != "reference";
  options.blockSize = gpuBlockSize;
  if (options.blockSize == 0 || options.blockSize > 1024)
    return fail("--gpu-block-size=" + Twine(gpuBlockSize) +
                " is not in 1..1024");
  FailureOr<sparq::cuda::LoweredCudaModel> lowered =
      sparq::cuda::lowerModelToKernels(entry, options);
  if (failed(lowered))
    return fail("lowering for the GPU failed");
  if (emit == "mlir") {
    progress.finish();
    return writeModule(module);
  }

  // Kernels: PTX, and a cubin from ptxas when the toolkit is there.
  bool noToolkit = cudaPath == "none";
  sparq::cuda::CudaToolkit toolkit =
      noToolkit ? sparq::cuda::CudaToolkit()
                : sparq::cuda::findCudaToolkit(cudaPath);
  if (!cudaPath.empty() && !noToolkit && toolkit.path.empty())
    return fail("--cuda-path='" + cudaPath +
                "' is not a CUDA toolkit (it has no bin/ptxas)");
  bool fatbin = emit != "ptx" && !toolkit.path.empty();
  progress.start(fatbin
                     ? "compiling kernels with " + toolkit.path + "/bin/ptxas"
                     : std::string("generating PTX"));
  // Without the toolkit's libdevice, math functions in kernels stay
  // unresolved: find out from the PTX before embedding it.
  mlir::OwningOpRef<mlir::ModuleOp> ptxModule;
  if (!fatbin || !toolkit.hasLibdevice) {
    ptxModule = module.clone();
    // The NVVM target reports the libdevice it cannot find as an error even
    // when no kernel needs it; whether one does is checked below.
    mlir::ScopedDiagnosticHandler quietLibdevice(
        module.getContext(), [&](mlir::Diagnostic &diag) {
          std::string text = diag.str();
          return mlir::success(!toolkit.hasLibdevice &&
                               (StringRef(text).starts_with("LibDevice path") ||
                                StringRef(text).starts_with("CUDA path")));
        });
    mlir::PassManager pm(module.getContext());
    if (failed(sparq::cuda::buildCudaSerializationPipeline(
            pm, options, sparq::cuda::KernelFormat::Ptx, toolkit)) ||
        failed(pm.run(*ptxModule)))
      return fail("generating PTX failed");
    FailureOr<std::string> ptx = sparq::cuda::getKernelPtx(*ptxModule);
    if (failed(ptx))
      return 1;
    if (std::optional<std::string> missing =
            sparq::cuda::findUnresolvedLibdeviceCall(*ptx)) {
      std::string message = "the kernels call " + *missing +
                            " from libdevice, which needs the CUDA toolkit "
                            "(nvvm/libdevice/libdevice.10.bc); none was "
                            "found (--cuda-path, $CUDA_HOME, /usr/local/cuda)";
      if (emit != "ptx")
        return fail(message);
      errs() << "sparqc: warning: " << message << "\n";
    }
    if (emit == "ptx") {
      progress.finish();
      return writeOutput(outputFile("ptx"), [&](raw_pwrite_stream &os) {
        os << *ptx;
        return true;
      });
    }
  }
  if (fatbin) {
    mlir::PassManager pm(module.getContext());
    if (failed(sparq::cuda::buildCudaSerializationPipeline(
            pm, options, sparq::cuda::KernelFormat::Fatbin, toolkit)) ||
        failed(pm.run(module)))
      return fail("compiling the kernels failed");
  } else {
    if (!quiet)
      errs() << "sparqc: note: no CUDA toolkit (ptxas) found: the kernels "
                "are embedded as PTX, which the driver compiles when the "
                "model first runs\n";
    module.getBodyRegion().takeBody(ptxModule->getBodyRegion());
  }

  // Host code.
  progress.start("lowering host code");
  {
    mlir::PassManager pm(module.getContext());
    if (failed(sparq::cuda::buildCudaHostPipeline(pm)) ||
        failed(pm.run(module)))
      return fail("lowering the host code failed");
  }
  sparq::cpu::CpuCodegenOptions codegen;
  // The library runs on whatever host the GPU sits in.
  codegen.cpu = cpu.getNumOccurrences() ? cpu.getValue() : "x86-64";
  llvm::LLVMContext llvmContext;
  std::string error;
  std::unique_ptr<llvm::Module> llvmModule =
      sparq::cuda::translateHostModule(module, llvmContext, codegen, error);
  if (!llvmModule)
    return fail(error);
  return emitFromLlvm(*llvmModule, codegen, progress, "host code",
                      [&](StringRef path, std::string &error) {
                        return sparq::cuda::linkCudaModelLibrary(
                            *llvmModule, codegen, *lowered, path, error);
                      });
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  std::optional<std::string> threadsFlag = extractThreadsFlag(argc, argv);
  cl::HideUnrelatedOptions(sparqcOptions);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sparq ahead-of-time compiler\n\n  --threads=N also sets the threads of "
      "parallel kernels (0: OMP_NUM_THREADS or one per core)\n");
  unsigned numThreads = 0;
  if (threadsFlag && StringRef(*threadsFlag).getAsInteger(10, numThreads))
    return fail("--threads='" + *threadsFlag + "' is not a number");
  if (inputPath.empty())
    return fail("no input model (usage: sparqc model.onnx --target=cpu -o "
                "out/)");
  if (target != "cpu" && target != "cuda")
    return fail("--target=" + target + " is not one of cpu, cuda");
  bool forGpu = target == "cuda";
  static const char *const stagesInOrder[] = {"mlir", "ptx", "llvm",
                                              "asm",  "obj", "so"};
  if (!llvm::is_contained(stagesInOrder, emit))
    return fail("--emit=" + emit +
                " is not one of mlir, ptx, llvm, asm, obj, so");
  if (emit == "ptx" && !forGpu)
    return fail("--emit=ptx needs --target=cuda");
  if (forGpu && !isValidGpuArch(gpuArch))
    return fail("--gpu-arch=" + gpuArch +
                " is not an NVIDIA architecture such as sm_80, sm_89 or "
                "sm_90a");
  if (sys::path::extension(outputPath).empty())
    if (std::error_code ec = sys::fs::create_directories(outputPath))
      return fail("cannot create output directory '" + outputPath +
                  "': " + ec.message());

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<sparq::SparqDialect>();
  mlir::MLIRContext context(registry);
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
    errs() << "sparqc: "
           << (diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error: "
                                                                     : "note: ")
           << diag.str() << "\n";
    return mlir::success();
  });
  mlir::registerAllPasses();
  sparq::registerSparqConversionPasses();
  sparq::registerSparqGeneralTransformsPasses();
  sparq::registerSparqTransformsPasses();
  sparq::registerSparqQuantizationPasses();
  sparq::registerQuantizationPipelines();
  sparq::cuda::registerCudaPipelines();

  bool wantsReport = reportPath.getNumOccurrences() > 0;
  if (wantsReport && quant.empty())
    return fail("--report describes what --quant did; give --quant too");
  if (!calibration.empty() && !sys::fs::is_directory(calibration))
    return fail("--calibration='" + calibration + "' is not a directory");
  int stages = emit == "mlir" ? 1 : emit == "llvm" ? 3 : 4;
  if (forGpu)
    stages = emit == "mlir" ? 2 : emit == "ptx" ? 3 : emit == "llvm" ? 4 : 5;
  stages += !quant.empty() + wantsReport;
  Progress progress(stages);

  // 1. Read the model.
  mlir::OwningOpRef<mlir::ModuleOp> module;
  StringRef ext = sys::path::extension(inputPath);
  if (ext == ".onnx") {
    progress.start("importing " + inputPath);
    sparq::onnx_frontend::ImportOptions options;
    options.functionName = "sparq_graph";
    for (StringRef binding : dims) {
      auto [name, value] = binding.split('=');
      int64_t size = 0;
      if (name.empty() || value.getAsInteger(10, size) || size < 0)
        return fail("--dim '" + binding + "' is not name=N with N >= 0");
      options.dimBindings[name] = size;
    }
    for (StringRef binding : boundInputs) {
      auto [name, file] = binding.split('=');
      if (name.empty() || file.empty())
        return fail("--bind-input '" + binding + "' is not name=file");
      options.boundInputs[name] = file.str();
    }
    module = sparq::onnx_frontend::importModel(inputPath, context, options);
  } else if (ext == ".mlir" || ext == ".mlirbc") {
    progress.start("reading " + inputPath);
    llvm::SourceMgr sourceMgr;
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputPath, &context);
  } else {
    return fail("'" + inputPath + "' is not an .onnx, .mlir or .mlirbc file");
  }
  if (!module)
    return 1;

  mlir::func::FuncOp entry;
  for (auto func : module->getOps<mlir::func::FuncOp>())
    if (func.isPublic() && !func.isExternal()) {
      if (entry)
        return fail("'" + inputPath + "' has several public functions (@" +
                    entry.getSymName() + ", @" + func.getSymName() +
                    "); the model needs exactly one");
      entry = func;
    }
  if (!entry)
    return fail("'" + inputPath + "' has no public function to compile");

  // 2. Quantize, and report against the module as it was.
  if (!quant.empty()) {
    std::optional<std::string> pipeline = quantizationPipeline();
    if (!pipeline)
      return 1;
    mlir::OwningOpRef<mlir::ModuleOp> fp32;
    if (wantsReport)
      fp32 = module->clone();
    progress.start("quantizing: " + *pipeline);
    mlir::PassManager pm(&context);
    std::string parseErrors;
    raw_string_ostream errorStream(parseErrors);
    if (failed(mlir::parsePassPipeline(*pipeline, pm, errorStream)))
      return fail("--quant=" + quant +
                  " is not w4a16, squeezellm, "
                  "w8a8-smoothquant or a pass pipeline: " +
                  parseErrors);
    if (failed(pm.run(*module)))
      return fail("quantization (" + *pipeline + ") failed");
    if (wantsReport) {
      progress.start(calibration.empty()
                         ? std::string("reporting")
                         : "measuring quantization error on " + calibration);
      auto report = sparq::collectQuantReport(*module);
      if (failed(report) ||
          (!calibration.empty() && failed(sparq::measureQuantReport(
                                       *report, *fp32, *module, calibration))))
        return fail("the quantization report failed");
      std::string path = reportPath.empty() ? "-" : reportPath.getValue();
      if (failed(sparq::emitQuantReport(*report, path, *module)))
        return 1;
    }
  }

  if (forGpu)
    return compileForGpu(*module, entry, progress);

  if (emit == "mlir") {
    progress.finish();
    return writeModule(*module);
  }

  // 3. Lower to the LLVM dialect. Pre-quantized (QDQ) weights first become
  // quantized matmuls, so the kernels stream their integer codes instead of
  // a dequantized copy made on every run (observers left by a --quant
  // pipeline mean the user is still calibrating: keep the graph as it is).
  progress.start("lowering for the CPU");
  if (!foldCalibration(*module))
    return 1;
  sparq::cpu::CpuCodegenOptions codegen;
  codegen.cpu = cpu;
  sparq::cpu::CpuPipelineOptions pipelineOptions;
  pipelineOptions.threads = numThreads;
  // Codebook kernels permute in the widest registers the CPU has.
  pipelineOptions.vectorBits = sparq::cpu::vectorBitsForCpu(codegen);
  pipelineOptions.vbmi = pipelineOptions.vectorBits == 512 &&
                         sparq::cpu::cpuHasFeature(codegen, "avx512vbmi");
  // W8A8 matmuls are integer dot products either way: the VNNI kernels are
  // exact, so they run wherever the CPU has them.
  pipelineOptions.int8Matmuls =
      sparq::cpu::cpuHasFeature(codegen, "avx512vnni") &&
      sparq::cpu::cpuHasFeature(codegen, "avx512vl");
  // Quantizing activations changes results (much more so with LLM outlier
  // channels), so the VNNI kernels run only when asked for.
  if (kernels == "vnni-int8") {
    if (!sparq::cpu::cpuHasFeature(codegen, "avx512vnni") ||
        !sparq::cpu::cpuHasFeature(codegen, "avx512vl"))
      return fail("--kernels=vnni-int8 needs a CPU with avx512vnni and "
                  "avx512vl; --cpu=" +
                  cpu + " has not");
    pipelineOptions.kernels = sparq::cpu::MatmulKernels::VnniInt8;
  } else if (kernels == "reference") {
    pipelineOptions.kernels = sparq::cpu::MatmulKernels::Reference;
  } else if (kernels != "exact") {
    return fail("--kernels=" + kernels +
                " is not one of exact, vnni-int8, reference");
  }
  FailureOr<sparq::cpu::LoweredModel> lowered =
      sparq::cpu::lowerModelForCpu(entry, pipelineOptions);
  if (failed(lowered))
    return fail("lowering failed");

  // 4. LLVM IR, optimized for the CPU.
  progress.start("optimizing LLVM IR for --cpu=" + cpu);
  llvm::LLVMContext llvmContext;
  std::string error;
  std::unique_ptr<llvm::Module> llvmModule =
      sparq::cpu::translateAndOptimize(*module, llvmContext, codegen, error);
  if (!llvmModule)
    return fail(error);
  // 5. Machine code, and the shared library.
  return emitFromLlvm(*llvmModule, codegen, progress, "code",
                      [&](StringRef path, std::string &error) {
                        return sparq::cpu::linkModelLibrary(
                            *llvmModule, codegen, *lowered, path, error);
                      });
}
