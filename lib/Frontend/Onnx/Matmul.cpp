//===- Matmul.cpp - ONNX MatMul and Gemm converters -----------------------===//
//
// Part of the sparq project.
//
// MatMul follows numpy.matmul: 1-D operands are promoted to matrices and the
// added dimension is dropped again, batch dimensions broadcast. The weight
// case `x[..., K] @ W[K, N]` becomes one `linalg.matmul` between collapsed
// activations and W, which is the form later passes rewrite into quantized
// matmuls; true batched products become `linalg.batch_matmul`.
//
// Products accumulate in the element type. For f16/bf16 that is less precise
// than what runtimes do (they accumulate in f32); widening the accumulator is
// left to the lowering, which sees the plain contraction.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <cmath>

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {
int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims)
    result *= dim;
  return result;
}

SmallVector<int64_t> concat(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> result(lhs);
  result.append(rhs.begin(), rhs.end());
  return result;
}

/// `input` broadcast (numpy rules) to `shape`; materialized only if needed.
Value broadcastTo(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  return buildElementwise(
      b, loc, input, shape, type.getElementType(),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// A zero-filled accumulator of `shape`.
Value zeroAccumulator(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Type elementType) {
  Value empty = createEmpty(b, loc, shape, elementType);
  Value zero = createScalar(b, loc, elementType, 0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// [M, K] x [K, N] -> [M, N] with linalg.matmul.
Value buildMatmul2D(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> shape = {lhsType.getDimSize(0), rhsType.getDimSize(1)};
  Value init = zeroAccumulator(b, loc, shape, lhsType.getElementType());
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}

/// [B, M, K] x [B, K, N] -> [B, M, N] with linalg.batch_matmul.
Value buildBatchMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> shape = {lhsType.getDimSize(0), lhsType.getDimSize(1),
                                rhsType.getDimSize(2)};
  Value init = zeroAccumulator(b, loc, shape, lhsType.getElementType());
  return linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                       ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}
} // namespace

/// numpy.matmul of `a` and `b` (same element type, accumulated in it). The
/// returned tensor keeps the unit dims that 1-D operands were promoted with:
/// it is [batch..., M, N]; `resultShape` receives numpy's result shape (those
/// dims dropped), which callers reshape to once they are done with
/// per-row/per-column epilogues.
FailureOr<Value>
sparq::onnx_frontend::buildNumpyMatmul(NodeContext &node, Value a, Value b,
                                       SmallVectorImpl<int64_t> &resultShape) {
  OpBuilder &builder = node.getBuilder();
  Location loc = node.getLoc();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(b.getType());
  ArrayRef<int64_t> aShape = aType.getShape();
  ArrayRef<int64_t> bShape = bType.getShape();
  if (aType.getRank() == 0 || bType.getRank() == 0)
    return node.emitError()
           << "inputs must have rank >= 1, got A " << formatShape(aShape)
           << " and B " << formatShape(bShape);
  // numpy promotes a 1-D A to [1, K] and a 1-D B to [K, 1].
  SmallVector<int64_t> aPromoted(aShape), bPromoted(bShape);
  if (aType.getRank() == 1)
    aPromoted.insert(aPromoted.begin(), 1);
  if (bType.getRank() == 1)
    bPromoted.push_back(1);
  int64_t m = aPromoted[aPromoted.size() - 2];
  int64_t k = aPromoted.back();
  int64_t bRows = bPromoted[bPromoted.size() - 2];
  int64_t n = bPromoted.back();
  if (k != bRows)
    return node.emitError()
           << "inner dimensions differ: A " << formatShape(aShape)
           << " has K = " << k << " but B " << formatShape(bShape) << " has "
           << bRows << " rows";
  ArrayRef<int64_t> aBatch = ArrayRef(aPromoted).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef(bPromoted).drop_back(2);
  std::optional<SmallVector<int64_t>> batch = broadcastShapes({aBatch, bBatch});
  if (!batch)
    return node.emitError()
           << "batch dimensions of A " << formatShape(aShape) << " and B "
           << formatShape(bShape) << " do not broadcast";
  resultShape.assign(batch->begin(), batch->end());
  if (aType.getRank() > 1)
    resultShape.push_back(m);
  if (bType.getRank() > 1)
    resultShape.push_back(n);
  SmallVector<int64_t> promotedShape = concat(*batch, {m, n});

  Value lhs = reshape(builder, loc, a, aPromoted);
  Value rhs = reshape(builder, loc, b, bPromoted);
  if (llvm::all_of(bBatch, [](int64_t dim) { return dim == 1; })) {
    // B is one [K, N] matrix (a weight): every row of A, whatever its batch
    // position, meets the same B, so one 2-D matmul does it.
    Value rows = reshape(builder, loc, lhs, {product(aPromoted) / k, k});
    Value weight = reshape(builder, loc, rhs, {k, n});
    Value product2D = buildMatmul2D(builder, loc, rows, weight);
    Value unflattened =
        reshape(builder, loc, product2D, concat(aBatch, {m, n}));
    return reshape(builder, loc, unflattened, promotedShape);
  }
  int64_t batchSize = product(*batch);
  lhs = broadcastTo(builder, loc, lhs, concat(*batch, {m, k}));
  rhs = broadcastTo(builder, loc, rhs, concat(*batch, {k, n}));
  lhs = reshape(builder, loc, lhs, {batchSize, m, k});
  rhs = reshape(builder, loc, rhs, {batchSize, k, n});
  Value product3D = buildBatchMatmul(builder, loc, lhs, rhs);
  return reshape(builder, loc, product3D, promotedShape);
}

namespace {
/// Element types MatMul and Gemm take (opset 13): floats and 32/64-bit
/// integers. Integer products wrap modulo 2^bits, the same for signed and
/// unsigned types.
bool isMatmulDType(int32_t dtype) {
  switch (static_cast<DType>(dtype)) {
  case DType::Float:
  case DType::Float16:
  case DType::BFloat16:
  case DType::Double:
  case DType::Int32:
  case DType::Int64:
  case DType::UInt32:
  case DType::UInt64:
    return true;
  default:
    return false;
  }
}

/// Checks that A and B are present and share a supported element type.
LogicalResult checkOperandTypes(NodeContext &node) {
  static constexpr StringRef names[] = {"A", "B"};
  for (auto [index, name] : llvm::enumerate(names))
    if (!node.hasInput(index))
      return node.emitError()
             << "input '" << name << "' (" << index << ") is required";
  int32_t aDType = node.getInputDType(0);
  int32_t bDType = node.getInputDType(1);
  if (aDType != bDType)
    return node.emitError()
           << "A is " << dtypeName(aDType) << " but B is " << dtypeName(bDType);
  if (!isMatmulDType(aDType))
    return node.emitError()
           << "element type " << dtypeName(aDType)
           << " is not supported (FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT32, "
              "INT64, UINT32 or UINT64)";
  return success();
}

LogicalResult convertMatMul(NodeContext &node) {
  if (failed(checkOperandTypes(node)))
    return failure();
  SmallVector<int64_t> resultShape;
  FailureOr<Value> product = buildNumpyMatmul(
      node, node.getInputValue(0), node.getInputValue(1), resultShape);
  if (failed(product))
    return failure();
  Value result =
      reshape(node.getBuilder(), node.getLoc(), *product, resultShape);
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}

/// Integer Gemms compute in the element type, so alpha and beta must be
/// whole numbers there.
LogicalResult checkCoefficient(NodeContext &node, StringRef name, float value,
                               Type elementType) {
  if (!isa<FloatType>(elementType) && value != std::trunc(value))
    return node.emitError() << name << " " << value
                            << " is not a whole number, but the operands are "
                            << dtypeName(node.getInputDType(0));
  return success();
}

/// Y = alpha * op(A) op(B) + beta * C (opsets 11-13: C optional).
LogicalResult convertGemm(NodeContext &node) {
  if (failed(checkOperandTypes(node)))
    return failure();
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  RankedTensorType aType = node.getInputType(0);
  RankedTensorType bType = node.getInputType(1);
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return node.emitError()
           << "A and B must be 2-D, got A " << formatShape(aType.getShape())
           << " and B " << formatShape(bType.getShape());
  int64_t transA = node.getInt("transA", 0);
  int64_t transB = node.getInt("transB", 0);
  Value lhs = node.getInputValue(0);
  Value rhs = node.getInputValue(1);
  if (transA)
    lhs = transpose(b, loc, lhs, {1, 0});
  if (transB)
    rhs = transpose(b, loc, rhs, {1, 0});
  ArrayRef<int64_t> lhsShape = cast<RankedTensorType>(lhs.getType()).getShape();
  ArrayRef<int64_t> rhsShape = cast<RankedTensorType>(rhs.getType()).getShape();
  if (lhsShape[1] != rhsShape[0])
    return node.emitError()
           << "inner dimensions differ: op(A) is " << formatShape(lhsShape)
           << " and op(B) is " << formatShape(rhsShape)
           << " (transA = " << transA << ", transB = " << transB << ")";
  SmallVector<int64_t> shape = {lhsShape[0], rhsShape[1]};
  Type elementType = aType.getElementType();

  float alpha = node.getFloat("alpha", 1.0f);
  float beta = node.getFloat("beta", 1.0f);
  Value c;
  if (node.hasInput(2) && beta != 0.0f) {
    c = node.getInputValue(2);
    ArrayRef<int64_t> cShape = node.getInputType(2).getShape();
    if (node.getInputDType(2) != node.getInputDType(0))
      return node.emitError()
             << "C is " << dtypeName(node.getInputDType(2)) << " but A is "
             << dtypeName(node.getInputDType(0));
    // Unidirectional broadcasting: C stretches to [M, N], never the reverse.
    std::optional<SmallVector<int64_t>> broadcast =
        broadcastShapes({cShape, shape});
    if (cShape.size() > 2 || !broadcast || *broadcast != ArrayRef(shape))
      return node.emitError()
             << "C " << formatShape(cShape)
             << " does not broadcast to [M, N] = " << formatShape(shape);
  }
  if (failed(checkCoefficient(node, "alpha", alpha, elementType)) ||
      failed(checkCoefficient(node, "beta", beta, elementType)))
    return failure();

  Value result = buildMatmul2D(b, loc, lhs, rhs);
  if (alpha == 1.0f && !c) {
    node.setOutput(0, result, node.getInputDType(0));
    return success();
  }
  bool isFloat = isa<FloatType>(elementType);
  auto mul = [&](OpBuilder &nb, Location l, Value x, Value y) -> Value {
    return isFloat ? Value(arith::MulFOp::create(nb, l, x, y))
                   : Value(arith::MulIOp::create(nb, l, x, y));
  };
  SmallVector<Value> inputs = {result};
  if (c)
    inputs.push_back(c);
  result = buildElementwise(
      b, loc, inputs, shape, elementType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value y = args[0];
        if (alpha != 1.0f)
          y = mul(nb, l, createScalar(nb, l, elementType, alpha), y);
        if (!c)
          return y;
        Value z = args[1];
        if (beta != 1.0f)
          z = mul(nb, l, createScalar(nb, l, elementType, beta), z);
        return isFloat ? Value(arith::AddFOp::create(nb, l, y, z))
                       : Value(arith::AddIOp::create(nb, l, y, z));
      });
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}
} // namespace

void sparq::onnx_frontend::registerMatmulConverters(
    ConverterRegistry &registry) {
  // MatMul's semantics are unchanged since opset 9 (types only); Gemm's since
  // opset 11 (C optional).
  registry.add("", "MatMul", 9, convertMatMul);
  registry.add("", "Gemm", 11, convertGemm);
}
