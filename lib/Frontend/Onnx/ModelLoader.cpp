//===- ModelLoader.cpp - Reading ONNX files and tensor data ---------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "onnx/onnx_pb.h"

#include <google/protobuf/io/coded_stream.h>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <limits>
#include <vector>

using namespace sparq::onnx_frontend;
using llvm::Expected;
using llvm::StringRef;

namespace {
/// Protobuf's default recursion limit, which ParseFromArray applies.
constexpr int kProtobufRecursionLimit = 100;
/// How deep a model that failed to parse is parsed again to tell deep
/// nesting from corruption (deep enough for any model one would write, not
/// enough to exhaust the stack).
constexpr int kDiagnosisRecursionLimit = 5000;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

//===----------------------------------------------------------------------===//
// Data types
//===----------------------------------------------------------------------===//

std::string sparq::onnx_frontend::dtypeName(int32_t code) {
  static const char *const names[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",
      "INT8",           "UINT16",     "INT16",
      "INT32",          "INT64",      "STRING",
      "BOOL",           "FLOAT16",    "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",
      "COMPLEX128",     "BFLOAT16",   "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
      "UINT4",          "INT4"};
  if (code >= 0 && code < static_cast<int32_t>(std::size(names)))
    return names[code];
  return llvm::formatv("data type code {0}", code).str();
}

unsigned sparq::onnx_frontend::dtypeBits(int32_t code) {
  switch (static_cast<DType>(code)) {
  case DType::Bool:
  case DType::UInt8:
  case DType::Int8:
  case DType::Float8E4M3FN:
  case DType::Float8E4M3FNUZ:
  case DType::Float8E5M2:
  case DType::Float8E5M2FNUZ:
    return 8;
  case DType::UInt16:
  case DType::Int16:
  case DType::Float16:
  case DType::BFloat16:
    return 16;
  case DType::Float:
  case DType::Int32:
  case DType::UInt32:
    return 32;
  case DType::Double:
  case DType::Int64:
  case DType::UInt64:
    return 64;
  case DType::UInt4:
  case DType::Int4:
    return 4;
  default:
    return 0;
  }
}

bool sparq::onnx_frontend::isUnsignedDType(int32_t code) {
  switch (static_cast<DType>(code)) {
  case DType::UInt8:
  case DType::UInt16:
  case DType::UInt32:
  case DType::UInt64:
  case DType::UInt4:
    return true;
  default:
    return false;
  }
}

bool sparq::onnx_frontend::isFloatDType(int32_t code) {
  switch (static_cast<DType>(code)) {
  case DType::Float:
  case DType::Float16:
  case DType::BFloat16:
  case DType::Double:
    return true;
  default:
    return false;
  }
}

//===----------------------------------------------------------------------===//
// LoadedModel
//===----------------------------------------------------------------------===//

LoadedModel::LoadedModel() : model(std::make_unique<onnx::ModelProto>()) {}
LoadedModel::~LoadedModel() = default;
LoadedModel::LoadedModel(LoadedModel &&) noexcept = default;
LoadedModel &LoadedModel::operator=(LoadedModel &&) noexcept = default;

Expected<LoadedModel> sparq::onnx_frontend::loadModel(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(llvm::formatv("{0}: cannot read the model: {1}", path,
                                   buffer.getError().message()));
  return parseModel((*buffer)->getBuffer(), path);
}

Expected<LoadedModel> sparq::onnx_frontend::parseModel(StringRef bytes,
                                                       StringRef path) {
  if (bytes.empty())
    return makeError(llvm::formatv("{0}: the model file is empty", path));
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return makeError(llvm::formatv(
        "{0}: the model file is {1} bytes, over protobuf's 2 GB limit; store "
        "the weights as external data",
        path, bytes.size()));
  LoadedModel loaded;
  if (!loaded.model->ParseFromArray(bytes.data(),
                                    static_cast<int>(bytes.size()))) {
    // Protobuf refuses messages nested more than 100 deep (subgraphs of
    // If/Loop/Scan nodes add three levels each), which protects the stack.
    // Parsing again with a higher limit tells such a model from garbage.
    onnx::ModelProto deeper;
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()),
        static_cast<int>(bytes.size()));
    stream.SetRecursionLimit(kDiagnosisRecursionLimit);
    if (deeper.ParseFromCodedStream(&stream) && stream.ConsumedEntireMessage())
      return makeError(llvm::formatv(
          "{0}: the model nests graphs deeper than protobuf's limit of {1} "
          "levels of messages",
          path, kProtobufRecursionLimit));
    return makeError(llvm::formatv(
        "{0}: not a valid ONNX model (truncated or corrupt protobuf, {1} "
        "bytes)",
        path, bytes.size()));
  }
  if (!loaded.model->has_graph())
    return makeError(llvm::formatv("{0}: the model has no graph", path));
  loaded.modelPath = path.str();
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  loaded.modelDir = std::string(dir);
  return loaded;
}

Expected<std::string>
sparq::onnx_frontend::resolveExternalLocation(StringRef modelDir,
                                              StringRef location) {
  if (location.empty())
    return makeError("external data location is empty");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return makeError(llvm::formatv(
        "external data location '{0}' is an absolute path; it must be "
        "relative to the model's directory",
        location));
  for (StringRef component : llvm::make_range(llvm::sys::path::begin(location),
                                              llvm::sys::path::end(location)))
    if (component == "..")
      return makeError(llvm::formatv(
          "external data location '{0}' leaves the model's directory",
          location));
  llvm::SmallString<256> resolved(modelDir);
  llvm::sys::path::append(resolved, location);
  return std::string(resolved);
}

namespace {
/// Number of elements of a tensor, or an error on negative or overflowing
/// dimensions.
Expected<uint64_t> numElements(const onnx::TensorProto &tensor) {
  uint64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return makeError(llvm::formatv(
          "tensor '{0}' has a negative dimension {1}", tensor.name(), dim));
    if (dim != 0 && count > std::numeric_limits<uint64_t>::max() /
                                static_cast<uint64_t>(dim))
      return makeError(
          llvm::formatv("tensor '{0}' has too many elements", tensor.name()));
    count *= static_cast<uint64_t>(dim);
  }
  // Byte counts (count * bits) must not overflow either.
  if (count > std::numeric_limits<uint64_t>::max() / 64)
    return makeError(
        llvm::formatv("tensor '{0}' has too many elements", tensor.name()));
  return count;
}

/// Copies typed repeated-field data into raw little-endian bytes of `bits`
/// bits per element.
template <typename Field>
std::vector<char> narrowCopy(const Field &field, unsigned bits) {
  std::vector<char> out(field.size() * (bits / 8));
  for (int i = 0, e = field.size(); i < e; ++i) {
    auto value = field.Get(i);
    switch (bits) {
    case 8: {
      uint8_t v = static_cast<uint8_t>(value);
      std::memcpy(out.data() + i, &v, 1);
      break;
    }
    case 16: {
      uint16_t v = static_cast<uint16_t>(value);
      std::memcpy(out.data() + 2 * i, &v, 2);
      break;
    }
    case 32: {
      uint32_t v = static_cast<uint32_t>(value);
      std::memcpy(out.data() + 4 * i, &v, 4);
      break;
    }
    default: {
      uint64_t v = static_cast<uint64_t>(value);
      std::memcpy(out.data() + 8 * i, &v, 8);
      break;
    }
    }
  }
  return out;
}

TensorBytes ownVector(std::vector<char> data) {
  auto owner = std::make_shared<std::vector<char>>(std::move(data));
  return TensorBytes{llvm::ArrayRef<char>(owner->data(), owner->size()), owner};
}
} // namespace

Expected<TensorBytes> LoadedModel::takeTensorBytes(onnx::TensorProto &tensor) {
  const std::string name = tensor.name();
  int32_t dtype = tensor.data_type();
  unsigned bits = dtypeBits(dtype);
  if (bits == 0)
    return makeError(llvm::formatv("tensor '{0}' has unsupported element type "
                                   "{1}",
                                   name, dtypeName(dtype)));
  Expected<uint64_t> count = numElements(tensor);
  if (!count)
    return count.takeError();
  uint64_t expectedBytes = (*count * bits + 7) / 8;

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    std::optional<uint64_t> offset, length;
    for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
      uint64_t value = 0;
      if (entry.key() == "location") {
        location = entry.value();
      } else if (entry.key() == "offset" || entry.key() == "length") {
        if (StringRef(entry.value()).getAsInteger(10, value))
          return makeError(llvm::formatv(
              "tensor '{0}': external data {1} '{2}' is not a number", name,
              entry.key(), entry.value()));
        (entry.key() == "offset" ? offset : length) = value;
      }
    }
    Expected<std::string> file = resolveExternalLocation(modelDir, location);
    if (!file)
      return makeError(llvm::formatv("tensor '{0}': {1}", name,
                                     llvm::toString(file.takeError())));
    uint64_t fileSize = 0;
    if (std::error_code ec = llvm::sys::fs::file_size(*file, fileSize))
      return makeError(llvm::formatv(
          "tensor '{0}': cannot open external data file '{1}': {2}", name,
          *file, ec.message()));
    uint64_t start = offset.value_or(0);
    uint64_t size = length.value_or(expectedBytes);
    if (size != expectedBytes)
      return makeError(llvm::formatv(
          "tensor '{0}': external data length {1} does not match the {2} "
          "bytes of its {3} elements of {4}",
          name, size, expectedBytes, *count, dtypeName(dtype)));
    if (start > fileSize || size > fileSize - start)
      return makeError(llvm::formatv(
          "tensor '{0}': external data wants bytes [{1}, {2}) of '{3}', which "
          "has {4} bytes",
          name, start, start + size, *file, fileSize));
    if (size == 0)
      return ownVector({});
    auto slice = llvm::MemoryBuffer::getFileSlice(*file, size, start);
    if (!slice)
      return makeError(llvm::formatv(
          "tensor '{0}': cannot map external data file '{1}': {2}", name, *file,
          slice.getError().message()));
    std::shared_ptr<llvm::MemoryBuffer> mapped = std::move(*slice);
    StringRef data = mapped->getBuffer();
    return TensorBytes{llvm::ArrayRef<char>(data.data(), data.size()),
                       std::move(mapped)};
  }

  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != expectedBytes)
      return makeError(llvm::formatv(
          "tensor '{0}': raw data has {1} bytes, but its {2} elements of {3} "
          "need {4}",
          name, tensor.raw_data().size(), *count, dtypeName(dtype),
          expectedBytes));
    // Move the bytes out of the protobuf: no copy of the weights is made.
    std::shared_ptr<std::string> raw(tensor.release_raw_data());
    return TensorBytes{llvm::ArrayRef<char>(raw->data(), raw->size()), raw};
  }

  std::vector<char> data;
  uint64_t fieldCount = 0;
  switch (static_cast<DType>(dtype)) {
  case DType::Float:
    fieldCount = tensor.float_data_size();
    data.resize(fieldCount * 4);
    std::memcpy(data.data(), tensor.float_data().data(), data.size());
    break;
  case DType::Double:
    fieldCount = tensor.double_data_size();
    data.resize(fieldCount * 8);
    std::memcpy(data.data(), tensor.double_data().data(), data.size());
    break;
  case DType::Int64:
    fieldCount = tensor.int64_data_size();
    data = narrowCopy(tensor.int64_data(), 64);
    break;
  case DType::UInt32:
  case DType::UInt64:
    fieldCount = tensor.uint64_data_size();
    data = narrowCopy(tensor.uint64_data(), bits);
    break;
  case DType::Int4:
  case DType::UInt4: {
    // onnx.proto: 4-bit values are "packed to 4bitx2" before they are
    // written to int32_data, so each entry holds one byte of two values (low
    // nibble first), exactly as in raw data.
    uint64_t packedBytes = tensor.int32_data_size();
    if (packedBytes != expectedBytes)
      return makeError(llvm::formatv(
          "tensor '{0}' has {1} packed bytes of {2} data but its {3} elements "
          "need {4}",
          name, packedBytes, dtypeName(dtype), *count, expectedBytes));
    fieldCount = *count;
    data = narrowCopy(tensor.int32_data(), 8);
    break;
  }
  default:
    // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16, FLOAT8*.
    fieldCount = tensor.int32_data_size();
    data = narrowCopy(tensor.int32_data(), bits);
    break;
  }
  if (fieldCount != *count)
    return makeError(llvm::formatv(
        "tensor '{0}' has {1} elements of data but its shape needs {2}", name,
        fieldCount, *count));
  return ownVector(std::move(data));
}
