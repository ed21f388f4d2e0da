//===- SparqToLinalg.cpp - reference lowering of sparq ops ----------------===//
//
// Part of the sparq project.
//
// Every sparq op becomes upstream IR that states its semantics directly, so
// that any sparq program runs through upstream pipelines. Weights are
// dequantized into whole matrices here: this is the reference that optimized
// kernels are checked against, not a hot path.
//
//===----------------------------------------------------------------------===//

#include "sparq/Conversion/Passes.h"

#include "sparq/Dialect/Sparq/IR/Epilogue.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace sparq {
#define GEN_PASS_DEF_CONVERTSPARQTOLINALG
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic writing a fresh tensor of `shape` x `elementType`, with
/// the given inputs and maps (the output map is the identity) and all loops
/// parallel.
Value buildParallelGeneric(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                           Type elementType, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps, BodyFn body) {
  int64_t rank = shape.size();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, shape, elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The map reading block-wise parameters of shape `paramShape` for a tensor
/// of shape `dataShape`: dimension i reads index d_i floordiv (data_i /
/// param_i).
AffineMap blockParamMap(MLIRContext *ctx, ArrayRef<int64_t> dataShape,
                        ArrayRef<int64_t> paramShape) {
  SmallVector<AffineExpr> exprs;
  for (auto [i, sizes] : llvm::enumerate(llvm::zip(dataShape, paramShape))) {
    auto [dataDim, paramDim] = sizes;
    AffineExpr d = getAffineDimExpr(i, ctx);
    exprs.push_back(paramDim == 1 ? getAffineConstantExpr(0, ctx)
                                  : d.floorDiv(dataDim / paramDim));
  }
  return AffineMap::get(dataShape.size(), 0, exprs, ctx);
}

/// Indices of the current element of a generic body, dims [0, rank).
SmallVector<Value> currentIndices(OpBuilder &b, Location loc, int64_t rank) {
  SmallVector<Value> indices;
  for (int64_t d = 0; d < rank; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value intConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, value));
}

/// Converts a float scalar to `type` (extension or truncation).
Value convertFloat(OpBuilder &b, Location loc, Value value, Type type) {
  unsigned from = value.getType().getIntOrFloatBitWidth();
  unsigned to = type.getIntOrFloatBitWidth();
  if (value.getType() == type)
    return value;
  if (from < to)
    return arith::ExtFOp::create(b, loc, type, value);
  if (from > to)
    return arith::TruncFOp::create(b, loc, type, value);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  return arith::TruncFOp::create(b, loc, type, wide);
}

/// Widens an integer scalar to i32, with the given signedness.
Value extendToI32(OpBuilder &b, Location loc, Value value, bool isSigned) {
  Type i32 = b.getI32Type();
  if (value.getType() == i32)
    return value;
  if (value.getType().getIntOrFloatBitWidth() > 32)
    return arith::TruncIOp::create(b, loc, i32, value);
  return isSigned ? Value(arith::ExtSIOp::create(b, loc, i32, value))
                  : Value(arith::ExtUIOp::create(b, loc, i32, value));
}

/// Unpacks `packed` (sparq's row-wise little-endian bitstream) into a tensor
/// of `logicalShape` with `bits`-bit signless elements.
Value buildUnpack(OpBuilder &b, Location loc, Value packed,
                  ArrayRef<int64_t> logicalShape, unsigned bits) {
  int64_t rank = logicalShape.size();
  int64_t rowBytes = cast<RankedTensorType>(packed.getType()).getShape().back();
  Type elementType = b.getIntegerType(bits);
  return buildParallelGeneric(
      b, loc, logicalShape, elementType, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        SmallVector<Value> indices = currentIndices(nb, l, rank);
        Value bitPos = arith::MulIOp::create(nb, l, indices.back(),
                                             indexConstant(nb, l, bits));
        Value byte =
            arith::DivUIOp::create(nb, l, bitPos, indexConstant(nb, l, 8));
        Value offset =
            arith::RemUIOp::create(nb, l, bitPos, indexConstant(nb, l, 8));
        // An element spans at most two bytes; the second is clamped to the
        // row, where any bits it contributes past the element are cut off.
        Value next = arith::MinUIOp::create(
            nb, l, arith::AddIOp::create(nb, l, byte, indexConstant(nb, l, 1)),
            indexConstant(nb, l, rowBytes - 1));
        SmallVector<Value> loIdx(indices), hiIdx(indices);
        loIdx.back() = byte;
        hiIdx.back() = next;
        Type i16 = nb.getI16Type();
        Value lo = arith::ExtUIOp::create(
            nb, l, i16, tensor::ExtractOp::create(nb, l, packed, loIdx));
        Value hi = arith::ExtUIOp::create(
            nb, l, i16, tensor::ExtractOp::create(nb, l, packed, hiIdx));
        Value word = arith::OrIOp::create(
            nb, l, lo,
            arith::ShLIOp::create(nb, l, hi, intConstant(nb, l, i16, 8)));
        Value shift = arith::IndexCastUIOp::create(nb, l, i16, offset);
        Value shifted = arith::ShRUIOp::create(nb, l, word, shift);
        return arith::TruncIOp::create(nb, l, elementType, shifted);
      });
}

/// Packs a tensor of `bits`-bit integers into sparq's layout.
Value buildPack(OpBuilder &b, Location loc, Value values,
                ArrayRef<int64_t> packedShape, unsigned bits) {
  auto valueType = cast<RankedTensorType>(values.getType());
  int64_t rank = packedShape.size();
  int64_t k = valueType.getShape().back();
  Type i32 = b.getI32Type();
  // Elements overlapping one byte: at most floor(7 / bits) + 2.
  int64_t maxElements = 7 / bits + 2;
  return buildParallelGeneric(
      b, loc, packedShape, b.getI8Type(), {}, {},
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        SmallVector<Value> indices = currentIndices(nb, l, rank);
        Value byte = indices.back();
        Value firstBit =
            arith::MulIOp::create(nb, l, byte, indexConstant(nb, l, 8));
        Value first =
            arith::DivUIOp::create(nb, l, firstBit, indexConstant(nb, l, bits));
        Value acc = intConstant(nb, l, i32, 0);
        for (int64_t t = 0; t < maxElements; ++t) {
          Value j =
              arith::AddIOp::create(nb, l, first, indexConstant(nb, l, t));
          Value inRow = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                              j, indexConstant(nb, l, k));
          SmallVector<Value> srcIdx(indices);
          srcIdx.back() =
              arith::MinUIOp::create(nb, l, j, indexConstant(nb, l, k - 1));
          Value element = arith::ExtUIOp::create(
              nb, l, i32, tensor::ExtractOp::create(nb, l, values, srcIdx));
          // Bit position of the element relative to this byte's bit 0.
          Value elementBit = arith::IndexCastOp::create(
              nb, l, i32,
              arith::MulIOp::create(nb, l, j, indexConstant(nb, l, bits)));
          Value rel = arith::SubIOp::create(
              nb, l, elementBit,
              arith::IndexCastOp::create(nb, l, i32, firstBit));
          Value zero = intConstant(nb, l, i32, 0);
          Value negative = arith::CmpIOp::create(
              nb, l, arith::CmpIPredicate::slt, rel, zero);
          Value left = arith::ShLIOp::create(
              nb, l, element, arith::MaxSIOp::create(nb, l, rel, zero));
          Value right = arith::ShRUIOp::create(
              nb, l, element, arith::SubIOp::create(nb, l, zero, rel));
          Value placed = arith::SelectOp::create(nb, l, negative, right, left);
          // Elements starting past this byte contribute nothing.
          Value starts = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                               rel, intConstant(nb, l, i32, 8));
          Value valid = arith::AndIOp::create(nb, l, inRow, starts);
          acc = arith::OrIOp::create(
              nb, l, acc, arith::SelectOp::create(nb, l, valid, placed, zero));
        }
        return arith::TruncIOp::create(nb, l, nb.getI8Type(), acc);
      });
}

/// (q - z) * s block-wise, in the float type `resultElement`.
Value buildDequantize(OpBuilder &b, Location loc, Value packed, Value scales,
                      Value zeroPoints, IntegerType storage,
                      ArrayRef<int64_t> shape, Type resultElement) {
  MLIRContext *ctx = b.getContext();
  Value q = buildUnpack(b, loc, packed, shape, storage.getWidth());
  bool isSigned = storage.isSigned();
  auto scaleType = cast<RankedTensorType>(scales.getType());
  SmallVector<Value> inputs = {q, scales};
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(shape.size()),
      blockParamMap(ctx, shape, scaleType.getShape())};
  if (zeroPoints) {
    inputs.push_back(zeroPoints);
    maps.push_back(blockParamMap(
        ctx, shape, cast<RankedTensorType>(zeroPoints.getType()).getShape()));
  }
  Type scaleElement = scaleType.getElementType();
  return buildParallelGeneric(
      b, loc, shape, resultElement, inputs, maps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value qi = extendToI32(nb, l, args[0], isSigned);
        Value diff;
        if (zeroPoints && isa<FloatType>(args[2].getType())) {
          Value qf = arith::SIToFPOp::create(nb, l, scaleElement, qi);
          diff = arith::SubFOp::create(nb, l, qf, args[2]);
        } else {
          // Integer zero points are read with the storage's signedness.
          if (zeroPoints)
            qi = arith::SubIOp::create(nb, l, qi,
                                       extendToI32(nb, l, args[2], isSigned));
          diff = arith::SIToFPOp::create(nb, l, scaleElement, qi);
        }
        Value scaled = arith::MulFOp::create(nb, l, diff, args[1]);
        return convertFloat(nb, l, scaled, resultElement);
      });
}

/// clamp(round_half_even(x / s) + z, qmin, qmax) block-wise, as `bits`-bit
/// integers.
Value buildQuantize(OpBuilder &b, Location loc, Value input, Value scales,
                    Value zeroPoints, IntegerType storage) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<Value> inputs = {input, scales};
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(shape.size()),
      blockParamMap(ctx, shape,
                    cast<RankedTensorType>(scales.getType()).getShape())};
  if (zeroPoints) {
    inputs.push_back(zeroPoints);
    maps.push_back(blockParamMap(
        ctx, shape, cast<RankedTensorType>(zeroPoints.getType()).getShape()));
  }
  unsigned bits = storage.getWidth();
  bool isSigned = storage.isSigned();
  double qmin = isSigned ? -(1 << (bits - 1)) : 0;
  double qmax = isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  Type f32 = b.getF32Type();
  return buildParallelGeneric(
      b, loc, shape, b.getIntegerType(bits), inputs, maps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value x = convertFloat(nb, l, args[0], f32);
        Value s = convertFloat(nb, l, args[1], f32);
        Value v = math::RoundEvenOp::create(nb, l,
                                            arith::DivFOp::create(nb, l, x, s));
        if (zeroPoints) {
          Value z =
              isa<FloatType>(args[2].getType())
                  ? convertFloat(nb, l, args[2], f32)
                  : Value(arith::SIToFPOp::create(
                        nb, l, f32, extendToI32(nb, l, args[2], isSigned)));
          v = arith::AddFOp::create(nb, l, v, z);
        }
        v = arith::MaximumFOp::create(
            nb, l, v,
            arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(qmin)));
        v = arith::MinimumFOp::create(
            nb, l, v,
            arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(qmax)));
        Value asInt = arith::FPToSIOp::create(nb, l, nb.getI32Type(), v);
        return arith::TruncIOp::create(nb, l, nb.getIntegerType(bits), asInt);
      });
}

/// Adds the CSR matrix (row_ptr, col_ind, values) to the dense `[N, K]`
/// matrix `dense`, element by element.
Value addCsrOutliers(OpBuilder &b, Location loc, Value dense, Value rowPtr,
                     Value colInd, Value values) {
  auto denseType = cast<RankedTensorType>(dense.getType());
  Type element = denseType.getElementType();
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  Value rows = indexConstant(b, loc, denseType.getDimSize(0));
  auto rowLoop = scf::ForOp::create(
      b, loc, zero, rows, one, ValueRange{dense},
      [&](OpBuilder &rb, Location l, Value row, ValueRange rowIter) {
        Value nextRow = arith::AddIOp::create(rb, l, row, one);
        auto readIndex = [&](Value tensor, Value at) -> Value {
          Value v = tensor::ExtractOp::create(rb, l, tensor, at);
          return arith::IndexCastOp::create(rb, l, rb.getIndexType(), v);
        };
        Value begin = readIndex(rowPtr, row);
        Value end = readIndex(rowPtr, nextRow);
        auto entryLoop = scf::ForOp::create(
            rb, l, begin, end, one, rowIter,
            [&](OpBuilder &eb, Location el, Value p, ValueRange iter) {
              Value col = arith::IndexCastOp::create(
                  eb, el, eb.getIndexType(),
                  tensor::ExtractOp::create(eb, el, colInd, p));
              Value v = convertFloat(
                  eb, el, tensor::ExtractOp::create(eb, el, values, p),
                  element);
              Value old = tensor::ExtractOp::create(eb, el, iter[0],
                                                    ValueRange{row, col});
              Value sum = arith::AddFOp::create(eb, el, old, v);
              Value updated = tensor::InsertOp::create(eb, el, sum, iter[0],
                                                       ValueRange{row, col});
              scf::YieldOp::create(eb, el, updated);
            });
        scf::YieldOp::create(rb, l, entryLoop.getResults());
      });
  return rowLoop.getResult(0);
}

/// acc[..., n] = step(x[..., k], w[n, k], acc[..., n]) over all k, for
/// activations x [..., K], output-channel-major weights w [N, K] and the
/// initial accumulator `init` [..., N]; `step` gets (x, w, acc).
Value buildContraction(OpBuilder &b, Location loc, Value input, Value weights,
                       Value init, BodyFn step) {
  MLIRContext *ctx = b.getContext();
  int64_t lead = cast<RankedTensorType>(input.getType()).getRank() - 1;
  int64_t loops = lead + 2; // leading dims, n, k
  SmallVector<AffineExpr> xExprs, yExprs;
  for (int64_t d = 0; d < lead; ++d) {
    xExprs.push_back(getAffineDimExpr(d, ctx));
    yExprs.push_back(getAffineDimExpr(d, ctx));
  }
  AffineExpr n = getAffineDimExpr(lead, ctx);
  AffineExpr k = getAffineDimExpr(lead + 1, ctx);
  xExprs.push_back(k);
  yExprs.push_back(n);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, xExprs, ctx),
                                 AffineMap::get(loops, 0, {n, k}, ctx),
                                 AffineMap::get(loops, 0, yExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{input, weights},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, step(nb, l, args));
             })
      .getResult(0);
}

/// y[..., n] = sum_k x[..., k] * w[n, k] (+ bias[n]), accumulating in the
/// result's element type.
Value buildMatmulNT(OpBuilder &b, Location loc, Value input, Value weights,
                    Value bias, RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t lead = inputType.getRank() - 1;
  Type element = resultType.getElementType();
  Value init;
  if (bias) {
    AffineMap biasMap = AffineMap::get(resultType.getRank(), 0,
                                       getAffineDimExpr(lead, ctx), ctx);
    init = buildParallelGeneric(
        b, loc, resultType.getShape(), element, bias, biasMap,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          return convertFloat(nb, l, args[0], element);
        });
  } else {
    Value empty =
        tensor::EmptyOp::create(b, loc, resultType.getShape(), element);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  return buildContraction(
      b, loc, input, weights, init,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value product =
            arith::MulFOp::create(nb, l, convertFloat(nb, l, args[0], element),
                                  convertFloat(nb, l, args[1], element));
        return arith::AddFOp::create(nb, l, args[2], product);
      });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Storage of a quant element type as a plain integer tensor type.
RankedTensorType storageTensorType(RankedTensorType type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type.getElementType()))
    return type.clone(IntegerType::get(
        type.getContext(), quantType.getStorageTypeIntegralWidth()));
  return type;
}

LogicalResult requireStaticShapes(PatternRewriter &rewriter, Operation *op) {
  for (Type type :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto shaped = dyn_cast<ShapedType>(type); !shaped.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
  return success();
}

struct LowerPack : public OpRewritePattern<PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType sourceType = op.getSource().getType();
    RankedTensorType storageType = storageTensorType(sourceType);
    Value source = op.getSource();
    if (storageType != sourceType)
      source = quant::StorageCastOp::create(rewriter, loc, storageType, source);
    unsigned bits = getPackedElementBits(sourceType.getElementType());
    rewriter.replaceOp(
        op, buildPack(rewriter, loc, source, op.getType().getShape(), bits));
    return success();
  }
};

struct LowerUnpack : public OpRewritePattern<UnpackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UnpackOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    unsigned bits = getPackedElementBits(resultType.getElementType());
    Value unpacked =
        buildUnpack(rewriter, loc, op.getSource(), resultType.getShape(), bits);
    if (storageTensorType(resultType) != resultType)
      unpacked =
          quant::StorageCastOp::create(rewriter, loc, resultType, unpacked);
    rewriter.replaceOp(op, unpacked);
    return success();
  }
};

struct LowerDequantize : public OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    RankedTensorType type = op.getType();
    rewriter.replaceOp(op,
                       buildDequantize(rewriter, op.getLoc(), op.getInput(),
                                       op.getScales(), op.getZeroPoints(),
                                       cast<IntegerType>(op.getStorageType()),
                                       type.getShape(), type.getElementType()));
    return success();
  }
};

struct LowerQuantize : public OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    auto storage = cast<IntegerType>(op.getStorageType());
    Value q = buildQuantize(rewriter, op.getLoc(), op.getInput(),
                            op.getScales(), op.getZeroPoints(), storage);
    rewriter.replaceOp(op,
                       buildPack(rewriter, op.getLoc(), q,
                                 op.getType().getShape(), storage.getWidth()));
    return success();
  }
};

/// Shared tail of the weight-times-activation ops: add outliers to the
/// dense float weights, contract, then run the epilogue elementwise:
/// `act(y) + residual`.
template <typename OpTy>
Value finishWeightMatmul(PatternRewriter &rewriter, OpTy op, Value weights) {
  Location loc = op.getLoc();
  if (op.getOutlierRowPtr())
    weights = addCsrOutliers(rewriter, loc, weights, op.getOutlierRowPtr(),
                             op.getOutlierColInd(), op.getOutlierValues());
  RankedTensorType resultType = op.getType();
  Value result = buildMatmulNT(rewriter, loc, op.getInput(), weights,
                               op.getBias(), resultType);
  Activation activation = op.getActivationKind();
  Value residual = op.getResidual();
  if (activation == Activation::none && !residual)
    return result;
  SmallVector<Value> inputs = {result};
  if (residual)
    inputs.push_back(residual);
  SmallVector<AffineMap> maps(
      inputs.size(), rewriter.getMultiDimIdentityMap(resultType.getRank()));
  return buildParallelGeneric(
      rewriter, loc, resultType.getShape(), resultType.getElementType(), inputs,
      maps, [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value y = buildActivation(nb, l, activation, args[0]);
        if (args.size() > 1)
          y = arith::AddFOp::create(nb, l, y, args[1]);
        return y;
      });
}

struct LowerQMatmul : public OpRewritePattern<QMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  // A gated op becomes the same op, ungated, which this pattern lowers next.
  void initialize() { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(QMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    if (op.getGated()) {
      expandGatedMatmul(rewriter, op);
      return success();
    }
    Type element = op.getType().getElementType();
    SmallVector<int64_t> shape = {op.getWeights().getType().getDimSize(0),
                                  op.getInput().getType().getShape().back()};
    Value weights =
        buildDequantize(rewriter, op.getLoc(), op.getWeights(), op.getScales(),
                        op.getZeroPoints(),
                        cast<IntegerType>(op.getStorageType()), shape, element);
    rewriter.replaceOp(op, finishWeightMatmul(rewriter, op, weights));
    return success();
  }
};

struct LowerLutMatmul : public OpRewritePattern<LutMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  // A gated op becomes the same op, ungated, which this pattern lowers next.
  void initialize() { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(LutMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    if (op.getGated()) {
      expandGatedMatmul(rewriter, op);
      return success();
    }
    Location loc = op.getLoc();
    Type element = op.getType().getElementType();
    SmallVector<int64_t> shape = {op.getIndices().getType().getDimSize(0),
                                  op.getInput().getType().getShape().back()};
    Value indices =
        buildUnpack(rewriter, loc, op.getIndices(), shape, op.getBits());
    Value codebooks = op.getCodebooks();
    Value weights = buildParallelGeneric(
        rewriter, loc, shape, element, indices,
        rewriter.getMultiDimIdentityMap(2),
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value row = linalg::IndexOp::create(nb, l, 0);
          Value entry =
              arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), args[0]);
          Value v = tensor::ExtractOp::create(nb, l, codebooks,
                                              ValueRange{row, entry});
          return convertFloat(nb, l, v, element);
        });
    rewriter.replaceOp(op, finishWeightMatmul(rewriter, op, weights));
    return success();
  }
};

struct LowerIntMatmul : public OpRewritePattern<IntMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IntMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    int64_t lead = inputType.getRank() - 1;
    Type i32 = rewriter.getI32Type();
    SmallVector<int64_t> accShape(resultType.getShape());
    Value empty = tensor::EmptyOp::create(rewriter, loc, accShape, i32);
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    Value acc = buildContraction(
        rewriter, loc, op.getInput(), op.getWeights(), init,
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value product = arith::MulIOp::create(
              nb, l, arith::ExtSIOp::create(nb, l, i32, args[0]),
              arith::ExtSIOp::create(nb, l, i32, args[1]));
          return arith::AddIOp::create(nb, l, args[2], product);
        });
    if (!op.getInputScales()) {
      rewriter.replaceOp(op, acc);
      return success();
    }

    // acc * input_scale * weight_scale (+ bias), in f32.
    int64_t rank = resultType.getRank();
    auto scaleMap = [&](Value scales, ArrayRef<AffineExpr> dims) {
      ArrayRef<int64_t> shape =
          cast<RankedTensorType>(scales.getType()).getShape();
      SmallVector<AffineExpr> exprs;
      for (auto [size, dim] : llvm::zip(shape, dims))
        exprs.push_back(size == 1 ? getAffineConstantExpr(0, ctx) : dim);
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> inputScaleDims;
    for (int64_t d = 0; d < lead; ++d)
      inputScaleDims.push_back(getAffineDimExpr(d, ctx));
    inputScaleDims.push_back(getAffineConstantExpr(0, ctx));
    AffineExpr nOut = getAffineDimExpr(lead, ctx);
    SmallVector<Value> inputs = {acc, op.getInputScales(),
                                 op.getWeightScales()};
    SmallVector<AffineMap> inputMaps = {
        rewriter.getMultiDimIdentityMap(rank),
        scaleMap(op.getInputScales(), inputScaleDims),
        scaleMap(op.getWeightScales(), {nOut, getAffineConstantExpr(0, ctx)})};
    if (op.getBias()) {
      inputs.push_back(op.getBias());
      inputMaps.push_back(AffineMap::get(rank, 0, nOut, ctx));
    }
    Type element = resultType.getElementType();
    Type f32 = rewriter.getF32Type();
    Value result = buildParallelGeneric(
        rewriter, loc, resultType.getShape(), element, inputs, inputMaps,
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value v = arith::SIToFPOp::create(nb, l, f32, args[0]);
          v = arith::MulFOp::create(nb, l, v,
                                    convertFloat(nb, l, args[1], f32));
          v = arith::MulFOp::create(nb, l, v,
                                    convertFloat(nb, l, args[2], f32));
          if (args.size() > 3)
            v = arith::AddFOp::create(nb, l, v,
                                      convertFloat(nb, l, args[3], f32));
          return convertFloat(nb, l, v, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerObserve : public OpRewritePattern<ObserveOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ObserveOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct LowerSmooth : public OpRewritePattern<SmoothOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SmoothOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    Type element = type.getElementType();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), type.getShape(), element,
        {op.getInput(), op.getScales()},
        {rewriter.getMultiDimIdentityMap(rank),
         AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx)},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(nb, l, args[0],
                                       convertFloat(nb, l, args[1], element));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Shapes and maps of a norm along the last dim of `input`.
struct RowNormSpace {
  RowNormSpace(PatternRewriter &rewriter, Value input) {
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(input.getType());
    shape = type.getShape();
    rank = type.getRank();
    element = cast<FloatType>(type.getElementType());
    identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<AffineExpr> rowExprs;
    for (int64_t d = 0; d + 1 < rank; ++d)
      rowExprs.push_back(getAffineDimExpr(d, ctx));
    rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
    channelMap = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
  }

  /// Row sums of `term(x, row values...)` over the last dim.
  Value rowSums(PatternRewriter &rewriter, Location loc, ValueRange inputs,
                ArrayRef<AffineMap> inputMaps,
                function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape.drop_back(), element);
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getFloatAttr(element, 0.0));
    Value filled = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                          ValueRange{empty})
                       .getResult(0);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    SmallVector<AffineMap> maps(inputMaps);
    maps.push_back(rowMap);
    return linalg::GenericOp::create(
               rewriter, loc, filled.getType(), inputs, ValueRange{filled},
               maps, iterators,
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value value = term(b, l, args.drop_back());
                 linalg::YieldOp::create(b, l,
                                         ValueRange{arith::AddFOp::create(
                                             b, l, value, args.back())});
               })
        .getResult(0);
  }

  Value constant(OpBuilder &b, Location loc, double value) const {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(element, value));
  }

  /// 1 / sqrt(sum / K + epsilon) per row, in the importer's order: a
  /// generic over the rows, so that the square root and divisions run once
  /// per row rather than once per element.
  Value rowInverseRoots(PatternRewriter &rewriter, Location loc, Value sums,
                        double epsilon) const {
    return buildParallelGeneric(
        rewriter, loc, shape.drop_back(), element, {sums},
        {rewriter.getMultiDimIdentityMap(rank - 1)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return inverseRoot(b, l, args[0], epsilon);
        });
  }

  /// 1 / sqrt(sum / K + epsilon), in the importer's order.
  Value inverseRoot(OpBuilder &b, Location loc, Value sum,
                    double epsilon) const {
    Value mean = arith::DivFOp::create(
        b, loc, sum, constant(b, loc, static_cast<double>(shape.back())));
    Value shifted =
        arith::AddFOp::create(b, loc, mean, constant(b, loc, epsilon));
    Value root = math::SqrtOp::create(b, loc, shifted);
    return arith::DivFOp::create(b, loc, constant(b, loc, 1.0), root);
  }

  ArrayRef<int64_t> shape;
  int64_t rank;
  FloatType element;
  AffineMap identity, rowMap, channelMap;
};

/// Dynamic quantization's per-token scales of `values`, [..., 1] f32:
/// max |y| over the row / qmax, 1 for an all-zero row, in the order
/// sparq-fold-calibration's dynamic activations compute them, so that the
/// fused and unfused graphs agree bit for bit.
Value buildTokenScales(PatternRewriter &rewriter, Location loc,
                       const RowNormSpace &space, Value values,
                       IntegerType storage) {
  Type f32 = rewriter.getF32Type();
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, space.shape.drop_back(), f32);
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
  Value init =
      linalg::FillOp::create(rewriter, loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
  SmallVector<utils::IteratorType> iterators(space.rank,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  Value absMax =
      linalg::GenericOp::create(
          rewriter, loc, init.getType(), ValueRange{values}, ValueRange{init},
          ArrayRef<AffineMap>{space.identity, space.rowMap}, iterators,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value y = convertFloat(b, l, args[0], b.getF32Type());
            Value negated = arith::NegFOp::create(b, l, y);
            Value abs = arith::MaximumFOp::create(b, l, y, negated);
            linalg::YieldOp::create(
                b, l,
                ValueRange{arith::MaximumFOp::create(b, l, abs, args[1])});
          })
          .getResult(0);
  SmallVector<int64_t> scaleShape(space.shape);
  scaleShape.back() = 1;
  double qmax =
      static_cast<double>((int64_t(1) << (storage.getWidth() - 1)) - 1);
  return buildParallelGeneric(
      rewriter, loc, scaleShape, f32, {absMax}, {space.rowMap},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value scale = arith::DivFOp::create(
            b, l, args[0],
            arith::ConstantOp::create(b, l, b.getF32FloatAttr(qmax)));
        Value positive = arith::CmpFOp::create(
            b, l, arith::CmpFPredicate::OGT, args[0],
            arith::ConstantOp::create(b, l, b.getF32FloatAttr(0)));
        return arith::SelectOp::create(
            b, l, positive, scale,
            arith::ConstantOp::create(b, l, b.getF32FloatAttr(1)));
      });
}

/// Replaces `op` by the quantized, packed normalized `values`: with its
/// static parameters, or per token (also returning the scales).
template <typename OpTy>
void replaceByQuantized(PatternRewriter &rewriter, OpTy op,
                        const RowNormSpace &space, Value values) {
  auto storage = cast<IntegerType>(op.getStorageType());
  Location loc = op.getLoc();
  Value scales = op.getScales();
  if (!scales)
    scales = buildTokenScales(rewriter, loc, space, values, storage);
  Value q =
      buildQuantize(rewriter, loc, values, scales, op.getZeroPoints(), storage);
  SmallVector<Value> results = {buildPack(rewriter, loc, q,
                                          op.getResult().getType().getShape(),
                                          storage.getWidth())};
  if (op.getTokenScales())
    results.push_back(scales);
  rewriter.replaceOp(op, results);
}

/// RMSNorm then quantization: the row sums of x^2 (one pass), then
/// gamma * (x * 1 / sqrt(sum / K + epsilon)) quantized, with the operations
/// in the order of the ONNX importer's unfused graph so that both round the
/// same. Elementwise fusion later puts the normalization into the quantize
/// loop, so the float activations are not written.
struct LowerRmsNormQuantize : public OpRewritePattern<RmsNormQuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormQuantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RowNormSpace space(rewriter, op.getInput());
    Value sums =
        space.rowSums(rewriter, loc, {op.getInput()}, {space.identity},
                      [](OpBuilder &b, Location l, ValueRange args) -> Value {
                        return arith::MulFOp::create(b, l, args[0], args[0]);
                      });
    Value inverses = space.rowInverseRoots(
        rewriter, loc, sums, op.getEpsilon().convertToDouble());
    Value normalized = buildParallelGeneric(
        rewriter, loc, space.shape, space.element,
        {op.getInput(), inverses, op.getGamma()},
        {space.identity, space.rowMap, space.channelMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value scaled = arith::MulFOp::create(b, l, args[0], args[1]);
          return arith::MulFOp::create(b, l, args[2], scaled);
        });
    replaceByQuantized(rewriter, op, space, normalized);
    return success();
  }
};

/// LayerNorm then quantization, in the importer's order: the row means,
/// the row sums of (x - mean)^2, then ((x - mean) * 1 / sqrt(var + eps)) *
/// gamma + beta quantized.
struct LowerLayerNormQuantize : public OpRewritePattern<LayerNormQuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormQuantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RowNormSpace space(rewriter, op.getInput());
    Value x = op.getInput();
    Value sums =
        space.rowSums(rewriter, loc, {x}, {space.identity},
                      [](OpBuilder &, Location, ValueRange args) -> Value {
                        return args[0];
                      });
    double channels = static_cast<double>(space.shape.back());
    Value means = buildParallelGeneric(
        rewriter, loc, space.shape.drop_back(), space.element, {sums},
        {rewriter.getMultiDimIdentityMap(space.rank - 1)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0],
                                       space.constant(b, l, channels));
        });
    Value squares =
        space.rowSums(rewriter, loc, {x, means}, {space.identity, space.rowMap},
                      [](OpBuilder &b, Location l, ValueRange args) -> Value {
                        Value centered =
                            arith::SubFOp::create(b, l, args[0], args[1]);
                        return arith::MulFOp::create(b, l, centered, centered);
                      });
    Value inverses = space.rowInverseRoots(rewriter, loc, squares,
                                           op.getEpsilon().convertToDouble());
    SmallVector<Value> inputs = {x, means, inverses, op.getGamma()};
    SmallVector<AffineMap> maps = {space.identity, space.rowMap, space.rowMap,
                                   space.channelMap};
    if (op.getBeta()) {
      inputs.push_back(op.getBeta());
      maps.push_back(space.channelMap);
    }
    Value normalized = buildParallelGeneric(
        rewriter, loc, space.shape, space.element, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value inverse = args[2];
          Value centered = arith::SubFOp::create(b, l, args[0], args[1]);
          Value scaled = arith::MulFOp::create(b, l, centered, inverse);
          Value y = arith::MulFOp::create(b, l, scaled, args[3]);
          if (args.size() > 4)
            y = arith::AddFOp::create(b, l, y, args[4]);
          return y;
        });
    replaceByQuantized(rewriter, op, space, normalized);
    return success();
  }
};

/// softmax(mask(x * scale)) along the last dim without writing the scaled or
/// masked scores t (recomputed from x where needed): the row maximum of t,
/// exp(t - max) into the result, its row sums, and the division in place.
struct LowerSoftmax : public OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank();
    auto element = cast<FloatType>(type.getElementType());

    SmallVector<Value> inputs{op.getInput()};
    SmallVector<AffineMap> inputMaps{rewriter.getMultiDimIdentityMap(rank)};
    Value mask = op.getMask();
    bool selectMask = false;
    if (mask) {
      // Trailing-aligned broadcast: size-1 mask dims read index 0.
      auto maskType = cast<RankedTensorType>(mask.getType());
      int64_t offset = rank - maskType.getRank();
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < maskType.getRank(); ++d)
        exprs.push_back(maskType.getDimSize(d) == 1 && shape[offset + d] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(offset + d, ctx));
      inputs.push_back(mask);
      inputMaps.push_back(AffineMap::get(rank, 0, exprs, ctx));
      selectMask = maskType.getElementType().isInteger(1);
    }
    std::optional<APFloat> scale = op.getScale();
    std::optional<APFloat> fill = op.getFill();
    // t = mask(x * scale) from the block arguments of x (and the mask).
    auto scores = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
      Value t = args[0];
      if (scale)
        t = arith::MulFOp::create(
            b, l, t,
            arith::ConstantOp::create(
                b, l, b.getFloatAttr(element, scale->convertToDouble())));
      if (!mask)
        return t;
      if (selectMask)
        return arith::SelectOp::create(
            b, l, args[1], t,
            arith::ConstantOp::create(
                b, l, b.getFloatAttr(element, fill->convertToDouble())));
      return arith::AddFOp::create(b, l, t, args[1]);
    };

    // Row statistics are [d0, ..., d_{r-2}], read back with the last dim
    // dropped.
    SmallVector<int64_t> rowShape(shape.drop_back());
    SmallVector<AffineExpr> rowExprs;
    for (int64_t d = 0; d + 1 < rank; ++d)
      rowExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
    SmallVector<utils::IteratorType> reduction(rank,
                                               utils::IteratorType::parallel);
    reduction.back() = utils::IteratorType::reduction;
    auto reduceRows =
        [&](ArrayRef<Value> operands, ArrayRef<AffineMap> operandMaps,
            double init,
            function_ref<Value(OpBuilder &, Location, ValueRange, Value)>
                combine) -> Value {
      Value empty = tensor::EmptyOp::create(rewriter, loc, rowShape, element);
      Value filled =
          linalg::FillOp::create(
              rewriter, loc,
              ValueRange{arith::ConstantOp::create(
                  rewriter, loc, rewriter.getFloatAttr(element, init))},
              ValueRange{empty})
              .getResult(0);
      SmallVector<AffineMap> maps(operandMaps);
      maps.push_back(rowMap);
      return linalg::GenericOp::create(
                 rewriter, loc, filled.getType(), operands, ValueRange{filled},
                 maps, reduction,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       b, l, combine(b, l, args.drop_back(), args.back()));
                 })
          .getResult(0);
    };

    Value rowMax = reduceRows(
        inputs, inputMaps, -std::numeric_limits<double>::infinity(),
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, acc, scores(b, l, args));
        });
    SmallVector<Value> withMax(inputs);
    withMax.push_back(rowMax);
    SmallVector<AffineMap> withMaxMaps(inputMaps);
    withMaxMaps.push_back(rowMap);
    auto shiftedExp = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
      Value t = scores(b, l, args.drop_back());
      return math::ExpOp::create(b, l,
                                 arith::SubFOp::create(b, l, t, args.back()));
    };
    // exp(t - max) once per element, into what becomes the result's
    // buffer: recomputing it in the division pass would double the most
    // expensive operation of the op.
    Value exps = buildParallelGeneric(rewriter, loc, shape, element, withMax,
                                      withMaxMaps, shiftedExp);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value rowSum = reduceRows(
        {exps}, {identity}, 0.0,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, args[0]);
        });
    // The division in place over the exponentials.
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, exps.getType(), ValueRange{rowSum},
            ValueRange{exps}, ArrayRef<AffineMap>{rowMap, identity},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::DivFOp::create(b, l, args[1],
                                                         args[0])});
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertSparqToLinalgPass
    : public sparq::impl::ConvertSparqToLinalgBase<ConvertSparqToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<SparqDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, quant::QuantDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateSparqToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void sparq::populateSparqToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerDequantize, LowerIntMatmul, LowerLutMatmul, LowerObserve,
               LowerLayerNormQuantize, LowerPack, LowerQMatmul, LowerQuantize,
               LowerRmsNormQuantize, LowerSmooth, LowerSoftmax, LowerUnpack>(
      patterns.getContext());
}
