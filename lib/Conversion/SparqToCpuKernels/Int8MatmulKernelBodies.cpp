//===- Int8MatmulKernelBodies.cpp - VNNI bodies of W8A8 matmul kernels ----===//
//
// Part of the sparq project.
//
// A W8A8 sparq.int_matmul multiplies int8 activation codes by int8 weights
// with int32 accumulation. AVX-512 VNNI's vpdpbusd multiplies unsigned by
// signed bytes, so each weight byte has its sign bit flipped (w + 128,
// unsigned) and the activations stay signed: sum x (w + 128) - 128 sum x is
// the exact dot product, the second term once per activation row. Output
// rows run in parallel and stream their weights once; activation rows come
// in register tiles of up to 8 that share each weight load. The rescale
// (acc * input scale * weight scale + bias, in f32) is the reference
// lowering's, operation for operation, so both agree bit for bit.
//
//===----------------------------------------------------------------------===//

#include "Int8MatmulKernels.h"
#include "KernelBodyUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

void sparq::cpu_kernels::buildInt8KernelBody(OpBuilder &b, func::FuncOp func,
                                             const Int8KernelSpec &spec) {
  Location loc = func.getLoc();
  Block *entry = func.addEntryBlock();
  func.setPrivate();
  b.setInsertionPointToStart(entry);
  unsigned next = 0;
  Value x = entry->getArgument(next++);
  Value w = entry->getArgument(next++);
  Value inputScales, weightScales, bias;
  if (spec.rescaled) {
    inputScales = entry->getArgument(next++);
    weightScales = entry->getArgument(next++);
  }
  if (spec.hasBias)
    bias = entry->getArgument(next++);
  Value y = entry->getArgument(next++);
  Type yElement = cast<MemRefType>(y.getType()).getElementType();

  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  int64_t blockBytes = spec.blockBytes();
  int64_t lanes = blockBytes / 4;
  int64_t blocks = spec.k / blockBytes;
  auto bytesType = VectorType::get({blockBytes}, i8);
  auto lanesType = VectorType::get({lanes}, i32);
  Value c0 = idx(b, loc, 0), c1 = idx(b, loc, 1);
  Value zeroLanes = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(lanesType, b.getI32IntegerAttr(0)));
  Value signFlip = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(int8_t(0x80))));

  // 1. -128 * sum_k x[m, k] per activation row: the sign flip's correction.
  Value corrections =
      memref::AllocaOp::create(b, loc, MemRefType::get({spec.m}, i32));
  scf::ForOp::create(
      b, loc, c0, idx(b, loc, spec.m), c1, ValueRange{},
      [&](OpBuilder &rb, Location l, Value row, ValueRange) {
        auto sum = scf::ForOp::create(
            rb, l, idx(rb, l, 0), idx(rb, l, spec.k), idx(rb, l, blockBytes),
            ValueRange{
                arith::ConstantOp::create(rb, l, rb.getI32IntegerAttr(0))},
            [&](OpBuilder &sb, Location sl, Value k, ValueRange iter) {
              Value bytes = vector::LoadOp::create(sb, sl, bytesType, x,
                                                   ValueRange{row, k});
              Value wide = arith::ExtSIOp::create(
                  sb, sl, VectorType::get({blockBytes}, i32), bytes);
              Value part = vector::ReductionOp::create(
                  sb, sl, vector::CombiningKind::ADD, wide);
              scf::YieldOp::create(
                  sb, sl,
                  ValueRange{arith::AddIOp::create(sb, sl, iter[0], part)});
            });
        Value correction = arith::MulIOp::create(
            rb, l, sum.getResult(0),
            arith::ConstantOp::create(rb, l, rb.getI32IntegerAttr(-128)));
        memref::StoreOp::create(rb, l, correction, corrections,
                                ValueRange{row});
        scf::YieldOp::create(rb, l);
      });

  // 2. Output rows in parallel; activation rows in tiles of up to 8. Two
  //    accumulator chains per row (even and odd blocks) when the block
  //    count is even, so consecutive vpdpbusd do not wait on each other.
  int64_t tile = rowsPerTile(spec.m);
  int64_t chains = blocks % 2 == 0 ? 2 : 1;
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{idx(b, loc, spec.n)}, ValueRange{c1});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(parallel.getBody());
  Value n = parallel.getInductionVars()[0];
  auto tileLoop =
      scf::ForOp::create(b, loc, c0, idx(b, loc, spec.m), idx(b, loc, tile));
  b.setInsertionPointToStart(tileLoop.getBody());
  Value tileBase = tileLoop.getInductionVar();
  auto rowOf = [&](OpBuilder &rb, Location l, int64_t m) -> Value {
    return arith::AddIOp::create(rb, l, tileBase, idx(rb, l, m));
  };
  SmallVector<Value> init(tile * chains, zeroLanes);
  auto blockLoop = scf::ForOp::create(
      b, loc, c0, idx(b, loc, spec.k), idx(b, loc, blockBytes * chains), init,
      [&](OpBuilder &kb, Location l, Value k, ValueRange accs) {
        SmallVector<Value> nextAccs(accs);
        for (int64_t chain = 0; chain < chains; ++chain) {
          Value at = chain == 0
                         ? k
                         : Value(arith::AddIOp::create(
                               kb, l, k, idx(kb, l, chain * blockBytes)));
          Value weights = arith::XOrIOp::create(
              kb, l,
              vector::LoadOp::create(kb, l, bytesType, w, ValueRange{n, at}),
              signFlip);
          for (int64_t m = 0; m < tile; ++m) {
            Value activations = vector::LoadOp::create(
                kb, l, bytesType, x, ValueRange{rowOf(kb, l, m), at});
            Value &acc = nextAccs[m * chains + chain];
            acc = dotU8S8(kb, l, acc, weights, activations);
          }
        }
        scf::YieldOp::create(kb, l, nextAccs);
      });

  // 3. One horizontal sum per row, the correction, then the store: the
  //    exact i32, or the reference lowering's f32 rescale.
  Value weightScale, biasValue;
  if (spec.rescaled) {
    Value channel = spec.perChannelScales ? n : c0;
    weightScale = toF32(
        b, loc,
        memref::LoadOp::create(b, loc, weightScales, ValueRange{channel, c0}));
  }
  if (spec.hasBias)
    biasValue =
        toF32(b, loc, memref::LoadOp::create(b, loc, bias, ValueRange{n}));
  for (int64_t m = 0; m < tile; ++m) {
    Value row = rowOf(b, loc, m);
    Value lanesSum = blockLoop.getResult(m * chains);
    for (int64_t chain = 1; chain < chains; ++chain)
      lanesSum = arith::AddIOp::create(b, loc, lanesSum,
                                       blockLoop.getResult(m * chains + chain));
    Value acc = arith::AddIOp::create(
        b, loc,
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                    lanesSum),
        memref::LoadOp::create(b, loc, corrections, ValueRange{row}));
    if (!spec.rescaled) {
      memref::StoreOp::create(b, loc, acc, y, ValueRange{row, n});
      continue;
    }
    Value token = spec.perTokenScales ? row : c0;
    Value value = arith::SIToFPOp::create(b, loc, f32, acc);
    value = arith::MulFOp::create(
        b, loc, value,
        toF32(b, loc,
              memref::LoadOp::create(b, loc, inputScales,
                                     ValueRange{token, c0})));
    value = arith::MulFOp::create(b, loc, value, weightScale);
    if (biasValue)
      value = arith::AddFOp::create(b, loc, value, biasValue);
    memref::StoreOp::create(b, loc,
                            castFloat(b, loc, value, cast<FloatType>(yElement)),
                            y, ValueRange{row, n});
  }
  b.setInsertionPointAfter(parallel);
  func::ReturnOp::create(b, loc);
}
