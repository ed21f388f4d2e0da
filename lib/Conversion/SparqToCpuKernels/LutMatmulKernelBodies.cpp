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
// Output rows run in parallel (scf.parallel, OpenMP later); one horizontal
// sum per output, then the bias and the row's CSR outliers.
//
//===----------------------------------------------------------------------===//

#include "LutMatmulKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  Type type = getElementTypeOrSelf(v.getType());
  if (type.isF32())
    return v;
  Type f32 = b.getF32Type();
  if (auto vectorType = dyn_cast<VectorType>(v.getType()))
    f32 = vectorType.clone(f32);
  if (type.getIntOrFloatBitWidth() < 32)
    return arith::ExtFOp::create(b, loc, f32, v);
  return arith::TruncFOp::create(b, loc, f32, v);
}

/// The largest divisor of `rows` up to 8: rows of one tile share the
/// unpacked weights and keep their accumulators in registers.
int64_t rowsPerTile(int64_t rows) {
  for (int64_t tile = std::min<int64_t>(rows, 8); tile > 1; --tile)
    if (rows % tile == 0)
      return tile;
  return 1;
}

/// How a step's packed bytes become codes, one vector of `lanes` codes at a
/// time: the shuffle mask picking, for each 32-bit lane, the byte holding
/// its code and the next one (or a zero byte), and the shift right that
/// brings the code to bit 0.
struct UnpackPlan {
  SmallVector<SmallVector<int64_t>> byteMasks;
  SmallVector<SmallVector<int32_t>> shifts;
};

UnpackPlan planUnpacking(const LutKernelSpec &spec) {
  int64_t lanes = spec.lanes(), bytes = spec.stepBytes();
  // Index `bytes` selects the first byte of the second shuffle operand, a
  // zero vector.
  int64_t zeroByte = bytes;
  UnpackPlan plan;
  for (int64_t first = 0; first < LutKernelSpec::kStepCodes; first += lanes) {
    SmallVector<int64_t> mask;
    SmallVector<int32_t> shift;
    for (int64_t code = first; code < first + lanes; ++code) {
      int64_t bit = code * spec.bits;
      int64_t byte = bit / 8;
      mask.push_back(byte);
      mask.push_back(byte + 1 < bytes ? byte + 1 : zeroByte);
      mask.push_back(zeroByte);
      mask.push_back(zeroByte);
      shift.push_back(static_cast<int32_t>(bit % 8));
    }
    plan.byteMasks.push_back(std::move(mask));
    plan.shifts.push_back(std::move(shift));
  }
  return plan;
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
  // half of the 16-entry table.
  auto codeType = cast<VectorType>(codes.getType());
  Value seven = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(codeType, b.getI32IntegerAttr(7)));
  Value upper =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, codes, seven);
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
  auto stepType = VectorType::get({stepBytes}, i8);
  UnpackPlan plan = planUnpacking(spec);

  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{idx(b, loc, spec.n)}, ValueRange{c1});
  b.setInsertionPointToStart(parallel.getBody());
  Value n = parallel.getInductionVars()[0];

  // Loop invariants of the output row: its table, and the constants of the
  // unpacking.
  SmallVector<Value> table = loadTable(b, loc, codebooks, n, spec);
  Value zeroBytes = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(stepType, b.getI8IntegerAttr(0)));
  Value codeMask;
  if (table.size() > 1)
    codeMask = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(lanesI32,
                               b.getI32IntegerAttr((1 << spec.bits) - 1)));
  SmallVector<Value> shifts;
  for (ArrayRef<int32_t> shift : plan.shifts)
    shifts.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(lanesI32, shift)));
  Value zeroLanes = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(lanesF32, b.getF32FloatAttr(0)));

  // Activation rows in tiles sharing the unpacked weights. Each row has
  // enough accumulators that a small tile still keeps several independent
  // FMA chains in flight.
  int64_t tile = rowsPerTile(spec.m);
  int64_t accumulatorsPerRow = std::max<int64_t>(1, vectorsPerStep / tile);
  auto tileLoop =
      scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), idx(b, loc, tile));
  b.setInsertionPointToStart(tileLoop.getBody());
  Value tileBase = tileLoop.getInductionVar();
  auto rowOf = [&](OpBuilder &rb, Location rl, int64_t m) -> Value {
    return arith::AddIOp::create(rb, rl, tileBase, idx(rb, rl, m));
  };

  SmallVector<Value> init(tile * accumulatorsPerRow, zeroLanes);
  auto stepLoop = scf::ForOp::create(
      b, loc, c0, idx(b, loc, spec.k / LutKernelSpec::kStepCodes), c1, init,
      [&](OpBuilder &sb, Location sl, Value step, ValueRange accs) {
        Value byteStart =
            arith::MulIOp::create(sb, sl, step, idx(sb, sl, stepBytes));
        Value codeStart = arith::MulIOp::create(
            sb, sl, step, idx(sb, sl, LutKernelSpec::kStepCodes));
        Value packed = vector::LoadOp::create(sb, sl, stepType, indices,
                                              ValueRange{n, byteStart});
        SmallVector<Value> nextAccs(accs);
        for (int64_t v = 0; v < vectorsPerStep; ++v) {
          Value bytes = vector::ShuffleOp::create(sb, sl, packed, zeroBytes,
                                                  plan.byteMasks[v]);
          Value words = vector::BitCastOp::create(sb, sl, lanesI32, bytes);
          Value codes = arith::ShRUIOp::create(sb, sl, words, shifts[v]);
          // vpermps reads only the low log2(lanes) bits of an index, and a
          // one-register table repeats every `entries` lanes, so the bits
          // above the code need no mask there.
          if (codeMask)
            codes = arith::AndIOp::create(sb, sl, codes, codeMask);
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
      });

  // One horizontal sum per output, then the bias and the CSR outliers.
  Value rowStart, rowEnd;
  if (spec.hasOutliers) {
    auto readIndex = [&](Value at) -> Value {
      return arith::IndexCastOp::create(
          b, loc, b.getIndexType(),
          memref::LoadOp::create(b, loc, rowPtr, ValueRange{at}));
    };
    rowStart = readIndex(n);
    rowEnd = readIndex(arith::AddIOp::create(b, loc, n, c1));
  }
  Value biasValue;
  if (spec.hasBias)
    biasValue =
        toF32(b, loc, memref::LoadOp::create(b, loc, bias, ValueRange{n}));
  for (int64_t m = 0; m < tile; ++m) {
    Value row = rowOf(b, loc, m);
    Value acc = stepLoop.getResult(m * accumulatorsPerRow);
    for (int64_t a = 1; a < accumulatorsPerRow; ++a)
      acc = arith::AddFOp::create(
          b, loc, acc, stepLoop.getResult(m * accumulatorsPerRow + a));
    Value sum =
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc);
    if (biasValue)
      sum = arith::AddFOp::create(b, loc, sum, biasValue);
    if (spec.hasOutliers) {
      auto outlierLoop = scf::ForOp::create(
          b, loc, rowStart, rowEnd, c1, ValueRange{sum},
          [&](OpBuilder &ob, Location l, Value p, ValueRange iter) {
            Value col = arith::IndexCastOp::create(
                ob, l, ob.getIndexType(),
                memref::LoadOp::create(ob, l, colInd, ValueRange{p}));
            Value value = toF32(
                ob, l, memref::LoadOp::create(ob, l, values, ValueRange{p}));
            Value activation =
                memref::LoadOp::create(ob, l, x, ValueRange{row, col});
            scf::YieldOp::create(ob, l,
                                 ValueRange{math::FmaOp::create(
                                     ob, l, value, activation, iter[0])});
          });
      sum = outlierLoop.getResult(0);
    }
    memref::StoreOp::create(b, loc, sum, y, ValueRange{row, n});
  }

  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc);
}
