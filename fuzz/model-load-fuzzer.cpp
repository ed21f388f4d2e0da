//===- model-load-fuzzer.cpp - libFuzzer target for tensor files ----------===//
//
// Part of the sparq project.
//
// The files users hand to the runtime side: .npy arrays and ONNX TensorProto
// (.pb) tensors, read by sparq-run (--input, --inputs-from, --expect) and by
// --bind-input. Every array a reader accepts must hold exactly the bytes its
// shape and element type need, because sparq_set_input and sparq-run's
// comparison index the bytes by the shape.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/Npy.h"
#include "sparq/Support/TensorProto.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
void checkConsistent(llvm::Expected<sparq::npy::Array> array,
                     const char *reader) {
  if (!array) {
    std::string message = llvm::toString(array.takeError());
    if (message.empty()) {
      std::fprintf(stderr, "%s: error without a message\n", reader);
      std::abort();
    }
    return;
  }
  unsigned elementBytes = sparq::npy::elementBytes(array->dtype);
  if (array->dtype == 16) // bfloat16
    elementBytes = 2;
  unsigned __int128 needed = elementBytes;
  for (int64_t dim : array->shape) {
    if (dim < 0) {
      std::fprintf(stderr, "%s: negative dimension accepted\n", reader);
      std::abort();
    }
    needed *= static_cast<uint64_t>(dim);
    if (needed > UINT64_MAX)
      break; // no buffer is that large: the check below fails
  }
  if (elementBytes == 0 || needed != array->bytes.size()) {
    std::fprintf(stderr, "%s: accepted %zu bytes for shape %s of type %d\n",
                 reader, array->bytes.size(),
                 sparq::npy::formatShape(array->shape).c_str(), array->dtype);
    std::abort();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  checkConsistent(sparq::npy::parse(bytes, "fuzz.npy"), "npy");
  checkConsistent(sparq::parseTensorProto(bytes, "fuzz.pb"), "TensorProto");
  return 0;
}
