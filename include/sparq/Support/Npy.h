//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// Part of the sparq project.
//
// The .npy format (versions 1.0 to 3.0, C order, little-endian) for the
// numeric types sparq passes through its ABI. Element types are ONNX's
// TensorProto.DataType codes, like everywhere else in sparq.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_SUPPORT_NPY_H
#define SPARQ_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sparq::npy {

struct Array {
  /// Where the array came from (an ONNX TensorProto's name), if anywhere.
  std::string name;
  int32_t dtype = 0; // ONNX data type code
  std::vector<int64_t> shape;
  std::vector<char> bytes;
};

/// Bytes per element of an ONNX data type code .npy can hold; 0 otherwise.
unsigned elementBytes(int32_t dtype);

/// numpy's name of the type ("float32", ...; "bfloat16" is not numpy's but
/// names sparq's type in messages).
llvm::StringRef dtypeName(int32_t dtype);

/// Formats a shape as [2, 3].
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Reads a .npy file; errors name the file and what is wrong.
llvm::Expected<Array> read(llvm::StringRef path);

/// Parses the contents of a .npy file; `path` names it in errors.
llvm::Expected<Array> parse(llvm::StringRef data, llvm::StringRef path);

/// Writes `bytes` as a .npy array of `dtype` and `shape`.
llvm::Error write(llvm::StringRef path, int32_t dtype,
                  llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<char> bytes);

} // namespace sparq::npy

#endif // SPARQ_SUPPORT_NPY_H
