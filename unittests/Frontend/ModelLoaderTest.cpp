//===- ModelLoaderTest.cpp - ONNX model and tensor data loading -----------===//
//
// Part of the sparq project.
//
// Builds ModelProto/TensorProto messages and external data files in a
// temporary directory and checks the bytes the loader hands out: external
// data at offsets (mapped, not copied, when large), raw data moved out of the
// protobuf, typed repeated fields converted to ONNX's raw layout, and every
// error path with the tensor or file it names.
//
//===----------------------------------------------------------------------===//

#include "sparq/Frontend/Onnx/ModelLoader.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace sparq::onnx_frontend;

namespace {

template <typename T> std::string bytesOf(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(T));
}

std::string asString(const TensorBytes &data) {
  return std::string(data.bytes.data(), data.bytes.size());
}

/// The error's message, or "" if there was none (the value is dropped).
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "";
  return llvm::toString(value.takeError());
}

onnx::TensorProto makeTensor(llvm::StringRef name, int32_t dtype,
                             std::vector<int64_t> dims) {
  onnx::TensorProto tensor;
  tensor.set_name(name.str());
  tensor.set_data_type(dtype);
  for (int64_t dim : dims)
    tensor.add_dims(dim);
  return tensor;
}

void addExternalEntry(onnx::TensorProto &tensor, llvm::StringRef key,
                      llvm::StringRef value) {
  onnx::StringStringEntryProto *entry = tensor.add_external_data();
  entry->set_key(key.str());
  entry->set_value(value.str());
}

/// A tensor whose data lives in `location` at `offset` (and `length`, when
/// not negative).
onnx::TensorProto makeExternal(llvm::StringRef name, int32_t dtype,
                               std::vector<int64_t> dims,
                               llvm::StringRef location, uint64_t offset,
                               int64_t length = -1) {
  onnx::TensorProto tensor = makeTensor(name, dtype, std::move(dims));
  tensor.set_data_location(onnx::TensorProto::EXTERNAL);
  addExternalEntry(tensor, "location", location);
  addExternalEntry(tensor, "offset", std::to_string(offset));
  if (length >= 0)
    addExternalEntry(tensor, "length", std::to_string(length));
  return tensor;
}

/// A one-node model (Identity x -> y).
onnx::ModelProto makeModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type("Identity");
  node->add_input("x");
  node->add_output("y");
  graph->add_input()->set_name("x");
  graph->add_output()->set_name("y");
  for (onnx::ValueInfoProto *info :
       {graph->mutable_input(0), graph->mutable_output(0)}) {
    auto *type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_value(2);
  }
  return model;
}

class ModelLoaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("sparq-loader", dir));
    std::string serialized;
    ASSERT_TRUE(makeModel().SerializeToString(&serialized));
    modelPath = writeFile("model.onnx", serialized);
    llvm::Expected<LoadedModel> loaded = loadModel(modelPath);
    ASSERT_TRUE(static_cast<bool>(loaded))
        << llvm::toString(loaded.takeError());
    model = std::move(*loaded);
  }

  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string pathOf(llvm::StringRef name) const {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  }

  std::string writeFile(llvm::StringRef name, llvm::StringRef contents) {
    std::string path = pathOf(name);
    std::ofstream file(path, std::ios::binary);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    return path;
  }

  llvm::SmallString<256> dir;
  std::string modelPath;
  LoadedModel model;
};

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

TEST_F(ModelLoaderTest, ExternalTensorsAtOffsetsShareOneFile) {
  std::vector<float> a = {1.5f, -2.0f, 3.25f, 4.0f};
  std::vector<int8_t> b = {-1, 2, -3, 4, 127};
  std::vector<double> c = {0.5, -0.25};
  std::string file(128, '\x55');
  file.replace(0, 16, bytesOf(a));
  file.replace(16, 5, bytesOf(b));
  file.replace(64, 16, bytesOf(c));
  writeFile("weights.bin", file);

  onnx::TensorProto ta =
      makeExternal("a", onnx::TensorProto::FLOAT, {2, 2}, "weights.bin", 0, 16);
  onnx::TensorProto tb =
      makeExternal("b", onnx::TensorProto::INT8, {5}, "weights.bin", 16);
  onnx::TensorProto tc =
      makeExternal("c", onnx::TensorProto::DOUBLE, {2}, "weights.bin", 64, 16);
  auto da = model.takeTensorBytes(ta);
  auto db = model.takeTensorBytes(tb);
  auto dc = model.takeTensorBytes(tc);
  ASSERT_TRUE(da && db && dc);
  EXPECT_EQ(asString(*da), bytesOf(a));
  EXPECT_EQ(asString(*db), bytesOf(b));
  EXPECT_EQ(asString(*dc), bytesOf(c));
}

#ifdef __linux__
/// The file mapped at `address` per /proc/self/maps, or "" if none.
std::string mappedFileAt(const void *address) {
  auto target = reinterpret_cast<uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    llvm::StringRef rest(line);
    auto [range, fields] = rest.split(' ');
    auto [startText, endText] = range.split('-');
    uint64_t start = 0, end = 0;
    if (startText.getAsInteger(16, start) || endText.getAsInteger(16, end))
      continue;
    if (target < start || target >= end)
      continue;
    size_t slash = line.find('/');
    return slash == std::string::npos ? "" : line.substr(slash);
  }
  return "";
}

TEST_F(ModelLoaderTest, LargeExternalTensorIsMappedNotCopied) {
  std::vector<float> values(256 * 1024);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(i) * 0.5f;
  std::string file(8192, '\0');
  file += bytesOf(values);
  std::string path = writeFile("big.bin", file);

  onnx::TensorProto tensor = makeExternal("big", onnx::TensorProto::FLOAT,
                                          {256, 1024}, "big.bin", 8192);
  auto data = model.takeTensorBytes(tensor);
  ASSERT_TRUE(static_cast<bool>(data)) << llvm::toString(data.takeError());
  EXPECT_EQ(asString(*data), bytesOf(values));
  EXPECT_TRUE(
      llvm::StringRef(mappedFileAt(data->bytes.data())).ends_with("big.bin"))
      << "bytes at " << static_cast<const void *>(data->bytes.data())
      << " are not a mapping of " << path;
}
#endif

TEST_F(ModelLoaderTest, MisalignedOffsetsGiveTheRightBytes) {
  std::vector<float> large(64 * 1024);
  for (size_t i = 0; i < large.size(); ++i)
    large[i] = static_cast<float>(i) - 1000.0f;
  std::vector<int32_t> small = {7, -8, 9};
  std::string file(4097, '\x01');
  file += bytesOf(large); // at 4097: neither page- nor element-aligned
  file += std::string(3, '\x02');
  size_t smallOffset = file.size(); // odd as well
  file += bytesOf(small);
  writeFile("misaligned.bin", file);

  onnx::TensorProto tl = makeExternal("large", onnx::TensorProto::FLOAT,
                                      {64, 1024}, "misaligned.bin", 4097);
  onnx::TensorProto ts = makeExternal("small", onnx::TensorProto::INT32, {3},
                                      "misaligned.bin", smallOffset, 12);
  auto dl = model.takeTensorBytes(tl);
  auto ds = model.takeTensorBytes(ts);
  ASSERT_TRUE(dl && ds);
  EXPECT_EQ(asString(*dl), bytesOf(large));
  EXPECT_EQ(asString(*ds), bytesOf(small));
}

TEST_F(ModelLoaderTest, ZeroLengthExternalTensor) {
  writeFile("empty.bin", "");
  onnx::TensorProto tensor =
      makeExternal("e", onnx::TensorProto::FLOAT, {0, 4}, "empty.bin", 0, 0);
  auto data = model.takeTensorBytes(tensor);
  ASSERT_TRUE(static_cast<bool>(data)) << llvm::toString(data.takeError());
  EXPECT_TRUE(data->bytes.empty());
}

TEST_F(ModelLoaderTest, AbsoluteLocationIsRefused) {
  std::string absolute = writeFile("abs.bin", std::string(16, '\0'));
  onnx::TensorProto tensor =
      makeExternal("w", onnx::TensorProto::FLOAT, {4}, absolute, 0);
  std::string message = errorOf(model.takeTensorBytes(tensor));
  EXPECT_NE(message.find("tensor 'w'"), std::string::npos) << message;
  EXPECT_NE(message.find("'" + absolute + "' is an absolute path"),
            std::string::npos)
      << message;
}

TEST_F(ModelLoaderTest, DotDotLocationIsRefused) {
  writeFile("inside.bin", std::string(16, '\0'));
  for (llvm::StringRef location :
       {"../inside.bin", "sub/../../inside.bin", "sub/../inside.bin"}) {
    onnx::TensorProto tensor =
        makeExternal("w", onnx::TensorProto::FLOAT, {4}, location, 0);
    std::string message = errorOf(model.takeTensorBytes(tensor));
    EXPECT_NE(
        message.find("'" + location.str() + "' leaves the model's directory"),
        std::string::npos)
        << message;
  }
}

TEST_F(ModelLoaderTest, ResolveExternalLocation) {
  auto resolved = resolveExternalLocation("/models/m", "data/w.bin");
  ASSERT_TRUE(static_cast<bool>(resolved));
  EXPECT_EQ(*resolved, "/models/m/data/w.bin");
  EXPECT_NE(errorOf(resolveExternalLocation("/models/m", "")).find("empty"),
            std::string::npos);
  EXPECT_NE(errorOf(resolveExternalLocation("/models/m", "/etc/passwd"))
                .find("absolute"),
            std::string::npos);
  EXPECT_NE(errorOf(resolveExternalLocation("/models/m", "C:\\w.bin"))
                .find("absolute"),
            std::string::npos);
  EXPECT_NE(errorOf(resolveExternalLocation("/models/m", "a/../../w.bin"))
                .find("leaves"),
            std::string::npos);
}

TEST_F(ModelLoaderTest, MissingExternalFile) {
  onnx::TensorProto tensor =
      makeExternal("w", onnx::TensorProto::FLOAT, {4}, "nothere.bin", 0);
  std::string message = errorOf(model.takeTensorBytes(tensor));
  EXPECT_NE(message.find("tensor 'w': cannot open external data file"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("nothere.bin"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, ExternalLengthMismatch) {
  writeFile("w.bin", std::string(64, '\0'));
  onnx::TensorProto tensor =
      makeExternal("w", onnx::TensorProto::FLOAT, {4}, "w.bin", 0, 12);
  EXPECT_EQ(errorOf(model.takeTensorBytes(tensor)),
            "tensor 'w': external data length 12 does not match the 16 bytes "
            "of its 4 elements of FLOAT");
}

TEST_F(ModelLoaderTest, ExternalFileTooShort) {
  std::string path = writeFile("short.bin", std::string(20, '\0'));
  onnx::TensorProto tensor =
      makeExternal("w", onnx::TensorProto::FLOAT, {4}, "short.bin", 8);
  EXPECT_EQ(errorOf(model.takeTensorBytes(tensor)),
            "tensor 'w': external data wants bytes [8, 24) of '" + path +
                "', which has 20 bytes");
  onnx::TensorProto past =
      makeExternal("p", onnx::TensorProto::FLOAT, {1}, "short.bin", 100);
  EXPECT_NE(errorOf(model.takeTensorBytes(past)).find("bytes [100, 104)"),
            std::string::npos);
}

TEST_F(ModelLoaderTest, ExternalOffsetNotANumber) {
  writeFile("w.bin", std::string(16, '\0'));
  onnx::TensorProto tensor = makeTensor("w", onnx::TensorProto::FLOAT, {4});
  tensor.set_data_location(onnx::TensorProto::EXTERNAL);
  addExternalEntry(tensor, "location", "w.bin");
  addExternalEntry(tensor, "offset", "-4");
  EXPECT_EQ(errorOf(model.takeTensorBytes(tensor)),
            "tensor 'w': external data offset '-4' is not a number");
}

//===----------------------------------------------------------------------===//
// Data inside the protobuf
//===----------------------------------------------------------------------===//

TEST_F(ModelLoaderTest, RawDataMovesOutOfTheProto) {
  std::vector<float> values(1000);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(i) / 3.0f;
  onnx::TensorProto tensor = makeTensor("r", onnx::TensorProto::FLOAT, {1000});
  tensor.set_raw_data(bytesOf(values));
  const char *original = tensor.raw_data().data();

  auto data = model.takeTensorBytes(tensor);
  ASSERT_TRUE(static_cast<bool>(data)) << llvm::toString(data.takeError());
  EXPECT_FALSE(tensor.has_raw_data());
  EXPECT_TRUE(tensor.raw_data().empty());
  EXPECT_EQ(data->bytes.data(), original) << "the raw data was copied";
  EXPECT_EQ(asString(*data), bytesOf(values));
}

TEST_F(ModelLoaderTest, RawDataSizeMismatch) {
  onnx::TensorProto tensor = makeTensor("r", onnx::TensorProto::FLOAT, {4});
  tensor.set_raw_data(std::string(12, '\0'));
  EXPECT_EQ(errorOf(model.takeTensorBytes(tensor)),
            "tensor 'r': raw data has 12 bytes, but its 4 elements of FLOAT "
            "need 16");
}

TEST_F(ModelLoaderTest, FloatAndDoubleFields) {
  onnx::TensorProto f = makeTensor("f", onnx::TensorProto::FLOAT, {3});
  for (float v : {1.0f, -0.5f, 3.0e8f})
    f.add_float_data(v);
  onnx::TensorProto d = makeTensor("d", onnx::TensorProto::DOUBLE, {2});
  for (double v : {1.0e-300, -2.5})
    d.add_double_data(v);
  auto df = model.takeTensorBytes(f);
  auto dd = model.takeTensorBytes(d);
  ASSERT_TRUE(df && dd);
  EXPECT_EQ(asString(*df), bytesOf(std::vector<float>{1.0f, -0.5f, 3.0e8f}));
  EXPECT_EQ(asString(*dd), bytesOf(std::vector<double>{1.0e-300, -2.5}));
}

TEST_F(ModelLoaderTest, Int32FieldNarrowsToTheElementType) {
  // FLOAT16/BFLOAT16 hold bit patterns; INT8 and INT16 two's complement.
  struct Case {
    int32_t dtype;
    std::vector<int32_t> field;
    std::string expected;
  };
  std::vector<Case> cases = {
      {onnx::TensorProto::FLOAT16,
       {0x3C00, 0xC000, 0x7BFF},
       bytesOf(std::vector<uint16_t>{0x3C00, 0xC000, 0x7BFF})},
      {onnx::TensorProto::BFLOAT16,
       {0x3F80, 0xBF80},
       bytesOf(std::vector<uint16_t>{0x3F80, 0xBF80})},
      {onnx::TensorProto::INT8,
       {-1, 5, -128, 127},
       bytesOf(std::vector<int8_t>{-1, 5, -128, 127})},
      {onnx::TensorProto::UINT8,
       {0, 200, 255},
       bytesOf(std::vector<uint8_t>{0, 200, 255})},
      {onnx::TensorProto::BOOL,
       {1, 0, 1, 1},
       bytesOf(std::vector<uint8_t>{1, 0, 1, 1})},
      {onnx::TensorProto::INT16,
       {-2, 30000},
       bytesOf(std::vector<int16_t>{-2, 30000})},
      {onnx::TensorProto::UINT16,
       {65535, 1},
       bytesOf(std::vector<uint16_t>{65535, 1})},
      {onnx::TensorProto::INT32,
       {-70000, 70000},
       bytesOf(std::vector<int32_t>{-70000, 70000})},
  };
  for (const Case &c : cases) {
    onnx::TensorProto tensor =
        makeTensor("t", c.dtype, {static_cast<int64_t>(c.field.size())});
    for (int32_t v : c.field)
      tensor.add_int32_data(v);
    auto data = model.takeTensorBytes(tensor);
    ASSERT_TRUE(static_cast<bool>(data)) << llvm::toString(data.takeError());
    EXPECT_EQ(asString(*data), c.expected) << dtypeName(c.dtype);
  }
}

TEST_F(ModelLoaderTest, Int64AndUInt64Fields) {
  onnx::TensorProto i64 = makeTensor("i", onnx::TensorProto::INT64, {3});
  for (int64_t v : {int64_t(-1), int64_t(1) << 40, int64_t(7)})
    i64.add_int64_data(v);
  onnx::TensorProto u32 = makeTensor("u", onnx::TensorProto::UINT32, {2});
  u32.add_uint64_data(4000000000u);
  u32.add_uint64_data(3);
  onnx::TensorProto u64 = makeTensor("v", onnx::TensorProto::UINT64, {1});
  u64.add_uint64_data(~uint64_t(0));
  auto di = model.takeTensorBytes(i64);
  auto du = model.takeTensorBytes(u32);
  auto dv = model.takeTensorBytes(u64);
  ASSERT_TRUE(di && du && dv);
  EXPECT_EQ(asString(*di),
            bytesOf(std::vector<int64_t>{-1, int64_t(1) << 40, 7}));
  EXPECT_EQ(asString(*du), bytesOf(std::vector<uint32_t>{4000000000u, 3}));
  EXPECT_EQ(asString(*dv), bytesOf(std::vector<uint64_t>{~uint64_t(0)}));
}

TEST_F(ModelLoaderTest, TypedFieldCountMismatch) {
  onnx::TensorProto tensor = makeTensor("t", onnx::TensorProto::INT64, {2, 2});
  tensor.add_int64_data(1);
  EXPECT_EQ(errorOf(model.takeTensorBytes(tensor)),
            "tensor 't' has 1 elements of data but its shape needs 4");
}

TEST_F(ModelLoaderTest, Int4FromRawDataAndInt32Data) {
  // Values 1, -1, 2, -2, 7: two per byte, low nibble first, the last byte's
  // high nibble unused.
  const std::string packed = "\xF1\xE2\x07";
  onnx::TensorProto raw =
      makeTensor("raw", static_cast<int32_t>(DType::Int4), {5});
  raw.set_raw_data(packed);
  auto fromRaw = model.takeTensorBytes(raw);
  ASSERT_TRUE(static_cast<bool>(fromRaw))
      << llvm::toString(fromRaw.takeError());
  EXPECT_EQ(asString(*fromRaw), packed);

  // onnx.proto: 4-bit values are packed two per int32_data entry as well.
  onnx::TensorProto typed =
      makeTensor("typed", static_cast<int32_t>(DType::Int4), {5});
  for (int32_t byte : {0xF1, 0xE2, 0x07})
    typed.add_int32_data(byte);
  auto fromTyped = model.takeTensorBytes(typed);
  ASSERT_TRUE(static_cast<bool>(fromTyped))
      << llvm::toString(fromTyped.takeError());
  EXPECT_EQ(asString(*fromTyped), packed);

  onnx::TensorProto unsignedTyped =
      makeTensor("u", static_cast<int32_t>(DType::UInt4), {4});
  for (int32_t byte : {0xF0, 0x5A})
    unsignedTyped.add_int32_data(byte);
  auto fromUnsigned = model.takeTensorBytes(unsignedTyped);
  ASSERT_TRUE(static_cast<bool>(fromUnsigned));
  EXPECT_EQ(asString(*fromUnsigned), std::string("\xF0\x5A"));

  onnx::TensorProto wrongCount =
      makeTensor("w", static_cast<int32_t>(DType::Int4), {5});
  for (int32_t v : {1, -1, 2, -2, 7}) // one value per entry: not packed
    wrongCount.add_int32_data(v);
  EXPECT_EQ(errorOf(model.takeTensorBytes(wrongCount)),
            "tensor 'w' has 5 packed bytes of INT4 data but its 5 elements "
            "need 3");

  onnx::TensorProto rawWrong =
      makeTensor("rw", static_cast<int32_t>(DType::UInt4), {5});
  rawWrong.set_raw_data(std::string(5, '\0'));
  EXPECT_EQ(errorOf(model.takeTensorBytes(rawWrong)),
            "tensor 'rw': raw data has 5 bytes, but its 5 elements of UINT4 "
            "need 3");
}

TEST_F(ModelLoaderTest, BadShapesAndTypesAreRefused) {
  onnx::TensorProto negative =
      makeTensor("n", onnx::TensorProto::FLOAT, {2, -3});
  EXPECT_EQ(errorOf(model.takeTensorBytes(negative)),
            "tensor 'n' has a negative dimension -3");

  onnx::TensorProto overflowing = makeTensor(
      "o", onnx::TensorProto::FLOAT, {int64_t(1) << 40, int64_t(1) << 30});
  overflowing.set_raw_data("");
  EXPECT_EQ(errorOf(model.takeTensorBytes(overflowing)),
            "tensor 'o' has too many elements");
  // 2^62 elements fit in 64 bits, their 2^64 bytes do not.
  onnx::TensorProto tooManyBytes = makeTensor(
      "b", onnx::TensorProto::FLOAT, {int64_t(1) << 31, int64_t(1) << 31});
  tooManyBytes.set_raw_data("");
  EXPECT_EQ(errorOf(model.takeTensorBytes(tooManyBytes)),
            "tensor 'b' has too many elements");

  onnx::TensorProto strings = makeTensor("s", onnx::TensorProto::STRING, {1});
  strings.add_string_data("hello");
  EXPECT_EQ(errorOf(model.takeTensorBytes(strings)),
            "tensor 's' has unsupported element type STRING");
}

//===----------------------------------------------------------------------===//
// Data types
//===----------------------------------------------------------------------===//

TEST(DTypeTest, NamesBitsAndSignedness) {
  struct Expected {
    const char *name;
    unsigned bits;
    bool isUnsigned;
    bool isFloat;
  };
  const Expected table[] = {
      {"UNDEFINED", 0, false, false},      {"FLOAT", 32, false, true},
      {"UINT8", 8, true, false},           {"INT8", 8, false, false},
      {"UINT16", 16, true, false},         {"INT16", 16, false, false},
      {"INT32", 32, false, false},         {"INT64", 64, false, false},
      {"STRING", 0, false, false},         {"BOOL", 8, false, false},
      {"FLOAT16", 16, false, true},        {"DOUBLE", 64, false, true},
      {"UINT32", 32, true, false},         {"UINT64", 64, true, false},
      {"COMPLEX64", 0, false, false},      {"COMPLEX128", 0, false, false},
      {"BFLOAT16", 16, false, true},       {"FLOAT8E4M3FN", 8, false, false},
      {"FLOAT8E4M3FNUZ", 8, false, false}, {"FLOAT8E5M2", 8, false, false},
      {"FLOAT8E5M2FNUZ", 8, false, false}, {"UINT4", 4, true, false},
      {"INT4", 4, false, false},
  };
  for (int32_t code = 0; code < static_cast<int32_t>(std::size(table));
       ++code) {
    SCOPED_TRACE(code);
    EXPECT_EQ(dtypeName(code), table[code].name);
    EXPECT_EQ(dtypeBits(code), table[code].bits);
    EXPECT_EQ(isUnsignedDType(code), table[code].isUnsigned);
    EXPECT_EQ(isFloatDType(code), table[code].isFloat);
  }
  EXPECT_EQ(dtypeName(static_cast<int32_t>(DType::UInt4)), "UINT4");
  EXPECT_EQ(dtypeName(static_cast<int32_t>(DType::Int4)), "INT4");
  for (int32_t code : {-1, 23, 42}) {
    EXPECT_EQ(dtypeName(code), "data type code " + std::to_string(code));
    EXPECT_EQ(dtypeBits(code), 0u);
    EXPECT_FALSE(isUnsignedDType(code));
    EXPECT_FALSE(isFloatDType(code));
  }
}

//===----------------------------------------------------------------------===//
// Model files
//===----------------------------------------------------------------------===//

TEST_F(ModelLoaderTest, LoadedModelKnowsItsPathAndDirectory) {
  EXPECT_EQ(model.path(), modelPath);
  EXPECT_EQ(model.directory(), dir.str());
  EXPECT_EQ(model.proto().graph().node(0).op_type(), "Identity");
}

TEST_F(ModelLoaderTest, TruncatedModel) {
  std::string serialized;
  ASSERT_TRUE(makeModel().SerializeToString(&serialized));
  serialized.resize(serialized.size() - 5);
  std::string path = writeFile("truncated.onnx", serialized);
  EXPECT_EQ(errorOf(loadModel(path)),
            path + ": not a valid ONNX model (truncated or corrupt protobuf, " +
                std::to_string(serialized.size()) + " bytes)");
}

TEST_F(ModelLoaderTest, CorruptModel) {
  std::string path = writeFile("corrupt.onnx", std::string(32, '\xff'));
  EXPECT_EQ(errorOf(loadModel(path)),
            path + ": not a valid ONNX model (truncated or corrupt protobuf, "
                   "32 bytes)");
}

TEST_F(ModelLoaderTest, NonexistentModel) {
  std::string path = pathOf("nothere.onnx");
  std::string message = errorOf(loadModel(path));
  EXPECT_EQ(message.rfind(path + ": cannot read the model: ", 0), 0u)
      << message;
}

TEST_F(ModelLoaderTest, ModelWithoutGraph) {
  onnx::ModelProto empty;
  empty.set_ir_version(8);
  std::string serialized;
  ASSERT_TRUE(empty.SerializeToString(&serialized));
  std::string path = writeFile("nograph.onnx", serialized);
  EXPECT_EQ(errorOf(loadModel(path)), path + ": the model has no graph");
}

} // namespace
