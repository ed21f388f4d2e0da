//===- KernelBuilder.h - IR building blocks of the CUDA kernels -*- C++ -*-===//
//
// Part of the sparq project.
//
// What the GEMV and GEMM kernel bodies share: constants, invariant 128-bit
// global loads, unpacking and dequantizing one lane's chunk of packed
// weights, CSR outliers and the epilogue.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_KERNELBUILDER_H
#define SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_KERNELBUILDER_H

#include "GpuKernelSpec.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace sparq::gpu_kernels {

/// The kernel's arguments by role (null when the spec has none).
struct KernelArgs {
  /// params: scales or codebooks; the weight scales for W8A8, whose
  /// activation scales are inputScales.
  mlir::Value x, weights, inputScales, params, zeroPoints, bias, rowPtr, colInd,
      values, residual, y;
  KernelArgs(const GpuKernelSpec &spec, mlir::ValueRange args);
};

/// A lane's chunk of packed weights, read with 128-bit loads.
struct WeightChunk {
  llvm::SmallVector<mlir::Value> words; // i32, chunkBytes() / 4 of them
  /// Signed weights: the words with every field's sign bit flipped, so that
  /// each field reads as the weight plus 2^(bits-1), unsigned.
  llvm::SmallVector<mlir::Value> biasedWords;
};

class KernelBuilder {
public:
  KernelBuilder(mlir::ImplicitLocOpBuilder &b, const GpuKernelSpec &spec,
                const KernelArgs &args)
      : b(b), spec(spec), args(args) {}

  mlir::Value index(int64_t value);
  mlir::Value i32(int64_t value);
  mlir::Value f32(double value);
  mlir::Value toF32(mlir::Value value);
  mlir::Value toIndex(mlir::Value i32Value);
  mlir::Value minIndex(mlir::Value a, int64_t b);

  /// Loads a 16-byte `type` from `memref` at `indices` as an invariant
  /// load from the global address space (ld.global.nc): the kernels never
  /// write the buffers they read. The address must be 16-byte aligned.
  mlir::Value loadInvariant(mlir::Value memref, mlir::ValueRange indices,
                            mlir::VectorType type);
  /// The address of `memref`[`indices`] as a global-address-space LLVM
  /// pointer.
  mlir::Value globalPointer(mlir::Value memref, mlir::ValueRange indices);

  /// The chunk of weight row `row` that starts at element `kStart`.
  WeightChunk loadWeightChunk(mlir::Value row, mlir::Value kStart);
  /// Element `i` of a chunk of codebook indices as an i32.
  mlir::Value chunkElement(const WeightChunk &chunk, int64_t i);
  /// Element `i` of a chunk of uniform weights as an (exact) f32, without
  /// an integer-to-float conversion, a quarter-rate instruction that would
  /// bound the GEMV below memory bandwidth: the unsigned field goes into
  /// the mantissa of 2^23, and 2^23 (plus the sign bias) is subtracted.
  mlir::Value weightAsF32(const WeightChunk &chunk, int64_t i);
  /// The uniform-weight scale and zero point (as f32; zero when none) of
  /// row `row` at element `k`.
  std::pair<mlir::Value, mlir::Value> groupParams(mlir::Value row,
                                                  mlir::Value k);

  /// x[m, k .. k + 4) as 4 f32 scalars.
  llvm::SmallVector<mlir::Value> loadActivations4(mlir::Value m, mlir::Value k);

  /// The outliers of output column `col` times x[row]: a loop over the
  /// CSR row from `first` in steps of `step`, returning `acc` plus them
  /// for every x row in `rows`.
  llvm::SmallVector<mlir::Value>
  addOutliers(mlir::Value col, mlir::ValueRange rows, mlir::ValueRange acc,
              mlir::Value first, mlir::Value step);

  /// bias, activation and residual on `acc` for output (m, n), then the
  /// store to y.
  void storeOutput(mlir::Value acc, mlir::Value m, mlir::Value n);
  /// Gated: act(gate + bias[n]) * (up + bias[N + n]) + residual for output
  /// (m, n), then the store to y; `gate` and `up` are the sums of weight
  /// rows n and N + n.
  void storeGatedOutput(mlir::Value gate, mlir::Value up, mlir::Value m,
                        mlir::Value n);
  /// Split-K: adds one split's partial `acc` of output (m, n) to y with an
  /// atomic f32 add; the split for which `isFirstSplit` holds also adds the
  /// bias and residual (linear, so added once). The epilogue has no
  /// activation (split-K is not chosen with one).
  void addToOutput(mlir::Value acc, mlir::Value m, mlir::Value n,
                   mlir::Value isFirstSplit);

  mlir::ImplicitLocOpBuilder &b;
  const GpuKernelSpec &spec;
  const KernelArgs &args;
};

/// Writes a kernel of `func` (whose one argument is y [M, N], f32 or i32)
/// that zeroes y, one element per thread, for split-K GEMVs to add into.
void buildZeroFillKernel(mlir::gpu::GPUFuncOp func, int64_t m, int64_t n);
/// Writes the GEMV body of `func` (which has the launcher's arguments).
void buildGemvKernel(mlir::gpu::GPUFuncOp func, const GpuKernelSpec &spec);
/// Writes the tensor-core GEMM body of `func`.
void buildGemmKernel(mlir::gpu::GPUFuncOp func, const GpuKernelSpec &spec);
/// Writes the W8A8 GEMV body (dp4a) of `func`.
void buildInt8GemvKernel(mlir::gpu::GPUFuncOp func, const GpuKernelSpec &spec);
/// Writes the W8A8 tensor-core GEMM body (mma.sync m16n8k32) of `func`.
void buildInt8GemmKernel(mlir::gpu::GPUFuncOp func, const GpuKernelSpec &spec);

} // namespace sparq::gpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_KERNELBUILDER_H
