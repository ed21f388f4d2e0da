//===- KernelSpec.cpp - What a generated CPU kernel computes --------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "KernelSpec.h"

#include "sparq/Conversion/KernelOperands.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparq::cpu_kernels;

std::string KernelSpec::name(TypeRange argTypes) const {
  // The scale, bias and outlier element types distinguish kernels of one
  // shape; they are the element types of arguments 2 and later.
  std::string types;
  llvm::raw_string_ostream os(types);
  for (Type type : argTypes.drop_front(2).drop_back())
    os << "_" << cast<ShapedType>(type).getElementType();
  return llvm::formatv("__sparq_qmatmul_{0}{1}_m{2}_n{3}_k{4}_g{5}{6}{7}{8}{9}{"
                       "10}{11}{12}{13}",
                       isSigned ? "s" : "u", bits, m, n, k, groupSize,
                       hasZeroPoints ? "_zp" : "", hasBias ? "_bias" : "",
                       hasOutliers ? "_csr" : "", types,
                       int8Activations ? "_x8" : "_xf32",
                       activation == Activation::none
                           ? std::string()
                           : ("_" + stringifyActivation(activation)).str(),
                       gated ? "_gated" : "", hasResidual ? "_res" : "")
      .str();
}

DictionaryAttr KernelSpec::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("m", b.getI64IntegerAttr(m)),
      b.getNamedAttr("n", b.getI64IntegerAttr(n)),
      b.getNamedAttr("k", b.getI64IntegerAttr(k)),
      b.getNamedAttr("group_size", b.getI64IntegerAttr(groupSize)),
      b.getNamedAttr("bits", b.getI64IntegerAttr(bits)),
      b.getNamedAttr("signed", b.getBoolAttr(isSigned)),
      b.getNamedAttr("zero_points", b.getBoolAttr(hasZeroPoints)),
      b.getNamedAttr("bias", b.getBoolAttr(hasBias)),
      b.getNamedAttr("outliers", b.getBoolAttr(hasOutliers)),
      b.getNamedAttr("int8_activations", b.getBoolAttr(int8Activations)),
  };
  // Only epilogue kernels name their epilogue.
  if (activation != Activation::none)
    entries.push_back(b.getNamedAttr(
        "activation", b.getStringAttr(stringifyActivation(activation))));
  if (gated)
    entries.push_back(b.getNamedAttr("gated", b.getBoolAttr(true)));
  if (hasResidual)
    entries.push_back(b.getNamedAttr("residual", b.getBoolAttr(true)));
  return b.getDictionaryAttr(entries);
}

FailureOr<KernelSpec> KernelSpec::fromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  SpecAttrReader read(attr);
  auto m = read.getInt("m"), n = read.getInt("n"), k = read.getInt("k"),
       group = read.getInt("group_size"), bits = read.getInt("bits");
  auto isSigned = read.getBool("signed"), zp = read.getBool("zero_points"),
       bias = read.getBool("bias"), outliers = read.getBool("outliers"),
       int8Activations = read.getBool("int8_activations");
  if (!m || !n || !k || !group || !bits || !isSigned || !zp || !bias ||
      !outliers || !int8Activations || *group <= 0 || *k % *group != 0)
    return failure();
  // Declarations without an epilogue may omit it.
  auto residual = read.getBool("residual");
  auto gated = read.getBool("gated");
  if ((attr.get("gated") && !gated) || (gated.value_or(false) && *n % 2 != 0))
    return failure();
  std::optional<Activation> activation = Activation::none;
  if (auto name = attr.get("activation")) {
    auto nameAttr = dyn_cast<StringAttr>(name);
    activation =
        nameAttr ? symbolizeActivation(nameAttr.getValue()) : std::nullopt;
  }
  if (!activation || (attr.get("residual") && !residual))
    return failure();
  KernelSpec spec;
  spec.m = *m;
  spec.n = *n;
  spec.k = *k;
  spec.groupSize = *group;
  spec.bits = *bits;
  spec.isSigned = *isSigned;
  spec.hasZeroPoints = *zp;
  spec.hasBias = *bias;
  spec.hasOutliers = *outliers;
  spec.int8Activations = *int8Activations;
  spec.activation = *activation;
  spec.hasResidual = residual.value_or(false);
  spec.gated = gated.value_or(false);
  return spec;
}
