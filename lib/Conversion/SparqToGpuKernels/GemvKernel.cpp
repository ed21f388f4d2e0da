//===- GemvKernel.cpp - warp-per-rows quantized GEMV for small M ----------===//
//
// Part of the sparq project.
//
// Decoding multiplies a handful of activation rows with a large packed
// weight matrix, so the kernel is bound by how fast it streams weights.
// Each warp owns 1 to 4 output rows (gemvRowsPerWarp); lane l reads chunks
// l, l + 32, ... of each row, each with one (three for 3-bit codes) 128-bit
// invariant load, so a warp reads 512 contiguous bytes of a row per step,
// and the activations it loads for a chunk serve all of its rows. A chunk
// lies in one quantization group (group sizes are multiples of 32), so it
// is scaled once after its dot products with every activation row.
// Codebook entries live one per lane: a code is looked up by shuffling
// from the lane that holds its entry. A row's CSR outliers are spread over
// the lanes too; butterfly shuffles reduce the lanes and lane 0 runs the
// epilogue.
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

/// Adds one chunk per weight row (loaded at `kStart`) times every
/// activation row to `acc` ([row][activation row]); `active` (if set) is
/// false for a lane past the last chunk, whose products are dropped.
SmallVector<Value> accumulateChunk(KernelBuilder &k, Value kStart, Value active,
                                   ArrayRef<WeightChunk> weights,
                                   ArrayRef<std::pair<Value, Value>> params,
                                   ArrayRef<Value> codebookEntries,
                                   ValueRange acc) {
  ImplicitLocOpBuilder &nb = k.b;
  const GpuKernelSpec &spec = k.spec;
  int64_t numRows = weights.size();
  int64_t chunk = spec.chunkElements();
  bool hasZeroPoints = spec.hasZeroPoints;

  // dots[r * M + m]: weight row r times activation row m.
  SmallVector<Value> dots(numRows * spec.m, k.f32(0.0));
  SmallVector<Value> sums(spec.m, k.f32(0.0));
  for (int64_t piece = 0; piece < chunk; piece += kPieceElements) {
    int64_t pieceEnd = std::min(chunk, piece + kPieceElements);
    SmallVector<SmallVector<Value>> xs(spec.m);
    for (int64_t m = 0; m < spec.m; ++m) {
      for (int64_t i = piece; i < pieceEnd; i += 4) {
        Value kIdx = arith::AddIOp::create(nb, kStart, k.index(i));
        llvm::append_range(xs[m], k.loadActivations4(k.index(m), kIdx));
      }
      if (hasZeroPoints)
        for (Value x : xs[m])
          sums[m] = arith::AddFOp::create(nb, sums[m], x);
    }
    for (int64_t r = 0; r < numRows; ++r) {
      for (int64_t i = piece; i < pieceEnd; ++i) {
        Value w = spec.weights == WeightKind::uniform
                      ? k.weightAsF32(weights[r], i)
                      : gpu::ShuffleOp::create(nb, codebookEntries[r],
                                               k.chunkElement(weights[r], i),
                                               k.i32(kWarpSize),
                                               gpu::ShuffleMode::IDX)
                            .getShuffleResult();
        for (int64_t m = 0; m < spec.m; ++m) {
          Value &dot = dots[r * spec.m + m];
          dot = math::FmaOp::create(nb, w, xs[m][i - piece], dot);
        }
      }
    }
  }
  SmallVector<Value> next;
  for (int64_t r = 0; r < numRows; ++r) {
    for (int64_t m = 0; m < spec.m; ++m) {
      Value contribution = dots[r * spec.m + m];
      if (spec.weights == WeightKind::uniform) {
        auto [scale, zeroPoint] = params[r];
        if (zeroPoint)
          contribution = arith::SubFOp::create(
              nb, contribution, arith::MulFOp::create(nb, zeroPoint, sums[m]));
        contribution = arith::MulFOp::create(nb, scale, contribution);
      }
      if (active)
        contribution =
            arith::SelectOp::create(nb, active, contribution, k.f32(0.0));
      next.push_back(
          arith::AddFOp::create(nb, acc[r * spec.m + m], contribution));
    }
  }
  return next;
}

/// Accumulates lane `lane`'s chunks of the weight rows `rows` times every
/// activation row; returns the partial sums, row-major [row][activation
/// row]. Each activation load serves every weight row. With split-K the
/// lanes cover the K / kSplits chunks from `firstChunk` on, else all of K.
SmallVector<SmallVector<Value>>
accumulateChunks(KernelBuilder &kb, ArrayRef<Value> rows, Value lane,
                 ArrayRef<Value> codebookEntries, Value firstChunk) {
  ImplicitLocOpBuilder &b = kb.b;
  const GpuKernelSpec &spec = kb.spec;
  int64_t numRows = rows.size();
  int64_t chunk = spec.chunkElements();
  int64_t numChunks = spec.k / chunk / spec.kSplits;
  // Two chunks per lane and step when there are enough: twice the weight
  // loads in flight, which a warp per 4 rows needs to cover DRAM latency.
  int64_t unroll = numChunks >= 2 * kWarpSize ? 2 : 1;
  int64_t step = unroll * kWarpSize;
  // Without a ragged last step every lane runs every step, so the loop
  // needs no masking; with one, lanes past the end read the last chunk
  // again and drop it, so that every lane still joins the codebook
  // shuffles.
  bool ragged = numChunks % step != 0;
  SmallVector<Value> init(numRows * spec.m, kb.f32(0.0));
  auto loop = scf::ForOp::create(
      b, kb.index(0), kb.index(numChunks), kb.index(step), init,
      [&](OpBuilder &nested, Location loc, Value c0, ValueRange acc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder k(nb, spec, kb.args);
        // Every load of the step first, then the arithmetic.
        struct ChunkLoads {
          Value kStart, active;
          SmallVector<WeightChunk> weights;
          SmallVector<std::pair<Value, Value>> params;
        };
        SmallVector<ChunkLoads> chunks(unroll);
        for (auto [u, loads] : llvm::enumerate(chunks)) {
          Value c = arith::AddIOp::create(
              nb, c0,
              arith::AddIOp::create(
                  nb, lane, k.index(static_cast<int64_t>(u) * kWarpSize)));
          if (ragged) {
            loads.active = arith::CmpIOp::create(nb, arith::CmpIPredicate::ult,
                                                 c, k.index(numChunks));
            c = k.minIndex(c, numChunks - 1);
          }
          if (firstChunk)
            c = arith::AddIOp::create(nb, c, firstChunk);
          loads.kStart = arith::MulIOp::create(nb, c, k.index(chunk));
          for (Value row : rows) {
            loads.weights.push_back(k.loadWeightChunk(row, loads.kStart));
            if (spec.weights == WeightKind::uniform)
              loads.params.push_back(k.groupParams(row, loads.kStart));
          }
        }
        SmallVector<Value> running(acc);
        for (ChunkLoads &loads : chunks)
          running =
              accumulateChunk(k, loads.kStart, loads.active, loads.weights,
                              loads.params, codebookEntries, running);
        scf::YieldOp::create(nb, running);
      });
  SmallVector<SmallVector<Value>> result(numRows);
  for (int64_t r = 0; r < numRows; ++r)
    result[r].assign(loop.getResults().begin() + r * spec.m,
                     loop.getResults().begin() + (r + 1) * spec.m);
  return result;
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
  // Split-K: grid row `split` covers chunks [split, split + 1) * K /
  // (chunk * kSplits) of every row.
  Value firstChunk, isFirstSplit;
  if (spec.isSplitK()) {
    Value split = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    firstChunk = arith::MulIOp::create(
        b, split, kb.index(spec.k / spec.chunkElements() / spec.kSplits));
    isFirstSplit =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, split, kb.index(0));
  }
  int64_t rowsPerWarp = gemvRowsPerWarp(spec);
  Value firstRow = arith::MulIOp::create(
      b,
      arith::AddIOp::create(
          b,
          arith::MulIOp::create(b, block,
                                kb.index(schedule::kGemvWarpsPerBlock)),
          warp),
      kb.index(rowsPerWarp));
  // Warp-uniform: a warp past the last row skips everything, shuffles
  // included. Rows past N in a warp that has some are clamped for reading
  // and not stored.
  Value anyRowInRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                              firstRow, kb.index(spec.n));
  auto ifRows = scf::IfOp::create(b, anyRowInRange, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifRows.thenBlock());
    // `rows` are output columns; `readRows` the weight rows they read: the
    // same, or for a gated kernel each column's gate row, then (after all
    // of them) its up row N rows further.
    SmallVector<Value> rows, readRows;
    for (int64_t r = 0; r < rowsPerWarp; ++r) {
      rows.push_back(arith::AddIOp::create(b, firstRow, kb.index(r)));
      readRows.push_back(kb.minIndex(rows.back(), spec.n - 1));
    }
    if (spec.gated)
      for (int64_t r = 0; r < rowsPerWarp; ++r)
        readRows.push_back(
            arith::AddIOp::create(b, readRows[r], kb.index(spec.n)));
    SmallVector<Value> codebookEntries;
    if (spec.weights == WeightKind::codebook) {
      // Lane l holds entry l mod 2^bits of each row's codebook.
      Value slot =
          arith::AndIOp::create(b, lane, kb.index((1 << spec.bits) - 1));
      for (Value row : readRows)
        codebookEntries.push_back(
            kb.toF32(memref::LoadOp::create(b, args.params, {row, slot})));
    }
    SmallVector<SmallVector<Value>> acc =
        accumulateChunks(kb, readRows, lane, codebookEntries, firstChunk);
    SmallVector<Value> xRows;
    for (int64_t m = 0; m < spec.m; ++m)
      xRows.push_back(kb.index(m));
    for (int64_t r = 0; r < static_cast<int64_t>(readRows.size()); ++r) {
      if (spec.hasOutliers && isFirstSplit) {
        // Split 0 adds the outliers, wherever their columns are.
        auto ifFirst = scf::IfOp::create(b, ValueRange(acc[r]).getTypes(),
                                         isFirstSplit, /*withElse=*/true);
        OpBuilder::InsertionGuard outlierGuard(b);
        b.setInsertionPointToStart(ifFirst.thenBlock());
        scf::YieldOp::create(b, kb.addOutliers(readRows[r], xRows, acc[r], lane,
                                               kb.index(kWarpSize)));
        b.setInsertionPointToStart(ifFirst.elseBlock());
        scf::YieldOp::create(b, acc[r]);
        acc[r].assign(ifFirst.getResults().begin(), ifFirst.getResults().end());
      } else if (spec.hasOutliers) {
        acc[r] = kb.addOutliers(readRows[r], xRows, acc[r], lane,
                                kb.index(kWarpSize));
      }
      for (Value &a : acc[r])
        for (int32_t offset = kWarpSize / 2; offset > 0; offset /= 2)
          a = arith::AddFOp::create(
              b, a,
              gpu::ShuffleOp::create(b, a, offset, kWarpSize,
                                     gpu::ShuffleMode::XOR)
                  .getShuffleResult());
    }
    Value isLaneZero =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, kb.index(0));
    auto ifLaneZero = scf::IfOp::create(b, isLaneZero, false);
    b.setInsertionPointToStart(ifLaneZero.thenBlock());
    for (int64_t r = 0; r < rowsPerWarp; ++r) {
      OpBuilder::InsertionGuard rowGuard(b);
      if (r > 0) {
        Value rowInRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                                 rows[r], kb.index(spec.n));
        auto ifRow = scf::IfOp::create(b, rowInRange, false);
        b.setInsertionPointToStart(ifRow.thenBlock());
      }
      for (int64_t m = 0; m < spec.m; ++m) {
        if (spec.gated)
          kb.storeGatedOutput(acc[r][m], acc[rowsPerWarp + r][m], xRows[m],
                              rows[r]);
        else if (isFirstSplit)
          kb.addToOutput(acc[r][m], xRows[m], rows[r], isFirstSplit);
        else
          kb.storeOutput(acc[r][m], xRows[m], rows[r]);
      }
    }
  }
  gpu::ReturnOp::create(b);
}
