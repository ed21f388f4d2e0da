//===- GemvBench.cpp - quantized GEMV/GEMM vs memory bandwidth and BLAS ---===//
//
// Part of the sparq project.
//
// Decoding streams weights: a weight-only quantized GEMV is good exactly when
// it reads its packed weights at close to the memory's read bandwidth. This
// benchmark measures, in one run and one process:
//   - the read bandwidth of this machine (summing a 1 GiB buffer),
//   - OpenBLAS fp32 sgemv/sgemm on the same shapes (the dense baseline),
//   - sparq's kernels (compiled by sparqc from sparq.qmatmul) for int8
//     per-channel and int4 group-128 weights: the exact ones (f32
//     activations) and the VNNI ones (int8 activations),
//   - sparq's codebook kernels (from sparq.lut_matmul) for 3- and 4-bit
//     indices, and 3-bit with 0.45% of the weights as CSR outliers,
// at Llama-7B projection shapes, for M = 1, 8, 32 and 1 and 2 threads. Every
// weight buffer rotates through enough copies that nothing stays in the
// 32 MB L3. It prints effective GB/s (packed weights, scales or codebooks,
// CSR arrays), the fraction of read bandwidth, and the speedup over
// OpenBLAS fp32.
//
//   sparq-bench-gemv [--quick] [--only=<text in the weights column>]
//                    [--cpu=<sparqc --cpu, e.g. x86-64-v3>]
//
//===----------------------------------------------------------------------===//

#include "sparq/Runtime/sparq_model.h"

#include <cblas.h>
#include <dlfcn.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kColdBytes = size_t(512) << 20; // rotation set per buffer

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// Median time of `run` over `reps` calls after `warmup` calls; call i of
/// the whole sequence gets index i, so rotating buffers never repeat a
/// warm copy.
double medianTime(const std::function<void(int)> &run, int reps,
                  int warmup = 2) {
  for (int i = 0; i < warmup; ++i)
    run(i);
  std::vector<double> times;
  for (int i = warmup; i < warmup + reps; ++i) {
    auto start = Clock::now();
    run(i);
    times.push_back(seconds(start, Clock::now()));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// Sums [begin, end) of `data` with `Vec`-wide loads into four independent
/// accumulators, so the loads, not the adds, are the limit.
template <int Bits>
uint64_t sumRange(const char *data, size_t begin, size_t end) {
#ifdef __AVX512F__
  if constexpr (Bits == 512) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = begin; i + 256 <= end; i += 256) {
      a0 = _mm512_add_epi64(a0, _mm512_load_si512(data + i));
      a1 = _mm512_add_epi64(a1, _mm512_load_si512(data + i + 64));
      a2 = _mm512_add_epi64(a2, _mm512_load_si512(data + i + 128));
      a3 = _mm512_add_epi64(a3, _mm512_load_si512(data + i + 192));
    }
    return _mm512_reduce_add_epi64(
        _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
  }
#endif
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = begin; i + 128 <= end; i += 128) {
    a0 = _mm256_add_epi64(a0, _mm256_load_si256((const __m256i *)(data + i)));
    a1 = _mm256_add_epi64(a1,
                          _mm256_load_si256((const __m256i *)(data + i + 32)));
    a2 = _mm256_add_epi64(a2,
                          _mm256_load_si256((const __m256i *)(data + i + 64)));
    a3 = _mm256_add_epi64(a3,
                          _mm256_load_si256((const __m256i *)(data + i + 96)));
  }
  __m256i sum =
      _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  uint64_t lanes[4];
  _mm256_storeu_si256((__m256i *)lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

/// The machine's read bandwidth in GB/s with `threads` threads: the best of
/// several runs of 256- and 512-bit load loops over a 1 GiB buffer (2 MiB
/// aligned, so transparent huge pages can back it). The best, not the
/// median: a baseline must be what the memory can deliver.
double readBandwidth(int threads) {
  constexpr size_t kBytes = size_t(1) << 30;
  static char *buffer = [] {
    auto *p = static_cast<char *>(std::aligned_alloc(size_t(2) << 20, kBytes));
    std::memset(p, 1, kBytes);
    return p;
  }();
  std::vector<uint64_t> sums(threads);
  double best = 0;
  for (int width : {256, 512}) {
    for (int rep = 0; rep < 4; ++rep) {
      auto start = Clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          size_t begin = kBytes * t / threads, end = kBytes * (t + 1) / threads;
          sums[t] = width == 512 ? sumRange<512>(buffer, begin, end)
                                 : sumRange<256>(buffer, begin, end);
        });
      for (auto &th : pool)
        th.join();
      best =
          std::max(best, double(kBytes) / seconds(start, Clock::now()) / 1e9);
    }
  }
  // Keep the sums observable so the loads are not optimized away.
  volatile uint64_t sink = sums[0];
  (void)sink;
  return best;
}

/// A model library compiled by sparqc, opened through the C ABI.
struct Library {
  void *handle = nullptr;
  sparq_context *(*create)();
  int (*setInput)(sparq_context *, int32_t, const void *, size_t);
  int (*run)(sparq_context *);
  const char *(*lastError)(const sparq_context *);

  bool open(const std::string &path) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      std::fprintf(stderr, "dlopen %s: %s\n", path.c_str(), dlerror());
      return false;
    }
    create = reinterpret_cast<decltype(create)>(
        dlsym(handle, "sparq_context_create"));
    setInput =
        reinterpret_cast<decltype(setInput)>(dlsym(handle, "sparq_set_input"));
    run = reinterpret_cast<decltype(run)>(dlsym(handle, "sparq_run"));
    lastError = reinterpret_cast<decltype(lastError)>(
        dlsym(handle, "sparq_last_error"));
    return create && setInput && run && lastError;
  }
};

struct Scheme {
  const char *name;
  unsigned bits;       // 0: fp32 (OpenBLAS)
  int64_t groupSize;   // 0: per channel
  const char *kernels; // sparqc --kernels
  /// sparq.lut_matmul with [N, 2^bits] codebooks instead of sparq.qmatmul.
  bool codebook = false;
  /// CSR outliers per 10000 weights (codebook schemes).
  int64_t outliersPer10k = 0;

  int64_t numGroups(int64_t k) const { return groupSize ? k / groupSize : 1; }
  /// Columns of the per-row scale or codebook table.
  int64_t tableColumns(int64_t k) const {
    return codebook ? int64_t(1) << bits : numGroups(k);
  }
  /// Outliers of each output row (spread evenly, as a decomposition keeping
  /// a fixed fraction per row would).
  int64_t outliersPerRow(int64_t k) const { return k * outliersPer10k / 10000; }
};

/// Compiles `y = qmatmul(x, w, s)` (or `lut_matmul(x, w, s)` with CSR
/// outliers rp, ci, v) with every operand as an input.
bool compileKernel(const Scheme &scheme, int64_t m, int64_t n, int64_t k,
                   const std::string &cpu, const std::string &dir,
                   std::string &library) {
  int64_t columns = scheme.tableColumns(k);
  int64_t packed = k * scheme.bits / 8;
  int64_t nnz = n * scheme.outliersPerRow(k);
  char x[64], w[64], s[64], y[64], csr[160] = "";
  std::snprintf(x, sizeof x, "tensor<%ldx%ldxf32>", (long)m, (long)k);
  std::snprintf(w, sizeof w, "tensor<%ldx%ldxi8>", (long)n, (long)packed);
  std::snprintf(s, sizeof s, "tensor<%ldx%ldxf32>", (long)n, (long)columns);
  std::snprintf(y, sizeof y, "tensor<%ldx%ldxf32>", (long)m, (long)n);
  if (nnz)
    std::snprintf(csr, sizeof csr,
                  "tensor<%ldxi32>, tensor<%ldxi32>, tensor<%ldxf32>",
                  (long)n + 1, (long)nnz, (long)nnz);
  std::string op;
  if (!scheme.codebook) {
    op = "sparq.qmatmul %x, %w, %s storage(si" + std::to_string(scheme.bits) +
         ")";
  } else {
    op = "sparq.lut_matmul %x, %w, %s";
    if (nnz)
      op += " outliers(%rp, %ci, %v)";
    op += " bits(" + std::to_string(scheme.bits) + ")";
  }
  std::string types = std::string(x) + ", " + w + ", " + s;
  std::string args =
      std::string("%x: ") + x + " {sparq.name = \"x\"}, %w: " + w +
      " {sparq.name = \"w\"}, %s: " + s + " {sparq.name = \"s\"}";
  if (nnz) {
    types += std::string(", ") + csr;
    char csrArgs[256];
    std::snprintf(csrArgs, sizeof csrArgs,
                  ", %%rp: tensor<%ldxi32> {sparq.name = \"rp\"}, %%ci: "
                  "tensor<%ldxi32> {sparq.name = \"ci\"}, %%v: "
                  "tensor<%ldxf32> {sparq.name = \"v\"}",
                  (long)n + 1, (long)nnz, (long)nnz);
    args += csrArgs;
  }
  std::string text = "func.func @gemv(" + args + ") -> (" + y +
                     " {sparq.name = \"y\"}) {\n  %y = " + op + " : (" + types +
                     ") -> " + y + "\n  return %y : " + y + "\n}\n";
  std::string stem =
      dir + "/" + scheme.kernels + "_" + (scheme.codebook ? "lut" : "q") +
      std::to_string(scheme.bits) + "_o" +
      std::to_string(scheme.outliersPer10k) + "_m" + std::to_string(m) + "_n" +
      std::to_string(n) + "_k" + std::to_string(k);
  FILE *f = std::fopen((stem + ".mlir").c_str(), "w");
  if (!f)
    return false;
  std::fputs(text.c_str(), f);
  std::fclose(f);
  library = stem + ".so";
  std::string command = std::string(SPARQC_PATH) + " --quiet --cpu=" + cpu +
                        " --kernels=" + scheme.kernels + " " + stem +
                        ".mlir -o " + library;
  return std::system(command.c_str()) == 0;
}

struct Result {
  double seconds = 0, gbps = 0;
};

/// kColdBytes of random bytes, made once: the packed weights (or indices)
/// of every scheme's copies are slices of it.
const int8_t *randomBytes() {
  static const std::vector<int8_t> bytes = [] {
    std::vector<int8_t> v(kColdBytes);
    std::mt19937_64 rng(7);
    for (size_t i = 0; i + 8 <= v.size(); i += 8) {
      uint64_t r = rng();
      std::memcpy(v.data() + i, &r, 8);
    }
    return v;
  }();
  return bytes.data();
}

/// One copy of the per-call operands besides the weights: scales or
/// codebooks, and CSR outliers.
struct Operands {
  std::vector<float> table;
  std::vector<int32_t> colInd;
  std::vector<float> values;
};

Result benchSparq(Library &lib, const Scheme &scheme, int64_t m, int64_t n,
                  int64_t k, int reps) {
  size_t weightBytes = size_t(n) * k * scheme.bits / 8;
  size_t tableBytes = size_t(n) * scheme.tableColumns(k) * 4;
  int64_t perRow = scheme.outliersPerRow(k);
  size_t nnz = size_t(n) * perRow;
  size_t csrBytes = nnz ? nnz * 8 + (n + 1) * 4 : 0;
  size_t copies =
      std::max<size_t>(2, kColdBytes / (weightBytes + tableBytes + csrBytes));
  copies = std::min(copies, kColdBytes / weightBytes);
  std::mt19937 rng(7);
  std::vector<Operands> operands(copies);
  // Outliers spread over each row: one in each of perRow equal spans.
  std::vector<int32_t> rowPtr(n + 1);
  for (int64_t r = 0; r <= n; ++r)
    rowPtr[r] = int32_t(r * perRow);
  int64_t span = perRow ? k / perRow : 0;
  for (Operands &op : operands) {
    op.table.resize(n * scheme.tableColumns(k));
    for (auto &v : op.table)
      v = scheme.codebook ? float(int(rng() % 2001) - 1000) / 1e5f : 0.01f;
    op.colInd.resize(nnz);
    op.values.resize(nnz);
    for (size_t p = 0; p < nnz; ++p) {
      op.colInd[p] = int32_t((p % perRow) * span + rng() % span);
      op.values[p] = float(int(rng() % 2001) - 1000) / 100.0f;
    }
  }
  std::vector<float> x(m * k);
  for (auto &v : x)
    v = float(int(rng() % 2001) - 1000) / 1000.0f;
  sparq_context *ctx = lib.create();
  lib.setInput(ctx, 0, x.data(), x.size() * 4);
  if (nnz)
    lib.setInput(ctx, 3, rowPtr.data(), rowPtr.size() * 4);
  const int8_t *weights = randomBytes();
  double t = medianTime(
      [&](int i) {
        size_t c = size_t(i) % copies;
        lib.setInput(ctx, 1, weights + c * weightBytes, weightBytes);
        lib.setInput(ctx, 2, operands[c].table.data(), tableBytes);
        if (nnz) {
          lib.setInput(ctx, 4, operands[c].colInd.data(), nnz * 4);
          lib.setInput(ctx, 5, operands[c].values.data(), nnz * 4);
        }
        if (lib.run(ctx) != SPARQ_OK)
          std::fprintf(stderr, "run failed: %s\n", lib.lastError(ctx));
      },
      reps);
  return {t, double(weightBytes + tableBytes + csrBytes) / t / 1e9};
}

Result benchBlas(int64_t m, int64_t n, int64_t k, int reps) {
  size_t bytes = size_t(n) * k * 4;
  size_t copies = std::max<size_t>(2, kColdBytes / bytes);
  std::vector<std::vector<float>> weights(copies,
                                          std::vector<float>(n * k, 0.001f));
  std::vector<float> x(m * k, 0.5f), y(m * n);
  double t = medianTime(
      [&](int i) {
        const float *w = weights[size_t(i) % copies].data();
        if (m == 1)
          cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x.data(),
                      1, 0.0f, y.data(), 1);
        else // y[m, n] = x[m, k] * w[n, k]^T
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                      x.data(), k, w, k, 0.0f, y.data(), n);
      },
      reps);
  return {t, double(bytes) / t / 1e9};
}

} // namespace

int main(int argc, char **argv) {
  bool quick = false;
  std::string only, cpu = "native";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg.rfind("--only=", 0) == 0) {
      only = arg.substr(7);
    } else if (arg.rfind("--cpu=", 0) == 0) {
      cpu = arg.substr(6);
    } else {
      std::fprintf(stderr,
                   "unknown argument '%s' (usage: sparq-bench-gemv [--quick] "
                   "[--only=<text in the weights column>] [--cpu=<name>])\n",
                   arg.c_str());
      return 1;
    }
  }
  struct Shape {
    int64_t n, k;
    const char *what;
  };
  std::vector<Shape> shapes = {{4096, 4096, "q/k/v/o 4096x4096"},
                               {11008, 4096, "gate/up 11008x4096"},
                               {4096, 11008, "down 4096x11008"}};
  std::vector<int64_t> ms = {1, 8, 32};
  if (quick) {
    shapes.resize(1);
    ms = {1, 8};
  }
  const Scheme allSchemes[] = {{"int8 pc exact", 8, 0, "exact"},
                               {"int4-g128 exact", 4, 128, "exact"},
                               {"int8 pc vnni-i8", 8, 0, "vnni-int8"},
                               {"int4-g128 vnni-i8", 4, 128, "vnni-int8"},
                               {"LUT-3", 3, 0, "exact", /*codebook=*/true},
                               {"LUT-4", 4, 0, "exact", /*codebook=*/true},
                               {"LUT-3 +0.45% CSR", 3, 0, "exact",
                                /*codebook=*/true,
                                /*outliersPer10k=*/45}};
  std::vector<Scheme> schemes;
  for (const Scheme &scheme : allSchemes)
    if (std::string(scheme.name).find(only) != std::string::npos)
      schemes.push_back(scheme);
  if (schemes.empty()) {
    std::fprintf(stderr, "--only=%s matches no scheme\n", only.c_str());
    return 1;
  }
  int reps = quick ? 10 : 20;

  char dir[] = "/tmp/sparq-bench-XXXXXX";
  if (!mkdtemp(dir))
    return 1;

  std::printf("sparq GEMV/GEMM benchmark (weights rotate through %zu MiB per "
              "buffer, median of %d runs, sparqc --cpu=%s)\n\n",
              kColdBytes >> 20, reps, cpu.c_str());
  double bandwidth[3] = {0, 0, 0};
  for (int threads : {1, 2}) {
    bandwidth[threads] = readBandwidth(threads);
    std::printf("read bandwidth, %d thread%s: %.1f GB/s\n", threads,
                threads == 1 ? "" : "s", bandwidth[threads]);
  }
  std::printf("\n%-20s %3s %-18s %3s %10s %8s %7s %9s\n", "shape", "M",
              "weights", "thr", "time(us)", "GB/s", "%read", "vs fp32");

  bool ok = true;
  for (const Shape &shape : shapes) {
    for (int64_t m : ms) {
      std::vector<std::pair<const Scheme *, Library>> libs;
      for (const Scheme &scheme : schemes) {
        std::string path;
        Library lib;
        if (!compileKernel(scheme, m, shape.n, shape.k, cpu, dir, path) ||
            !lib.open(path)) {
          std::fprintf(stderr,
                       "cannot build the %s kernel for --cpu=%s (--only=... "
                       "selects schemes)\n",
                       scheme.name, cpu.c_str());
          return 1;
        }
        libs.emplace_back(&scheme, lib);
      }
      for (int threads : {1, 2}) {
        openblas_set_num_threads(threads);
        omp_set_num_threads(threads);
        Result blas = benchBlas(m, shape.n, shape.k, reps);
        std::printf("%-20s %3ld %-18s %3d %10.1f %8.1f %6.0f%% %9s\n",
                    shape.what, (long)m, "fp32 (OpenBLAS)", threads,
                    blas.seconds * 1e6, blas.gbps,
                    100 * blas.gbps / bandwidth[threads], "1.0x");
        for (auto &[scheme, lib] : libs) {
          Result r = benchSparq(lib, *scheme, m, shape.n, shape.k, reps);
          std::printf(
              "%-20s %3ld %-18s %3d %10.1f %8.1f %6.0f%% %8.1fx\n", shape.what,
              (long)m, scheme->name, threads, r.seconds * 1e6, r.gbps,
              100 * r.gbps / bandwidth[threads], blas.seconds / r.seconds);
        }
      }
    }
  }
  std::string cleanup = std::string("rm -rf ") + dir;
  (void)std::system(cleanup.c_str());
  return ok ? 0 : 1;
}
