//===- sparq-run.cpp - run a model compiled by sparqc ---------------------===//
//
// Part of the sparq project.
//
//   sparq-run out/model.so --input input_ids=ids.npy [--input ...]
//             [--inputs-from test_data_set_0] [--output-dir dir]
//             [--expect dir] [--rtol 1e-3 --atol 1e-7] [--bench N]
//             [--target=cpu|cuda]
//
// Loads the library (CPU or GPU: the library says which) through its C ABI,
// binds inputs (.npy files, or an ONNX test_data_set directory of input_N.pb),
// runs, writes outputs as .npy, compares them with expected outputs (<name>.npy
// or output_N.pb), and with
// --bench prints latency percentiles.
//
//===----------------------------------------------------------------------===//

#include "sparq/Runtime/sparq_model.h"
#include "sparq/Support/ModelLibrary.h"
#include "sparq/Support/Npy.h"
#include "sparq/Support/TensorProto.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <vector>

using namespace llvm;

namespace {
cl::OptionCategory runOptions("sparq-run options");
cl::opt<std::string> libraryPath(cl::Positional, cl::desc("<model.so>"),
                                 cl::Optional, cl::cat(runOptions));
cl::list<std::string> inputs("input",
                             cl::desc("An input: name=file.npy (or file.npy, "
                                      "in the model's input order)"),
                             cl::cat(runOptions));
cl::opt<std::string> inputsFrom(
    "inputs-from",
    cl::desc("Directory of input_N.pb files (an ONNX test_data_set)"),
    cl::cat(runOptions));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write each output as <name>.npy"),
                               cl::cat(runOptions));
cl::opt<std::string> expectDir(
    "expect",
    cl::desc("Compare with <name>.npy or output_N.pb files in this directory"),
    cl::cat(runOptions));
cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance"),
                             cl::init(1e-3), cl::cat(runOptions));
cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance"),
                             cl::init(1e-7), cl::cat(runOptions));
cl::opt<std::string> expectedTarget(
    "target",
    cl::desc("cpu or cuda: fail unless the library was compiled for it "
             "(default: whatever it was compiled for)"),
    cl::init(""), cl::cat(runOptions));
cl::opt<unsigned> bench("bench",
                        cl::desc("Run N more times and print latency "
                                 "percentiles"),
                        cl::init(0), cl::cat(runOptions));

int fail(const Twine &message) {
  errs() << "sparq-run: error: " << message << "\n";
  return 1;
}

using HostTensor = sparq::npy::Array;
using sparq::npy::dtypeName;
using sparq::npy::formatShape;

std::optional<HostTensor> readNpy(StringRef path, std::string &error) {
  Expected<HostTensor> array = sparq::npy::read(path);
  if (!array) {
    error = toString(array.takeError());
    return std::nullopt;
  }
  return std::move(*array);
}

bool writeNpy(StringRef path, const sparq_tensor_info &info, const void *data,
              std::string &error) {
  if (Error err = sparq::npy::write(
          path, info.dtype, ArrayRef(info.shape, info.rank),
          ArrayRef(static_cast<const char *>(data), info.bytes))) {
    error =
        std::string("output '") + info.name + "': " + toString(std::move(err));
    return false;
  }
  return true;
}

std::optional<HostTensor> readTensorProto(StringRef path, std::string &error) {
  Expected<HostTensor> tensor = sparq::readTensorProtoFile(path);
  if (!tensor) {
    error = toString(tensor.takeError());
    return std::nullopt;
  }
  return std::move(*tensor);
}

/// Element i of a tensor as a double (bool/int/float types).
double elementAt(const char *data, int32_t dtype, size_t i) {
  auto read = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, data + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  switch (dtype) {
  case SPARQ_FLOAT:
    return read(float());
  case SPARQ_DOUBLE:
    return read(double());
  case SPARQ_INT8:
    return read(int8_t());
  case SPARQ_UINT8:
  case SPARQ_BOOL:
    return read(uint8_t());
  case SPARQ_INT16:
    return read(int16_t());
  case SPARQ_UINT16:
    return read(uint16_t());
  case SPARQ_INT32:
    return read(int32_t());
  case SPARQ_UINT32:
    return read(uint32_t());
  case SPARQ_INT64:
    return read(int64_t());
  case SPARQ_UINT64:
    return read(uint64_t());
  case SPARQ_FLOAT16: {
    uint16_t h;
    std::memcpy(&h, data + 2 * i, 2);
    int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double value = exponent == 0 ? std::ldexp(mantissa, -24)
                   : exponent == 31
                       ? (mantissa ? NAN : INFINITY)
                       : std::ldexp(mantissa + 1024, exponent - 25);
    return (h & 0x8000) ? -value : value;
  }
  case SPARQ_BFLOAT16: {
    uint16_t h;
    std::memcpy(&h, data + 2 * i, 2);
    uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  default:
    return NAN;
  }
}

bool isFloat(int32_t dtype) {
  return dtype == SPARQ_FLOAT || dtype == SPARQ_DOUBLE ||
         dtype == SPARQ_FLOAT16 || dtype == SPARQ_BFLOAT16;
}

/// Compares an output with the expected tensor; returns a message on
/// mismatch.
std::optional<std::string> compare(const sparq_tensor_info &info,
                                   const void *actual, HostTensor expected) {
  // numpy has no bfloat16: expected values arrive as uint16 bits.
  if (info.dtype == SPARQ_BFLOAT16 && expected.dtype == SPARQ_UINT16)
    expected.dtype = SPARQ_BFLOAT16;
  if (expected.dtype != info.dtype)
    return formatv("expected {0}, got {1}", dtypeName(expected.dtype),
                   dtypeName(info.dtype))
        .str();
  std::vector<int64_t> shape(info.shape, info.shape + info.rank);
  if (expected.shape != shape)
    return formatv("expected shape {0}, got {1}", formatShape(expected.shape),
                   formatShape(shape))
        .str();
  size_t count = 1;
  for (int64_t d : shape)
    count *= d;
  size_t mismatches = 0;
  double worst = 0;
  size_t worstIndex = 0;
  for (size_t i = 0; i < count; ++i) {
    double a = elementAt(static_cast<const char *>(actual), info.dtype, i);
    double e = elementAt(expected.bytes.data(), expected.dtype, i);
    bool equal;
    if (isFloat(info.dtype))
      equal = (std::isnan(a) && std::isnan(e)) || a == e ||
              std::fabs(a - e) <= absTolerance + relTolerance * std::fabs(e);
    else
      equal = a == e;
    if (!equal) {
      ++mismatches;
      double diff = std::fabs(a - e);
      if (!(diff <= worst)) {
        worst = diff;
        worstIndex = i;
      }
    }
  }
  if (!mismatches)
    return std::nullopt;
  return formatv("{0} of {1} elements differ; worst at flat index {2}: got "
                 "{3}, expected {4}",
                 mismatches, count, worstIndex,
                 elementAt(static_cast<const char *>(actual), info.dtype,
                           worstIndex),
                 elementAt(expected.bytes.data(), expected.dtype, worstIndex))
      .str();
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(runOptions);
  cl::ParseCommandLineOptions(argc, argv, "run a model compiled by sparqc\n");
  if (libraryPath.empty())
    return fail("no model library (usage: sparq-run out/model.so --input "
                "name=x.npy)");
  sparq::ModelLibrary model;
  std::string error;
  if (!model.load(libraryPath, error))
    return fail(libraryPath + ": " + error);
  std::string target = model.targetName();
  if (!expectedTarget.empty()) {
    if (expectedTarget != "cpu" && expectedTarget != "cuda")
      return fail("--target=" + expectedTarget + " is not one of cpu, cuda");
    if (StringRef(target).split(':').first != expectedTarget)
      return fail(libraryPath + " was compiled for " + target +
                  ", not --target=" + expectedTarget);
  }

  int32_t numInputs = model.numInputs(), numOutputs = model.numOutputs();
  std::vector<std::optional<HostTensor>> bound(numInputs);
  auto findInput = [&](StringRef name) { return model.findInput(name); };
  int32_t nextPositional = 0;
  for (StringRef spec : inputs) {
    auto [name, file] = spec.split('=');
    int32_t index;
    if (file.empty()) {
      file = name;
      index = nextPositional++;
    } else {
      index = findInput(name);
      if (index < 0)
        return fail("the model has no input '" + name +
                    "' (inputs: " + model.inputNames() + ")");
    }
    if (index >= numInputs)
      return fail(formatv("more inputs given than the model's {0}", numInputs));
    auto tensor = readNpy(file, error);
    if (!tensor)
      return fail(error);
    bound[index] = std::move(*tensor);
  }
  if (!inputsFrom.empty()) {
    // input_N.pb files name the graph input they feed; a model compiled with
    // some inputs bound at compile time has fewer inputs, so names, not
    // positions, decide where each goes (positions when unnamed).
    for (int32_t file = 0;; ++file) {
      SmallString<256> path(inputsFrom);
      sys::path::append(path, formatv("input_{0}.pb", file).str());
      if (!sys::fs::exists(path))
        break;
      auto tensor = readTensorProto(path, error);
      if (!tensor)
        return fail(error);
      int32_t index = tensor->name.empty() ? file : findInput(tensor->name);
      if (index >= 0 && index < numInputs && !bound[index])
        bound[index] = std::move(*tensor);
    }
  }

  sparq_context *context = model.createContext();
  if (!context)
    return fail("cannot create a context (out of memory)");
  scope_exit cleanup([&] { model.destroyContext(context); });
  // A GPU library that cannot use the device says so right away.
  if (const char *message = model.lastError(context); message && *message)
    return fail(target + ": " + message);
  for (int32_t i = 0; i < numInputs; ++i) {
    const sparq_tensor_info *info = model.inputInfo(i);
    if (!bound[i])
      return fail(std::string("input '") + info->name + "' (" +
                  dtypeName(info->dtype) + " " +
                  formatShape(ArrayRef(info->shape, info->rank)) +
                  ") is not given");
    std::vector<int64_t> shape(info->shape, info->shape + info->rank);
    // numpy has no bfloat16: .npy files and ONNX's test data hold its bits
    // as uint16.
    if (info->dtype == SPARQ_BFLOAT16 && bound[i]->dtype == SPARQ_UINT16)
      bound[i]->dtype = SPARQ_BFLOAT16;
    if (bound[i]->dtype != info->dtype || bound[i]->shape != shape)
      return fail(formatv("input '{0}' must be {1} {2}, got {3} {4}",
                          info->name, dtypeName(info->dtype),
                          formatShape(shape), dtypeName(bound[i]->dtype),
                          formatShape(bound[i]->shape)));
    if (model.setInput(context, i, bound[i]->bytes.data(),
                       bound[i]->bytes.size()) != SPARQ_OK)
      return fail(model.lastError(context));
  }

  if (model.run(context) != SPARQ_OK)
    return fail(std::string("run failed: ") + model.lastError(context));

  int status = 0;
  for (int32_t i = 0; i < numOutputs; ++i) {
    const sparq_tensor_info *info = model.outputInfo(i);
    const void *data = model.getOutput(context, i, nullptr);
    if (!outputDir.empty()) {
      if (std::error_code ec = sys::fs::create_directories(outputDir))
        return fail("cannot create --output-dir '" + outputDir +
                    "': " + ec.message());
      SmallString<256> path(outputDir);
      sys::path::append(path, std::string(info->name) + ".npy");
      if (!writeNpy(path, *info, data, error))
        return fail(error);
    }
    if (expectDir.empty())
      continue;
    SmallString<256> npyPath(expectDir), pbPath(expectDir);
    sys::path::append(npyPath, std::string(info->name) + ".npy");
    sys::path::append(pbPath, formatv("output_{0}.pb", i).str());
    std::optional<HostTensor> expected = sys::fs::exists(npyPath)
                                             ? readNpy(npyPath, error)
                                             : readTensorProto(pbPath, error);
    if (!expected)
      return fail(error);
    if (auto mismatch = compare(*info, data, *expected)) {
      errs() << "sparq-run: output '" << info->name << "': " << *mismatch
             << "\n";
      status = 1;
    } else {
      outs() << "output '" << info->name << "' matches (rtol " << relTolerance
             << ", atol " << absTolerance << ")\n";
    }
  }

  if (bench) {
    std::vector<double> millis;
    for (unsigned r = 0; r < bench; ++r) {
      auto start = std::chrono::steady_clock::now();
      model.run(context);
      millis.push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - start)
                           .count());
    }
    std::sort(millis.begin(), millis.end());
    auto pct = [&](double p) {
      return millis[std::min<size_t>(millis.size() - 1,
                                     size_t(p / 100.0 * millis.size()))];
    };
    double mean =
        std::accumulate(millis.begin(), millis.end(), 0.0) / millis.size();
    outs() << formatv("latency over {0} runs: min {1:f3} ms, p50 {2:f3} ms, "
                      "p90 {3:f3} ms, p99 {4:f3} ms, mean {5:f3} ms\n",
                      bench, millis.front(), pct(50), pct(90), pct(99), mean);
  }
  return status;
}
