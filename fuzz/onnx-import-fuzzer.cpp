//===- onnx-import-fuzzer.cpp - libFuzzer target for the ONNX importer ----===//
//
// Part of the sparq project.
//
// Feeds arbitrary bytes to the entry point sparq-import-onnx and sparqc use
// (protobuf parsing, libonnx's checker, the model loader and the operator
// converters). Any input must give either a verified module or a diagnostic;
// a crash, sanitizer report, leak or an error without a message is a bug.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  sparq::onnx_frontend::registerImportedDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  bool reported = false;
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      reported = true;
    return mlir::success();
  });

  sparq::onnx_frontend::ImportOptions options;
  // The symbolic dimensions sparq's generated models and common exporters
  // use, so that seeds get past input binding.
  for (const char *name : {"batch", "seq", "sequence", "N", "batch_size",
                           "sequence_length", "past_sequence_length"})
    options.dimBindings[name] = 2;
  // The directory does not exist: external data references fail cleanly
  // instead of reading the fuzzing machine's files.
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      sparq::onnx_frontend::importModelFromBuffer(
          bytes, "/nonexistent-sparq-fuzz-dir/model.onnx", context, options);
  if (module && mlir::failed(mlir::verify(*module))) {
    std::fprintf(stderr, "imported module does not verify\n");
    std::abort();
  }
  if (!module && !reported) {
    std::fprintf(stderr, "import failed without a diagnostic\n");
    std::abort();
  }
  return 0;
}
