//===- ModelLoader.h - Reading ONNX files and tensor data -------*- C++ -*-===//
//
// Part of the sparq project.
//
// Parses ONNX model files with Debian's libonnx protobuf classes and gives
// access to tensor bytes wherever they live: inline in the protobuf (moved
// out, not copied), in typed repeated fields, or in external data files
// (memory-mapped). Element types are ONNX's integer codes, so types newer
// than the linked libonnx (INT4/UINT4, ...) read fine.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_FRONTEND_ONNX_MODELLOADER_H
#define SPARQ_FRONTEND_ONNX_MODELLOADER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace onnx {
class ModelProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace sparq::onnx_frontend {

/// ONNX TensorProto.DataType codes, including those newer than libonnx 1.12.
enum class DType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
};

/// ONNX's name of a data type code ("FLOAT", "INT4", ...; "code 42" if
/// unknown).
std::string dtypeName(int32_t code);

/// Bits per element of a fixed-width numeric type; 0 for strings, complex and
/// unknown codes.
unsigned dtypeBits(int32_t code);

bool isUnsignedDType(int32_t code);
bool isFloatDType(int32_t code);

/// Bytes of one tensor's data in ONNX's raw little-endian layout (sub-byte
/// types packed two per byte along the flattened tensor, low nibble first).
/// The bytes are owned by `owner` (a moved-out protobuf string, a heap
/// buffer, or a memory mapping), which may be shared with other tensors.
struct TensorBytes {
  llvm::ArrayRef<char> bytes;
  std::shared_ptr<const void> owner;
};

/// A parsed model and the directory its external data is resolved against.
class LoadedModel {
public:
  LoadedModel();
  ~LoadedModel();
  LoadedModel(LoadedModel &&) noexcept;
  LoadedModel &operator=(LoadedModel &&) noexcept;

  onnx::ModelProto &proto() { return *model; }
  const onnx::ModelProto &proto() const { return *model; }
  llvm::StringRef path() const { return modelPath; }
  llvm::StringRef directory() const { return modelDir; }

  /// Reads the data of `tensor` (an initializer or a tensor attribute of this
  /// model). Raw data moves out of the protobuf, so each tensor can be read
  /// once; external data is memory-mapped. `what` names the tensor in
  /// messages.
  llvm::Expected<TensorBytes> takeTensorBytes(onnx::TensorProto &tensor);

  friend llvm::Expected<LoadedModel> parseModel(llvm::StringRef bytes,
                                                llvm::StringRef path);

private:
  std::unique_ptr<onnx::ModelProto> model;
  std::string modelPath;
  std::string modelDir;
};

/// Parses the model file at `path`. Errors name the file: unreadable,
/// truncated or corrupt protobuf, no graph.
llvm::Expected<LoadedModel> loadModel(llvm::StringRef path);

/// Parses model `bytes` as if read from `path` (which names the model in
/// messages and whose directory holds its external data).
llvm::Expected<LoadedModel> parseModel(llvm::StringRef bytes,
                                       llvm::StringRef path);

/// Resolves an external data `location` against `modelDir`, refusing
/// absolute paths and paths that leave the directory.
llvm::Expected<std::string> resolveExternalLocation(llvm::StringRef modelDir,
                                                    llvm::StringRef location);

/// Runs libonnx's checker where it knows every opset the model imports;
/// returns the checker's message on failure. Models using newer opsets or
/// other domains are skipped (std::nullopt with `skippedWhy` set).
std::optional<std::string> runOnnxChecker(const onnx::ModelProto &model,
                                          llvm::StringRef modelDir,
                                          std::string &skippedWhy);

/// Checks a node's number of inputs and outputs, and that no required input
/// is left out, against libonnx's schema for its operator at `opset` (the
/// latest libonnx knows at or below it). Returns what is wrong, naming the
/// counts; std::nullopt when it agrees or libonnx has no schema. Runs with or
/// without the checker, so converters may index every input the schema
/// requires.
std::optional<std::string> checkNodeArity(const onnx::NodeProto &node,
                                          int64_t opset);

} // namespace sparq::onnx_frontend

#endif // SPARQ_FRONTEND_ONNX_MODELLOADER_H
