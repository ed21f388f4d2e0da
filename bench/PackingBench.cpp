//===- PackingBench.cpp - reference unpack throughput vs memcpy -----------===//
//
// Part of the sparq project.
//
// The plain-loop reference unpacking is the floor that generated kernels
// must beat by a wide margin: a weight-only GEMV is only fast when it
// unpacks at close to memory bandwidth. This prints, for each bit width,
// the reference's throughput over packed bytes as a fraction of memcpy's
// over the same bytes (the "ratio" counter), measured in one run.
//
//===----------------------------------------------------------------------===//

#include "sparq/Reference/Packing.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr int64_t kRows = 1024, kCols = 4096;

std::vector<uint8_t> makePacked(unsigned bits) {
  std::vector<int32_t> values(kRows * kCols);
  uint32_t state = 1;
  for (int32_t &v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<int32_t>((state >> 16) & ((1u << bits) - 1));
  }
  return sparq::ref::pack(values, kRows, kCols, bits);
}

double memcpySecondsPerByte(const std::vector<uint8_t> &src) {
  std::vector<uint8_t> dst(src.size());
  auto start = std::chrono::steady_clock::now();
  constexpr int kReps = 20;
  for (int i = 0; i < kReps; ++i) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  return elapsed.count() / (kReps * static_cast<double>(src.size()));
}

void BM_ReferenceUnpack(benchmark::State &state) {
  unsigned bits = static_cast<unsigned>(state.range(0));
  std::vector<uint8_t> packed = makePacked(bits);
  std::vector<int32_t> out(kCols);
  int64_t rowBytes = sparq::ref::packedRowBytes(kCols, bits);
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; ++r) {
      sparq::ref::unpackRow(
          llvm::ArrayRef(packed).slice(r * rowBytes, rowBytes), bits,
          /*isSigned=*/true, out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  std::chrono::duration<double> unpackSeconds =
      std::chrono::steady_clock::now() - start;
  double bytes = static_cast<double>(packed.size()) * state.iterations();
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  double memcpySeconds = memcpySecondsPerByte(packed);
  state.counters["memcpy_GBps"] = 1e-9 / memcpySeconds;
  // Time memcpy would take for the same bytes over the time unpacking took:
  // the fraction of memcpy throughput the reference reaches.
  state.counters["ratio"] = bytes * memcpySeconds / unpackSeconds.count();
}

} // namespace

BENCHMARK(BM_ReferenceUnpack)->DenseRange(2, 8)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
