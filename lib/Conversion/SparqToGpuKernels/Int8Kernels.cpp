//===- Int8Kernels.cpp - W8A8 GEMV (dp4a) and GEMM (mma.sync s8) ----------===//
//
// Part of the sparq project.
//
// sparq.int_matmul multiplies int8 activations with int8 weights and
// accumulates in 32 bits, exactly; only the epilogue is float:
// acc * input_scale[m] * weight_scale[n] (+ bias[n]), or the i32 acc.
//
// GEMV (M <= gemv-max-rows): the warp-per-rows schedule of the other GEMV
// kernels. A 16-byte chunk holds 16 weights of a row and 16 activations of
// an x row, so a lane's chunk is one invariant 128-bit load per weight row
// and per activation row, and four dp4a (4-way int8 dot products) per
// pair; butterfly shuffles reduce the i32 sums, lane 0 rescales and
// stores.
//
// GEMM (M > gemv-max-rows): the fragment layout of the f16 GEMM, on
// mma.sync m16n8k32 with s8 operands and s32 accumulators. In that mma,
// lane (g, t) = (lane / 4, lane % 4) holds B bytes (k, n) = (4t + {0..3},
// g) in its first register and (16 + 4t + {0..3}, g) in its second, and
// the A bytes of rows g and g + 8 at the same k. The order of k does not
// matter to a dot product, so logical k of step s maps to physical k such
// that lane t's two B registers of step s are words 2s and 2s + 1 of its
// own 16-byte chunk of weight row g: the 4 lanes of a group read 4
// consecutive chunks (a K block of 64), and lane t reads the same 16 bytes
// of A rows g and g + 8. No shared memory, no unpacking: the loaded words
// are the fragments.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;
using namespace sparq::gpu_kernels::schedule;

namespace {

constexpr int64_t kLanes = 32; // a warp
/// Bytes (int8 elements) of a lane's chunk: one 128-bit load.
constexpr int64_t kChunkBytes = 16;

/// The 16 bytes of `memref` (i8, [rows, K]) at (row, kStart) as four i32
/// words, with one invariant 128-bit load.
SmallVector<Value> loadWords(KernelBuilder &kb, Value memref, Value row,
                             Value kStart) {
  ImplicitLocOpBuilder &b = kb.b;
  Value vec = kb.loadInvariant(memref, {row, kStart},
                               VectorType::get({4}, b.getI32Type()));
  SmallVector<Value> words;
  for (int64_t w = 0; w < 4; ++w)
    words.push_back(vector::ExtractOp::create(b, vec, w));
  return words;
}

/// An i32 word as the vector<4xi8> that dp4a and the mma fragments take
/// (a no-op in PTX).
Value asBytes(ImplicitLocOpBuilder &b, Value word) {
  return LLVM::BitcastOp::create(b, VectorType::get({4}, b.getI8Type()), word);
}

/// `acc` + the signed 4-way dot products of the four words of `a` and `b`.
Value dot16(ImplicitLocOpBuilder &b, ArrayRef<Value> a, ArrayRef<Value> w,
            Value acc) {
  for (auto [x, y] : llvm::zip(a, w))
    acc = NVVM::DotAccumulate4WayOp::create(
        b, b.getI32Type(), asBytes(b, x), NVVM::DotAccumulateType::SIGNED,
        asBytes(b, y), NVVM::DotAccumulateType::SIGNED, acc);
  return acc;
}

/// The epilogue of output (m, n): the i32 sum as is, or rescaled in f32
/// (acc * input_scale * weight_scale, + bias) and rounded to y's float
/// type, then the store to y.
/// Split-K (`isFirstSplit` set): the rescaled part is added to the f32 y
/// with an atomic add, the bias by split 0 only; the i32 part with an
/// atomic integer add.
void storeInt8Output(KernelBuilder &kb, Value acc, Value m, Value n,
                     Value isFirstSplit) {
  ImplicitLocOpBuilder &b = kb.b;
  const GpuKernelSpec &spec = kb.spec;
  const KernelArgs &args = kb.args;
  if (!spec.isRescaled()) {
    if (isFirstSplit)
      LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::add,
                                kb.globalPointer(args.y, {m, n}), acc,
                                LLVM::AtomicOrdering::monotonic);
    else
      memref::StoreOp::create(b, acc, args.y, ValueRange{m, n});
    return;
  }
  Value zero = kb.index(0);
  Value inputRow = spec.inputScales == ScaleKind::perRow ? m : zero;
  Value weightRow = spec.weightScales == ScaleKind::perRow ? n : zero;
  Value value = arith::SIToFPOp::create(b, b.getF32Type(), acc);
  value = arith::MulFOp::create(
      b, value,
      kb.toF32(memref::LoadOp::create(b, args.inputScales,
                                      ValueRange{inputRow, zero})));
  value =
      arith::MulFOp::create(b, value,
                            kb.toF32(memref::LoadOp::create(
                                b, args.params, ValueRange{weightRow, zero})));
  if (spec.hasBias) {
    Value bias = kb.toF32(memref::LoadOp::create(b, args.bias, ValueRange{n}));
    if (isFirstSplit)
      bias = arith::SelectOp::create(b, isFirstSplit, bias, kb.f32(0.0));
    value = arith::AddFOp::create(b, value, bias);
  }
  if (isFirstSplit) {
    LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::fadd,
                              kb.globalPointer(args.y, {m, n}), value,
                              LLVM::AtomicOrdering::monotonic);
    return;
  }
  Type yElement = cast<MemRefType>(args.y.getType()).getElementType();
  if (yElement != value.getType())
    value = arith::TruncFOp::create(b, yElement, value);
  memref::StoreOp::create(b, value, args.y, ValueRange{m, n});
}

/// Stacks vector<4xi8> rows (given as i32 words) into a fragment.
Value stackBytes(ImplicitLocOpBuilder &b, ArrayRef<Value> words) {
  auto type =
      VectorType::get({static_cast<int64_t>(words.size()), 4}, b.getI8Type());
  Value fragment = arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, b.getI8IntegerAttr(0)));
  for (auto [i, word] : llvm::enumerate(words))
    fragment = vector::InsertOp::create(b, asBytes(b, word), fragment,
                                        static_cast<int64_t>(i));
  return fragment;
}

} // namespace

void sparq::gpu_kernels::buildInt8GemvKernel(gpu::GPUFuncOp func,
                                             const GpuKernelSpec &spec) {
  Block &entry = func.getBody().front();
  auto b = ImplicitLocOpBuilder::atBlockEnd(func.getLoc(), &entry);
  KernelArgs args(spec, entry.getArguments());
  KernelBuilder kb(b, spec, args);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, kb.index(kLanes));
  Value warp = arith::DivUIOp::create(b, tid, kb.index(kLanes));
  Value block = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  int64_t numChunks = spec.k / kChunkBytes / spec.kSplits;
  // Split-K: grid row `split` covers chunks [split, split + 1) * numChunks.
  Value firstChunk, isFirstSplit;
  if (spec.isSplitK()) {
    Value split = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    firstChunk = arith::MulIOp::create(b, split, kb.index(numChunks));
    isFirstSplit =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, split, kb.index(0));
  }
  int64_t rowsPerWarp = gemvRowsPerWarp(spec);
  Value firstRow = arith::MulIOp::create(
      b,
      arith::AddIOp::create(
          b, arith::MulIOp::create(b, block, kb.index(kGemvWarpsPerBlock)),
          warp),
      kb.index(rowsPerWarp));
  // Warp-uniform: a warp past the last row skips everything, shuffles
  // included; rows past N in a warp that has some are clamped for reading
  // and not stored.
  Value anyRowInRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                              firstRow, kb.index(spec.n));
  auto ifRows = scf::IfOp::create(b, anyRowInRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifRows.thenBlock());
  SmallVector<Value> rows, readRows;
  for (int64_t r = 0; r < rowsPerWarp; ++r) {
    rows.push_back(arith::AddIOp::create(b, firstRow, kb.index(r)));
    readRows.push_back(kb.minIndex(rows.back(), spec.n - 1));
  }

  // Two chunks per lane and step when there are enough: twice the bytes
  // in flight.
  int64_t unroll = numChunks >= 2 * kLanes ? 2 : 1;
  int64_t step = unroll * kLanes;
  // Lanes past the end of a ragged last step read the last chunk again
  // and drop its products.
  bool ragged = numChunks % step != 0;
  Value zero = kb.i32(0);
  SmallVector<Value> init(rowsPerWarp * spec.m, zero);
  auto loop = scf::ForOp::create(
      b, kb.index(0), kb.index(numChunks), kb.index(step), init,
      [&](OpBuilder &nested, Location loc, Value c0, ValueRange acc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder k(nb, spec, args);
        struct ChunkLoads {
          Value active;
          SmallVector<SmallVector<Value>> weights, activations;
        };
        // Every load of the step first, then the arithmetic.
        SmallVector<ChunkLoads> chunks(unroll);
        for (auto [u, loads] : llvm::enumerate(chunks)) {
          Value c = arith::AddIOp::create(
              nb, c0,
              arith::AddIOp::create(nb, lane,
                                    k.index(static_cast<int64_t>(u) * kLanes)));
          if (ragged) {
            loads.active = arith::CmpIOp::create(nb, arith::CmpIPredicate::ult,
                                                 c, k.index(numChunks));
            c = k.minIndex(c, numChunks - 1);
          }
          if (firstChunk)
            c = arith::AddIOp::create(nb, c, firstChunk);
          Value kStart = arith::MulIOp::create(nb, c, k.index(kChunkBytes));
          for (Value row : readRows)
            loads.weights.push_back(loadWords(k, args.weights, row, kStart));
          for (int64_t m = 0; m < spec.m; ++m)
            loads.activations.push_back(
                loadWords(k, args.x, k.index(m), kStart));
        }
        SmallVector<Value> next(acc);
        for (ChunkLoads &loads : chunks) {
          for (int64_t r = 0; r < rowsPerWarp; ++r) {
            for (int64_t m = 0; m < spec.m; ++m) {
              Value &sum = next[r * spec.m + m];
              if (!loads.active) {
                sum = dot16(nb, loads.activations[m], loads.weights[r], sum);
                continue;
              }
              Value dot =
                  dot16(nb, loads.activations[m], loads.weights[r], k.i32(0));
              dot = arith::SelectOp::create(nb, loads.active, dot, k.i32(0));
              sum = arith::AddIOp::create(nb, sum, dot);
            }
          }
        }
        scf::YieldOp::create(nb, next);
      });

  SmallVector<Value> sums(loop.getResults());
  for (Value &sum : sums)
    for (int32_t offset = kLanes / 2; offset > 0; offset /= 2)
      sum = arith::AddIOp::create(
          b, sum,
          gpu::ShuffleOp::create(b, sum, offset, kLanes, gpu::ShuffleMode::XOR)
              .getShuffleResult());
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
    for (int64_t m = 0; m < spec.m; ++m)
      storeInt8Output(kb, sums[r * spec.m + m], kb.index(m), rows[r],
                      isFirstSplit);
  }
  b.setInsertionPointAfter(ifRows);
  gpu::ReturnOp::create(b);
}

void sparq::gpu_kernels::buildInt8GemmKernel(gpu::GPUFuncOp func,
                                             const GpuKernelSpec &spec) {
  Block &entry = func.getBody().front();
  auto b = ImplicitLocOpBuilder::atBlockEnd(func.getLoc(), &entry);
  KernelArgs args(spec, entry.getArguments());
  KernelBuilder kb(b, spec, args);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, kb.index(kLanes));
  Value warp = arith::DivUIOp::create(b, tid, kb.index(kLanes));
  Value group = arith::DivUIOp::create(b, lane, kb.index(4));
  Value inGroup = arith::RemUIOp::create(b, lane, kb.index(4));
  Value rowBase =
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::y),
                            kb.index(kGemmBlockRows));
  Value colBase = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            kb.index(kGemmBlockCols)),
      arith::MulIOp::create(b, warp, kb.index(kGemmTilesPerWarp * 8)));

  // Rows and columns past the edge are clamped for loading (their results
  // are never stored), so that every lane joins every mma.
  Value row0 = arith::AddIOp::create(b, rowBase, group);
  Value row1 = arith::AddIOp::create(b, row0, kb.index(8));
  Value loadRow0 = kb.minIndex(row0, spec.m - 1);
  Value loadRow1 = kb.minIndex(row1, spec.m - 1);
  SmallVector<Value> loadCols;
  for (int64_t tile = 0; tile < kGemmTilesPerWarp; ++tile) {
    Value col = arith::AddIOp::create(
        b, colBase, arith::AddIOp::create(b, group, kb.index(tile * 8)));
    loadCols.push_back(kb.minIndex(col, spec.n - 1));
  }

  auto accType = VectorType::get({2, 2}, b.getI32Type());
  Value zeroAcc = arith::ConstantOp::create(
      b, accType, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
  SmallVector<Value> init(kGemmTilesPerWarp, zeroAcc);
  // Two K blocks per step where K allows: all 12 loads first, twice the
  // bytes in flight (the kernel has no shared-memory pipeline to hide the
  // latency otherwise).
  int64_t blocksPerStep = spec.k % (2 * kInt8GemmKBlock) == 0 ? 2 : 1;
  auto loop = scf::ForOp::create(
      b, kb.index(0), kb.index(spec.k),
      kb.index(blocksPerStep * kInt8GemmKBlock), init,
      [&](OpBuilder &nested, Location loc, Value k0, ValueRange acc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder k(nb, spec, args);
        struct BlockLoads {
          SmallVector<Value> a0, a1;
          SmallVector<SmallVector<Value>> w;
        };
        SmallVector<BlockLoads> blocks(blocksPerStep);
        for (auto [i, loads] : llvm::enumerate(blocks)) {
          Value kStart = arith::AddIOp::create(
              nb, k0,
              arith::AddIOp::create(
                  nb, k.index(static_cast<int64_t>(i) * kInt8GemmKBlock),
                  arith::MulIOp::create(nb, inGroup, k.index(kChunkBytes))));
          loads.a0 = loadWords(k, args.x, loadRow0, kStart);
          loads.a1 = loadWords(k, args.x, loadRow1, kStart);
          for (Value col : loadCols)
            loads.w.push_back(loadWords(k, args.weights, col, kStart));
        }
        SmallVector<Value> next(acc);
        for (BlockLoads &loads : blocks) {
          for (int64_t s = 0; s < 2; ++s) {
            // A registers: (row g, k 4t..), (row g + 8, k 4t..),
            // (row g, k 16 + 4t..), (row g + 8, k 16 + 4t..).
            Value aFragment =
                stackBytes(nb, {loads.a0[2 * s], loads.a1[2 * s],
                                loads.a0[2 * s + 1], loads.a1[2 * s + 1]});
            for (int64_t tile = 0; tile < kGemmTilesPerWarp; ++tile) {
              Value bFragment = stackBytes(
                  nb, {loads.w[tile][2 * s], loads.w[tile][2 * s + 1]});
              next[tile] =
                  nvgpu::MmaSyncOp::create(nb, aFragment, bFragment, next[tile],
                                           ArrayRef<int64_t>{16, 8, 32});
            }
          }
        }
        scf::YieldOp::create(nb, next);
      });

  // Lane (g, t) holds y at rows g and g + 8, columns 2t and 2t + 1 of each
  // tile.
  for (int64_t tile = 0; tile < kGemmTilesPerWarp; ++tile) {
    for (int64_t half = 0; half < 2; ++half) {
      Value row = half ? row1 : row0;
      for (int64_t j = 0; j < 2; ++j) {
        Value col = arith::AddIOp::create(
            b, colBase,
            arith::AddIOp::create(
                b, arith::MulIOp::create(b, inGroup, kb.index(2)),
                kb.index(tile * 8 + j)));
        Value value = vector::ExtractOp::create(b, loop.getResult(tile),
                                                ArrayRef<int64_t>{half, j});
        Value inRange = arith::AndIOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                  kb.index(spec.m)),
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col,
                                  kb.index(spec.n)));
        auto ifInRange = scf::IfOp::create(b, inRange, false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifInRange.thenBlock());
        storeInt8Output(kb, value, row, col, /*isFirstSplit=*/Value());
      }
    }
  }
  gpu::ReturnOp::create(b);
}
