//===- mlir-parse-fuzzer.cpp - libFuzzer target for parsing sparq IR ------===//
//
// Part of the sparq project.
//
// Parses arbitrary text as an MLIR module with every dialect sparq-opt
// registers, then verifies it: sparq's attribute and type parsers, custom
// assembly formats and verifiers see whatever the fuzzer writes.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"

#include <cstdint>
#include <string>

namespace {
const mlir::DialectRegistry &getRegistry() {
  static const mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mlir::registerAllDialects(*r);
    mlir::registerAllExtensions(*r);
    r->insert<sparq::SparqDialect>();
    return r;
  }();
  return *registry;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(getRegistry(),
                            mlir::MLIRContext::Threading::DISABLED);
  context.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  // MLIR's lexer finds the end of its buffer by the NUL after it, as every
  // file the tools read has (MemoryBuffer::getFile adds one); libFuzzer's
  // data has none.
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, "fuzz-input");
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
