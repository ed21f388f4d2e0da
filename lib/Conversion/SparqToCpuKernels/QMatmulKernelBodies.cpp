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

#include "KernelSpec.h"

#include "sparq/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace sparq {
#define GEN_PASS_DEF_GENERATESPARQCPUKERNELS
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value splat(OpBuilder &b, Location loc, VectorType type, Attribute value) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, cast<TypedAttr>(value)));
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  if (v.getType().getIntOrFloatBitWidth() < 32)
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  return arith::TruncFOp::create(b, loc, b.getF32Type(), v);
}

/// acc + sum over groups of 4 bytes of unsigned(a) * signed(b) (vpdpbusd).
Value dotU8S8(OpBuilder &b, Location loc, Value acc, Value a, Value s8) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t bitsWide = accType.getNumElements() * 32;
  std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(bitsWide);
  return LLVM::CallIntrinsicOp::create(b, loc, accType, b.getStringAttr(name),
                                       ValueRange{acc, a, s8})
      .getResult(0);
}

/// The largest divisor of `rows` up to 8: rows of one tile share the weight
/// loads and keep their accumulators in registers.
int64_t rowsPerTile(int64_t rows) {
  for (int64_t tile = std::min<int64_t>(rows, 8); tile > 1; --tile)
    if (rows % tile == 0)
      return tile;
  return 1;
}

/// Builds the body of the kernel function `func` for `spec`.
void buildKernelBody(OpBuilder &b, Location loc, func::FuncOp func,
                     const KernelSpec &spec) {
  Block *entry = func.addEntryBlock();
  func.setPrivate();
  b.setInsertionPointToStart(entry);
  unsigned argIndex = 0;
  Value x = entry->getArgument(argIndex++);
  Value w = entry->getArgument(argIndex++);
  Value scales = entry->getArgument(argIndex++);
  Value zeroPoints =
      spec.hasZeroPoints ? entry->getArgument(argIndex++) : Value();
  Value bias = spec.hasBias ? entry->getArgument(argIndex++) : Value();
  Value rowPtr, colInd, values;
  if (spec.hasOutliers) {
    rowPtr = entry->getArgument(argIndex++);
    colInd = entry->getArgument(argIndex++);
    values = entry->getArgument(argIndex++);
  }
  Value y = entry->getArgument(argIndex++);

  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  int64_t blockElems = spec.blockElements();
  int64_t dotBytes = spec.dotBytes();
  int64_t groups = spec.numGroups();
  int64_t lanes = dotBytes / 4;
  auto lanesI32 = VectorType::get({lanes}, i32);
  auto lanesF32 = VectorType::get({lanes}, f32);
  auto bytesI8 = VectorType::get({dotBytes}, i8);

  // Scratch: int8 activations, their scales and sums per (row, group).
  Value xq =
      memref::AllocOp::create(b, loc, MemRefType::get({spec.m, spec.k}, i8),
                              ValueRange{}, b.getI64IntegerAttr(64));
  Value xScale =
      memref::AllocaOp::create(b, loc, MemRefType::get({spec.m, groups}, f32));
  Value xSum =
      memref::AllocaOp::create(b, loc, MemRefType::get({spec.m, groups}, i32));

  // 1. Quantize the activations per (row, group).
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  auto rowsLoop = scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), c1);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(rowsLoop.getBody());
    Value row = rowsLoop.getInductionVar();
    auto groupLoop = scf::ForOp::create(b, loc, c0, idx(b, loc, groups), c1);
    b.setInsertionPointToStart(groupLoop.getBody());
    Value group = groupLoop.getInductionVar();
    Value groupStart =
        arith::MulIOp::create(b, loc, group, idx(b, loc, spec.groupSize));
    auto blockType = VectorType::get({blockElems}, f32);
    int64_t blocksPerGroup = spec.groupSize / blockElems;
    // Block `blk` of the group: its first column and its activations.
    auto loadBlock = [&](OpBuilder &nb, Location l,
                         Value blk) -> std::pair<Value, Value> {
      Value start = arith::AddIOp::create(
          nb, l, groupStart,
          arith::MulIOp::create(nb, l, blk, idx(nb, l, blockElems)));
      Value v =
          vector::LoadOp::create(nb, l, blockType, x, ValueRange{row, start});
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
          scf::YieldOp::create(
              nb, l,
              ValueRange{arith::MaximumFOp::create(nb, l, iter[0], absMax)});
        });
    Value absMax = maxLoop.getResult(0);
    Value scale = arith::DivFOp::create(
        b, loc, absMax,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127)));
    Value isZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, absMax, zeroF);
    // An all-zero group quantizes to zeros with any finite inverse scale.
    Value inverse = arith::SelectOp::create(
        b, loc, isZero, zeroF,
        arith::DivFOp::create(
            b, loc, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127)),
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
            // Even elements meet the low nibbles, odd ones the high nibbles.
            SmallVector<int64_t> even, odd;
            for (int64_t i = 0; i < blockElems; i += 2) {
              even.push_back(i);
              odd.push_back(i + 1);
            }
            Value evens = vector::ShuffleOp::create(nb, l, q, q, even);
            Value odds = vector::ShuffleOp::create(nb, l, q, q, odd);
            vector::StoreOp::create(nb, l, evens, xq, ValueRange{row, start});
            Value oddStart =
                arith::AddIOp::create(nb, l, start, idx(nb, l, blockElems / 2));
            vector::StoreOp::create(nb, l, odds, xq, ValueRange{row, oddStart});
          } else {
            vector::StoreOp::create(nb, l, q, xq, ValueRange{row, start});
          }
          scf::YieldOp::create(
              nb, l, ValueRange{arith::AddIOp::create(nb, l, iter[0], sum)});
        });
    memref::StoreOp::create(b, loc, quantLoop.getResult(0), xSum,
                            ValueRange{row, group});
  }

  // 2. Output rows in parallel.
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{idx(b, loc, spec.n)}, ValueRange{c1});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(parallel.getBody());
    Value n = parallel.getInductionVars()[0];
    // Activation rows go in tiles of up to 8: each tile keeps its
    // accumulators in registers and re-reads the output row's weights, which
    // the first tile brought into L1.
    int64_t tile = rowsPerTile(spec.m);
    auto tileLoop =
        scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), idx(b, loc, tile));
    b.setInsertionPointToStart(tileLoop.getBody());
    Value tileBase = tileLoop.getInductionVar();
    auto rowOf = [&](OpBuilder &rb, Location rl, int64_t m) -> Value {
      return arith::AddIOp::create(rb, rl, tileBase, idx(rb, rl, m));
    };
    Value zeroLanes = splat(b, loc, lanesF32, b.getF32FloatAttr(0));
    SmallVector<Value> init(tile, zeroLanes);
    int64_t blocksPerGroup = spec.groupSize / blockElems;
    int64_t weightBytesPerBlock = spec.bits == 4 ? blockElems / 2 : blockElems;
    Value signFlip = splat(b, loc, bytesI8,
                           b.getI8IntegerAttr(spec.bits == 4 ? 0x88 : 0x80));
    Value lowMask = splat(b, loc, bytesI8, b.getI8IntegerAttr(0x0F));
    Value four = splat(b, loc, bytesI8, b.getI8IntegerAttr(4));
    auto groupLoop = scf::ForOp::create(
        b, loc, c0, idx(b, loc, groups), c1, init,
        [&](OpBuilder &gb, Location l, Value group, ValueRange iter) {
          Value groupStart =
              arith::MulIOp::create(gb, l, group, idx(gb, l, spec.groupSize));
          // sum (q - z) * xq = sum q * xq - z * sum xq: the second term starts
          // lane 0 of the integer accumulator, so the zero point costs no
          // float work per output.
          Value zeroPoint;
          if (spec.hasZeroPoints)
            zeroPoint = arith::ExtUIOp::create(
                gb, l, i32,
                memref::LoadOp::create(gb, l, zeroPoints,
                                       ValueRange{n, group}));
          else if (spec.isSigned)
            zeroPoint = arith::ConstantOp::create(
                gb, l, gb.getI32IntegerAttr(spec.bits == 4 ? 8 : 128));
          Value zeroAccumulator =
              splat(gb, l, lanesI32, gb.getI32IntegerAttr(0));
          SmallVector<Value> initialAcc;
          for (int64_t m = 0; m < tile; ++m) {
            if (!zeroPoint) {
              initialAcc.push_back(zeroAccumulator);
              continue;
            }
            Value sum = memref::LoadOp::create(
                gb, l, xSum, ValueRange{rowOf(gb, l, m), group});
            Value negated = arith::SubIOp::create(
                gb, l,
                arith::ConstantOp::create(gb, l, gb.getI32IntegerAttr(0)),
                arith::MulIOp::create(gb, l, zeroPoint, sum));
            initialAcc.push_back(vector::InsertOp::create(
                gb, l, negated, zeroAccumulator, ArrayRef<int64_t>{0}));
          }
          auto blockLoop = scf::ForOp::create(
              gb, l, c0, idx(gb, l, blocksPerGroup), c1, initialAcc,
              [&](OpBuilder &bb, Location bl, Value blk, ValueRange accs) {
                Value start = arith::AddIOp::create(
                    bb, bl, groupStart,
                    arith::MulIOp::create(bb, bl, blk,
                                          idx(bb, bl, blockElems)));
                Value byteStart = spec.bits == 4
                                      ? Value(arith::DivUIOp::create(
                                            bb, bl, start, idx(bb, bl, 2)))
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
                  Value acc = accs[m];
                  if (spec.bits == 4) {
                    Value evens = vector::LoadOp::create(
                        bb, bl, bytesI8, xq, ValueRange{row, start});
                    Value oddStart = arith::AddIOp::create(
                        bb, bl, start, idx(bb, bl, blockElems / 2));
                    Value odds = vector::LoadOp::create(
                        bb, bl, bytesI8, xq, ValueRange{row, oddStart});
                    acc = dotU8S8(bb, bl, acc, low, evens);
                    acc = dotU8S8(bb, bl, acc, high, odds);
                  } else {
                    Value xs = vector::LoadOp::create(bb, bl, bytesI8, xq,
                                                      ValueRange{row, start});
                    acc = dotU8S8(bb, bl, acc, raw, xs);
                  }
                  next.push_back(acc);
                }
                scf::YieldOp::create(bb, bl, next);
              });
          Value weightScale = toF32(
              gb, l,
              memref::LoadOp::create(gb, l, scales, ValueRange{n, group}));
          Value weightSplat =
              vector::BroadcastOp::create(gb, l, lanesF32, weightScale);
          SmallVector<Value> results;
          for (int64_t m = 0; m < tile; ++m) {
            Value row = rowOf(gb, l, m);
            Value activationScale = vector::BroadcastOp::create(
                gb, l, lanesF32,
                memref::LoadOp::create(gb, l, xScale, ValueRange{row, group}));
            Value factor =
                arith::MulFOp::create(gb, l, weightSplat, activationScale);
            Value asFloat = arith::SIToFPOp::create(gb, l, lanesF32,
                                                    blockLoop.getResult(m));
            results.push_back(
                vector::FMAOp::create(gb, l, asFloat, factor, iter[m]));
          }
          scf::YieldOp::create(gb, l, results);
        });

    // Finish each output: horizontal sum, bias, outliers.
    Value rowStart, rowEnd;
    if (spec.hasOutliers) {
      auto readIndex = [&](Value at) -> Value {
        Value v = memref::LoadOp::create(b, loc, rowPtr, ValueRange{at});
        return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
      };
      rowStart = readIndex(n);
      rowEnd = readIndex(arith::AddIOp::create(b, loc, n, c1));
    }
    for (int64_t m = 0; m < tile; ++m) {
      Value row = rowOf(b, loc, m);
      Value sum = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, groupLoop.getResult(m));
      if (bias)
        sum = arith::AddFOp::create(
            b, loc, sum,
            toF32(b, loc, memref::LoadOp::create(b, loc, bias, ValueRange{n})));
      if (spec.hasOutliers) {
        auto outlierLoop = scf::ForOp::create(
            b, loc, rowStart, rowEnd, c1, ValueRange{sum},
            [&](OpBuilder &ob, Location l, Value p, ValueRange iter) {
              Value col = arith::IndexCastOp::create(
                  ob, l, ob.getIndexType(),
                  memref::LoadOp::create(ob, l, colInd, ValueRange{p}));
              Value v = toF32(
                  ob, l, memref::LoadOp::create(ob, l, values, ValueRange{p}));
              Value xv = memref::LoadOp::create(ob, l, x, ValueRange{row, col});
              scf::YieldOp::create(
                  ob, l,
                  ValueRange{math::FmaOp::create(ob, l, v, xv, iter[0])});
            });
        sum = outlierLoop.getResult(0);
      }
      memref::StoreOp::create(b, loc, sum, y, ValueRange{row, n});
    }
  }
  memref::DeallocOp::create(b, loc, xq);
  func::ReturnOp::create(b, loc);
}

struct GenerateSparqCpuKernelsPass
    : public sparq::impl::GenerateSparqCpuKernelsBase<
          GenerateSparqCpuKernelsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto attr = func->getAttrOfType<DictionaryAttr>(kKernelAttrName);
      if (!attr || !func.isExternal())
        continue;
      FailureOr<KernelSpec> spec = KernelSpec::fromAttr(attr);
      if (failed(spec)) {
        func.emitOpError("has a malformed ") << kKernelAttrName << " attribute";
        return signalPassFailure();
      }
      OpBuilder b(func);
      buildKernelBody(b, func.getLoc(), func, *spec);
      func->removeAttr(kKernelAttrName);
    }
  }
};

} // namespace
