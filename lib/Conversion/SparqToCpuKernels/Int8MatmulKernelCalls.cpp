//===- Int8MatmulKernelCalls.cpp - W8A8 matmuls as kernel calls -----------===//
//
// Part of the sparq project.
//
// The sparq.int_matmul part of convert-sparq-to-cpu-kernels: ops a kernel
// covers become calls of kernel declarations on the operands' buffers.
//
//===----------------------------------------------------------------------===//

#include "Int8MatmulKernels.h"

#include "sparq/Conversion/KernelOperands.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

std::string Int8KernelSpec::name(TypeRange argTypes) const {
  // The scale, bias and result element types distinguish kernels of one
  // shape; they are the element types of arguments 2 and later.
  std::string types;
  llvm::raw_string_ostream os(types);
  for (Type type : argTypes.drop_front(2))
    os << "_" << cast<ShapedType>(type).getElementType();
  return llvm::formatv(
             "__sparq_int8_matmul_m{0}_n{1}_k{2}{3}{4}{5}", m, n, k,
             rescaled ? (perTokenScales ? "_token" : "_tensor") : "",
             rescaled ? (perChannelScales ? "_channel" : "_tensor") : "", types)
      .str();
}

DictionaryAttr Int8KernelSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  return b.getDictionaryAttr({
      b.getNamedAttr("m", b.getI64IntegerAttr(m)),
      b.getNamedAttr("n", b.getI64IntegerAttr(n)),
      b.getNamedAttr("k", b.getI64IntegerAttr(k)),
      b.getNamedAttr("rescaled", b.getBoolAttr(rescaled)),
      b.getNamedAttr("per_token", b.getBoolAttr(perTokenScales)),
      b.getNamedAttr("per_channel", b.getBoolAttr(perChannelScales)),
      b.getNamedAttr("bias", b.getBoolAttr(hasBias)),
  });
}

FailureOr<Int8KernelSpec> Int8KernelSpec::fromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  SpecAttrReader read(attr);
  auto m = read.getInt("m"), n = read.getInt("n"), k = read.getInt("k");
  auto rescaled = read.getBool("rescaled"),
       perToken = read.getBool("per_token"),
       perChannel = read.getBool("per_channel"), bias = read.getBool("bias");
  // Scales come with a rescale only, a bias with scales only.
  if (!m || !n || !k || !rescaled || !perToken || !perChannel || !bias ||
      *m <= 0 || *n <= 0 || *k <= 0 || *k % 16 != 0 ||
      (!*rescaled && (*perToken || *perChannel || *bias)))
    return failure();
  Int8KernelSpec spec;
  spec.m = *m;
  spec.n = *n;
  spec.k = *k;
  spec.rescaled = *rescaled;
  spec.perTokenScales = *perToken;
  spec.perChannelScales = *perChannel;
  spec.hasBias = *bias;
  return spec;
}

bool Int8KernelSpec::matches(FunctionType type) const {
  if (type.getNumResults() != 0)
    return false;
  ArrayRef<Type> args = type.getInputs();
  size_t expected = 3 + (rescaled ? 2 : 0) + (hasBias ? 1 : 0);
  if (args.size() != expected)
    return false;
  size_t next = 0;
  auto isArg = [&](ArrayRef<int64_t> shape, function_ref<bool(Type)> element) {
    return isKernelArgOf(args[next++], shape, element);
  };
  auto isI8 = [](Type t) { return t.isInteger(8); };
  auto isFloat = [](Type t) { return isa<FloatType>(t); };
  if (!isArg({m, k}, isI8) || !isArg({n, k}, isI8))
    return false;
  if (rescaled && (!isArg({perTokenScales ? m : 1, 1}, isFloat) ||
                   !isArg({perChannelScales ? n : 1, 1}, isFloat)))
    return false;
  if (hasBias && !isArg({n}, isFloat))
    return false;
  if (rescaled)
    return isArg({m, n}, isFloat);
  return isArg({m, n}, [](Type t) { return t.isInteger(32); });
}

std::string sparq::cpu_kernels::unsupportedInt8Reason(IntMatmulOp op,
                                                      int64_t maxRows,
                                                      Int8KernelSpec &spec) {
  RankedTensorType inputType = op.getInput().getType();
  if (!inputType.hasStaticShape() || !op.getType().hasStaticShape())
    return "dynamic shapes";
  if (!inputType.getElementType().isInteger(8) ||
      !op.getWeights().getType().getElementType().isInteger(8))
    return "operands are not 8-bit";
  spec.k = inputType.getShape().back();
  spec.n = op.getWeights().getType().getDimSize(0);
  if (spec.k == 0 || spec.n == 0 || inputType.getNumElements() == 0)
    return "empty matmul";
  spec.m = inputType.getNumElements() / spec.k;
  if (spec.m > maxRows)
    return "more rows than max-rows";
  if (spec.k % 16 != 0)
    return "K is not a multiple of 16";
  spec.rescaled = static_cast<bool>(op.getInputScales());
  if (spec.rescaled) {
    auto inputScales = cast<RankedTensorType>(op.getInputScales().getType());
    auto weightScales = cast<RankedTensorType>(op.getWeightScales().getType());
    spec.perTokenScales = inputScales.getNumElements() != 1;
    spec.perChannelScales = weightScales.getNumElements() != 1;
  }
  spec.hasBias = static_cast<bool>(op.getBias());
  return "";
}

void sparq::cpu_kernels::lowerInt8MatmulToKernelCall(IntMatmulOp op,
                                                     int64_t maxRows,
                                                     RewriterBase &rewriter) {
  Int8KernelSpec spec;
  if (!unsupportedInt8Reason(op, maxRows, spec).empty())
    return;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);

  SmallVector<Value> args;
  SmallVector<Type> types;
  auto addBuffer = [&](Value tensor) {
    appendKernelArg(rewriter, loc, tensor, args, types);
  };
  addBuffer(flattenToRows(rewriter, loc, op.getInput(), spec.m));
  addBuffer(op.getWeights());
  if (spec.rescaled) {
    // [..., 1] per token (or all ones) as [M or 1, 1].
    addBuffer(flattenToRows(rewriter, loc, op.getInputScales(),
                            spec.perTokenScales ? spec.m : 1));
    addBuffer(op.getWeightScales());
  }
  if (spec.hasBias)
    addBuffer(op.getBias());
  Type element = op.getType().getElementType();
  auto outType = MemRefType::get({spec.m, spec.n}, element);
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
    kernel->setAttr(kInt8KernelAttrName, spec.toAttr(module.getContext()));
  }
  func::CallOp::create(rewriter, loc, kernel, args);
  Value result = bufferization::ToTensorOp::create(
      rewriter, loc, RankedTensorType::get({spec.m, spec.n}, element), out,
      /*restrict=*/true, /*writable=*/true);
  rewriter.replaceOp(op, unflattenRows(rewriter, loc, result, op.getType()));
}
