//===- GpuKernelSpec.cpp - What a generated CUDA kernel computes ----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "GpuKernelSpec.h"

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

std::string GpuKernelSpec::name(TypeRange argTypes) const {
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
             "__sparq_gpu_{0}_{1}_m{2}_n{3}_k{4}{5}{6}{7}{8}{9}{10}_{11}",
             family == KernelFamily::gemv ? "gemv" : "gemm", weightName, m, n,
             k, hasZeroPoints ? "_zp" : "", hasBias ? "_bias" : "",
             hasOutliers ? "_csr" : "", types,
             activation == Activation::none
                 ? std::string()
                 : ("_" + stringifyActivation(activation)).str(),
             hasResidual ? "_res" : "", chip)
      .str();
}

DictionaryAttr GpuKernelSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("weights", b.getStringAttr(weights == WeightKind::codebook
                                                    ? "codebook"
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
  return b.getDictionaryAttr(entries);
}

FailureOr<GpuKernelSpec> GpuKernelSpec::fromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  auto getInt = [&](StringRef key) -> std::optional<int64_t> {
    if (auto value = attr.getAs<IntegerAttr>(key))
      return value.getInt();
    return std::nullopt;
  };
  auto getBool = [&](StringRef key) -> std::optional<bool> {
    if (auto value = attr.getAs<BoolAttr>(key))
      return value.getValue();
    return std::nullopt;
  };
  auto getString = [&](StringRef key) -> std::optional<StringRef> {
    if (auto value = attr.getAs<StringAttr>(key))
      return value.getValue();
    return std::nullopt;
  };
  auto weights = getString("weights"), family = getString("family"),
       activation = getString("activation"), chip = getString("chip");
  auto m = getInt("m"), n = getInt("n"), k = getInt("k"),
       group = getInt("group_size"), bits = getInt("bits");
  auto isSigned = getBool("signed"), zp = getBool("zero_points"),
       bias = getBool("bias"), outliers = getBool("outliers"),
       residual = getBool("residual");
  if (!weights || !family || !activation || !chip || !m || !n || !k || !group ||
      !bits || !isSigned || !zp || !bias || !outliers || !residual)
    return failure();
  std::optional<Activation> act = symbolizeActivation(*activation);
  if (!act || (*weights != "uniform" && *weights != "codebook") ||
      (*family != "gemv" && *family != "gemm") || smVersion(*chip) < 80)
    return failure();
  GpuKernelSpec spec;
  spec.weights =
      *weights == "codebook" ? WeightKind::codebook : WeightKind::uniform;
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
  // The bodies rely on these; a hand-written attribute may break them.
  bool validBits = spec.weights == WeightKind::codebook
                       ? (spec.bits == 3 || spec.bits == 4)
                       : (spec.bits == 4 || spec.bits == 8);
  if (!validBits || spec.m <= 0 || spec.n <= 0 || spec.k <= 0 ||
      spec.k % spec.chunkElements() != 0 ||
      (spec.weights == WeightKind::uniform &&
       (spec.groupSize <= 0 || spec.k % spec.groupSize != 0 ||
        spec.groupSize % spec.chunkElements() != 0)) ||
      (spec.family == KernelFamily::gemm &&
       spec.k % (4 * spec.chunkElements()) != 0))
    return failure();
  return spec;
}
