//===- GpuKernelCalls.cpp - quantized matmuls as GPU kernel launches ------===//
//
// Part of the sparq project.
//
// convert-sparq-to-gpu-kernels: replaces the sparq.qmatmul,
// sparq.lut_matmul and sparq.int_matmul ops the CUDA kernels cover by calls of
// launcher declarations on the operands' buffers; generate-sparq-gpu-kernels
// gives the launchers their bodies after bufferization. Every op left alone
// gets a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "GpuKernelSpec.h"

#include "sparq/Conversion/KernelOperands.h"
#include "sparq/Conversion/Passes.h"
#include "sparq/Conversion/SparqToGpuKernels/SparqToGpuKernels.h"
#include "sparq/Dialect/Sparq/IR/Epilogue.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace sparq {
#define GEN_PASS_DEF_CONVERTSPARQTOGPUKERNELS
#include "sparq/Conversion/Passes.h.inc"
} // namespace sparq

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;

namespace {

/// Checks what every kernel needs of an op's activations, result and
/// outliers and fills the shape fields of `spec`; returns why not, or "".
std::string checkCommon(Value input, RankedTensorType resultType,
                        Value outlierValues, GpuKernelSpec &spec) {
  auto inputType = cast<RankedTensorType>(input.getType());
  // W8A8 activations are int8 (the op's verifier says so).
  if (spec.weights != WeightKind::int8 && !inputType.getElementType().isF32())
    return "activations are not f32";
  if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
    return "dynamic shapes";
  spec.k = inputType.getShape().back();
  spec.m = inputType.getNumElements() / std::max<int64_t>(spec.k, 1);
  spec.n = resultType.getShape().back();
  if (spec.m == 0 || spec.n == 0 || spec.k == 0)
    return "empty matmul";
  if (outlierValues &&
      !cast<RankedTensorType>(outlierValues.getType()).hasStaticShape())
    return "dynamic outlier count";
  return "";
}

/// How an op runs: one launch, or (when M is above the GEMV's rows and the
/// GEMM does not cover the op) GEMV launches on blocks of rows.
struct LaunchPlan {
  /// Rows per GEMV launch; 0: one launch of `spec.family` for all M rows.
  int64_t rowsPerLaunch = 0;
  /// Why the GEMM was not used, for the remark of a row-blocked op.
  std::string whyNotGemm;
};

/// Picks GEMV or GEMM from M and checks what the family needs.
std::string chooseFamily(GpuKernelSpec &spec, int64_t gemvMaxRows,
                         LaunchPlan &plan) {
  if (spec.k % spec.chunkElements() != 0)
    return llvm::formatv("K = {0} is not a multiple of {1}, the elements "
                         "of a lane's chunk of {2}-bit weights",
                         spec.k, spec.chunkElements(), spec.bits)
        .str();
  if (spec.m <= gemvMaxRows) {
    spec.family = KernelFamily::gemv;
    return "";
  }
  spec.family = KernelFamily::gemm;
  int64_t kBlock = 4 * spec.chunkElements();
  if (spec.weights == WeightKind::codebook && spec.bits == 3)
    plan.whyNotGemm = "the GEMM kernel has no 3-bit codebook variant";
  else if (spec.k % kBlock != 0)
    plan.whyNotGemm = llvm::formatv("the GEMM kernel's K blocks of {0} do "
                                    "not divide K = {1}",
                                    kBlock, spec.k)
                          .str();
  if (plan.whyNotGemm.empty())
    return "";
  // The GEMV then runs on blocks of rows: each block reads the weights
  // again, which still beats the reference lowering's dequantized copy by
  // far. A residual block must start on a 16-byte boundary, as the kernels
  // read it in 16-byte vectors.
  if (spec.hasResidual && (gemvMaxRows * spec.n) % 4 != 0)
    return llvm::formatv("M = {0} is above gemv-max-rows, {1}, and GEMV "
                         "blocks of {2} rows would misalign the residual",
                         spec.m, plan.whyNotGemm, gemvMaxRows)
        .str();
  spec.family = KernelFamily::gemv;
  plan.rowsPerLaunch = gemvMaxRows;
  return "";
}

std::string unsupportedReason(QMatmulOp op, int64_t gemvMaxRows,
                              GpuKernelSpec &spec, LaunchPlan &plan) {
  spec.weights = WeightKind::uniform;
  spec.gated = op.getGated();
  std::string common =
      checkCommon(op.getInput(), op.getType(), op.getOutlierValues(), spec);
  if (!common.empty())
    return common;
  auto storage = cast<IntegerType>(op.getStorageType());
  spec.bits = storage.getWidth();
  spec.isSigned = storage.isSigned();
  if (spec.bits != 4 && spec.bits != 8)
    return llvm::formatv("{0}-bit weights (kernels exist for 4 and 8 bits)",
                         spec.bits)
        .str();
  ArrayRef<int64_t> scaleShape = op.getScales().getType().getShape();
  if (scaleShape[0] != spec.weightRows())
    return "scales are not per output channel";
  spec.groupSize = spec.k / scaleShape[1];
  if (spec.groupSize % 32 != 0)
    return llvm::formatv("group size {0} is not a multiple of 32",
                         spec.groupSize)
        .str();
  spec.hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  spec.hasBias = static_cast<bool>(op.getBias());
  spec.hasOutliers = static_cast<bool>(op.getOutlierRowPtr());
  spec.activation = op.getActivationKind();
  spec.hasResidual = static_cast<bool>(op.getResidual());
  return chooseFamily(spec, gemvMaxRows, plan);
}

std::string unsupportedReason(LutMatmulOp op, int64_t gemvMaxRows,
                              GpuKernelSpec &spec, LaunchPlan &plan) {
  spec.weights = WeightKind::codebook;
  spec.gated = op.getGated();
  std::string common =
      checkCommon(op.getInput(), op.getType(), op.getOutlierValues(), spec);
  if (!common.empty())
    return common;
  spec.bits = op.getBits();
  if (spec.bits != 3 && spec.bits != 4)
    return llvm::formatv("{0}-bit codebooks (kernels exist for 3 and 4 bits)",
                         spec.bits)
        .str();
  spec.groupSize = spec.k;
  spec.hasBias = static_cast<bool>(op.getBias());
  spec.hasOutliers = static_cast<bool>(op.getOutlierRowPtr());
  spec.activation = op.getActivationKind();
  spec.hasResidual = static_cast<bool>(op.getResidual());
  return chooseFamily(spec, gemvMaxRows, plan);
}

std::string unsupportedReason(IntMatmulOp op, int64_t gemvMaxRows,
                              GpuKernelSpec &spec, LaunchPlan &plan) {
  spec.weights = WeightKind::int8;
  std::string common =
      checkCommon(op.getInput(), op.getType(), /*outlierValues=*/Value(), spec);
  if (!common.empty())
    return common;
  spec.bits = 8;
  spec.isSigned = true;
  spec.groupSize = spec.k;
  if (op.getInputScales()) {
    // One scale for the tensor, or one per activation row / weight row.
    auto kindOf = [](Value scales) {
      return cast<RankedTensorType>(scales.getType()).getNumElements() == 1
                 ? ScaleKind::perTensor
                 : ScaleKind::perRow;
    };
    spec.inputScales = kindOf(op.getInputScales());
    spec.weightScales = kindOf(op.getWeightScales());
  }
  spec.hasBias = static_cast<bool>(op.getBias());
  return chooseFamily(spec, gemvMaxRows, plan);
}

/// The element type of a launcher's y: f32 for qmatmul and lut_matmul;
/// an int_matmul's result type (i32 without scales, else a float type the
/// kernel rounds its f32 result to).
Type resultElementType(Operation *op, const GpuKernelSpec &spec) {
  if (spec.weights != WeightKind::int8)
    return Float32Type::get(op->getContext());
  return cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
}

/// The launcher declaration for `spec`, created once per module.
func::FuncOp getOrCreateLauncher(ModuleOp module, const GpuKernelSpec &spec,
                                 TypeRange argTypes, RewriterBase &rewriter) {
  std::string name = spec.name(argTypes);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(rewriter, module.getLoc(), name,
                                   rewriter.getFunctionType(argTypes, {}));
  func.setPrivate();
  func->setAttr(kGpuKernelAttrName, spec.toAttr(module.getContext()));
  return func;
}

/// A launcher call on `operands` (in argument order); returns its [m, n]
/// result.
Value callLauncher(Operation *op, const GpuKernelSpec &spec,
                   ArrayRef<Value> operands, RewriterBase &rewriter) {
  Location loc = op->getLoc();
  SmallVector<Value> args;
  SmallVector<Type> types;
  for (Value tensor : operands)
    appendKernelArg(rewriter, loc, tensor, args, types);
  Type element = resultElementType(op, spec);
  auto outType = MemRefType::get({spec.m, spec.n}, element);
  // 256-byte alignment, as cuMemAlloc gives: the kernels store y with
  // plain stores but read every other buffer in 16-byte vectors.
  Value out = memref::AllocOp::create(rewriter, loc, outType, ValueRange{},
                                      rewriter.getI64IntegerAttr(256));
  args.push_back(out);
  types.push_back(outType);
  func::FuncOp launcher = getOrCreateLauncher(op->getParentOfType<ModuleOp>(),
                                              spec, types, rewriter);
  func::CallOp::create(rewriter, loc, launcher, args);
  return bufferization::ToTensorOp::create(
      rewriter, loc, RankedTensorType::get({spec.m, spec.n}, element), out,
      /*restrict=*/true, /*writable=*/true);
}

/// Rows [row, row + rows) of the [M, C] tensor `tensor`.
Value sliceRows(RewriterBase &rewriter, Location loc, Value tensor, int64_t row,
                int64_t rows) {
  int64_t columns = cast<RankedTensorType>(tensor.getType()).getShape()[1];
  return tensor::ExtractSliceOp::create(
      rewriter, loc, tensor,
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(row),
                             rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(rows),
                             rewriter.getIndexAttr(columns)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                             rewriter.getIndexAttr(1)});
}

/// Replaces `op` by launcher calls on `operands` (already in argument
/// order, activations first and residual last as [M, ...] tensors; W8A8
/// per-token scales third, as [M, 1]): one call, or one GEMV call per
/// block of `plan.rowsPerLaunch` rows.
void replaceByLauncherCall(Operation *op, const GpuKernelSpec &spec,
                           const LaunchPlan &plan, ArrayRef<Value> operands,
                           RewriterBase &rewriter) {
  Location loc = op->getLoc();
  Value result;
  if (plan.rowsPerLaunch == 0 || plan.rowsPerLaunch >= spec.m) {
    result = callLauncher(op, spec, operands, rewriter);
  } else {
    result = tensor::EmptyOp::create(rewriter, loc,
                                     ArrayRef<int64_t>{spec.m, spec.n},
                                     resultElementType(op, spec));
    for (int64_t row = 0; row < spec.m; row += plan.rowsPerLaunch) {
      GpuKernelSpec block = spec;
      block.m = std::min(plan.rowsPerLaunch, spec.m - row);
      SmallVector<Value> blockOperands(operands.begin(), operands.end());
      blockOperands.front() =
          sliceRows(rewriter, loc, operands.front(), row, block.m);
      if (spec.hasResidual)
        blockOperands.back() =
            sliceRows(rewriter, loc, operands.back(), row, block.m);
      if (spec.weights == WeightKind::int8 &&
          spec.inputScales == ScaleKind::perRow)
        blockOperands[2] = sliceRows(rewriter, loc, operands[2], row, block.m);
      Value blockResult = callLauncher(op, block, blockOperands, rewriter);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, blockResult, result,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(row),
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(block.m),
                                 rewriter.getIndexAttr(spec.n)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    }
  }
  rewriter.replaceOp(
      op, unflattenRows(rewriter, loc, result,
                        cast<RankedTensorType>(op->getResult(0).getType())));
}

void lowerToLauncherCall(QMatmulOp op, const GpuKernelSpec &spec,
                         const LaunchPlan &plan, RewriterBase &rewriter) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  SmallVector<Value> operands = {
      flattenToRows(rewriter, loc, op.getInput(), spec.m), op.getWeights(),
      op.getScales()};
  if (spec.hasZeroPoints)
    operands.push_back(op.getZeroPoints());
  if (spec.hasBias)
    operands.push_back(op.getBias());
  if (spec.hasOutliers)
    llvm::append_values(operands, op.getOutlierRowPtr(), op.getOutlierColInd(),
                        op.getOutlierValues());
  if (spec.hasResidual)
    operands.push_back(flattenToRows(rewriter, loc, op.getResidual(), spec.m));
  replaceByLauncherCall(op, spec, plan, operands, rewriter);
}

void lowerToLauncherCall(LutMatmulOp op, const GpuKernelSpec &spec,
                         const LaunchPlan &plan, RewriterBase &rewriter) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  SmallVector<Value> operands = {
      flattenToRows(rewriter, loc, op.getInput(), spec.m), op.getIndices(),
      op.getCodebooks()};
  if (spec.hasBias)
    operands.push_back(op.getBias());
  if (spec.hasOutliers)
    llvm::append_values(operands, op.getOutlierRowPtr(), op.getOutlierColInd(),
                        op.getOutlierValues());
  if (spec.hasResidual)
    operands.push_back(flattenToRows(rewriter, loc, op.getResidual(), spec.m));
  replaceByLauncherCall(op, spec, plan, operands, rewriter);
}

void lowerToLauncherCall(IntMatmulOp op, const GpuKernelSpec &spec,
                         const LaunchPlan &plan, RewriterBase &rewriter) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  SmallVector<Value> operands = {
      flattenToRows(rewriter, loc, op.getInput(), spec.m), op.getWeights()};
  if (spec.isRescaled()) {
    int64_t scaleRows = spec.inputScales == ScaleKind::perRow ? spec.m : 1;
    operands.push_back(
        flattenToRows(rewriter, loc, op.getInputScales(), scaleRows));
    operands.push_back(op.getWeightScales());
  }
  if (spec.hasBias)
    operands.push_back(op.getBias());
  replaceByLauncherCall(op, spec, plan, operands, rewriter);
}

struct ConvertSparqToGpuKernelsPass
    : public sparq::impl::ConvertSparqToGpuKernelsBase<
          ConvertSparqToGpuKernelsPass> {
  using Base::Base;

  // A walk, not a pattern driver: each rewrite also adds a launcher to the
  // module, which patterns must not do.
  void runOnOperation() override {
    if (smVersion(gpuArch) < 80) {
      getOperation().emitError("gpu-arch must be sm_80 or newer (sm_XX or "
                               "sm_XXa), got '")
          << gpuArch << "'";
      return signalPassFailure();
    }
    if (gemvMaxRows < 1) {
      getOperation().emitError("gemv-max-rows must be at least 1, got ")
          << static_cast<int64_t>(gemvMaxRows);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<QMatmulOp, LutMatmulOp, IntMatmulOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      GpuKernelSpec spec;
      LaunchPlan plan;
      // Fills `spec` and `plan` for `matmul` afresh; why no kernel, or "".
      auto planFor = [&](Operation *matmul) -> std::string {
        spec = GpuKernelSpec();
        spec.chip = gpuArch;
        plan = LaunchPlan();
        return TypeSwitch<Operation *, std::string>(matmul)
            .Case<QMatmulOp, LutMatmulOp, IntMatmulOp>([&](auto typed) {
              return unsupportedReason(typed, gemvMaxRows, spec, plan);
            });
      };
      std::string reason = planFor(op);
      // Only the GEMV pairs gate and up rows: above gemv-max-rows (or
      // without a kernel) a gated op runs as its wide matmul and an
      // elementwise product.
      if (spec.gated && (!reason.empty() || spec.m > gemvMaxRows)) {
        op = expandGatedMatmul(rewriter, op);
        reason = planFor(op);
      }
      if (!reason.empty()) {
        op->emitRemark("no GPU kernel (")
            << reason << "); left for convert-sparq-to-linalg";
        continue;
      }
      if (gemvSplitK)
        spec.kSplits = chooseGemvKSplits(spec, resultElementType(op, spec));
      if (plan.rowsPerLaunch)
        op->emitRemark("GEMV kernel on blocks of ")
            << plan.rowsPerLaunch << " rows (M = " << spec.m << "; "
            << plan.whyNotGemm << ")";
      TypeSwitch<Operation *>(op).Case<QMatmulOp, LutMatmulOp, IntMatmulOp>(
          [&](auto matmul) {
            lowerToLauncherCall(matmul, spec, plan, rewriter);
          });
    }
  }
};

} // namespace

void sparq::addSparqGpuKernelCallPasses(OpPassManager &pm,
                                        const GpuKernelOptions &options) {
  ConvertSparqToGpuKernelsOptions passOptions;
  passOptions.gpuArch = options.gpuArch;
  passOptions.gemvMaxRows = options.gemvMaxRows;
  passOptions.gemvSplitK = options.gemvSplitK;
  pm.addPass(createConvertSparqToGpuKernels(passOptions));
}
