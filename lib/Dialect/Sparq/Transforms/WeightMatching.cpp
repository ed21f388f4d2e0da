//===- WeightMatching.cpp - Finding matmuls with constant weights ---------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/GlobPattern.h"

#include <cstring>

using namespace mlir;

namespace sparq {

Value ConstantWeightMatmul::getActivations() const {
  linalg::MatmulOp op = matmul;
  return op.getDpsInputs()[0];
}

std::vector<float> ConstantWeightMatmul::readRows() const {
  std::vector<float> kn(static_cast<size_t>(k * n));
  arith::ConstantOp constant = weight;
  Attribute value = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    ArrayRef<char> data = blob->getData();
    std::memcpy(kn.data(), data.data(), kn.size() * sizeof(float));
  } else {
    auto dense = cast<DenseElementsAttr>(value);
    size_t i = 0;
    if (dense.isSplat()) {
      std::fill(kn.begin(), kn.end(), dense.getSplatValue<float>());
    } else {
      for (float v : dense.getValues<float>())
        kn[i++] = v;
    }
  }
  std::vector<float> rows(kn.size());
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col)
      rows[col * k + row] = kn[row * n + col];
  return rows;
}

StringAttr getWeightName(arith::ConstantOp constant) {
  if (auto name = constant->getAttrOfType<StringAttr>(kWeightNameAttr))
    return name;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
    return StringAttr::get(constant.getContext(),
                           resource.getRawHandle().getKey());
  return {};
}

std::optional<ConstantWeightMatmul>
matchConstantWeightMatmul(linalg::MatmulOp matmul) {
  if (matmul.hasUserDefinedMaps() || !matmul.hasPureTensorSemantics())
    return std::nullopt;
  Value rhs = matmul.getDpsInputs()[1];
  auto rhsType = dyn_cast<RankedTensorType>(rhs.getType());
  auto lhsType = dyn_cast<RankedTensorType>(matmul.getDpsInputs()[0].getType());
  if (!rhsType || !lhsType || !rhsType.hasStaticShape() ||
      !rhsType.getElementType().isF32() || !lhsType.getElementType().isF32())
    return std::nullopt;
  auto constant = rhs.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  Attribute value = constant.getValue();
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (resource) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() !=
                     static_cast<size_t>(rhsType.getNumElements()) * 4)
      return std::nullopt;
  } else if (!isa<DenseElementsAttr>(value)) {
    return std::nullopt;
  }
  ConstantWeightMatmul match;
  match.matmul = matmul;
  match.weight = constant;
  match.k = rhsType.getDimSize(0);
  match.n = rhsType.getDimSize(1);
  if (StringAttr name = getWeightName(constant))
    match.name = name.str();
  return match;
}

std::vector<ConstantWeightMatmul> collectConstantWeightMatmuls(ModuleOp module) {
  std::vector<ConstantWeightMatmul> matches;
  unsigned index = 0;
  module.walk([&](linalg::MatmulOp matmul) {
    std::optional<ConstantWeightMatmul> match =
        matchConstantWeightMatmul(matmul);
    if (!match)
      return;
    if (match->name.empty())
      match->name = "matmul_" + std::to_string(index);
    ++index;
    matches.push_back(std::move(*match));
  });
  return matches;
}

void replaceConstantWeightMatmul(RewriterBase &rewriter,
                                 const ConstantWeightMatmul &target,
                                 Value product) {
  linalg::MatmulOp matmul = target.matmul;
  Value init = matmul.getDpsInits()[0];
  bool zeroInit = false;
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    zeroInit = matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  Value result = product;
  if (!zeroInit) {
    rewriter.setInsertionPoint(matmul);
    result = arith::AddFOp::create(rewriter, matmul.getLoc(), product, init);
  }
  rewriter.replaceOp(matmul, result);
}

bool matchesAnyPattern(llvm::StringRef name,
                       llvm::ArrayRef<std::string> patterns) {
  for (const std::string &pattern : patterns) {
    llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(pattern);
    if (!glob) {
      llvm::consumeError(glob.takeError());
      if (name == pattern)
        return true;
      continue;
    }
    if (glob->match(name))
      return true;
  }
  return false;
}

Value createConstantTensor(OpBuilder &builder, Location loc,
                           RankedTensorType type, ArrayRef<char> bytes,
                           StringRef resourceName) {
  // Small tensors stay literal so canonicalizations can look inside them.
  constexpr size_t kMaxLiteralBytes = 4096;
  ElementsAttr attr;
  if (bytes.size() <= kMaxLiteralBytes) {
    attr = DenseElementsAttr::getFromRawBuffer(type, bytes);
  } else {
    size_t alignment =
        std::max<size_t>(1, type.getElementTypeBitWidth() / 8);
    attr = DenseResourceElementsAttr::get(
        type, resourceName,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignment));
  }
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
}

Value createF32Constant(OpBuilder &builder, Location loc,
                        ArrayRef<int64_t> shape, ArrayRef<float> values,
                        StringRef resourceName) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
  return createConstantTensor(builder, loc, type, bytes, resourceName);
}

std::vector<float> readF32Constant(arith::ConstantOp constant) {
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return {};
  std::vector<float> values(type.getNumElements());
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != values.size() * sizeof(float))
      return {};
    std::memcpy(values.data(), blob->getData().data(),
                values.size() * sizeof(float));
    return values;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return {};
  if (dense.isSplat()) {
    std::fill(values.begin(), values.end(), dense.getSplatValue<float>());
    return values;
  }
  llvm::copy(dense.getValues<float>(), values.begin());
  return values;
}

std::vector<int8_t> readI8Constant(arith::ConstantOp constant) {
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isInteger(8) || !type.hasStaticShape())
    return {};
  std::vector<int8_t> values(type.getNumElements());
  Attribute attr = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != values.size())
      return {};
    std::memcpy(values.data(), blob->getData().data(), values.size());
    return values;
  }
  auto dense = dyn_cast<DenseIntElementsAttr>(attr);
  if (!dense)
    return {};
  size_t i = 0;
  for (const APInt &v : dense.getValues<APInt>())
    values[i++] = static_cast<int8_t>(v.getSExtValue());
  return values;
}

} // namespace sparq
