//===- GemvKernel.cpp - warp-per-row quantized GEMV for small M -----------===//
//
// Part of the sparq project.
//
// Decoding multiplies a handful of activation rows with a large packed
// weight matrix, so the kernel is bound by how fast it streams weights.
// Each warp owns one output row; lane l reads chunks l, l + 32, ... of the
// row, each with one (three for 3-bit codes) 128-bit invariant load, so a
// warp reads 512 contiguous bytes per step. A chunk lies in one
// quantization group (group sizes are multiples of 32), so it is scaled
// once after its dot products with every activation row. Codebook entries
// live one per lane: a code is looked up by shuffling from the lane that
// holds its entry. The row's CSR outliers are spread over the lanes too;
// butterfly shuffles reduce the lanes and lane 0 runs the epilogue.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;

namespace {

constexpr int64_t kWarpSize = 32;

/// Elements unpacked at a time: at most 32, so that a 3-bit chunk's 128
/// codes are not all live at once.
constexpr int64_t kPieceElements = 32;

/// Accumulates, for every activation row, lane `lane`'s chunks of weight
/// row `row`; returns one partial sum per activation row.
SmallVector<Value> accumulateChunks(KernelBuilder &kb, Value row, Value lane,
                                    Value codebookEntry) {
  ImplicitLocOpBuilder &b = kb.b;
  const GpuKernelSpec &spec = kb.spec;
  int64_t chunk = spec.chunkElements();
  int64_t numChunks = spec.k / chunk;
  // Without a ragged last step every lane runs every step, so the loop
  // needs no masking; with one, lanes past the end read the last chunk
  // again and drop it, so that every lane still joins the codebook
  // shuffles.
  bool ragged = numChunks % kWarpSize != 0;
  SmallVector<Value> init(spec.m, kb.f32(0.0));
  auto loop = scf::ForOp::create(
      b, kb.index(0), kb.index(numChunks), kb.index(kWarpSize), init,
      [&](OpBuilder &nested, Location loc, Value c0, ValueRange acc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder k(nb, spec, kb.args);
        Value c = arith::AddIOp::create(nb, c0, lane);
        Value active;
        if (ragged) {
          active = arith::CmpIOp::create(nb, arith::CmpIPredicate::ult, c,
                                         k.index(numChunks));
          c = k.minIndex(c, numChunks - 1);
        }
        Value kStart = arith::MulIOp::create(nb, c, k.index(chunk));
        WeightChunk weights = k.loadWeightChunk(row, kStart);
        Value scale, zeroPoint;
        if (spec.weights == WeightKind::uniform)
          std::tie(scale, zeroPoint) = k.groupParams(row, kStart);

        SmallVector<Value> dots(spec.m, k.f32(0.0));
        SmallVector<Value> sums(spec.m, k.f32(0.0));
        for (int64_t piece = 0; piece < chunk; piece += kPieceElements) {
          int64_t pieceEnd = std::min(chunk, piece + kPieceElements);
          SmallVector<Value> w;
          for (int64_t i = piece; i < pieceEnd; ++i) {
            if (spec.weights == WeightKind::uniform) {
              w.push_back(k.weightAsF32(weights, i));
              continue;
            }
            w.push_back(gpu::ShuffleOp::create(
                            nb, codebookEntry, k.chunkElement(weights, i),
                            k.i32(kWarpSize), gpu::ShuffleMode::IDX)
                            .getShuffleResult());
          }
          for (int64_t m = 0; m < spec.m; ++m) {
            for (int64_t i = piece; i < pieceEnd; i += 4) {
              Value kIdx = arith::AddIOp::create(nb, kStart, k.index(i));
              SmallVector<Value> xs = k.loadActivations4(k.index(m), kIdx);
              for (int64_t j = 0; j < 4; ++j) {
                dots[m] =
                    math::FmaOp::create(nb, w[i - piece + j], xs[j], dots[m]);
                if (zeroPoint)
                  sums[m] = arith::AddFOp::create(nb, sums[m], xs[j]);
              }
            }
          }
        }
        SmallVector<Value> next;
        for (int64_t m = 0; m < spec.m; ++m) {
          Value contribution = dots[m];
          if (zeroPoint)
            contribution = arith::SubFOp::create(
                nb, contribution,
                arith::MulFOp::create(nb, zeroPoint, sums[m]));
          if (scale)
            contribution = arith::MulFOp::create(nb, scale, contribution);
          if (active)
            contribution =
                arith::SelectOp::create(nb, active, contribution, k.f32(0.0));
          next.push_back(arith::AddFOp::create(nb, acc[m], contribution));
        }
        scf::YieldOp::create(nb, next);
      });
  return SmallVector<Value>(loop.getResults());
}

} // namespace

void sparq::gpu_kernels::buildGemvKernel(gpu::GPUFuncOp func,
                                         const GpuKernelSpec &spec) {
  Block &entry = func.getBody().front();
  auto b = ImplicitLocOpBuilder::atBlockEnd(func.getLoc(), &entry);
  KernelArgs args(spec, entry.getArguments());
  KernelBuilder kb(b, spec, args);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, kb.index(kWarpSize));
  Value warp = arith::DivUIOp::create(b, tid, kb.index(kWarpSize));
  Value block = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value row = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, block, kb.index(schedule::kGemvWarpsPerBlock)),
      warp);
  // Warp-uniform: a warp past the last row skips everything, shuffles
  // included.
  Value rowInRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                           kb.index(spec.n));
  auto ifRow = scf::IfOp::create(b, rowInRange, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifRow.thenBlock());
    Value codebookEntry;
    if (spec.weights == WeightKind::codebook) {
      // Lane l holds entry l mod 2^bits of the row's codebook.
      Value slot =
          arith::AndIOp::create(b, lane, kb.index((1 << spec.bits) - 1));
      codebookEntry =
          kb.toF32(memref::LoadOp::create(b, args.params, {row, slot}));
    }
    SmallVector<Value> acc = accumulateChunks(kb, row, lane, codebookEntry);
    SmallVector<Value> xRows;
    for (int64_t m = 0; m < spec.m; ++m)
      xRows.push_back(kb.index(m));
    if (spec.hasOutliers)
      acc = kb.addOutliers(row, xRows, acc, lane, kb.index(kWarpSize));
    for (Value &a : acc)
      for (int32_t offset = kWarpSize / 2; offset > 0; offset /= 2)
        a = arith::AddFOp::create(b, a,
                                  gpu::ShuffleOp::create(b, a, offset,
                                                         kWarpSize,
                                                         gpu::ShuffleMode::XOR)
                                      .getShuffleResult());
    Value isLaneZero =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, kb.index(0));
    auto ifLaneZero = scf::IfOp::create(b, isLaneZero, false);
    b.setInsertionPointToStart(ifLaneZero.thenBlock());
    for (int64_t m = 0; m < spec.m; ++m)
      kb.storeOutput(acc[m], xRows[m], row);
  }
  gpu::ReturnOp::create(b);
}
