//===- GpuBench.cpp - Quantized GEMV/GEMM on the GPU vs cuBLAS fp16 -------===//
//
// Part of the sparq project.
//
//   sparq-bench-gpu [--quick] [--only=<scheme>] [--reps=N] [--arch=sm_90a]
//                   [--cublas-only] [--cache=DIR] [--compile-only]
//
// At the Llama projection shapes (N x K = 4096x4096, 11008x4096, 4096x11008,
// 8192x28672, 28672x8192) and M = 1, 16, 128 rows of activations, compares
//   - cuBLAS fp16 (cublasGemmEx, fp16 in and out, fp32 accumulation), and
//   - sparq's GPU code for int8 per-channel, int4 group-128, LUT-3, LUT-4 and
//     LUT-3 with 0.45% CSR outliers: each is a one-op MLIR function
//     (sparq.qmatmul / sparq.lut_matmul with every operand an input) that
//     sparqc --target=cuda compiles into a model library, called through
//     its sparq_run_async on device buffers.
// Each call reads a different copy of the weights (the copies together are
// four times the L2 cache), so weights come from HBM as in a real decoder.
// Times are medians of CUDA-event-timed calls; GB/s counts every byte a call
// must read (weights, scales or codebooks, CSR arrays, activations) and
// write; the percentage is of the H200's 4.8 TB/s.
//
// The sparq rows use the kernels sparqc's CUDA pipeline makes for these
// ops: the generated GEMV (M <= 8) and mma.sync GEMM kernels of
// docs/gpu-kernels.md; a shape they do not cover falls back to the
// reference lowering, which sparqc notes when it compiles the row.
//
//===----------------------------------------------------------------------===//

#include "sparq/Runtime/sparq_model.h"

#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {
constexpr double kPeakBytesPerSecond = 4.8e12;
/// Weight copies cover at least this many bytes: 4x the H200's 60 MB L2.
constexpr size_t kColdBytes = size_t(240) << 20;

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t status_ = (call);                                              \
    if (status_ != cudaSuccess) {                                              \
      std::fprintf(stderr, "sparq-bench-gpu: %s: %s\n", #call,                 \
                   cudaGetErrorString(status_));                               \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

struct Options {
  bool quick = false;
  bool cublasOnly = false;
  /// Compile the sparq libraries and stop (no GPU needed).
  bool compileOnly = false;
  std::string only;
  int reps = 50;
  std::string arch = "sm_90a";
  std::string cache = "sparq-bench-gpu-cache";
};

struct Scheme {
  const char *name;
  unsigned bits;
  int64_t groupSize; // 0: per channel
  bool codebook = false;
  int64_t outliersPer10k = 0;

  int64_t tableColumns(int64_t k) const {
    if (codebook)
      return int64_t(1) << bits;
    return groupSize ? k / groupSize : 1;
  }
  int64_t outliersPerRow(int64_t k) const { return k * outliersPer10k / 10000; }
};

const Scheme kSchemes[] = {
    {"int8", 8, 0},
    {"int4-g128", 4, 128},
    {"LUT-3", 3, 0, true},
    {"LUT-4", 4, 0, true},
    {"LUT-3+0.45%", 3, 0, true, 45},
};

/// Median of `reps` calls of `call(i)`, each timed by CUDA events on
/// `stream`, in seconds.
template <typename Call>
double medianTime(cudaStream_t stream, int reps, Call call) {
  for (int i = 0; i < 3; ++i)
    call(i);
  CHECK_CUDA(cudaStreamSynchronize(stream));
  std::vector<cudaEvent_t> events(reps + 1);
  for (auto &e : events)
    CHECK_CUDA(cudaEventCreate(&e));
  CHECK_CUDA(cudaEventRecord(events[0], stream));
  for (int i = 0; i < reps; ++i) {
    call(i);
    CHECK_CUDA(cudaEventRecord(events[i + 1], stream));
  }
  CHECK_CUDA(cudaStreamSynchronize(stream));
  std::vector<double> seconds(reps);
  for (int i = 0; i < reps; ++i) {
    float ms = 0;
    CHECK_CUDA(cudaEventElapsedTime(&ms, events[i], events[i + 1]));
    seconds[i] = ms * 1e-3;
  }
  for (auto &e : events)
    cudaEventDestroy(e);
  std::sort(seconds.begin(), seconds.end());
  return seconds[reps / 2];
}

/// `bytes` of device memory filled with random bytes.
void *randomDeviceBytes(size_t bytes, std::mt19937_64 &rng) {
  std::vector<uint64_t> host((bytes + 7) / 8);
  for (auto &v : host)
    v = rng();
  void *device = nullptr;
  CHECK_CUDA(cudaMalloc(&device, bytes ? bytes : 1));
  CHECK_CUDA(cudaMemcpy(device, host.data(), bytes, cudaMemcpyHostToDevice));
  return device;
}

template <typename T> void *deviceCopy(const std::vector<T> &host) {
  void *device = nullptr;
  size_t bytes = host.size() * sizeof(T);
  CHECK_CUDA(cudaMalloc(&device, bytes ? bytes : 1));
  CHECK_CUDA(cudaMemcpy(device, host.data(), bytes, cudaMemcpyHostToDevice));
  return device;
}

size_t copiesFor(size_t bytesPerCopy) {
  return std::max<size_t>(2, (kColdBytes + bytesPerCopy - 1) / bytesPerCopy);
}

double benchCublas(cublasHandle_t handle, cudaStream_t stream, int64_t m,
                   int64_t n, int64_t k, int reps, double &bytesMoved) {
  size_t weightBytes = size_t(n) * k * 2;
  size_t copies = copiesFor(weightBytes);
  std::mt19937 rng(7);
  std::vector<__half> w(size_t(n) * k), x(size_t(m) * k);
  for (auto &v : w)
    v = __float2half(float(int(rng() % 2001) - 1000) / 1e4f);
  for (auto &v : x)
    v = __float2half(float(int(rng() % 2001) - 1000) / 1e3f);
  std::vector<void *> weights(copies);
  for (auto &p : weights)
    p = deviceCopy(w);
  void *dx = deviceCopy(x);
  void *dy = nullptr;
  CHECK_CUDA(cudaMalloc(&dy, size_t(m) * n * 2));
  float alpha = 1, beta = 0;
  // Row-major y[M,N] = x[M,K] w[N,K]^T is column-major y^T = w^T x^T.
  double t = medianTime(stream, reps, [&](int i) {
    cublasStatus_t status = cublasGemmEx(
        handle, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha,
        weights[size_t(i) % copies], CUDA_R_16F, k, dx, CUDA_R_16F, k, &beta,
        dy, CUDA_R_16F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (status != CUBLAS_STATUS_SUCCESS) {
      std::fprintf(stderr, "sparq-bench-gpu: cublasGemmEx failed (%d)\n",
                   int(status));
      std::exit(1);
    }
  });
  for (void *p : weights)
    cudaFree(p);
  cudaFree(dx);
  cudaFree(dy);
  bytesMoved = double(weightBytes) + double(m) * k * 2 + double(m) * n * 2;
  return t;
}

/// A model library written by sparqc --target=cuda.
struct Library {
  void *handle = nullptr;
  sparq_context *(*create)() = nullptr;
  void (*destroy)(sparq_context *) = nullptr;
  int (*runAsync)(sparq_context *, void *, const void *const *,
                  void *const *) = nullptr;
  const char *(*lastError)(const sparq_context *) = nullptr;

  bool load(const std::string &path) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      std::fprintf(stderr, "sparq-bench-gpu: %s\n", dlerror());
      return false;
    }
    create = reinterpret_cast<decltype(create)>(
        dlsym(handle, "sparq_context_create"));
    destroy = reinterpret_cast<decltype(destroy)>(
        dlsym(handle, "sparq_context_destroy"));
    runAsync =
        reinterpret_cast<decltype(runAsync)>(dlsym(handle, "sparq_run_async"));
    lastError = reinterpret_cast<decltype(lastError)>(
        dlsym(handle, "sparq_last_error"));
    return create && destroy && runAsync && lastError;
  }
};

/// Writes `y = qmatmul(x, w, s)` (or lut_matmul with CSR outliers) with
/// every operand as an input and compiles it; the library's path, or "".
std::string compileKernel(const Options &options, const Scheme &scheme,
                          int64_t m, int64_t n, int64_t k) {
  int64_t columns = scheme.tableColumns(k);
  int64_t packed = k * scheme.bits / 8;
  int64_t nnz = n * scheme.outliersPerRow(k);
  auto tensor = [](int64_t a, int64_t b, const char *type) {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "x" +
           type + ">";
  };
  auto vector = [](int64_t a, const char *type) {
    return "tensor<" + std::to_string(a) + "x" + type + ">";
  };
  std::string x = tensor(m, k, "f32"), w = tensor(n, packed, "i8"),
              s = tensor(n, columns, "f32"), y = tensor(m, n, "f32");
  std::string args = "%x: " + x + " {sparq.name = \"x\"}, %w: " + w +
                     " {sparq.name = \"w\"}, %s: " + s +
                     " {sparq.name = \"s\"}";
  std::string types = x + ", " + w + ", " + s;
  std::string op;
  if (!scheme.codebook) {
    op = "sparq.qmatmul %x, %w, %s storage(si" + std::to_string(scheme.bits) +
         ")";
  } else {
    op = "sparq.lut_matmul %x, %w, %s";
    if (nnz) {
      op += " outliers(%rp, %ci, %v)";
      args += ", %rp: " + vector(n + 1, "i32") +
              " {sparq.name = \"rp\"}, %ci: " + vector(nnz, "i32") +
              " {sparq.name = \"ci\"}, %v: " + vector(nnz, "f32") +
              " {sparq.name = \"v\"}";
      types += ", " + vector(n + 1, "i32") + ", " + vector(nnz, "i32") + ", " +
               vector(nnz, "f32");
    }
    op += " bits(" + std::to_string(scheme.bits) + ")";
  }
  std::string text = "func.func @gemm(" + args + ") -> (" + y +
                     " {sparq.name = \"y\"}) {\n  %y = " + op + " : (" + types +
                     ") -> " + y + "\n  return %y : " + y + "\n}\n";
  mkdir(options.cache.c_str(), 0755);
  std::string stem =
      options.cache + "/" + options.arch + "_" +
      (scheme.codebook ? "lut" : "q") + std::to_string(scheme.bits) + "_g" +
      std::to_string(scheme.groupSize) + "_o" +
      std::to_string(scheme.outliersPer10k) + "_m" + std::to_string(m) + "_n" +
      std::to_string(n) + "_k" + std::to_string(k);
  std::string library = stem + ".so";
  // Reuse a library compiled by this sparqc (a rebuilt sparqc may make
  // other kernels).
  struct stat existing, compiler;
  if (stat(library.c_str(), &existing) == 0 &&
      stat(SPARQC_PATH, &compiler) == 0 &&
      existing.st_mtime >= compiler.st_mtime)
    return library;
  FILE *f = std::fopen((stem + ".mlir").c_str(), "w");
  if (!f)
    return "";
  std::fputs(text.c_str(), f);
  std::fclose(f);
  std::string command = std::string(SPARQC_PATH) +
                        " --quiet --target=cuda --gpu-arch=" + options.arch +
                        " " + stem + ".mlir -o " + library;
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "sparq-bench-gpu: '%s' failed\n", command.c_str());
    return "";
  }
  return library;
}

/// One scheme's time per call (seconds), or a negative value on failure.
double benchSparq(const Options &options, const Scheme &scheme,
                  cudaStream_t stream, int64_t m, int64_t n, int64_t k,
                  double &bytesMoved) {
  std::string path = compileKernel(options, scheme, m, n, k);
  static std::map<std::string, Library> libraries;
  Library &lib = libraries[path];
  if (path.empty() || (!lib.handle && !lib.load(path)))
    return -1;
  sparq_context *context = lib.create();
  if (!context)
    return -1;
  if (const char *error = lib.lastError(context); error && *error) {
    std::fprintf(stderr, "sparq-bench-gpu: %s: %s\n", path.c_str(), error);
    lib.destroy(context);
    return -1;
  }
  size_t weightBytes = size_t(n) * k * scheme.bits / 8;
  size_t tableBytes = size_t(n) * scheme.tableColumns(k) * 4;
  int64_t perRow = scheme.outliersPerRow(k);
  size_t nnz = size_t(n) * perRow;
  size_t csrBytes = nnz ? nnz * 8 + size_t(n + 1) * 4 : 0;
  size_t copies = copiesFor(weightBytes + tableBytes + csrBytes);
  std::mt19937_64 rng(7);
  std::mt19937 small(7);

  struct Copy {
    void *weights, *table, *colInd = nullptr, *values = nullptr;
  };
  std::vector<Copy> operands(copies);
  std::vector<int32_t> rowPtr(n + 1);
  for (int64_t r = 0; r <= n; ++r)
    rowPtr[r] = int32_t(r * perRow);
  int64_t span = perRow ? k / perRow : 0;
  for (Copy &copy : operands) {
    copy.weights = randomDeviceBytes(weightBytes, rng);
    std::vector<float> table(size_t(n) * scheme.tableColumns(k));
    for (auto &v : table)
      v = scheme.codebook ? float(int(small() % 2001) - 1000) / 1e5f : 0.01f;
    copy.table = deviceCopy(table);
    if (nnz) {
      std::vector<int32_t> colInd(nnz);
      std::vector<float> values(nnz);
      for (size_t p = 0; p < nnz; ++p) {
        colInd[p] = int32_t((p % perRow) * span + small() % span);
        values[p] = float(int(small() % 2001) - 1000) / 100.0f;
      }
      copy.colInd = deviceCopy(colInd);
      copy.values = deviceCopy(values);
    }
  }
  std::vector<float> x(size_t(m) * k);
  for (auto &v : x)
    v = float(int(small() % 2001) - 1000) / 1000.0f;
  void *dx = deviceCopy(x);
  void *dRowPtr = nnz ? deviceCopy(rowPtr) : nullptr;
  void *dy = nullptr;
  CHECK_CUDA(cudaMalloc(&dy, size_t(m) * n * 4));

  bool failed = false;
  double t = medianTime(stream, options.reps, [&](int i) {
    const Copy &copy = operands[size_t(i) % copies];
    const void *inputs[6] = {dx,      copy.weights, copy.table,
                             dRowPtr, copy.colInd,  copy.values};
    void *outputs[1] = {dy};
    if (!failed && lib.runAsync(context, stream, inputs, outputs) != 0) {
      std::fprintf(stderr, "sparq-bench-gpu: %s: %s\n", path.c_str(),
                   lib.lastError(context));
      failed = true;
    }
  });
  for (Copy &copy : operands) {
    cudaFree(copy.weights);
    cudaFree(copy.table);
    cudaFree(copy.colInd);
    cudaFree(copy.values);
  }
  cudaFree(dx);
  cudaFree(dRowPtr);
  cudaFree(dy);
  lib.destroy(context);
  bytesMoved = double(weightBytes + tableBytes + csrBytes) + double(m) * k * 4 +
               double(m) * n * 4;
  return failed ? -1 : t;
}

void printRow(const char *shape, int64_t m, const char *what, double seconds,
              double bytes, double cublasSeconds) {
  if (seconds < 0) {
    std::printf("| %-12s | %4ld | %-12s | %10s | %9s | %7s | %8s |\n", shape,
                (long)m, what, "failed", "", "", "");
    return;
  }
  double gbps = bytes / seconds / 1e9;
  std::printf("| %-12s | %4ld | %-12s | %10.1f | %9.0f | %6.1f%% | %7.2fx |\n",
              shape, (long)m, what, seconds * 1e6, gbps,
              100.0 * bytes / seconds / kPeakBytesPerSecond,
              cublasSeconds / seconds);
}

/// A weight matrix: N output channels of K inputs.
struct Shape {
  int64_t n, k;
};

/// The Llama projections: 7B q/k/v/o, 7B gate/up, 7B down, 70B down and
/// gate/up (--quick: the first alone).
std::vector<Shape> benchShapes(const Options &options) {
  std::vector<Shape> shapes = {
      {4096, 4096}, {11008, 4096}, {4096, 11008}, {8192, 28672}, {28672, 8192}};
  if (options.quick)
    shapes.resize(1);
  return shapes;
}

std::vector<int64_t> benchRows(const Options &options) {
  if (options.quick)
    return {1};
  return {1, 16, 128};
}

bool parseOptions(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      size_t len = std::strlen(flag);
      return arg.compare(0, len, flag) == 0 ? argv[i] + len : nullptr;
    };
    if (arg == "--quick")
      options.quick = true;
    else if (arg == "--cublas-only")
      options.cublasOnly = true;
    else if (arg == "--compile-only")
      options.compileOnly = true;
    else if (const char *v = value("--only="))
      options.only = v;
    else if (const char *v = value("--reps="))
      options.reps = std::max(1, std::atoi(v));
    else if (const char *v = value("--arch="))
      options.arch = v;
    else if (const char *v = value("--cache="))
      options.cache = v;
    else {
      std::fprintf(stderr, "usage: sparq-bench-gpu [--quick] [--only=<scheme>] "
                           "[--reps=N] [--arch=sm_90a] [--cublas-only] "
                           "[--cache=DIR] [--compile-only]\n");
      return false;
    }
  }
  return true;
}
} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parseOptions(argc, argv, options))
    return 2;
  if (options.compileOnly) {
    int failures = 0;
    for (const Shape &shape : benchShapes(options))
      for (int64_t m : benchRows(options))
        for (const Scheme &scheme : kSchemes) {
          if (!options.only.empty() &&
              std::string(scheme.name).find(options.only) == std::string::npos)
            continue;
          std::string library =
              compileKernel(options, scheme, m, shape.n, shape.k);
          std::printf("%s %ldx%ld M=%ld: %s\n", scheme.name, (long)shape.n,
                      (long)shape.k, (long)m,
                      library.empty() ? "FAILED" : library.c_str());
          failures += library.empty();
        }
    return failures ? 1 : 0;
  }
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::fprintf(stderr, "sparq-bench-gpu: no usable CUDA GPU on this "
                         "machine; the benchmark needs one\n");
    return 1;
  }
  cudaDeviceProp properties;
  CHECK_CUDA(cudaGetDeviceProperties(&properties, 0));
  std::printf("%s (sm_%d%d), %zu MB L2; sparq kernels compiled for %s\n",
              properties.name, properties.major, properties.minor,
              size_t(properties.l2CacheSize) >> 20, options.arch.c_str());
  std::printf("sparq rows: the kernels sparqc --target=cuda generates today "
              "(reference lowering as generic parallel loops unless the "
              "quantized GPU kernels are in the pipeline)\n\n");
  cudaStream_t stream;
  CHECK_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "sparq-bench-gpu: cublasCreate failed\n");
    return 1;
  }
  cublasSetStream(handle, stream);

  std::vector<Shape> shapes = benchShapes(options);
  std::vector<int64_t> rows = benchRows(options);
  std::printf("| N x K        |    M | kernel       |         us |      GB/s "
              "| of 4.8TB/s | vs cuBLAS |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const Shape &shape : shapes)
    for (int64_t m : rows) {
      char name[32];
      std::snprintf(name, sizeof name, "%ldx%ld", (long)shape.n, (long)shape.k);
      double cublasBytes = 0;
      double cublas = benchCublas(handle, stream, m, shape.n, shape.k,
                                  options.reps, cublasBytes);
      printRow(name, m, "cuBLAS fp16", cublas, cublasBytes, cublas);
      if (options.cublasOnly)
        continue;
      for (const Scheme &scheme : kSchemes) {
        if (!options.only.empty() &&
            std::string(scheme.name).find(options.only) == std::string::npos)
          continue;
        double bytes = 0;
        double t =
            benchSparq(options, scheme, stream, m, shape.n, shape.k, bytes);
        printRow(name, m, scheme.name, t, bytes, cublas);
        std::fflush(stdout);
      }
    }
  cublasDestroy(handle);
  cudaStreamDestroy(stream);
  return 0;
}
