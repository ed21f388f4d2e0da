//===- ModelLibrary.h - Loading a model library through its C ABI -*- C++
//-*-===//
//
// Part of the sparq project.
//
// A shared library written by sparqc, opened with dlopen and its C ABI
// (include/sparq/Runtime/sparq_model.h) resolved with dlsym. sparq-run and
// the passes that run the model they transform (sparq-calibrate, the
// quantization report) share it.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_SUPPORT_MODELLIBRARY_H
#define SPARQ_SUPPORT_MODELLIBRARY_H

#include "sparq/Runtime/sparq_model.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace sparq {

class ModelLibrary {
public:
  ModelLibrary() = default;
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;
  /// Closes the library.
  ~ModelLibrary();

  /// Opens `path` and resolves every ABI function; false with a message in
  /// `error` if it cannot be opened, a symbol is missing or the ABI version
  /// differs from SPARQ_ABI_VERSION.
  bool load(llvm::StringRef path, std::string &error);

  /// Index of the input called `name`, or -1.
  int32_t findInput(llvm::StringRef name) const;
  /// The input names, comma separated, for messages.
  std::string inputNames() const;

  /// What the library was compiled for: "cpu" or "cuda:<arch>"
  /// (sparq_target; "cpu" for libraries that predate it).
  std::string targetName() const;

  int32_t (*abiVersion)() = nullptr;
  int32_t (*numInputs)() = nullptr;
  int32_t (*numOutputs)() = nullptr;
  const sparq_tensor_info *(*inputInfo)(int32_t) = nullptr;
  const sparq_tensor_info *(*outputInfo)(int32_t) = nullptr;
  sparq_context *(*createContext)() = nullptr;
  void (*destroyContext)(sparq_context *) = nullptr;
  int (*setInput)(sparq_context *, int32_t, const void *, size_t) = nullptr;
  int (*run)(sparq_context *) = nullptr;
  const void *(*getOutput)(sparq_context *, int32_t, size_t *) = nullptr;
  const char *(*lastError)(const sparq_context *) = nullptr;
  /// Optional: null in libraries that predate it.
  const char *(*target)() = nullptr;

private:
  void *handle = nullptr;
};

} // namespace sparq

#endif // SPARQ_SUPPORT_MODELLIBRARY_H
