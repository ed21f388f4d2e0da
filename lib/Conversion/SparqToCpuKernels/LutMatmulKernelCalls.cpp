//===- LutMatmulKernelCalls.cpp - codebook matmuls as kernel calls --------===//
//
// Part of the sparq project.
//
// The sparq.lut_matmul half of convert-sparq-to-cpu-kernels: ops a kernel
// covers become calls of kernel declarations on the operands' buffers.
//
//===----------------------------------------------------------------------===//

#include "LutMatmulKernels.h"

#include "sparq/Conversion/KernelOperands.h"
#include "sparq/Dialect/Sparq/IR/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

std::string LutKernelSpec::name(TypeRange argTypes) const {
  // The codebook, bias and outlier element types distinguish kernels of one
  // shape; they are the element types of arguments 2 and later.
  std::string types;
  llvm::raw_string_ostream os(types);
  for (Type type : argTypes.drop_front(2).drop_back())
    os << "_" << cast<ShapedType>(type).getElementType();
  return llvm::formatv(
             "__sparq_lut_matmul_b{0}_m{1}_n{2}_k{3}{4}{5}{6}_v{7}{8}", bits, m,
             n, k, hasBias ? "_bias" : "", hasOutliers ? "_csr" : "", types,
             vectorBits, vbmi ? "_vbmi" : "")
      .str();
}

DictionaryAttr LutKernelSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  return b.getDictionaryAttr({
      b.getNamedAttr("m", b.getI64IntegerAttr(m)),
      b.getNamedAttr("n", b.getI64IntegerAttr(n)),
      b.getNamedAttr("k", b.getI64IntegerAttr(k)),
      b.getNamedAttr("bits", b.getI64IntegerAttr(bits)),
      b.getNamedAttr("bias", b.getBoolAttr(hasBias)),
      b.getNamedAttr("outliers", b.getBoolAttr(hasOutliers)),
      b.getNamedAttr("vector_bits", b.getI64IntegerAttr(vectorBits)),
      b.getNamedAttr("vbmi", b.getBoolAttr(vbmi)),
  });
}

FailureOr<LutKernelSpec> LutKernelSpec::fromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  SpecAttrReader read(attr);
  auto m = read.getInt("m"), n = read.getInt("n"), k = read.getInt("k"),
       bits = read.getInt("bits"), vectorBits = read.getInt("vector_bits");
  auto bias = read.getBool("bias"), outliers = read.getBool("outliers"),
       vbmi = read.getBool("vbmi");
  if (!m || !n || !k || !bits || !vectorBits || !bias || !outliers || !vbmi ||
      (*vbmi && *vectorBits != 512) || (*bits != 3 && *bits != 4) ||
      (*vectorBits != 256 && *vectorBits != 512) || *m <= 0 || *n <= 0 ||
      *k <= 0 || *k % kStepCodes != 0)
    return failure();
  LutKernelSpec spec;
  spec.m = *m;
  spec.n = *n;
  spec.k = *k;
  spec.bits = *bits;
  spec.hasBias = *bias;
  spec.hasOutliers = *outliers;
  spec.vectorBits = *vectorBits;
  spec.vbmi = *vbmi;
  return spec;
}

bool LutKernelSpec::matches(FunctionType type) const {
  if (type.getNumResults() != 0)
    return false;
  ArrayRef<Type> args = type.getInputs();
  size_t expected = 4 + (hasBias ? 1 : 0) + (hasOutliers ? 3 : 0);
  if (args.size() != expected)
    return false;
  size_t next = 0;
  // The next argument is a memref of `shape` (a dynamic size matches any)
  // whose elements satisfy `element`, with a unit innermost stride.
  auto isArg = [&](ArrayRef<int64_t> shape, function_ref<bool(Type)> element) {
    return isKernelArgOf(args[next++], shape, element);
  };
  auto isF32 = [](Type t) { return t.isF32(); };
  auto isFloat = [](Type t) { return isa<FloatType>(t); };
  auto isI8 = [](Type t) { return t.isInteger(8); };
  auto isI32 = [](Type t) { return t.isInteger(32); };
  if (!isArg({m, k}, isF32) || !isArg({n, k * bits / 8}, isI8) ||
      !isArg({n, entries()}, isFloat))
    return false;
  if (hasBias && !isArg({n}, isFloat))
    return false;
  if (hasOutliers &&
      (!isArg({n + 1}, isI32) || !isArg({ShapedType::kDynamic}, isI32) ||
       !isArg({ShapedType::kDynamic}, isFloat)))
    return false;
  return isArg({m, n}, isF32);
}

std::string sparq::cpu_kernels::unsupportedLutReason(LutMatmulOp op,
                                                     int64_t maxRows,
                                                     int64_t vectorBits,
                                                     bool vbmi,
                                                     LutKernelSpec &spec) {
  if (vectorBits != 256 && vectorBits != 512)
    return "no vector permute for the target";
  spec.vectorBits = vectorBits;
  spec.vbmi = vbmi && vectorBits == 512;
  RankedTensorType inputType = op.getInput().getType();
  if (!inputType.getElementType().isF32() ||
      !op.getType().getElementType().isF32())
    return "activations or result are not f32";
  if (!inputType.hasStaticShape() || !op.getType().hasStaticShape())
    return "dynamic shapes";
  spec.bits = op.getBits();
  if (spec.bits != 3 && spec.bits != 4)
    return "only 3- and 4-bit codebooks have kernels";
  spec.k = inputType.getShape().back();
  spec.n = op.getIndices().getType().getDimSize(0);
  if (spec.k == 0 || spec.n == 0 || inputType.getNumElements() == 0)
    return "empty matmul";
  spec.m = inputType.getNumElements() / spec.k;
  if (spec.m > maxRows)
    return "more rows than max-rows";
  if (spec.k % LutKernelSpec::kStepCodes != 0)
    return "K is not a multiple of 32";
  spec.hasBias = static_cast<bool>(op.getBias());
  spec.hasOutliers = static_cast<bool>(op.getOutlierRowPtr());
  if (spec.hasOutliers && !op.getOutlierValues().getType().hasStaticShape())
    return "dynamic outlier count";
  return "";
}

namespace {

/// The epilogue of `op` on the kernel's [rows, cols] result, as one
/// elementwise generic after the call. The codebook kernels accumulate some
/// outputs over several chunks, so the activation cannot run at the store
/// of a partial sum; the generic fuses with its consumers instead.
Value applyEpilogue(RewriterBase &rewriter, Location loc, LutMatmulOp op,
                    Value matrix, int64_t rows, int64_t cols) {
  Activation activation = op.getActivationKind();
  Value residual = op.getResidual();
  if (activation == Activation::none && !residual)
    return matrix;
  SmallVector<Value> inputs = {matrix};
  if (residual)
    inputs.push_back(flattenToRows(rewriter, loc, residual, rows));
  Type f32 = rewriter.getF32Type();
  Value init = tensor::EmptyOp::create(rewriter, loc,
                                       ArrayRef<int64_t>{rows, cols}, f32);
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              rewriter.getMultiDimIdentityMap(2));
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             rewriter, loc, init.getType(), inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &b, Location l, ValueRange args) {
               Value y = buildActivation(b, l, activation, args[0]);
               if (residual)
                 y = arith::AddFOp::create(b, l, y, args[1]);
               linalg::YieldOp::create(b, l, y);
             })
      .getResult(0);
}

} // namespace

void sparq::cpu_kernels::lowerLutMatmulToKernelCall(LutMatmulOp op,
                                                    int64_t maxRows,
                                                    int64_t vectorBits,
                                                    bool vbmi,
                                                    RewriterBase &rewriter) {
  // The codebook kernels finish some outputs over several chunks, so they
  // cannot pair gate and up outputs at the store: gated ops run as the wide
  // kernel and an elementwise product.
  if (op.getGated())
    op = cast<LutMatmulOp>(expandGatedMatmul(rewriter, op));
  LutKernelSpec spec;
  if (!unsupportedLutReason(op, maxRows, vectorBits, vbmi, spec).empty())
    return;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);

  SmallVector<Value> args;
  SmallVector<Type> types;
  auto addBuffer = [&](Value tensor) {
    appendKernelArg(rewriter, loc, tensor, args, types);
  };
  addBuffer(flattenToRows(rewriter, loc, op.getInput(), spec.m));
  addBuffer(op.getIndices());
  addBuffer(op.getCodebooks());
  if (spec.hasBias)
    addBuffer(op.getBias());
  if (spec.hasOutliers) {
    addBuffer(op.getOutlierRowPtr());
    addBuffer(op.getOutlierColInd());
    addBuffer(op.getOutlierValues());
  }
  auto outType = MemRefType::get({spec.m, spec.n}, rewriter.getF32Type());
  Value out = memref::AllocOp::create(rewriter, loc, outType, ValueRange{},
                                      rewriter.getI64IntegerAttr(64));
  args.push_back(out);
  types.push_back(outType);

  auto module = op->getParentOfType<ModuleOp>();
  std::string name = spec.name(types);
  auto kernel = module.lookupSymbol<func::FuncOp>(name);
  if (!kernel) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToEnd(module.getBody());
    kernel = func::FuncOp::create(rewriter, module.getLoc(), name,
                                  rewriter.getFunctionType(types, {}));
    kernel.setPrivate();
    kernel->setAttr(kLutKernelAttrName, spec.toAttr(module.getContext()));
  }
  func::CallOp::create(rewriter, loc, kernel, args);
  Value result = bufferization::ToTensorOp::create(
      rewriter, loc,
      RankedTensorType::get({spec.m, spec.n}, rewriter.getF32Type()), out,
      /*restrict=*/true, /*writable=*/true);
  result = applyEpilogue(rewriter, loc, op, result, spec.m, spec.n);
  rewriter.replaceOp(op, unflattenRows(rewriter, loc, result, op.getType()));
}
