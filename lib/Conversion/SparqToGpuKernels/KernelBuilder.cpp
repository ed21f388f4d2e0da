//===- KernelBuilder.cpp - IR building blocks of the CUDA kernels ---------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "sparq/Dialect/Sparq/IR/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;

KernelArgs::KernelArgs(const GpuKernelSpec &spec, ValueRange list) {
  unsigned next = 0;
  auto take = [&]() { return list[next++]; };
  x = take();
  weights = take();
  if (spec.weights == WeightKind::int8) {
    if (spec.isRescaled()) {
      inputScales = take();
      params = take();
    }
    if (spec.hasBias)
      bias = take();
    y = take();
    return;
  }
  params = take();
  if (spec.hasZeroPoints)
    zeroPoints = take();
  if (spec.hasBias)
    bias = take();
  if (spec.hasOutliers) {
    rowPtr = take();
    colInd = take();
    values = take();
  }
  if (spec.hasResidual)
    residual = take();
  y = take();
}

Value KernelBuilder::index(int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value KernelBuilder::i32(int64_t value) {
  return arith::ConstantIntOp::create(b, b.getI32Type(), value);
}

Value KernelBuilder::f32(double value) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(),
                                        APFloat(static_cast<float>(value)));
}

Value KernelBuilder::toF32(Value value) {
  auto type = cast<FloatType>(value.getType());
  if (type.isF32())
    return value;
  if (type.getWidth() < 32)
    return arith::ExtFOp::create(b, b.getF32Type(), value);
  return arith::TruncFOp::create(b, b.getF32Type(), value);
}

Value KernelBuilder::toIndex(Value i32Value) {
  return arith::IndexCastOp::create(b, b.getIndexType(), i32Value);
}

Value KernelBuilder::minIndex(Value a, int64_t bound) {
  return arith::MinSIOp::create(b, a, index(bound));
}

Value KernelBuilder::globalPointer(Value memref, ValueRange indices) {
  auto memrefType = cast<MemRefType>(memref.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value linear = metadata.getOffset();
  for (auto [dim, idx] : llvm::enumerate(indices)) {
    Value term = dim + 1 == indices.size()
                     ? idx
                     : arith::MulIOp::create(b, idx, metadata.getStrides()[dim])
                           .getResult();
    linear = arith::AddIOp::create(b, linear, term);
  }
  int64_t elementBytes = memrefType.getElementTypeBitWidth() / 8;
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value address = arith::AddIOp::create(
      b, base, arith::MulIOp::create(b, linear, index(elementBytes)));
  Value address64 = arith::IndexCastOp::create(b, b.getI64Type(), address);
  auto genericPtr = LLVM::LLVMPointerType::get(b.getContext());
  auto globalPtr = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Value pointer = LLVM::IntToPtrOp::create(b, genericPtr, address64);
  return LLVM::AddrSpaceCastOp::create(b, globalPtr, pointer);
}

Value KernelBuilder::loadInvariant(Value memref, ValueRange indices,
                                   VectorType type) {
  Value pointer = globalPointer(memref, indices);
  Value loaded = LLVM::LoadOp::create(b, type, pointer, /*alignment=*/16,
                                      /*isVolatile=*/false,
                                      /*isNonTemporal=*/false,
                                      /*isInvariant=*/true);
  // Only extracts use the vector, so LLVM's VectorCombine would split the
  // load into scalar ones, dropping !invariant.load (the NVPTX back end
  // then merges them into a plain ld.global.v4). A freeze, free in code,
  // keeps the load whole.
  return LLVM::FreezeOp::create(b, loaded);
}

WeightChunk KernelBuilder::loadWeightChunk(Value row, Value kStart) {
  WeightChunk chunk;
  // Packed byte offset of element kStart (kStart is a chunk boundary).
  Value byteOffset = arith::DivUIOp::create(
      b, arith::MulIOp::create(b, kStart, index(spec.bits)), index(8));
  auto type = VectorType::get({4}, b.getI32Type());
  for (int64_t load = 0; load < spec.chunkBytes() / 16; ++load) {
    Value offset = arith::AddIOp::create(b, byteOffset, index(16 * load));
    Value vec = loadInvariant(args.weights, {row, offset}, type);
    for (int64_t w = 0; w < 4; ++w)
      chunk.words.push_back(vector::ExtractOp::create(b, vec, w));
  }
  if (spec.weights == WeightKind::uniform && spec.isSigned) {
    uint32_t signBits = spec.bits == 4 ? 0x88888888u : 0x80808080u;
    for (Value word : chunk.words)
      chunk.biasedWords.push_back(
          arith::XOrIOp::create(b, word, i32(static_cast<int32_t>(signBits))));
  }
  return chunk;
}

Value KernelBuilder::weightAsF32(const WeightChunk &chunk, int64_t i) {
  int64_t bitPos = i * spec.bits;
  int64_t word = bitPos / 32, shift = bitPos % 32;
  Value field = spec.isSigned ? chunk.biasedWords[word] : chunk.words[word];
  if (shift)
    field = arith::ShRUIOp::create(b, field, i32(shift));
  if (shift + spec.bits < 32)
    field = arith::AndIOp::create(b, field, i32((1 << spec.bits) - 1));
  constexpr int32_t kTwoTo23Bits = 0x4B000000; // 8388608.0f
  Value magic = arith::BitcastOp::create(
      b, b.getF32Type(), arith::OrIOp::create(b, field, i32(kTwoTo23Bits)));
  double bias = spec.isSigned ? double(1 << (spec.bits - 1)) : 0.0;
  return arith::SubFOp::create(b, magic, f32(8388608.0 + bias));
}

Value KernelBuilder::chunkElement(const WeightChunk &chunk, int64_t i) {
  int64_t bitPos = i * spec.bits;
  int64_t word = bitPos / 32, shift = bitPos % 32;
  Value value = chunk.words[word];
  if (shift)
    value = arith::ShRUIOp::create(b, value, i32(shift));
  if (shift + spec.bits > 32) {
    // A 3-bit code that straddles two words.
    Value high =
        arith::ShLIOp::create(b, chunk.words[word + 1], i32(32 - shift));
    value = arith::OrIOp::create(b, value, high);
  }
  if (shift + spec.bits == 32)
    return value;
  return arith::AndIOp::create(b, value, i32((1 << spec.bits) - 1));
}

std::pair<Value, Value> KernelBuilder::groupParams(Value row, Value k) {
  Value group = arith::DivUIOp::create(b, k, index(spec.groupSize));
  Value scale = toF32(memref::LoadOp::create(b, args.params, {row, group}));
  if (!spec.hasZeroPoints)
    return {scale, Value()};
  Value zp = memref::LoadOp::create(b, args.zeroPoints, {row, group});
  if (isa<FloatType>(zp.getType()))
    return {scale, toF32(zp)};
  // Integer zero points are read with the storage's signedness.
  if (zp.getType().getIntOrFloatBitWidth() < 32)
    zp = spec.isSigned
             ? arith::ExtSIOp::create(b, b.getI32Type(), zp).getResult()
             : arith::ExtUIOp::create(b, b.getI32Type(), zp).getResult();
  return {scale, arith::SIToFPOp::create(b, b.getF32Type(), zp)};
}

SmallVector<Value> KernelBuilder::loadActivations4(Value m, Value k) {
  Value vec =
      loadInvariant(args.x, {m, k}, VectorType::get({4}, b.getF32Type()));
  SmallVector<Value> values;
  for (int64_t i = 0; i < 4; ++i)
    values.push_back(vector::ExtractOp::create(b, vec, i));
  return values;
}

SmallVector<Value> KernelBuilder::addOutliers(Value col, ValueRange rows,
                                              ValueRange acc, Value first,
                                              Value step) {
  Value begin =
      toIndex(memref::LoadOp::create(b, args.rowPtr, ValueRange{col}));
  Value end = toIndex(memref::LoadOp::create(
      b, args.rowPtr, ValueRange{arith::AddIOp::create(b, col, index(1))}));
  begin = arith::AddIOp::create(b, begin, first);
  auto loop = scf::ForOp::create(
      b, begin, end, step, acc,
      [&](OpBuilder &nested, Location loc, Value i, ValueRange iterAcc) {
        ImplicitLocOpBuilder nb(loc, nested);
        KernelBuilder inner(nb, spec, args);
        Value c = inner.toIndex(
            memref::LoadOp::create(nb, args.colInd, ValueRange{i}));
        Value v =
            inner.toF32(memref::LoadOp::create(nb, args.values, ValueRange{i}));
        SmallVector<Value> next;
        for (auto [row, a] : llvm::zip(rows, iterAcc)) {
          Value xv = memref::LoadOp::create(nb, args.x, ValueRange{row, c});
          next.push_back(math::FmaOp::create(nb, v, xv, a));
        }
        scf::YieldOp::create(nb, next);
      });
  return SmallVector<Value>(loop.getResults());
}

void KernelBuilder::storeOutput(Value acc, Value m, Value n) {
  Value value = acc;
  if (spec.hasBias)
    value = arith::AddFOp::create(
        b, value, toF32(memref::LoadOp::create(b, args.bias, ValueRange{n})));
  if (spec.activation != Activation::none)
    value = buildActivation(b, b.getLoc(), spec.activation, value);
  if (spec.hasResidual)
    value = arith::AddFOp::create(
        b, value,
        toF32(memref::LoadOp::create(b, args.residual, ValueRange{m, n})));
  memref::StoreOp::create(b, value, args.y, ValueRange{m, n});
}

void KernelBuilder::storeGatedOutput(Value gate, Value up, Value m, Value n) {
  if (spec.hasBias) {
    Value upRow = arith::AddIOp::create(b, n, index(spec.n));
    gate = arith::AddFOp::create(
        b, gate, toF32(memref::LoadOp::create(b, args.bias, ValueRange{n})));
    up = arith::AddFOp::create(
        b, up, toF32(memref::LoadOp::create(b, args.bias, ValueRange{upRow})));
  }
  Value value = arith::MulFOp::create(
      b, buildActivation(b, b.getLoc(), spec.activation, gate), up);
  if (spec.hasResidual)
    value = arith::AddFOp::create(
        b, value,
        toF32(memref::LoadOp::create(b, args.residual, ValueRange{m, n})));
  memref::StoreOp::create(b, value, args.y, ValueRange{m, n});
}

void KernelBuilder::addToOutput(Value acc, Value m, Value n,
                                Value isFirstSplit) {
  Value value = acc;
  Value linearTerms;
  if (spec.hasBias)
    linearTerms = toF32(memref::LoadOp::create(b, args.bias, ValueRange{n}));
  if (spec.hasResidual) {
    Value residual =
        toF32(memref::LoadOp::create(b, args.residual, ValueRange{m, n}));
    linearTerms =
        linearTerms
            ? arith::AddFOp::create(b, linearTerms, residual).getResult()
            : residual;
  }
  if (linearTerms)
    value = arith::AddFOp::create(
        b, value,
        arith::SelectOp::create(b, isFirstSplit, linearTerms, f32(0.0)));
  // The result is unused: the NVPTX back end emits red.global.add.f32.
  LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::fadd,
                            globalPointer(args.y, {m, n}), value,
                            LLVM::AtomicOrdering::monotonic);
}

void sparq::gpu_kernels::buildZeroFillKernel(gpu::GPUFuncOp func, int64_t m,
                                             int64_t n) {
  Block &entry = func.getBody().front();
  auto b = ImplicitLocOpBuilder::atBlockEnd(func.getLoc(), &entry);
  Value y = entry.getArgument(0);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value blockSize = gpu::BlockDimOp::create(b, gpu::Dimension::x);
  Value i = arith::AddIOp::create(b, arith::MulIOp::create(b, block, blockSize),
                                  thread);
  Value inRange =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i, index(m * n));
  auto ifInRange = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifInRange.thenBlock());
  Value row = arith::DivUIOp::create(b, i, index(n));
  Value col = arith::RemUIOp::create(b, i, index(n));
  Type element = cast<MemRefType>(y.getType()).getElementType();
  Value zero =
      arith::ConstantOp::create(b, cast<TypedAttr>(b.getZeroAttr(element)));
  memref::StoreOp::create(b, zero, y, ValueRange{row, col});
  b.setInsertionPointAfter(ifInRange);
  gpu::ReturnOp::create(b);
}
