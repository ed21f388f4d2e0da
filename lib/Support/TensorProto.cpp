//===- TensorProto.cpp - Reading ONNX TensorProto files -------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/TensorProto.h"
#include "sparq/Runtime/sparq_model.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

Expected<sparq::npy::Array> sparq::readTensorProtoFile(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(),
                             path + ": " + buffer.getError().message());
  onnx::TensorProto proto;
  if (!proto.ParseFromArray((*buffer)->getBufferStart(),
                            (*buffer)->getBufferSize()))
    return createStringError(inconvertibleErrorCode(),
                             path + ": not a TensorProto");
  npy::Array tensor;
  tensor.name = proto.name();
  tensor.dtype = proto.data_type();
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  auto append = [&](const void *p, size_t n) {
    const char *c = static_cast<const char *>(p);
    tensor.bytes.insert(tensor.bytes.end(), c, c + n);
  };
  if (proto.has_raw_data()) {
    append(proto.raw_data().data(), proto.raw_data().size());
  } else if (proto.float_data_size()) {
    append(proto.float_data().data(), proto.float_data_size() * 4);
  } else if (proto.double_data_size()) {
    append(proto.double_data().data(), proto.double_data_size() * 8);
  } else if (proto.int64_data_size()) {
    append(proto.int64_data().data(), proto.int64_data_size() * 8);
  } else if (proto.int32_data_size()) {
    // Narrow types are stored widened to int32, one value per element.
    for (int32_t v : proto.int32_data()) {
      switch (tensor.dtype) {
      case SPARQ_INT32:
        append(&v, 4);
        break;
      case SPARQ_INT16:
      case SPARQ_UINT16:
      case SPARQ_FLOAT16:
      case SPARQ_BFLOAT16: {
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
  return tensor;
}
