//===- LutMatmulKernelBodies.cpp - bodies of codebook matmul kernels ------===//
//
// Part of the sparq project.
//
// A codebook GEMV is a quantized GEMV whose dequantization is a table
// lookup: W[n, k] = codebooks[n, idx[n, k]]. With 3- or 4-bit indices the
// whole table of an output row (8 or 16 f32 centroids) fits in one or two
// vector registers, so a lookup is a register permute (vpermps) and the
// dequantized weights never touch memory. Per step of 32 codes:
//
//   1. One load of the step's packed bytes (12 for 3 bits, 16 for 4 bits:
//      codes are an LSB-first bitstream per row, so 8 codes are `bits`
//      whole bytes).
//   2. Per vector of codes, a constant byte shuffle puts the (one or two)
//      bytes holding code i into the low bytes of 32-bit lane i, and a
//      per-lane shift right (vpsrlvd) by the code's bit offset in its byte
//      brings the code to bit 0 (the permute ignores the bits above it).
//   3. vpermps looks the codes up in the row's table (for 4-bit codes with
//      8-lane registers: two permutes of the table's halves and a blend).
//   4. An FMA per activation row of the tile (rows share the unpacking).
//
// Blocks of 16 output rows run in parallel (scf.parallel, OpenMP later).
// Long rows go in chunks of K whose activations stay in L1 across the
// block; one horizontal sum per output and chunk, and the bias and the
// row's CSR outliers once.
//
//===----------------------------------------------------------------------===//

#include "KernelBodyUtils.h"
#include "LutMatmulKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

namespace {

/// How a step's packed bytes become codes, one vector of `lanes` codes at a
/// time: the shuffle mask picking, for each 32-bit lane, the byte holding
/// its code and the next one, and the shift right that brings the code to
/// bit 0. The bits above the code are don't-cares (the permute ignores
/// them, and so does the select between table halves), so the lane's other
/// bytes repeat the code's byte: a single-source shuffle.
struct UnpackPlan {
  SmallVector<SmallVector<int64_t>> byteMasks;
  SmallVector<SmallVector<int32_t>> shifts;
};

UnpackPlan planUnpacking(const LutKernelSpec &spec) {
  int64_t lanes = spec.lanes(), bytes = spec.stepBytes();
  UnpackPlan plan;
  for (int64_t first = 0; first < LutKernelSpec::kStepCodes; first += lanes) {
    SmallVector<int64_t> mask;
    SmallVector<int32_t> shift;
    for (int64_t code = first; code < first + lanes; ++code) {
      int64_t bit = code * spec.bits;
      int64_t byte = bit / 8;
      mask.push_back(byte);
      mask.push_back(std::min(byte + 1, bytes - 1));
      mask.push_back(byte);
      mask.push_back(byte);
      shift.push_back(static_cast<int32_t>(bit % 8));
    }
    plan.byteMasks.push_back(std::move(mask));
    plan.shifts.push_back(std::move(shift));
  }
  return plan;
}

/// The vpmultishiftqb control that, on a qword holding `lanes` consecutive
/// codes, puts the byte starting at code i's first bit into the low byte of
/// 32-bit lane i (the other bytes of the lane select bit 0: don't-cares).
SmallVector<int8_t> multishiftControl(const LutKernelSpec &spec) {
  SmallVector<int8_t> control(4 * spec.lanes(), 0);
  for (int64_t lane = 0; lane < spec.lanes(); ++lane)
    control[4 * lane] = static_cast<int8_t>(lane * spec.bits);
  return control;
}

/// vpermps: lanes of `table` selected by the low bits of `indices`.
Value permute(OpBuilder &b, Location loc, Value table, Value indices) {
  auto type = cast<VectorType>(table.getType());
  StringRef intrinsic = type.getNumElements() == 16
                            ? "llvm.x86.avx512.permvar.sf.512"
                            : "llvm.x86.avx2.permps";
  return LLVM::CallIntrinsicOp::create(b, loc, type, b.getStringAttr(intrinsic),
                                       ValueRange{table, indices})
      .getResult(0);
}

/// The row's codebook in registers: one vector whose lanes are the table
/// (repeated when it has fewer entries than lanes) or, for 16 entries in
/// 8-lane registers, its two halves.
SmallVector<Value> loadTable(OpBuilder &b, Location loc, Value codebooks,
                             Value n, const LutKernelSpec &spec) {
  int64_t lanes = spec.lanes(), entries = spec.entries();
  Type element = cast<MemRefType>(codebooks.getType()).getElementType();
  SmallVector<Value> parts;
  for (int64_t start = 0; start < entries; start += lanes) {
    int64_t size = std::min(lanes, entries);
    Value part = toF32(
        b, loc,
        vector::LoadOp::create(b, loc, VectorType::get({size}, element),
                               codebooks, ValueRange{n, idx(b, loc, start)}));
    if (size < lanes) {
      SmallVector<int64_t> repeat;
      for (int64_t lane = 0; lane < lanes; ++lane)
        repeat.push_back(lane % size);
      part = vector::ShuffleOp::create(b, loc, part, part, repeat);
    }
    parts.push_back(part);
  }
  return parts;
}

/// The weights of `codes`: table lanes chosen by vpermps.
Value lookUp(OpBuilder &b, Location loc, ArrayRef<Value> table, Value codes) {
  if (table.size() == 1)
    return permute(b, loc, table[0], codes);
  // vpermps on 8 lanes reads the low 3 bits of each index; bit 3 picks the
  // half of the 16-entry table. Shifted to the sign bit it is what
  // vblendvps tests, and the bits above it (the next codes) drop out.
  auto codeType = cast<VectorType>(codes.getType());
  auto splat = [&](int32_t value) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(codeType, b.getI32IntegerAttr(value)));
  };
  Value bit3AsSign = arith::ShLIOp::create(b, loc, codes, splat(28));
  Value upper = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                      bit3AsSign, splat(0));
  Value low = permute(b, loc, table[0], codes);
  Value high = permute(b, loc, table[1], codes);
  return arith::SelectOp::create(b, loc, upper, high, low);
}

} // namespace

void sparq::cpu_kernels::buildLutKernelBody(OpBuilder &b, func::FuncOp func,
                                            const LutKernelSpec &spec) {
  Location loc = func.getLoc();
  Block *entry = func.addEntryBlock();
  func.setPrivate();
  b.setInsertionPointToStart(entry);
  unsigned next = 0;
  Value x = entry->getArgument(next++);
  Value indices = entry->getArgument(next++);
  Value codebooks = entry->getArgument(next++);
  Value bias, rowPtr, colInd, values;
  if (spec.hasBias)
    bias = entry->getArgument(next++);
  if (spec.hasOutliers) {
    rowPtr = entry->getArgument(next++);
    colInd = entry->getArgument(next++);
    values = entry->getArgument(next++);
  }
  Value y = entry->getArgument(next++);

  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  int64_t lanes = spec.lanes();
  int64_t stepBytes = spec.stepBytes();
  int64_t vectorsPerStep = LutKernelSpec::kStepCodes / lanes;
  auto lanesF32 = VectorType::get({lanes}, f32);
  auto lanesI32 = VectorType::get({lanes}, i32);
  UnpackPlan plan = planUnpacking(spec);

  // The constants of the unpacking.
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  SmallVector<Value> shifts;
  for (ArrayRef<int32_t> shift : plan.shifts)
    shifts.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(lanesI32, shift)));
  Value shiftControl;
  if (spec.vbmi)
    shiftControl = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({4 * lanes}, i8),
                               ArrayRef(multishiftControl(spec))));
  Value zeroLanes = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(lanesF32, b.getF32FloatAttr(0)));
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));

  // Activation rows in tiles sharing the unpacked weights. Each row has
  // enough accumulators that a small tile still keeps several independent
  // FMA chains in flight.
  int64_t tile = rowsPerTile(spec.m);
  int64_t accumulatorsPerRow = std::max<int64_t>(1, vectorsPerStep / tile);
  // K in chunks whose activations (tile rows, 16 KiB) stay in L1 while a
  // block of output rows streams its weights past them: without that, 8
  // rows of 4096 activations come from L2 for every output and the loads,
  // not the FMAs, set the pace. Each chunk adds its partial sums to y.
  // A single row is shuffle-bound and L2 keeps up with its loads; chunks
  // would only cut each weight row into short streams, which prefetches
  // worse (down projection, M=1: 40% slower).
  constexpr int64_t kChunkActivations = 4096;
  constexpr int64_t kOutputBlock = 16;
  int64_t stepCodes = LutKernelSpec::kStepCodes;
  int64_t totalSteps = spec.k / stepCodes;
  int64_t chunkSteps =
      tile == 1 ? totalSteps
                : std::max<int64_t>(1, kChunkActivations / tile / stepCodes);
  chunkSteps = std::min(chunkSteps, totalSteps);
  int64_t numChunks = llvm::divideCeil(totalSteps, chunkSteps);
  int64_t numBlocks = llvm::divideCeil(spec.n, kOutputBlock);

  auto parallel = scf::ParallelOp::create(b, loc, ValueRange{c0},
                                          ValueRange{idx(b, loc, numBlocks)},
                                          ValueRange{c1});
  b.setInsertionPointToStart(parallel.getBody());
  Value blockBegin = arith::MulIOp::create(
      b, loc, parallel.getInductionVars()[0], idx(b, loc, kOutputBlock));
  Value blockEnd =
      arith::AddIOp::create(b, loc, blockBegin, idx(b, loc, kOutputBlock));
  if (spec.n % kOutputBlock != 0)
    blockEnd = arith::MinSIOp::create(b, loc, blockEnd, idx(b, loc, spec.n));

  auto tileLoop =
      scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), idx(b, loc, tile));
  b.setInsertionPointToStart(tileLoop.getBody());
  Value tileBase = tileLoop.getInductionVar();
  auto rowOf = [&](OpBuilder &rb, Location rl, int64_t m) -> Value {
    return arith::AddIOp::create(rb, rl, tileBase, idx(rb, rl, m));
  };

  // sum + bias[n] + the row's CSR outliers of output n.
  auto addBiasAndOutliers = [&](OpBuilder &ob, Location l, Value n, Value row,
                                Value sum) -> Value {
    if (spec.hasBias)
      sum = arith::AddFOp::create(
          ob, l, sum,
          toF32(ob, l, memref::LoadOp::create(ob, l, bias, ValueRange{n})));
    if (!spec.hasOutliers)
      return sum;
    auto readIndex = [&](Value at) -> Value {
      return arith::IndexCastOp::create(
          ob, l, ob.getIndexType(),
          memref::LoadOp::create(ob, l, rowPtr, ValueRange{at}));
    };
    Value begin = readIndex(n);
    Value end = readIndex(arith::AddIOp::create(ob, l, n, idx(ob, l, 1)));
    auto outlierLoop = scf::ForOp::create(
        ob, l, begin, end, idx(ob, l, 1), ValueRange{sum},
        [&](OpBuilder &lb, Location ll, Value p, ValueRange iter) {
          Value col = arith::IndexCastOp::create(
              lb, ll, lb.getIndexType(),
              memref::LoadOp::create(lb, ll, colInd, ValueRange{p}));
          Value value = toF32(
              lb, ll, memref::LoadOp::create(lb, ll, values, ValueRange{p}));
          Value activation =
              memref::LoadOp::create(lb, ll, x, ValueRange{row, col});
          scf::YieldOp::create(lb, ll,
                               ValueRange{math::FmaOp::create(
                                   lb, ll, value, activation, iter[0])});
        });
    return outlierLoop.getResult(0);
  };

  // Loops over the block's output rows n; `body` builds the step for n.
  auto forEachOutput =
      [&](OpBuilder &ob, Location l,
          function_ref<void(OpBuilder &, Location, Value)> body) {
        scf::ForOp::create(
            ob, l, blockBegin, blockEnd, idx(ob, l, 1), ValueRange{},
            [&](OpBuilder &nb, Location nl, Value n, ValueRange) {
              body(nb, nl, n);
              scf::YieldOp::create(nb, nl);
            });
      };

  // The dot products of the tile's rows with output n over steps
  // [stepBegin, stepEnd): the row's table in registers, then per step one
  // load of packed codes and, per vector, shuffle, shift, permute, FMAs.
  // Returns one horizontal sum per row of the tile.
  auto dotProducts = [&](OpBuilder &ob, Location l, Value n, Value stepBegin,
                         Value stepEnd) -> SmallVector<Value> {
    SmallVector<Value> table = loadTable(ob, l, codebooks, n, spec);
    // One step: `loadBytes` bytes of codes (the step's own, or 16 where
    // the row continues past them: one vbroadcasti32x4 from memory instead
    // of an assembled 12-byte load and a register broadcast).
    // With `multishift` (VBMI), each vector of codes is instead one qword
    // broadcast from memory and one vpmultishiftqb; its 8-byte loads reach
    // 2 bytes past a 3-bit step, so not on a row's last step.
    auto stepBody = [&](int64_t loadBytes, bool multishift) {
      return [&, loadBytes, multishift](OpBuilder &sb, Location sl, Value step,
                                        ValueRange accs) {
        Value byteStart =
            arith::MulIOp::create(sb, sl, step, idx(sb, sl, stepBytes));
        Value codeStart =
            arith::MulIOp::create(sb, sl, step, idx(sb, sl, stepCodes));
        Value packed;
        if (!multishift)
          packed =
              vector::LoadOp::create(sb, sl, VectorType::get({loadBytes}, i8),
                                     indices, ValueRange{n, byteStart});
        SmallVector<Value> nextAccs(accs);
        for (int64_t v = 0; v < vectorsPerStep; ++v) {
          Value codes;
          if (multishift) {
            Value at = arith::AddIOp::create(
                sb, sl, byteStart, idx(sb, sl, v * lanes * spec.bits / 8));
            Value qword = vector::LoadOp::create(
                sb, sl, VectorType::get({8}, i8), indices, ValueRange{n, at});
            Value scalar = vector::ExtractOp::create(
                sb, sl,
                vector::BitCastOp::create(
                    sb, sl, VectorType::get({1}, sb.getI64Type()), qword),
                ArrayRef<int64_t>{0});
            Value data = vector::BitCastOp::create(
                sb, sl, VectorType::get({4 * lanes}, i8),
                vector::BroadcastOp::create(
                    sb, sl, VectorType::get({lanes / 2}, sb.getI64Type()),
                    scalar));
            Value selected =
                LLVM::CallIntrinsicOp::create(
                    sb, sl, data.getType(),
                    sb.getStringAttr("llvm.x86.avx512.pmultishift.qb.512"),
                    ValueRange{shiftControl, data})
                    .getResult(0);
            codes = vector::BitCastOp::create(sb, sl, lanesI32, selected);
          } else {
            Value bytes = vector::ShuffleOp::create(sb, sl, packed, packed,
                                                    plan.byteMasks[v]);
            Value words = vector::BitCastOp::create(sb, sl, lanesI32, bytes);
            codes = arith::ShRUIOp::create(sb, sl, words, shifts[v]);
          }
          // No mask: vpermps reads only the low log2(lanes) bits of an
          // index, a one-register table repeats every `entries` lanes, and
          // a two-register table's select tests bit 3 alone.
          Value weights = lookUp(sb, sl, table, codes);
          Value column =
              arith::AddIOp::create(sb, sl, codeStart, idx(sb, sl, v * lanes));
          for (int64_t m = 0; m < tile; ++m) {
            Value activations = vector::LoadOp::create(
                sb, sl, lanesF32, x, ValueRange{rowOf(sb, sl, m), column});
            Value &acc =
                nextAccs[m * accumulatorsPerRow + v % accumulatorsPerRow];
            acc = vector::FMAOp::create(sb, sl, weights, activations, acc);
          }
        }
        scf::YieldOp::create(sb, sl, nextAccs);
      };
    };
    SmallVector<Value> init(tile * accumulatorsPerRow, zeroLanes);
    scf::ForOp stepLoop;
    if (stepBytes == 16) {
      stepLoop = scf::ForOp::create(ob, l, stepBegin, stepEnd, idx(ob, l, 1),
                                    init, stepBody(16, spec.vbmi));
    } else {
      // Every step but the row's last may read 16 bytes.
      Value wideEnd =
          arith::MinSIOp::create(ob, l, stepEnd, idx(ob, l, totalSteps - 1));
      wideEnd = arith::MaxSIOp::create(ob, l, wideEnd, stepBegin);
      auto wideLoop =
          scf::ForOp::create(ob, l, stepBegin, wideEnd, idx(ob, l, 1), init,
                             stepBody(16, spec.vbmi));
      stepLoop =
          scf::ForOp::create(ob, l, wideEnd, stepEnd, idx(ob, l, 1),
                             wideLoop.getResults(), stepBody(stepBytes, false));
    }
    SmallVector<Value> sums;
    for (int64_t m = 0; m < tile; ++m) {
      Value acc = stepLoop.getResult(m * accumulatorsPerRow);
      for (int64_t a = 1; a < accumulatorsPerRow; ++a)
        acc = arith::AddFOp::create(
            ob, l, acc, stepLoop.getResult(m * accumulatorsPerRow + a));
      // In any order: a tree of shuffles and adds instead of a chain of
      // `lanes` dependent scalar adds per output.
      sums.push_back(
          vector::ReductionOp::create(ob, l, vector::CombiningKind::ADD, acc,
                                      arith::FastMathFlags::reassoc));
    }
    return sums;
  };

  if (numChunks == 1) {
    // One pass: y = dot product + bias + outliers.
    forEachOutput(b, loc, [&](OpBuilder &ob, Location l, Value n) {
      SmallVector<Value> sums =
          dotProducts(ob, l, n, idx(ob, l, 0), idx(ob, l, totalSteps));
      for (int64_t m = 0; m < tile; ++m) {
        Value row = rowOf(ob, l, m);
        memref::StoreOp::create(ob, l,
                                addBiasAndOutliers(ob, l, n, row, sums[m]), y,
                                ValueRange{row, n});
      }
    });
  } else {
    // y starts as bias + outliers; each chunk adds its partial sums.
    forEachOutput(b, loc, [&](OpBuilder &ob, Location l, Value n) {
      for (int64_t m = 0; m < tile; ++m) {
        Value row = rowOf(ob, l, m);
        memref::StoreOp::create(ob, l, addBiasAndOutliers(ob, l, n, row, zeroF),
                                y, ValueRange{row, n});
      }
    });
    scf::ForOp::create(
        b, loc, c0, idx(b, loc, numChunks), c1, ValueRange{},
        [&](OpBuilder &cb, Location cl, Value chunk, ValueRange) {
          Value stepBegin =
              arith::MulIOp::create(cb, cl, chunk, idx(cb, cl, chunkSteps));
          Value stepEnd = arith::MinSIOp::create(
              cb, cl,
              arith::AddIOp::create(cb, cl, stepBegin, idx(cb, cl, chunkSteps)),
              idx(cb, cl, totalSteps));
          forEachOutput(cb, cl, [&](OpBuilder &ob, Location l, Value n) {
            SmallVector<Value> sums = dotProducts(ob, l, n, stepBegin, stepEnd);
            for (int64_t m = 0; m < tile; ++m) {
              Value row = rowOf(ob, l, m);
              Value partial =
                  memref::LoadOp::create(ob, l, y, ValueRange{row, n});
              memref::StoreOp::create(
                  ob, l, arith::AddFOp::create(ob, l, partial, sums[m]), y,
                  ValueRange{row, n});
            }
          });
          scf::YieldOp::create(cb, cl);
        });
  }

  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc);
}
