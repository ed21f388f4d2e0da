//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/Npy.h"
#include "sparq/Support/OutputFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>

using namespace llvm;

namespace {
struct NpyType {
  const char *descr;
  int32_t dtype;
  unsigned bytes;
  const char *name;
};
// ONNX codes: FLOAT 1, UINT8 2, INT8 3, UINT16 4, INT16 5, INT32 6, INT64 7,
// BOOL 9, FLOAT16 10, DOUBLE 11, UINT32 12, UINT64 13.
const NpyType npyTypes[] = {
    {"<f4", 1, 4, "float32"},  {"<f2", 10, 2, "float16"},
    {"<f8", 11, 8, "float64"}, {"|i1", 3, 1, "int8"},
    {"|u1", 2, 1, "uint8"},    {"<i2", 5, 2, "int16"},
    {"<u2", 4, 2, "uint16"},   {"<i4", 6, 4, "int32"},
    {"<u4", 12, 4, "uint32"},  {"<i8", 7, 8, "int64"},
    {"<u8", 13, 8, "uint64"},  {"|b1", 9, 1, "bool"}};

const NpyType *findType(int32_t dtype) {
  for (const NpyType &type : npyTypes)
    if (type.dtype == dtype)
      return &type;
  return nullptr;
}

Error fail(StringRef path, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), path + ": " + message);
}
} // namespace

unsigned sparq::npy::elementBytes(int32_t dtype) {
  const NpyType *type = findType(dtype);
  return type ? type->bytes : 0;
}

StringRef sparq::npy::dtypeName(int32_t dtype) {
  if (dtype == 16)
    return "bfloat16";
  const NpyType *type = findType(dtype);
  return type ? type->name : "unknown";
}

std::string sparq::npy::formatShape(ArrayRef<int64_t> shape) {
  return "[" +
         join(map_range(shape, [](int64_t d) { return itostr(d); }), ", ") +
         "]";
}

Expected<sparq::npy::Array> sparq::npy::read(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

Expected<sparq::npy::Array> sparq::npy::parse(StringRef data, StringRef path) {
  if (!data.starts_with("\x93NUMPY") || data.size() < 10)
    return fail(path, "not a .npy file");
  bool version1 = data[6] == 1;
  size_t headerStart = version1 ? 10 : 12;
  if (data.size() < headerStart)
    return fail(path, "truncated .npy header");
  size_t headerLen = uint8_t(data[8]) | (size_t(uint8_t(data[9])) << 8);
  if (!version1)
    headerLen |=
        (size_t(uint8_t(data[10])) << 16) | (size_t(uint8_t(data[11])) << 24);
  if (headerStart + headerLen > data.size())
    return fail(path, "truncated .npy header");
  StringRef header = data.substr(headerStart, headerLen);
  Array array;
  const NpyType *type = nullptr;
  for (const NpyType &candidate : npyTypes)
    if (header.contains(std::string("'descr': '") + candidate.descr + "'"))
      type = &candidate;
  if (!type)
    return fail(path, "unsupported .npy dtype in header " + header);
  array.dtype = type->dtype;
  if (header.contains("'fortran_order': True"))
    return fail(path, "Fortran-ordered arrays are not supported");
  size_t open = header.find("'shape': (");
  size_t close = header.find(')', open);
  if (open == StringRef::npos || close == StringRef::npos)
    return fail(path, ".npy header has no shape");
  SmallVector<StringRef> dims;
  header.slice(open + 10, close).split(dims, ',', -1, false);
  for (StringRef dim : dims) {
    int64_t size;
    if (dim.trim().getAsInteger(10, size) || size < 0)
      return fail(path, "bad .npy shape in header " + header);
    array.shape.push_back(size);
  }
  // A shape whose byte count overflows cannot match any file.
  uint64_t count = 1;
  for (int64_t size : array.shape) {
    if (size != 0 && count > std::numeric_limits<uint64_t>::max() /
                                 type->bytes / static_cast<uint64_t>(size))
      return fail(path, formatv("shape {0} in the header has too many elements",
                                formatShape(array.shape)));
    count *= size;
  }
  size_t offset = headerStart + headerLen;
  if (data.size() - offset != count * type->bytes)
    return fail(path, formatv("holds {0} data bytes, shape {1} needs {2}",
                              data.size() - offset, formatShape(array.shape),
                              count * type->bytes));
  array.bytes.assign(data.begin() + offset, data.end());
  return array;
}

Error sparq::npy::write(StringRef path, int32_t dtype, ArrayRef<int64_t> shape,
                        ArrayRef<char> bytes) {
  const NpyType *type = findType(dtype);
  if (!type)
    return fail(path, "a " + dtypeName(dtype) + " array cannot be a .npy file");
  std::string dims;
  for (size_t d = 0; d < shape.size(); ++d)
    dims += itostr(shape[d]) + (shape.size() == 1      ? ","
                                : d + 1 < shape.size() ? ", "
                                                       : "");
  std::string header =
      formatv("{{'descr': '{0}', 'fortran_order': False, 'shape': ({1}), }",
              type->descr, dims)
          .str();
  // Pad so the data starts on a 64-byte boundary, ending with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  return sparq::writeFileAtomically(path, [&](raw_pwrite_stream &os) {
    os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
       << char(header.size() >> 8) << header;
    os.write(bytes.data(), bytes.size());
    return Error::success();
  });
}
