//===- TensorProto.cpp - Reading ONNX TensorProto files -------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/TensorProto.h"
#include "sparq/Runtime/sparq_model.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <limits>

using namespace llvm;

namespace {
Error fail(StringRef path, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), path + ": " + message);
}
} // namespace

Expected<sparq::npy::Array> sparq::readTensorProtoFile(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             path + ": " + buffer.getError().message());
  return parseTensorProto((*buffer)->getBuffer(), path);
}

Expected<sparq::npy::Array> sparq::parseTensorProto(StringRef bytes,
                                                    StringRef path) {
  onnx::TensorProto proto;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fail(path, "not a TensorProto");
  npy::Array tensor;
  tensor.name = proto.name();
  tensor.dtype = proto.data_type();
  unsigned elementBytes = npy::elementBytes(tensor.dtype);
  if (tensor.dtype == SPARQ_BFLOAT16)
    elementBytes = 2;
  if (elementBytes == 0)
    return fail(path, formatv("tensor '{0}' has element type code {1}, which "
                              "sparq cannot pass to a model",
                              tensor.name, tensor.dtype));
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return fail(path, formatv("tensor '{0}' has a negative dimension {1}",
                                tensor.name, dim));
    tensor.shape.push_back(dim);
  }
  // The element count, checked so that every byte count below fits.
  uint64_t count = 1;
  for (int64_t dim : tensor.shape) {
    if (dim != 0 && count > std::numeric_limits<uint64_t>::max() / 8 /
                                static_cast<uint64_t>(dim))
      return fail(path, formatv("tensor '{0}' of shape {1} has too many "
                                "elements",
                                tensor.name, npy::formatShape(tensor.shape)));
    count *= dim;
  }
  auto append = [&](const void *p, size_t n) {
    const char *c = static_cast<const char *>(p);
    tensor.bytes.insert(tensor.bytes.end(), c, c + n);
  };
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fail(path, formatv("tensor '{0}' keeps its data in an external "
                              "file, which sparq-run does not read",
                              tensor.name));
  if (proto.has_raw_data()) {
    append(proto.raw_data().data(), proto.raw_data().size());
  } else if (proto.float_data_size()) {
    append(proto.float_data().data(), proto.float_data_size() * 4);
  } else if (proto.double_data_size()) {
    append(proto.double_data().data(), proto.double_data_size() * 8);
  } else if (proto.int64_data_size()) {
    append(proto.int64_data().data(), proto.int64_data_size() * 8);
  } else if (proto.uint64_data_size()) {
    for (uint64_t v : proto.uint64_data()) {
      if (elementBytes == 4) {
        uint32_t w = v;
        append(&w, 4);
      } else {
        append(&v, 8);
      }
    }
  } else if (proto.int32_data_size()) {
    // Narrow types are stored widened to int32, one value per element.
    for (int32_t v : proto.int32_data()) {
      switch (elementBytes) {
      case 4:
        append(&v, 4);
        break;
      case 2: {
        uint16_t h = v;
        append(&h, 2);
        break;
      }
      default: {
        uint8_t b = v;
        append(&b, 1);
      }
      }
    }
  }
  // Whoever reads the array (sparq_set_input, sparq-run's comparison) relies
  // on the bytes matching the shape.
  if (tensor.bytes.size() != count * elementBytes)
    return fail(path,
                formatv("tensor '{0}' holds {1} data bytes, but its "
                        "shape {2} of {3} needs {4}",
                        tensor.name, tensor.bytes.size(),
                        npy::formatShape(tensor.shape),
                        npy::dtypeName(tensor.dtype), count * elementBytes));
  return tensor;
}
