//===- GpuKernelSpec.h - What a generated CUDA kernel computes --*- C++ -*-===//
//
// Part of the sparq project.
//
// convert-sparq-to-gpu-kernels replaces quantized matmuls by calls of
// launcher declarations carrying a `sparq.gpu_kernel` attribute;
// generate-sparq-gpu-kernels gives each launcher a body that launches a
// kernel it builds in a gpu.module. This header is what the two passes
// share.
//
// Launcher (and kernel) arguments, in order (memrefs with a unit innermost
// stride):
//   x [M, K] f32, weights or indices [N, packed K] i8,
//   scales [N, K/G] or codebooks [N, 2^bits] (any float type),
//   zero points [N, K/G] (qmatmul, if any), bias [N] (if any),
//   row_ptr [N+1] i32, col_ind [nnz] i32, values [nnz] (if outliers),
//   residual [M, N] f32 (if any), y [M, N] f32 (written).
// A gated GEMV (sparq.qmatmul / lut_matmul `gated`) has 2N weight rows,
// gate then up, and N output columns; its parameters, bias and outliers
// have 2N rows too.
// W8A8 (sparq.int_matmul) launchers instead take
//   x [M, K] i8, weights [N, K] i8,
//   input scales [M, 1] or [1, 1] and weight scales [N, 1] or [1, 1] (any
//   float type; if rescaled), bias [N] (if any),
//   y [M, N] f32 if rescaled, else i32 (written).
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_GPUKERNELSPEC_H
#define SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_GPUKERNELSPEC_H

#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeRange.h"

#include <algorithm>
#include <string>

namespace sparq::gpu_kernels {

constexpr llvm::StringLiteral kGpuKernelAttrName = "sparq.gpu_kernel";

/// uniform: sparq.qmatmul; codebook: sparq.lut_matmul; int8: W8A8
/// sparq.int_matmul (int8 activations too).
enum class WeightKind { uniform, codebook, int8 };
/// How a W8A8 scale operand is indexed: none (an i32 result), one scale,
/// or one per activation row (per-token) / weight row (per-channel).
enum class ScaleKind { none, perTensor, perRow };
enum class KernelFamily { gemv, gemm };

struct GpuKernelSpec {
  WeightKind weights = WeightKind::uniform;
  KernelFamily family = KernelFamily::gemv;
  int64_t m = 0, n = 0, k = 0;
  /// Uniform weights: the group size along K (K for per-channel).
  int64_t groupSize = 0;
  unsigned bits = 0;
  /// Uniform weights: storage signedness (also how integer zero points
  /// are read).
  bool isSigned = false;
  bool hasZeroPoints = false, hasBias = false, hasOutliers = false;
  Activation activation = Activation::none;
  bool hasResidual = false;
  /// y[., j] = activation(z[., j]) * z[., n + j] + residual: `n` counts
  /// output columns, and there are 2n weight rows (GEMV only).
  bool gated = false;
  /// W8A8: the activation and weight scales (both none for an i32
  /// result).
  ScaleKind inputScales = ScaleKind::none, weightScales = ScaleKind::none;
  /// The `sm_XX[a]` the kernel is built for.
  std::string chip;
  /// GEMV split-K: the K range is cut into this many equal parts of whole
  /// chunks, one per grid row, whose partial dot products are added to a
  /// zeroed y with atomics. 1: one pass over K, plain stores.
  int64_t kSplits = 1;

  /// Weight elements one lane unpacks from its 128-bit loads: a 16-byte
  /// chunk holds 32 4-bit or 16 8-bit elements; 3-bit codes come 128 at a
  /// time (48 bytes, three loads) so that every chunk starts on a 16-byte
  /// boundary.
  int64_t chunkElements() const {
    if (bits == 8)
      return 16;
    if (bits == 3)
      return 128;
    return 32;
  }
  int64_t chunkBytes() const { return chunkElements() * bits / 8; }
  int64_t numGroups() const { return k / groupSize; }
  /// Rows of the weights (and of their scales, codebooks, bias, outliers).
  int64_t weightRows() const { return gated ? 2 * n : n; }
  bool isRescaled() const { return inputScales != ScaleKind::none; }
  bool isSplitK() const { return kSplits > 1; }

  /// The launcher's symbol; launchers of equal specs and types are shared.
  std::string name(mlir::TypeRange argTypes) const;
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  /// Reads the attribute of a launcher declaration; failure if malformed.
  static mlir::FailureOr<GpuKernelSpec> fromAttr(mlir::DictionaryAttr attr);
};

/// The schedule of each family, shared by the launcher (grid and block
/// sizes) and the kernel body.
namespace schedule {
/// GEMV: 8 warps per block, gemvRowsPerWarp() output rows per warp.
constexpr int64_t kGemvWarpsPerBlock = 8;
/// GEMM: 4 warps per block side by side along N; each warp owns a 16 x 32
/// output tile (4 mma.sync m16n8k16 tiles along N).
constexpr int64_t kGemmWarpsPerBlock = 4;
constexpr int64_t kGemmTilesPerWarp = 4;
constexpr int64_t kGemmBlockRows = 16;
constexpr int64_t kGemmBlockCols = kGemmWarpsPerBlock * kGemmTilesPerWarp * 8;
constexpr int32_t kGemmMaxRegisters = 128;
/// W8A8 GEMM: the same 4 warps of 16 x 32 tiles, as mma.sync m16n8k32
/// (s8 operands, s32 accumulators); a K block is 4 lanes' 16-byte chunks.
constexpr int64_t kInt8GemmKBlock = 64;
} // namespace schedule

/// Weight rows each GEMV warp owns: with few activation rows, a warp's
/// activation loads (8 bytes of f32 per 4-bit weight) would outweigh its
/// weight loads; several weight rows share them. More activation rows
/// would keep too many activations in registers.
/// A gated warp owns half as many output columns, each a gate row and an
/// up row, so that it keeps as many sums in registers.
inline int64_t gemvRowsPerWarp(const GpuKernelSpec &spec) {
  int64_t rows = spec.m == 1 ? 4 : spec.m == 2 ? 2 : 1;
  return spec.gated ? std::max<int64_t>(rows / 2, 1) : rows;
}

/// "sm_80" -> 80, "sm_90a" -> 90; 0 if `chip` is not of that form.
int64_t smVersion(llvm::StringRef chip);

/// Streaming multiprocessors of the usual part of `chip` (A100, RTX 30/40
/// class, H100): what split-K fills.
int64_t smCount(llvm::StringRef chip);

/// GEMV split-K: the splits of K that fill about 4 waves of the chip's SMs
/// with blocks, at most 8, each at least 32 chunks long and all of equal
/// whole chunks; 1 when the grid is large enough already, when the
/// kernel's epilogue is not linear (an activation), or when y's element
/// type `yElement` has no atomic add (f16, bf16; f32 and i32 do).
int64_t chooseGemvKSplits(const GpuKernelSpec &spec, mlir::Type yElement);

/// Whether split-K GEMVs of `spec` can add into a y of `yElement`: f32,
/// or i32 for an unscaled W8A8 GEMV.
bool hasSplitKResultType(const GpuKernelSpec &spec, mlir::Type yElement);

} // namespace sparq::gpu_kernels

#endif // SPARQ_LIB_CONVERSION_SPARQTOGPUKERNELS_GPUKERNELSPEC_H
