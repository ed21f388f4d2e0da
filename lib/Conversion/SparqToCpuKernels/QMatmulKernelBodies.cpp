//===- QMatmulKernelBodies.cpp - VNNI bodies of quantized matmul kernels --===//
//
// Part of the sparq project.
//
// Decoding is memory-bound: a quantized GEMV is fast when each output row
// streams its packed weights exactly once and all dequantization happens in
// registers. The bodies generated here do that with integer dot products
// (AVX-512 VNNI vpdpbusd) on activations quantized to int8 per group on the
// fly, as the pass description in Passes.td explains step by step.
//
//===----------------------------------------------------------------------===//

#include "Int8MatmulKernels.h"
#include "KernelBodyUtils.h"
#include "KernelSpec.h"
#include "LutMatmulKernels.h"

#include "sparq/Conversion/Passes.h"
#include "sparq/Dialect/Sparq/IR/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sparq {
#define GEN_PASS_DEF_GENERATESPARQCPUKERNELS
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

namespace {

Value splat(OpBuilder &b, Location loc, VectorType type, Attribute value) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, cast<TypedAttr>(value)));
}

/// Row length (in elements of `elementBytes`) of a scratch copy of the
/// activations. Tile rows are read side by side; at a power-of-two stride of
/// 4 KiB or more they would all map to the same L1 sets and evict each other
/// (8 rows of a tile plus the weight stream exceed the 8 ways), so rows get
/// one extra cache line.
int64_t paddedRow(int64_t elements, int64_t elementBytes) {
  return elements + 64 / elementBytes;
}

/// What the finishing code reads and writes.
struct OutputOperands {
  Value x, y, bias, rowPtr, colInd, values, residual;
  Activation activation = Activation::none;
  /// Gate and up sums pair up at the store (KernelSpec::gated).
  bool gated = false;
};

/// The finished outputs of weight row n for the `tile` rows of the current
/// tile: the sum of the lanes of accumulators[m] - corrections[m] + bias[n]
/// + the row's CSR outliers (f32, against the original activations).
SmallVector<Value>
finishSums(OpBuilder &b, Location loc, const OutputOperands &io, Value n,
           int64_t tile,
           function_ref<Value(OpBuilder &, Location, int64_t)> rowOf,
           ArrayRef<Value> accumulators, ArrayRef<Value> corrections) {
  Value c1 = idx(b, loc, 1);
  SmallVector<Value> sums;
  Value rowStart, rowEnd;
  if (io.rowPtr) {
    auto readIndex = [&](Value at) -> Value {
      Value v = memref::LoadOp::create(b, loc, io.rowPtr, ValueRange{at});
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    };
    rowStart = readIndex(n);
    rowEnd = readIndex(arith::AddIOp::create(b, loc, n, c1));
  }
  for (int64_t m = 0; m < tile; ++m) {
    Value row = rowOf(b, loc, m);
    // The lanes hold independent partial sums: add them as a tree.
    Value sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            accumulators[m],
                                            arith::FastMathFlags::reassoc);
    if (!corrections.empty())
      sum = arith::SubFOp::create(b, loc, sum, corrections[m]);
    if (io.bias)
      sum = arith::AddFOp::create(
          b, loc, sum,
          toF32(b, loc,
                memref::LoadOp::create(b, loc, io.bias, ValueRange{n})));
    if (io.rowPtr) {
      auto outlierLoop = scf::ForOp::create(
          b, loc, rowStart, rowEnd, c1, ValueRange{sum},
          [&](OpBuilder &ob, Location l, Value p, ValueRange iter) {
            Value col = arith::IndexCastOp::create(
                ob, l, ob.getIndexType(),
                memref::LoadOp::create(ob, l, io.colInd, ValueRange{p}));
            Value v = toF32(
                ob, l, memref::LoadOp::create(ob, l, io.values, ValueRange{p}));
            Value xv =
                memref::LoadOp::create(ob, l, io.x, ValueRange{row, col});
            scf::YieldOp::create(
                ob, l, ValueRange{math::FmaOp::create(ob, l, v, xv, iter[0])});
          });
      sum = outlierLoop.getResult(0);
    }
    sums.push_back(sum);
  }
  return sums;
}

/// Stores the tile's outputs at column `column` of y: `sums`, or for a
/// gated kernel act(sums) * upSums + residual, computed here in registers.
void storeTile(OpBuilder &b, Location loc, const OutputOperands &io,
               Value column, int64_t tile,
               function_ref<Value(OpBuilder &, Location, int64_t)> rowOf,
               ArrayRef<Value> sums, ArrayRef<Value> upSums) {
  for (int64_t m = 0; m < tile; ++m) {
    Value row = rowOf(b, loc, m);
    Value y = sums[m];
    if (io.gated) {
      y = arith::MulFOp::create(
          b, loc, buildActivation(b, loc, io.activation, y), upSums[m]);
      if (io.residual)
        y = arith::AddFOp::create(
            b, loc, y,
            memref::LoadOp::create(b, loc, io.residual,
                                   ValueRange{row, column}));
    }
    memref::StoreOp::create(b, loc, y, io.y, ValueRange{row, column});
  }
}

/// y = act(y) + residual over the finished outputs, 16 lanes at a time (a
/// scalar tail when N is not a multiple of 16). The outputs are still in
/// cache; per output at the store, the epilogue would run scalar inside the
/// dot-product loop nest and cost more than this pass.
void applyEpilogue(OpBuilder &b, Location loc, const OutputOperands &io,
                   const KernelSpec &spec) {
  if (io.gated || (io.activation == Activation::none && !io.residual))
    return;
  constexpr int64_t lanes = 16;
  int64_t vectorEnd = spec.n / lanes * lanes;
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  auto rows = scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rows.getBody());
  Value row = rows.getInductionVar();
  auto step = [&](OpBuilder &sb, Location l, Value col, bool vector) {
    ValueRange at{row, col};
    Value y =
        vector ? vector::LoadOp::create(sb, l, vectorType, io.y, at).getResult()
               : memref::LoadOp::create(sb, l, io.y, at).getResult();
    y = buildActivation(sb, l, io.activation, y);
    if (io.residual) {
      Value r =
          vector ? vector::LoadOp::create(sb, l, vectorType, io.residual, at)
                       .getResult()
                 : memref::LoadOp::create(sb, l, io.residual, at).getResult();
      y = arith::AddFOp::create(sb, l, y, r);
    }
    if (vector)
      vector::StoreOp::create(sb, l, y, io.y, at);
    else
      memref::StoreOp::create(sb, l, y, io.y, at);
  };
  if (vectorEnd > 0)
    scf::ForOp::create(b, loc, c0, idx(b, loc, vectorEnd), idx(b, loc, lanes),
                       ValueRange{},
                       [&](OpBuilder &sb, Location l, Value col, ValueRange) {
                         step(sb, l, col, /*vector=*/true);
                         scf::YieldOp::create(sb, l);
                       });
  if (vectorEnd < spec.n)
    scf::ForOp::create(b, loc, idx(b, loc, vectorEnd), idx(b, loc, spec.n), c1,
                       ValueRange{},
                       [&](OpBuilder &sb, Location l, Value col, ValueRange) {
                         step(sb, l, col, /*vector=*/false);
                         scf::YieldOp::create(sb, l);
                       });
}

/// Stores a block of activations in nibble order: its even elements at
/// [row, start], then its odd ones right after, matching the low and high
/// nibbles of the block's packed weights.
void storeInNibbleOrder(OpBuilder &b, Location loc, Value block, Value dest,
                        Value row, Value start) {
  int64_t size = cast<VectorType>(block.getType()).getNumElements();
  SmallVector<int64_t> even, odd;
  for (int64_t i = 0; i < size; i += 2) {
    even.push_back(i);
    odd.push_back(i + 1);
  }
  vector::StoreOp::create(b, loc,
                          vector::ShuffleOp::create(b, loc, block, block, even),
                          dest, ValueRange{row, start});
  Value oddStart = arith::AddIOp::create(b, loc, start, idx(b, loc, size / 2));
  vector::StoreOp::create(b, loc,
                          vector::ShuffleOp::create(b, loc, block, block, odd),
                          dest, ValueRange{row, oddStart});
}

/// Loops over activation rows and, inside, their groups; `body` builds the
/// step for (row, group, first column of the group) with `b` inside both.
void forEachRowAndGroup(
    OpBuilder &b, Location loc, const KernelSpec &spec,
    function_ref<void(Value row, Value group, Value groupStart)> body) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  auto rows = scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), c1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rows.getBody());
  Value row = rows.getInductionVar();
  auto groups =
      scf::ForOp::create(b, loc, c0, idx(b, loc, spec.numGroups()), c1);
  b.setInsertionPointToStart(groups.getBody());
  Value group = groups.getInductionVar();
  body(row, group,
       arith::MulIOp::create(b, loc, group, idx(b, loc, spec.groupSize)));
}

/// The weight scale of (output row n, group) as f32, and splat to `lanes`.
std::pair<Value, Value> loadGroupScale(OpBuilder &b, Location loc, Value scales,
                                       Value n, Value group, VectorType lanes) {
  Value scale = toF32(
      b, loc, memref::LoadOp::create(b, loc, scales, ValueRange{n, group}));
  return {scale, vector::BroadcastOp::create(b, loc, lanes, scale)};
}

/// The arguments of a kernel (see KernelSpec.h for their order).
struct KernelArgs {
  Value w, scales, zeroPoints;
  OutputOperands io;
};

/// Gives `func` its entry block, makes it private, puts `b` at its start,
/// and names its arguments.
KernelArgs beginKernelBody(OpBuilder &b, func::FuncOp func,
                           const KernelSpec &spec) {
  Block *entry = func.addEntryBlock();
  func.setPrivate();
  b.setInsertionPointToStart(entry);
  unsigned next = 0;
  KernelArgs args;
  args.io.x = entry->getArgument(next++);
  args.w = entry->getArgument(next++);
  args.scales = entry->getArgument(next++);
  if (spec.hasZeroPoints)
    args.zeroPoints = entry->getArgument(next++);
  if (spec.hasBias)
    args.io.bias = entry->getArgument(next++);
  if (spec.hasOutliers) {
    args.io.rowPtr = entry->getArgument(next++);
    args.io.colInd = entry->getArgument(next++);
    args.io.values = entry->getArgument(next++);
  }
  if (spec.hasResidual)
    args.io.residual = entry->getArgument(next++);
  args.io.activation = spec.activation;
  args.io.gated = spec.gated;
  args.io.y = entry->getArgument(next++);
  return args;
}

using RowFn = function_ref<Value(OpBuilder &, Location, int64_t)>;

/// Output columns in parallel (scf.parallel, OpenMP later) and, inside, the
/// activation rows in tiles of up to 8: each tile keeps its accumulators in
/// registers and re-reads the weight row, which the first tile brought into
/// L1. `weightRowSums(n, tile, rowOf)` builds the finished sums of weight
/// row n for one tile (see finishSums; `rowOf(m)` is the activation row of
/// tile position m); they are stored at the column, or for a gated kernel
/// paired with the sums of row n + N/2 (storeTile).
void forEachOutputTile(
    OpBuilder &b, Location loc, const OutputOperands &io,
    const KernelSpec &spec,
    function_ref<SmallVector<Value>(Value n, int64_t tile, RowFn rowOf)>
        weightRowSums) {
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{idx(b, loc, spec.outputColumns())},
      ValueRange{c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(parallel.getBody());
  Value column = parallel.getInductionVars()[0];
  int64_t tile = rowsPerTile(spec.m);
  auto tileLoop =
      scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), idx(b, loc, tile));
  b.setInsertionPointToStart(tileLoop.getBody());
  Value tileBase = tileLoop.getInductionVar();
  auto rowOf = [&](OpBuilder &rb, Location rl, int64_t m) -> Value {
    return arith::AddIOp::create(rb, rl, tileBase, idx(rb, rl, m));
  };
  SmallVector<Value> sums = weightRowSums(column, tile, rowOf), upSums;
  if (spec.gated)
    upSums = weightRowSums(
        arith::AddIOp::create(b, loc, column, idx(b, loc, spec.n / 2)), tile,
        rowOf);
  storeTile(b, loc, io, column, tile, rowOf, sums, upSums);
}

/// Builds the body of the kernel function `func` for `spec`.
void buildKernelBody(OpBuilder &b, Location loc, func::FuncOp func,
                     const KernelSpec &spec) {
  KernelArgs args = beginKernelBody(b, func, spec);
  Value x = args.io.x, w = args.w, scales = args.scales;
  Value zeroPoints = args.zeroPoints;

  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  int64_t blockElems = spec.blockElements();
  int64_t dotBytes = spec.dotBytes();
  int64_t groups = spec.numGroups();
  int64_t lanes = dotBytes / 4;
  auto lanesI32 = VectorType::get({lanes}, i32);
  auto lanesF32 = VectorType::get({lanes}, f32);
  auto bytesI8 = VectorType::get({dotBytes}, i8);

  // Scratch: int8 activations, their scales and sums per (row, group).
  Value xq = memref::AllocOp::create(
      b, loc, MemRefType::get({spec.m, paddedRow(spec.k, 1)}, i8), ValueRange{},
      b.getI64IntegerAttr(64));
  Value xScale =
      memref::AllocaOp::create(b, loc, MemRefType::get({spec.m, groups}, f32));
  Value xSum =
      memref::AllocaOp::create(b, loc, MemRefType::get({spec.m, groups}, i32));

  // 1. Quantize the activations per (row, group).
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  forEachRowAndGroup(
      b, loc, spec, [&](Value row, Value group, Value groupStart) {
        auto blockType = VectorType::get({blockElems}, f32);
        int64_t blocksPerGroup = spec.groupSize / blockElems;
        // Block `blk` of the group: its first column and its activations.
        auto loadBlock = [&](OpBuilder &nb, Location l,
                             Value blk) -> std::pair<Value, Value> {
          Value start = arith::AddIOp::create(
              nb, l, groupStart,
              arith::MulIOp::create(nb, l, blk, idx(nb, l, blockElems)));
          Value v = vector::LoadOp::create(nb, l, blockType, x,
                                           ValueRange{row, start});
          return {start, v};
        };
        // absmax over the group.
        Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
        auto maxLoop = scf::ForOp::create(
            b, loc, c0, idx(b, loc, blocksPerGroup), c1, ValueRange{zeroF},
            [&](OpBuilder &nb, Location l, Value blk, ValueRange iter) {
              auto [start, v] = loadBlock(nb, l, blk);
              Value absMax = vector::ReductionOp::create(
                  nb, l, vector::CombiningKind::MAXIMUMF,
                  math::AbsFOp::create(nb, l, v));
              scf::YieldOp::create(nb, l,
                                   ValueRange{arith::MaximumFOp::create(
                                       nb, l, iter[0], absMax)});
            });
        Value absMax = maxLoop.getResult(0);
        Value scale = arith::DivFOp::create(
            b, loc, absMax,
            arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127)));
        Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                             absMax, zeroF);
        // An all-zero group quantizes to zeros with any finite inverse scale.
        Value inverse = arith::SelectOp::create(
            b, loc, isZero, zeroF,
            arith::DivFOp::create(
                b, loc,
                arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127)),
                absMax));
        memref::StoreOp::create(b, loc, scale, xScale, ValueRange{row, group});
        Value inverseSplat =
            vector::BroadcastOp::create(b, loc, blockType, inverse);
        Value zeroI = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
        auto quantLoop = scf::ForOp::create(
            b, loc, c0, idx(b, loc, blocksPerGroup), c1, ValueRange{zeroI},
            [&](OpBuilder &nb, Location l, Value blk, ValueRange iter) {
              auto [start, v] = loadBlock(nb, l, blk);
              Value scaled = math::RoundEvenOp::create(
                  nb, l, arith::MulFOp::create(nb, l, v, inverseSplat));
              auto blockI32 = VectorType::get({blockElems}, i32);
              Value asI32 = arith::FPToSIOp::create(nb, l, blockI32, scaled);
              Value q = arith::TruncIOp::create(
                  nb, l, VectorType::get({blockElems}, i8), asI32);
              Value sum = vector::ReductionOp::create(
                  nb, l, vector::CombiningKind::ADD, asI32);
              if (spec.bits == 4) {
                // Even elements meet the low nibbles, odd ones the high
                // nibbles.
                storeInNibbleOrder(nb, l, q, xq, row, start);
              } else {
                vector::StoreOp::create(nb, l, q, xq, ValueRange{row, start});
              }
              scf::YieldOp::create(
                  nb, l,
                  ValueRange{arith::AddIOp::create(nb, l, iter[0], sum)});
            });
        Value sum = quantLoop.getResult(0);
        if (spec.isSigned && !spec.hasZeroPoints)
          sum = arith::MulIOp::create(
              b, loc, sum,
              arith::ConstantOp::create(
                  b, loc, b.getI32IntegerAttr(spec.bits == 4 ? -8 : -128)));
        memref::StoreOp::create(b, loc, sum, xSum, ValueRange{row, group});
      });

  // 2. Output rows in parallel.
  // Signed weights flip their sign bits, which makes them unsigned with a
  // fixed zero point (8 or 128); either zero point z costs `-z * sum(xq)`
  // per (row, group), started in lane 0 of the integer accumulator.
  int64_t blocksPerGroup = spec.groupSize / blockElems;
  int64_t weightBytesPerBlock = spec.bits == 4 ? blockElems / 2 : blockElems;
  // Consecutive groups alternate between two sets of float accumulators
  // (when the group count is even), so the FMAs that fold a group in do not
  // wait for the previous group's: one chain per set, half as long.
  int64_t accumulatorSets = groups % 2 == 0 ? 2 : 1;
  auto weightRowSums = [&](Value n, int64_t tile,
                           RowFn rowOf) -> SmallVector<Value> {
    Value zeroLanes = splat(b, loc, lanesF32, b.getF32FloatAttr(0));
    SmallVector<Value> init(tile * accumulatorSets, zeroLanes);
    Value signFlip = splat(b, loc, bytesI8,
                           b.getI8IntegerAttr(spec.bits == 4 ? 0x88 : 0x80));
    Value lowMask = splat(b, loc, bytesI8, b.getI8IntegerAttr(0x0F));
    Value four = splat(b, loc, bytesI8, b.getI8IntegerAttr(4));
    Value zeroAccumulator = splat(b, loc, lanesI32, b.getI32IntegerAttr(0));

    // Folds `group` into `accs` (one float accumulator per tile row).
    auto foldGroup = [&](OpBuilder &gb, Location l, Value group,
                         ValueRange accs) -> SmallVector<Value> {
      Value groupStart =
          arith::MulIOp::create(gb, l, group, idx(gb, l, spec.groupSize));
      Value zeroPoint;
      if (spec.hasZeroPoints)
        zeroPoint = arith::ExtUIOp::create(
            gb, l, i32,
            memref::LoadOp::create(gb, l, zeroPoints, ValueRange{n, group}));
      // Two integer accumulators per row for nibbles (low and high),
      // so the two dot products of a block do not wait on each other.
      int64_t chains = spec.bits == 4 && blocksPerGroup > 1 ? 2 : 1;
      SmallVector<Value> initialAcc;
      for (int64_t m = 0; m < tile; ++m) {
        Value correction;
        if (spec.hasZeroPoints) {
          Value sum = memref::LoadOp::create(
              gb, l, xSum, ValueRange{rowOf(gb, l, m), group});
          correction = arith::SubIOp::create(
              gb, l, arith::ConstantOp::create(gb, l, gb.getI32IntegerAttr(0)),
              arith::MulIOp::create(gb, l, zeroPoint, sum));
        } else if (spec.isSigned) {
          // Stored premultiplied by minus the fixed zero point.
          correction = memref::LoadOp::create(
              gb, l, xSum, ValueRange{rowOf(gb, l, m), group});
        }
        initialAcc.push_back(
            correction
                ? Value(vector::InsertOp::create(
                      gb, l, correction, zeroAccumulator, ArrayRef<int64_t>{0}))
                : zeroAccumulator);
        for (int64_t c = 1; c < chains; ++c)
          initialAcc.push_back(zeroAccumulator);
      }
      auto blockLoop = scf::ForOp::create(
          gb, l, idx(gb, l, 0), idx(gb, l, blocksPerGroup), idx(gb, l, 1),
          initialAcc,
          [&](OpBuilder &bb, Location bl, Value blk, ValueRange iaccs) {
            Value start = arith::AddIOp::create(
                bb, bl, groupStart,
                arith::MulIOp::create(bb, bl, blk, idx(bb, bl, blockElems)));
            Value byteStart =
                spec.bits == 4 ? Value(arith::DivUIOp::create(bb, bl, start,
                                                              idx(bb, bl, 2)))
                               : start;
            Value raw = vector::LoadOp::create(
                bb, bl, VectorType::get({weightBytesPerBlock}, i8), w,
                ValueRange{n, byteStart});
            if (spec.isSigned)
              raw = arith::XOrIOp::create(bb, bl, raw, signFlip);
            Value low, high;
            if (spec.bits == 4) {
              low = arith::AndIOp::create(bb, bl, raw, lowMask);
              high = arith::ShRUIOp::create(bb, bl, raw, four);
            }
            SmallVector<Value> next;
            for (int64_t m = 0; m < tile; ++m) {
              Value row = rowOf(bb, bl, m);
              if (spec.bits == 4) {
                Value evens = vector::LoadOp::create(bb, bl, bytesI8, xq,
                                                     ValueRange{row, start});
                Value oddStart = arith::AddIOp::create(
                    bb, bl, start, idx(bb, bl, blockElems / 2));
                Value odds = vector::LoadOp::create(bb, bl, bytesI8, xq,
                                                    ValueRange{row, oddStart});
                Value lowAcc = dotU8S8(bb, bl, iaccs[m * chains], low, evens);
                if (chains == 2) {
                  next.push_back(lowAcc);
                  next.push_back(
                      dotU8S8(bb, bl, iaccs[m * chains + 1], high, odds));
                } else {
                  next.push_back(dotU8S8(bb, bl, lowAcc, high, odds));
                }
              } else {
                Value xs = vector::LoadOp::create(bb, bl, bytesI8, xq,
                                                  ValueRange{row, start});
                next.push_back(dotU8S8(bb, bl, iaccs[m], raw, xs));
              }
            }
            scf::YieldOp::create(bb, bl, next);
          });
      // Scaled once per group: convert, times the weight scale, and
      // an FMA with the activation scale into the row's accumulator.
      Value weightSplat =
          loadGroupScale(gb, l, scales, n, group, lanesF32).second;
      SmallVector<Value> results;
      for (int64_t m = 0; m < tile; ++m) {
        Value dot = blockLoop.getResult(m * chains);
        if (chains == 2)
          dot = arith::AddIOp::create(gb, l, dot,
                                      blockLoop.getResult(m * chains + 1));
        Value activationScale = vector::BroadcastOp::create(
            gb, l, lanesF32,
            memref::LoadOp::create(gb, l, xScale,
                                   ValueRange{rowOf(gb, l, m), group}));
        Value scaled = arith::MulFOp::create(
            gb, l, arith::SIToFPOp::create(gb, l, lanesF32, dot), weightSplat);
        results.push_back(
            vector::FMAOp::create(gb, l, scaled, activationScale, accs[m]));
      }
      return results;
    };

    auto groupLoop = scf::ForOp::create(
        b, loc, c0, idx(b, loc, groups), idx(b, loc, accumulatorSets), init,
        [&](OpBuilder &gb, Location l, Value group, ValueRange iter) {
          SmallVector<Value> next;
          for (int64_t set = 0; set < accumulatorSets; ++set) {
            Value g = set == 0 ? group
                               : Value(arith::AddIOp::create(gb, l, group,
                                                             idx(gb, l, set)));
            llvm::append_range(
                next, foldGroup(gb, l, g, iter.slice(set * tile, tile)));
          }
          scf::YieldOp::create(gb, l, next);
        });

    SmallVector<Value> accumulators;
    for (int64_t m = 0; m < tile; ++m) {
      Value acc = groupLoop.getResult(m);
      for (int64_t set = 1; set < accumulatorSets; ++set)
        acc = arith::AddFOp::create(b, loc, acc,
                                    groupLoop.getResult(set * tile + m));
      accumulators.push_back(acc);
    }
    return finishSums(b, loc, args.io, n, tile, rowOf, accumulators,
                      /*corrections=*/{});
  };
  forEachOutputTile(b, loc, args.io, spec, weightRowSums);
  memref::DeallocOp::create(b, loc, xq);
  applyEpilogue(b, loc, args.io, spec);
  func::ReturnOp::create(b, loc);
}

/// The exact kernel: f32 activations (in nibble order for 4-bit weights),
/// weights widened to f32 in registers and multiplied in with FMAs, each
/// group's sum scaled once, zero points through the group's activation sum.
void buildExactKernelBody(OpBuilder &b, Location loc, func::FuncOp func,
                          const KernelSpec &spec) {
  KernelArgs args = beginKernelBody(b, func, spec);
  Value x = args.io.x, w = args.w, scales = args.scales;
  Value zeroPoints = args.zeroPoints;

  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t blockElems = spec.blockElements();
  int64_t groups = spec.numGroups();
  int64_t blocksPerGroup = spec.groupSize / blockElems;
  bool nibbles = spec.bits == 4;
  // Lanes of one weight load widened to f32: a half block of nibbles, or a
  // block of bytes.
  int64_t lanes = nibbles ? blockElems / 2 : blockElems;
  auto lanesF32 = VectorType::get({lanes}, f32);
  auto bytesI8 = VectorType::get({lanes}, i8);
  // Signed 4-bit weights become unsigned by flipping their sign bits (a zero
  // point of 8); signed bytes convert directly.
  bool needsSums = spec.hasZeroPoints || (nibbles && spec.isSigned);
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);

  // 1. Activation sums per (row, group) and, for nibbles, the activations in
  //    nibble order: each block's even elements, then its odd ones.
  Value xs = x, xSum;
  if (nibbles)
    xs = memref::AllocOp::create(
        b, loc, MemRefType::get({spec.m, paddedRow(spec.k, 4)}, f32),
        ValueRange{}, b.getI64IntegerAttr(64));
  if (needsSums)
    xSum = memref::AllocaOp::create(b, loc,
                                    MemRefType::get({spec.m, groups}, f32));
  if (nibbles || needsSums) {
    auto blockType = VectorType::get({blockElems}, f32);
    forEachRowAndGroup(
        b, loc, spec, [&](Value row, Value group, Value groupStart) {
          Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
          auto blockLoop = scf::ForOp::create(
              b, loc, c0, idx(b, loc, blocksPerGroup), c1, ValueRange{zero},
              [&](OpBuilder &nb, Location l, Value blk, ValueRange iter) {
                Value start = arith::AddIOp::create(
                    nb, l, groupStart,
                    arith::MulIOp::create(nb, l, blk, idx(nb, l, blockElems)));
                Value v = vector::LoadOp::create(nb, l, blockType, x,
                                                 ValueRange{row, start});
                if (nibbles) {
                  storeInNibbleOrder(nb, l, v, xs, row, start);
                }
                Value sum = vector::ReductionOp::create(
                    nb, l, vector::CombiningKind::ADD, v);
                scf::YieldOp::create(
                    nb, l,
                    ValueRange{arith::AddFOp::create(nb, l, iter[0], sum)});
              });
          if (needsSums)
            memref::StoreOp::create(b, loc, blockLoop.getResult(0), xSum,
                                    ValueRange{row, group});
        });
  }

  // 2. Output rows in parallel, activation rows in tiles.
  auto weightRowSums = [&](Value n, int64_t tile,
                           RowFn rowOf) -> SmallVector<Value> {
    Value zeroLanes = splat(b, loc, lanesF32, b.getF32FloatAttr(0));
    Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> init(tile, zeroLanes);
    init.append(tile, zeroF); // zero-point corrections
    Value signFlip = splat(b, loc, bytesI8, b.getI8IntegerAttr(0x88));
    Value lowMask = splat(b, loc, bytesI8, b.getI8IntegerAttr(0x0F));
    Value four = splat(b, loc, bytesI8, b.getI8IntegerAttr(4));
    auto groupLoop = scf::ForOp::create(
        b, loc, c0, idx(b, loc, groups), c1, init,
        [&](OpBuilder &gb, Location l, Value group, ValueRange iter) {
          Value groupStart =
              arith::MulIOp::create(gb, l, group, idx(gb, l, spec.groupSize));
          SmallVector<Value> zeroAcc(tile, zeroLanes);
          auto blockLoop = scf::ForOp::create(
              gb, l, c0, idx(gb, l, blocksPerGroup), c1, zeroAcc,
              [&](OpBuilder &bb, Location bl, Value blk, ValueRange accs) {
                Value start = arith::AddIOp::create(
                    bb, bl, groupStart,
                    arith::MulIOp::create(bb, bl, blk,
                                          idx(bb, bl, blockElems)));
                Value byteStart = nibbles ? Value(arith::DivUIOp::create(
                                                bb, bl, start, idx(bb, bl, 2)))
                                          : start;
                Value raw = vector::LoadOp::create(bb, bl, bytesI8, w,
                                                   ValueRange{n, byteStart});
                SmallVector<Value> widened;
                if (nibbles) {
                  if (spec.isSigned)
                    raw = arith::XOrIOp::create(bb, bl, raw, signFlip);
                  widened.push_back(arith::UIToFPOp::create(
                      bb, bl, lanesF32,
                      arith::AndIOp::create(bb, bl, raw, lowMask)));
                  widened.push_back(arith::UIToFPOp::create(
                      bb, bl, lanesF32,
                      arith::ShRUIOp::create(bb, bl, raw, four)));
                } else {
                  widened.push_back(spec.isSigned
                                        ? Value(arith::SIToFPOp::create(
                                              bb, bl, lanesF32, raw))
                                        : Value(arith::UIToFPOp::create(
                                              bb, bl, lanesF32, raw)));
                }
                SmallVector<Value> next;
                for (int64_t m = 0; m < tile; ++m) {
                  Value acc = accs[m];
                  for (auto [part, weights] : llvm::enumerate(widened)) {
                    Value at = arith::AddIOp::create(bb, bl, start,
                                                     idx(bb, bl, part * lanes));
                    Value activations = vector::LoadOp::create(
                        bb, bl, lanesF32, xs, ValueRange{rowOf(bb, bl, m), at});
                    acc = vector::FMAOp::create(bb, bl, weights, activations,
                                                acc);
                  }
                  next.push_back(acc);
                }
                scf::YieldOp::create(bb, bl, next);
              });
          auto [scale, scaleSplat] =
              loadGroupScale(gb, l, scales, n, group, lanesF32);
          Value zeroPoint;
          if (spec.hasZeroPoints)
            zeroPoint = arith::UIToFPOp::create(
                gb, l, f32,
                memref::LoadOp::create(gb, l, zeroPoints,
                                       ValueRange{n, group}));
          else if (needsSums)
            zeroPoint = arith::ConstantOp::create(gb, l, gb.getF32FloatAttr(8));
          SmallVector<Value> results, corrections;
          for (int64_t m = 0; m < tile; ++m) {
            results.push_back(vector::FMAOp::create(
                gb, l, blockLoop.getResult(m), scaleSplat, iter[m]));
            Value correction = iter[tile + m];
            if (zeroPoint) {
              Value sum = memref::LoadOp::create(
                  gb, l, xSum, ValueRange{rowOf(gb, l, m), group});
              correction = math::FmaOp::create(
                  gb, l, arith::MulFOp::create(gb, l, scale, zeroPoint), sum,
                  correction);
            }
            corrections.push_back(correction);
          }
          results.append(corrections);
          scf::YieldOp::create(gb, l, results);
        });
    SmallVector<Value> results(groupLoop.getResults());
    return finishSums(b, loc, args.io, n, tile, rowOf,
                      ArrayRef(results).take_front(tile),
                      ArrayRef(results).drop_front(tile));
  };
  forEachOutputTile(b, loc, args.io, spec, weightRowSums);
  if (nibbles)
    memref::DeallocOp::create(b, loc, xs);
  applyEpilogue(b, loc, args.io, spec);
  func::ReturnOp::create(b, loc);
}

/// Replaces the epilogue's erf, tanh and exp by inline polynomials (f32,
/// a few ulp): a libm call inside the kernel's output loop clobbers every
/// vector register the loop keeps live, which costs more than the call.
LogicalResult inlineEpilogueMath(func::FuncOp func) {
  RewritePatternSet patterns(func.getContext());
  populatePolynomialApproximateErfPattern(patterns);
  populatePolynomialApproximateTanhPattern(patterns);
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    return name == "math.exp" || name == "exp";
  });
  return applyPatternsGreedily(func, std::move(patterns));
}

/// Gives `func` its body if it declares a kernel of `SpecTy` (an external
/// function with attribute `attrName`); returns whether it did, and fails
/// on a malformed spec or arguments that do not match it.
template <typename SpecTy>
FailureOr<bool> generateDeclaredKernel(func::FuncOp func, StringRef attrName,
                                       void (*build)(OpBuilder &, func::FuncOp,
                                                     const SpecTy &)) {
  auto attr = func->getAttrOfType<DictionaryAttr>(attrName);
  if (!attr || !func.isExternal())
    return false;
  FailureOr<SpecTy> spec = SpecTy::fromAttr(attr);
  if (failed(spec) || !spec->matches(func.getFunctionType())) {
    func.emitOpError("has a malformed ")
        << attrName << " attribute or arguments that do not match it";
    return failure();
  }
  OpBuilder b(func);
  build(b, func, *spec);
  func->removeAttr(attrName);
  return true;
}

struct GenerateSparqCpuKernelsPass
    : public sparq::impl::GenerateSparqCpuKernelsBase<
          GenerateSparqCpuKernelsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      FailureOr<bool> generated = generateDeclaredKernel<Int8KernelSpec>(
          func, kInt8KernelAttrName, buildInt8KernelBody);
      if (succeeded(generated) && !*generated)
        generated = generateDeclaredKernel<LutKernelSpec>(
            func, kLutKernelAttrName, buildLutKernelBody);
      if (failed(generated))
        return signalPassFailure();
      if (*generated)
        continue;
      auto attr = func->getAttrOfType<DictionaryAttr>(kKernelAttrName);
      if (!attr || !func.isExternal())
        continue;
      FailureOr<KernelSpec> spec = KernelSpec::fromAttr(attr);
      if (failed(spec)) {
        func.emitOpError("has a malformed ") << kKernelAttrName << " attribute";
        return signalPassFailure();
      }
      OpBuilder b(func);
      if (spec->int8Activations)
        buildKernelBody(b, func.getLoc(), func, *spec);
      else
        buildExactKernelBody(b, func.getLoc(), func, *spec);
      func->removeAttr(kKernelAttrName);
      if (spec->activation != Activation::none &&
          failed(inlineEpilogueMath(func))) {
        func.emitOpError("failed to expand its epilogue's math functions");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
