//===- GpuKernelSpec.cpp - What a generated CUDA kernel computes ----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "GpuKernelSpec.h"

#include "sparq/Conversion/KernelOperands.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparq;
using namespace sparq::gpu_kernels;

int64_t sparq::gpu_kernels::smVersion(StringRef chip) {
  if (!chip.consume_front("sm_"))
    return 0;
  chip.consume_back("a");
  int64_t version = 0;
  if (chip.empty() || chip.getAsInteger(10, version))
    return 0;
  return version;
}

int64_t sparq::gpu_kernels::smCount(StringRef chip) {
  switch (smVersion(chip)) {
  case 80:
    return 108; // A100
  case 86:
  case 89:
    return 84; // RTX 3090 / 4090 class
  case 90:
    return 132; // H100 SXM
  default:
    return 132;
  }
}

bool sparq::gpu_kernels::hasSplitKResultType(const GpuKernelSpec &spec,
                                             Type yElement) {
  if (spec.weights == WeightKind::int8 && !spec.isRescaled())
    return yElement.isInteger(32);
  return yElement.isF32();
}

int64_t sparq::gpu_kernels::chooseGemvKSplits(const GpuKernelSpec &spec,
                                              Type yElement) {
  // Partial sums are added into y with atomics: an activation cannot be
  // applied to a part, and a W8A8 result rounded to f16/bf16 has no
  // atomic add here. The W8A8 rescale acc * sa * sw (+ bias) is linear.
  if (spec.family != KernelFamily::gemv ||
      spec.activation != Activation::none || spec.gated ||
      !hasSplitKResultType(spec, yElement))
    return 1;
  constexpr int64_t kWaves = 4, kMaxSplits = 8, kMinChunksPerSplit = 32;
  int64_t rowsPerBlock = schedule::kGemvWarpsPerBlock * gemvRowsPerWarp(spec);
  int64_t blocks = (spec.n + rowsPerBlock - 1) / rowsPerBlock;
  int64_t wanted = kWaves * smCount(spec.chip);
  if (blocks >= wanted)
    return 1;
  int64_t numChunks = spec.k / spec.chunkElements();
  int64_t splits = std::min(kMaxSplits, (wanted + blocks - 1) / blocks);
  for (; splits > 1; --splits)
    if (numChunks % splits == 0 && numChunks / splits >= kMinChunksPerSplit)
      return splits;
  return 1;
}

namespace {

StringRef stringifyScaleKind(ScaleKind kind, bool isInput) {
  switch (kind) {
  case ScaleKind::none:
    return "none";
  case ScaleKind::perTensor:
    return "tensor";
  case ScaleKind::perRow:
    return isInput ? "token" : "channel";
  }
  llvm_unreachable("unknown scale kind");
}

std::optional<ScaleKind> symbolizeScaleKind(StringRef text, bool isInput) {
  if (text == "none")
    return ScaleKind::none;
  if (text == "tensor")
    return ScaleKind::perTensor;
  if (text == (isInput ? "token" : "channel"))
    return ScaleKind::perRow;
  return std::nullopt;
}

} // namespace

std::string GpuKernelSpec::name(TypeRange argTypes) const {
  if (weights == WeightKind::int8) {
    // The scale and bias element types (arguments 2 and later), or the
    // i32 result.
    std::string types;
    llvm::raw_string_ostream os(types);
    if (isRescaled()) {
      os << "_" << stringifyScaleKind(inputScales, /*isInput=*/true) << "_"
         << stringifyScaleKind(weightScales, /*isInput=*/false);
      if (hasBias)
        os << "_bias";
      for (Type type : argTypes.drop_front(2).drop_back())
        os << "_" << cast<ShapedType>(type).getElementType();
      Type yElement = cast<ShapedType>(argTypes.back()).getElementType();
      if (!yElement.isF32())
        os << "_to_" << yElement;
    } else {
      os << "_i32";
    }
    if (isSplitK())
      os << "_ks" << kSplits;
    return llvm::formatv("__sparq_gpu_{0}_w8a8_m{1}_n{2}_k{3}{4}_{5}",
                         family == KernelFamily::gemv ? "gemv" : "gemm", m, n,
                         k, types, chip)
        .str();
  }
  // The parameter, bias and outlier element types distinguish kernels of
  // one shape; they are the element types of arguments 2 and later.
  std::string types;
  llvm::raw_string_ostream os(types);
  for (Type type : argTypes.drop_front(2).drop_back())
    os << "_" << cast<ShapedType>(type).getElementType();
  std::string weightName =
      weights == WeightKind::codebook
          ? llvm::formatv("lut{0}", bits).str()
          : llvm::formatv("{0}{1}_g{2}", isSigned ? "s" : "u", bits, groupSize)
                .str();
  return llvm::formatv(
             "__sparq_gpu_{0}_{1}_m{2}_n{3}_k{4}{5}{6}{7}{8}{9}{10}{11}_{12}",
             family == KernelFamily::gemv ? "gemv" : "gemm", weightName, m, n,
             k, hasZeroPoints ? "_zp" : "", hasBias ? "_bias" : "",
             hasOutliers ? "_csr" : "", types,
             activation == Activation::none
                 ? std::string()
                 : ("_" + stringifyActivation(activation)).str(),
             gated ? "_gated" : "", hasResidual ? "_res" : "",
             isSplitK() ? llvm::formatv("ks{0}_{1}", kSplits, chip).str()
                        : chip)
      .str();
}

DictionaryAttr GpuKernelSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("weights", b.getStringAttr(
                                    weights == WeightKind::codebook ? "codebook"
                                    : weights == WeightKind::int8   ? "w8a8"
                                                                  : "uniform")),
      b.getNamedAttr(
          "family",
          b.getStringAttr(family == KernelFamily::gemv ? "gemv" : "gemm")),
      b.getNamedAttr("m", b.getI64IntegerAttr(m)),
      b.getNamedAttr("n", b.getI64IntegerAttr(n)),
      b.getNamedAttr("k", b.getI64IntegerAttr(k)),
      b.getNamedAttr("group_size", b.getI64IntegerAttr(groupSize)),
      b.getNamedAttr("bits", b.getI64IntegerAttr(bits)),
      b.getNamedAttr("signed", b.getBoolAttr(isSigned)),
      b.getNamedAttr("zero_points", b.getBoolAttr(hasZeroPoints)),
      b.getNamedAttr("bias", b.getBoolAttr(hasBias)),
      b.getNamedAttr("outliers", b.getBoolAttr(hasOutliers)),
      b.getNamedAttr("activation",
                     b.getStringAttr(stringifyActivation(activation))),
      b.getNamedAttr("residual", b.getBoolAttr(hasResidual)),
      b.getNamedAttr("chip", b.getStringAttr(chip)),
  };
  // Absent for one split or no gating: other specs read as before.
  if (gated)
    entries.push_back(b.getNamedAttr("gated", b.getBoolAttr(true)));
  if (isSplitK())
    entries.push_back(b.getNamedAttr("k_splits", b.getI64IntegerAttr(kSplits)));
  if (weights == WeightKind::int8) {
    entries.push_back(
        b.getNamedAttr("input_scales",
                       b.getStringAttr(stringifyScaleKind(inputScales, true))));
    entries.push_back(b.getNamedAttr(
        "weight_scales",
        b.getStringAttr(stringifyScaleKind(weightScales, false))));
  }
  return b.getDictionaryAttr(entries);
}

FailureOr<GpuKernelSpec> GpuKernelSpec::fromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  SpecAttrReader read(attr);
  auto weights = read.getString("weights"), family = read.getString("family"),
       activation = read.getString("activation"), chip = read.getString("chip");
  auto m = read.getInt("m"), n = read.getInt("n"), k = read.getInt("k"),
       group = read.getInt("group_size"), bits = read.getInt("bits");
  auto isSigned = read.getBool("signed"), zp = read.getBool("zero_points"),
       bias = read.getBool("bias"), outliers = read.getBool("outliers"),
       residual = read.getBool("residual");
  if (!weights || !family || !activation || !chip || !m || !n || !k || !group ||
      !bits || !isSigned || !zp || !bias || !outliers || !residual)
    return failure();
  std::optional<Activation> act = symbolizeActivation(*activation);
  if (!act ||
      (*weights != "uniform" && *weights != "codebook" && *weights != "w8a8") ||
      (*family != "gemv" && *family != "gemm") || smVersion(*chip) < 80)
    return failure();
  GpuKernelSpec spec;
  spec.weights = *weights == "codebook" ? WeightKind::codebook
                 : *weights == "w8a8"   ? WeightKind::int8
                                        : WeightKind::uniform;
  spec.family = *family == "gemv" ? KernelFamily::gemv : KernelFamily::gemm;
  spec.m = *m;
  spec.n = *n;
  spec.k = *k;
  spec.groupSize = *group;
  spec.bits = *bits;
  spec.isSigned = *isSigned;
  spec.hasZeroPoints = *zp;
  spec.hasBias = *bias;
  spec.hasOutliers = *outliers;
  spec.activation = *act;
  spec.hasResidual = *residual;
  spec.chip = chip->str();
  if (attr.contains("gated")) {
    auto gated = read.getBool("gated");
    if (!gated)
      return failure();
    spec.gated = *gated;
  }
  if (attr.contains("k_splits")) {
    auto splits = read.getInt("k_splits");
    if (!splits || *splits < 1)
      return failure();
    spec.kSplits = *splits;
  }
  if (spec.weights == WeightKind::int8) {
    // Signed 8-bit activations and weights, per-channel, with nothing but
    // the rescale and a bias in the epilogue; scales come both or neither,
    // and a bias needs them.
    auto inputScales = read.getString("input_scales"),
         weightScales = read.getString("weight_scales");
    if (!inputScales || !weightScales)
      return failure();
    auto inputKind = symbolizeScaleKind(*inputScales, /*isInput=*/true);
    auto weightKind = symbolizeScaleKind(*weightScales, /*isInput=*/false);
    if (!inputKind || !weightKind)
      return failure();
    spec.inputScales = *inputKind;
    spec.weightScales = *weightKind;
    if ((spec.inputScales == ScaleKind::none) !=
            (spec.weightScales == ScaleKind::none) ||
        (spec.hasBias && !spec.isRescaled()) || spec.bits != 8 ||
        !spec.isSigned || spec.groupSize != spec.k || spec.hasZeroPoints ||
        spec.hasOutliers || spec.hasResidual || spec.gated ||
        spec.activation != Activation::none)
      return failure();
  }
  // The bodies rely on these; a hand-written attribute may break them.
  bool validBits = spec.weights == WeightKind::codebook
                       ? (spec.bits == 3 || spec.bits == 4)
                       : (spec.bits == 4 || spec.bits == 8);
  bool hasGroups = spec.weights != WeightKind::codebook;
  if (!validBits || spec.m <= 0 || spec.n <= 0 || spec.k <= 0 ||
      spec.k % spec.chunkElements() != 0 ||
      (hasGroups && (spec.groupSize <= 0 || spec.k % spec.groupSize != 0 ||
                     spec.groupSize % spec.chunkElements() != 0)) ||
      (spec.family == KernelFamily::gemm &&
       spec.k % (4 * spec.chunkElements()) != 0))
    return failure();
  // Gated outputs: GEMV only. Split-K: GEMV only, whole chunks per split, a
  // linear epilogue.
  if (spec.gated && spec.family != KernelFamily::gemv)
    return failure();
  if (spec.isSplitK() && (spec.family != KernelFamily::gemv ||
                          spec.activation != Activation::none || spec.gated ||
                          (spec.k / spec.chunkElements()) % spec.kSplits != 0))
    return failure();
  return spec;
}
