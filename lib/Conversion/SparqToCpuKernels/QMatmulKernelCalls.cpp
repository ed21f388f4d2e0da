//===- QMatmulKernelCalls.cpp - quantized matmuls as kernel calls ---------===//
//
// Part of the sparq project.
//
// Replaces the sparq.qmatmul ops the CPU kernels cover by calls of kernel
// declarations on the operands' buffers; generate-sparq-cpu-kernels fills in
// the bodies after bufferization.
//
//===----------------------------------------------------------------------===//

#include "Int8MatmulKernels.h"
#include "KernelSpec.h"
#include "LutMatmulKernels.h"

#include "sparq/Conversion/KernelOperands.h"
#include "sparq/Conversion/Passes.h"

#include "sparq/Dialect/Sparq/IR/SparqOps.h"

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
#define GEN_PASS_DEF_CONVERTSPARQTOCPUKERNELS
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;
using namespace sparq::cpu_kernels;

namespace {

/// The kernel declaration for `spec`, created once per module.
func::FuncOp getOrCreateKernel(ModuleOp module, const KernelSpec &spec,
                               TypeRange argTypes, RewriterBase &rewriter) {
  std::string name = spec.name(argTypes);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(rewriter, module.getLoc(), name,
                                   rewriter.getFunctionType(argTypes, {}));
  func.setPrivate();
  func->setAttr(kKernelAttrName, spec.toAttr(module.getContext()));
  return func;
}

/// Why `op` cannot use a kernel (empty if it can).
std::string unsupportedReason(QMatmulOp op, int64_t maxRows, KernelSpec &spec) {
  RankedTensorType inputType = op.getInput().getType();
  if (!inputType.getElementType().isF32())
    return "activations are not f32";
  if (!inputType.hasStaticShape() || !op.getType().hasStaticShape())
    return "dynamic shapes";
  auto storage = cast<IntegerType>(op.getStorageType());
  spec.bits = storage.getWidth();
  spec.isSigned = storage.isSigned();
  if (spec.bits != 4 && spec.bits != 8)
    return "only 4- and 8-bit weights have kernels";
  spec.k = inputType.getShape().back();
  spec.m = inputType.getNumElements() / std::max<int64_t>(spec.k, 1);
  spec.n = op.getWeights().getType().getDimSize(0);
  if (spec.m > maxRows)
    return "more rows than max-rows";
  ArrayRef<int64_t> scaleShape = op.getScales().getType().getShape();
  if (scaleShape[0] != spec.n)
    return "scales are not per output channel";
  spec.groupSize = spec.k / scaleShape[1];
  int64_t granule = spec.bits == 4 ? 32 : 64;
  if (spec.groupSize % granule != 0 ||
      (spec.groupSize > 128 && spec.groupSize % (spec.bits == 4 ? 128 : 64)))
    return "group size does not tile into vpdpbusd blocks";
  spec.hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  if (spec.hasZeroPoints) {
    if (spec.isSigned)
      return "zero points with signed storage";
    auto zpType = cast<RankedTensorType>(op.getZeroPoints().getType());
    if (!zpType.getElementType().isInteger(8) ||
        zpType.getShape() != scaleShape)
      return "zero points are not i8 per group";
  }
  spec.hasBias = static_cast<bool>(op.getBias());
  spec.hasOutliers = static_cast<bool>(op.getOutlierRowPtr());
  if (spec.hasOutliers && !op.getOutlierValues().getType().hasStaticShape())
    return "dynamic outlier count";
  spec.activation = op.getActivationKind();
  spec.hasResidual = static_cast<bool>(op.getResidual());
  spec.gated = op.getGated();
  return "";
}

/// Replaces `op` by a call of its kernel on the operands' buffers; leaves it
/// alone (for the reference lowering) when no kernel covers it.
void lowerToKernelCall(QMatmulOp op, int64_t maxRows, bool int8Activations,
                       RewriterBase &rewriter) {
  KernelSpec spec;
  spec.int8Activations = int8Activations;
  if (!unsupportedReason(op, maxRows, spec).empty())
    return;
  rewriter.setInsertionPoint(op);
  {
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();

    // The activations as [M, K].
    Value input = flattenToRows(rewriter, loc, op.getInput(), spec.m);

    SmallVector<Value> args;
    SmallVector<Type> types;
    auto addBuffer = [&](Value tensor) {
      appendKernelArg(rewriter, loc, tensor, args, types);
    };
    addBuffer(input);
    addBuffer(op.getWeights());
    addBuffer(op.getScales());
    if (spec.hasZeroPoints)
      addBuffer(op.getZeroPoints());
    if (spec.hasBias)
      addBuffer(op.getBias());
    if (spec.hasOutliers) {
      addBuffer(op.getOutlierRowPtr());
      addBuffer(op.getOutlierColInd());
      addBuffer(op.getOutlierValues());
    }
    if (spec.hasResidual)
      addBuffer(flattenToRows(rewriter, loc, op.getResidual(), spec.m));
    auto outType =
        MemRefType::get({spec.m, spec.outputColumns()}, rewriter.getF32Type());
    Value out = memref::AllocOp::create(rewriter, loc, outType, ValueRange{},
                                        rewriter.getI64IntegerAttr(64));
    args.push_back(out);
    types.push_back(outType);

    func::FuncOp kernel = getOrCreateKernel(module, spec, types, rewriter);
    func::CallOp::create(rewriter, loc, kernel, args);
    Value result = bufferization::ToTensorOp::create(
        rewriter, loc,
        RankedTensorType::get({spec.m, spec.outputColumns()},
                              rewriter.getF32Type()),
        out,
        /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, unflattenRows(rewriter, loc, result, op.getType()));
  }
}

struct ConvertSparqToCpuKernelsPass
    : public sparq::impl::ConvertSparqToCpuKernelsBase<
          ConvertSparqToCpuKernelsPass> {
  using Base::Base;
  // A walk, not a pattern driver: each rewrite also adds a kernel function
  // to the module, which patterns must not do.
  void runOnOperation() override {
    SmallVector<QMatmulOp> ops;
    getOperation().walk([&](QMatmulOp op) { ops.push_back(op); });
    if (activations != "int8" && activations != "f32") {
      getOperation().emitError("activations must be int8 or f32, got '")
          << activations << "'";
      return signalPassFailure();
    }
    if (vectorBits != 0 && vectorBits != 256 && vectorBits != 512) {
      getOperation().emitError("vector-bits must be 256 or 512 (0: no "
                               "codebook kernels), got ")
          << static_cast<int64_t>(vectorBits);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (QMatmulOp op : ops)
      lowerToKernelCall(op, maxRows, activations == "int8", rewriter);
    SmallVector<LutMatmulOp> lutOps;
    getOperation().walk([&](LutMatmulOp op) { lutOps.push_back(op); });
    for (LutMatmulOp op : lutOps)
      lowerLutMatmulToKernelCall(op, maxRows, vectorBits, vbmi, rewriter);
    if (int8Matmuls) {
      SmallVector<IntMatmulOp> intOps;
      getOperation().walk([&](IntMatmulOp op) { intOps.push_back(op); });
      for (IntMatmulOp op : intOps)
        lowerInt8MatmulToKernelCall(op, maxRows, rewriter);
    }
  }
};

} // namespace
