//===- GemmKernel.cpp - tensor-core quantized GEMM for larger M -----------===//
//
// Part of the sparq project.
//
// mma.sync m16n8k16 (f16 operands, f32 accumulators) on weights
// dequantized in registers. A block has 4 warps side by side along N; a
// warp computes a 16 x 32 tile of y as four 16 x 8 mma tiles.
//
// Fragments without shared memory: in an m16n8k16 mma, lane (g, t) =
// (lane / 4, lane % 4) holds the B elements (k, n) = (2t + {0, 1}, g) and
// (2t + 8 + {0, 1}, g), and the A elements of rows g and g + 8 at the same
// k. Since a dot product does not care about the order of k, logical k of
// step s is mapped to physical k so that lane t's four B elements are
// elements 4s .. 4s + 3 of its own 128-bit chunk of weight row g: the 4
// lanes of a group read 4 consecutive chunks (a K block of 128 4-bit or 64
// 8-bit weights), and lane t reads A rows g and g + 8 at the same physical
// k, 4 f32 at a time.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;
using namespace sparq::gpu_kernels::schedule;

namespace {

/// Two f32 scalars as a vector<2xf16>.
Value packHalves(ImplicitLocOpBuilder &b, Value lo, Value hi) {
  Type f16 = b.getF16Type();
  Value pair = vector::FromElementsOp::create(
      b, VectorType::get({2}, f16),
      ValueRange{arith::TruncFOp::create(b, f16, lo),
                 arith::TruncFOp::create(b, f16, hi)});
  return pair;
}

/// Stacks vector<2xf16> rows into a vector<rows x 2 x f16> fragment.
Value stackFragment(ImplicitLocOpBuilder &b, ArrayRef<Value> rows) {
  auto type =
      VectorType::get({static_cast<int64_t>(rows.size()), 2}, b.getF16Type());
  Value fragment = arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, b.getF16FloatAttr(0.0)));
  for (auto [i, row] : llvm::enumerate(rows))
    fragment =
        vector::InsertOp::create(b, row, fragment, static_cast<int64_t>(i));
  return fragment;
}

} // namespace

void sparq::gpu_kernels::buildGemmKernel(gpu::GPUFuncOp func,
                                         const GpuKernelSpec &spec) {
  Block &entry = func.getBody().front();
  auto b = ImplicitLocOpBuilder::atBlockEnd(func.getLoc(), &entry);
  KernelArgs args(spec, entry.getArguments());
  KernelBuilder kb(b, spec, args);
  int64_t chunk = spec.chunkElements();
  int64_t kBlock = 4 * chunk;
  int64_t steps = chunk / 4;

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, kb.index(32));
  Value warp = arith::DivUIOp::create(b, tid, kb.index(32));
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

  auto accType = VectorType::get({2, 2}, b.getF32Type());
  Value zeroAcc = arith::ConstantOp::create(
      b, accType, DenseElementsAttr::get(accType, b.getF32FloatAttr(0.0)));
  SmallVector<Value> init(kGemmTilesPerWarp, zeroAcc);
  auto loop = scf::ForOp::create(
      b, kb.index(0), kb.index(spec.k), kb.index(kBlock), init,
      [&](OpBuilder &nested, Location loc, Value kb0, ValueRange acc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder k(nb, spec, args);
        Value kStart = arith::AddIOp::create(
            nb, kb0, arith::MulIOp::create(nb, inGroup, k.index(chunk)));
        SmallVector<WeightChunk> chunks;
        SmallVector<std::pair<Value, Value>> params;
        for (Value col : loadCols) {
          chunks.push_back(k.loadWeightChunk(col, kStart));
          if (spec.weights == WeightKind::uniform)
            params.push_back(k.groupParams(col, kStart));
        }
        // Weight element i of tile `tile`'s chunk, dequantized to f32.
        auto weight = [&](int64_t tile, int64_t i) -> Value {
          if (spec.weights == WeightKind::codebook) {
            Value q = k.chunkElement(chunks[tile], i);
            Value entry = memref::LoadOp::create(
                nb, args.params, ValueRange{loadCols[tile], k.toIndex(q)});
            return k.toF32(entry);
          }
          Value w = k.weightAsF32(chunks[tile], i);
          auto [scale, zeroPoint] = params[tile];
          if (zeroPoint)
            w = arith::SubFOp::create(nb, w, zeroPoint);
          return arith::MulFOp::create(nb, w, scale);
        };
        SmallVector<Value> next(acc);
        for (int64_t s = 0; s < steps; ++s) {
          Value kIdx = arith::AddIOp::create(nb, kStart, k.index(4 * s));
          SmallVector<Value> a0 = k.loadActivations4(loadRow0, kIdx);
          SmallVector<Value> a1 = k.loadActivations4(loadRow1, kIdx);
          Value aFragment = stackFragment(
              nb, {packHalves(nb, a0[0], a0[1]), packHalves(nb, a1[0], a1[1]),
                   packHalves(nb, a0[2], a0[3]), packHalves(nb, a1[2], a1[3])});
          for (int64_t tile = 0; tile < kGemmTilesPerWarp; ++tile) {
            Value bFragment = stackFragment(
                nb,
                {packHalves(nb, weight(tile, 4 * s), weight(tile, 4 * s + 1)),
                 packHalves(nb, weight(tile, 4 * s + 2),
                            weight(tile, 4 * s + 3))});
            next[tile] =
                nvgpu::MmaSyncOp::create(nb, aFragment, bFragment, next[tile],
                                         ArrayRef<int64_t>{16, 8, 16});
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
        if (spec.hasOutliers)
          value = kb.addOutliers(col, ValueRange{row}, ValueRange{value},
                                 kb.index(0), kb.index(1))[0];
        kb.storeOutput(value, row, col);
      }
    }
  }
  gpu::ReturnOp::create(b);
}
