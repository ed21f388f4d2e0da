//===- Importer.h - ONNX to MLIR importer -----------------------*- C++ -*-===//
//
// Part of the sparq project.
//
// Imports an ONNX model into a module with one function (`@main` by
// default) in upstream dialects (func, tensor, linalg, arith, math) and sparq
// ops for quantized computation. Weights become dense_resource blobs that
// share memory with the parsed model or its memory-mapped external data.
// Every shape is static: symbolic input dimensions are bound by name.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_FRONTEND_ONNX_IMPORTER_H
#define SPARQ_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <utility>
#include <vector>

namespace sparq::onnx_frontend {

struct ImportOptions {
  /// Values of symbolic dimensions (`--dim seq=128`).
  llvm::StringMap<int64_t> dimBindings;
  /// Graph inputs whose values are fixed at compile time (`--bind-input
  /// shape=shape.npy`): input name to a .npy or ONNX TensorProto (.pb) file.
  /// They become constants, so inputs that decide shapes (a Reshape's
  /// `shape`, Slice's `starts`, ...) can come from the user.
  llvm::StringMap<std::string> boundInputs;
  /// Name of the function the graph becomes.
  std::string functionName = "main";
  /// Run libonnx's checker where it knows the model's opsets.
  bool runChecker = true;
};

/// Imports the model at `path`. Errors go to the context's diagnostic
/// handler and give a null module.
mlir::OwningOpRef<mlir::ModuleOp> importModel(llvm::StringRef path,
                                              mlir::MLIRContext &context,
                                              const ImportOptions &options);

/// Imports a model already in memory, as if read from `path` (which names
/// it in messages and whose directory holds its external data).
mlir::OwningOpRef<mlir::ModuleOp>
importModelFromBuffer(llvm::StringRef bytes, llvm::StringRef path,
                      mlir::MLIRContext &context, const ImportOptions &options);

/// Registers the dialects imported modules use.
void registerImportedDialects(mlir::DialectRegistry &registry);

/// An operator the importer converts, from opset `minOpset` on.
struct SupportedOperator {
  std::string domain;
  std::string opType;
  int64_t minOpset;
};

/// Every supported operator, sorted by domain and op type.
std::vector<SupportedOperator> listSupportedOperators();

} // namespace sparq::onnx_frontend

#endif // SPARQ_FRONTEND_ONNX_IMPORTER_H
