//===- sparq-import-onnx.cpp - ONNX model to MLIR -------------------------===//
//
// Part of the sparq project.
//
//   sparq-import-onnx model.onnx -o model.mlirbc --dim batch=1 --dim seq=128
//
// Writes MLIR bytecode when the output ends in .mlirbc (or with
// --emit-bytecode), text otherwise; stdout when -o is absent. On any error
// nothing is written.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/Importer.h"
#include "sparq/Support/OutputFile.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace sparq::onnx_frontend;

static cl::OptionCategory importOptions("sparq-import-onnx options");
static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Optional, cl::cat(importOptions));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("model.mlir|.mlirbc"),
                                       cl::init("-"), cl::cat(importOptions));
static cl::list<std::string>
    dims("dim", cl::desc("Bind a symbolic input dimension: --dim seq=128"),
         cl::value_desc("name=value"), cl::cat(importOptions));
static cl::list<std::string>
    boundInputs("bind-input",
                cl::desc("Fix an input's value at compile time: "
                         "--bind-input shape=shape.npy (or .pb)"),
                cl::value_desc("name=file"), cl::cat(importOptions));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode"),
                                  cl::cat(importOptions));
static cl::opt<bool> noChecker("no-checker",
                               cl::desc("Skip libonnx's model checker"),
                               cl::cat(importOptions));
static cl::opt<std::string> functionName("function-name",
                                         cl::desc("Name of the function"),
                                         cl::init("main"),
                                         cl::cat(importOptions));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the supported operators: "
                                      "domain, op type, first opset"),
                             cl::cat(importOptions));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(importOptions);
  cl::ParseCommandLineOptions(argc, argv, "sparq ONNX importer\n");

  if (listOps) {
    for (const SupportedOperator &op : listSupportedOperators())
      outs() << op.domain << " " << op.opType << " " << op.minOpset << "\n";
    return 0;
  }
  if (inputPath.empty()) {
    errs() << "sparq-import-onnx: no input model (usage: sparq-import-onnx "
              "model.onnx -o model.mlirbc)\n";
    return 1;
  }

  ImportOptions options;
  options.functionName = functionName;
  options.runChecker = !noChecker;
  for (StringRef binding : dims) {
    auto [name, value] = binding.split('=');
    int64_t size = 0;
    if (name.empty() || value.getAsInteger(10, size) || size < 0) {
      errs() << "sparq-import-onnx: --dim '" << binding
             << "' is not name=N with N >= 0\n";
      return 1;
    }
    options.dimBindings[name] = size;
  }
  for (StringRef binding : boundInputs) {
    auto [name, file] = binding.split('=');
    if (name.empty() || file.empty()) {
      errs() << "sparq-import-onnx: --bind-input '" << binding
             << "' is not name=file\n";
      return 1;
    }
    options.boundInputs[name] = file.str();
  }

  mlir::MLIRContext context;
  // Importer messages name the file, node and tensor themselves; the
  // locations (ONNX node names) would only repeat them.
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
    errs() << "sparq-import-onnx: "
           << (diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error: "
                                                                     : "note: ")
           << diag.str() << "\n";
    for (mlir::Diagnostic &note : diag.getNotes())
      errs() << "  note: " << note.str() << "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importModel(inputPath, context, options);
  if (!module)
    return 1;

  // Written to a temporary next to the output and renamed when complete.
  bool bytecode = emitBytecode || StringRef(outputPath).ends_with(".mlirbc");
  if (Error err = sparq::writeFileAtomically(
          outputPath, [&](raw_pwrite_stream &os) -> Error {
            if (!bytecode) {
              module->print(os);
              return Error::success();
            }
            if (mlir::failed(mlir::writeBytecodeToFile(*module, os)))
              return createStringError(inconvertibleErrorCode(),
                                       "cannot write bytecode to " +
                                           outputPath);
            return Error::success();
          })) {
    errs() << "sparq-import-onnx: " << toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}
