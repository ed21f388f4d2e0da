//===- WeightQuantization.cpp - Building quantized matmuls ----------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/Transforms/WeightQuantization.h"

#include "sparq/Quantization/Algorithms/Metrics.h"
#include "sparq/Reference/Packing.h"
#include "sparq/Support/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace sparq {

LogicalResult verifyFiniteWeights(const ConstantWeightMatmul &target,
                                  ArrayRef<float> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (std::isfinite(rows[i]))
      continue;
    int64_t n = i / target.k, k = i % target.k;
    linalg::MatmulOp matmul = target.matmul;
    return matmul.emitError("weight '")
           << target.name << "' has the non-finite value " << rows[i] << " at ["
           << k << ", " << n << "]; it cannot be quantized";
  }
  return success();
}

FailureOr<std::vector<float>>
readSensitivity(StringRef directory, const ConstantWeightMatmul &target) {
  linalg::MatmulOp matmul = target.matmul;
  if (!llvm::sys::fs::is_directory(directory))
    return matmul.emitError("sensitivity directory '")
           << directory << "' does not exist or is not a directory";
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, target.name + ".npy");
  if (!llvm::sys::fs::exists(path))
    return matmul.emitError("no sensitivity file for weight '")
           << target.name << "': '" << path << "' does not exist";
  llvm::Expected<npy::Array> array = npy::read(path);
  if (!array)
    return matmul.emitError("cannot read the sensitivity of weight '")
           << target.name << "': " << llvm::toString(array.takeError());
  constexpr int32_t kFloat32 = 1; // ONNX TensorProto.FLOAT
  if (array->dtype != kFloat32)
    return matmul.emitError("sensitivity file '")
           << path << "' has dtype " << npy::dtypeName(array->dtype)
           << ", expected float32";
  std::vector<int64_t> expected = {target.k, target.n};
  if (array->shape != expected)
    return matmul.emitError("sensitivity file '")
           << path << "' has shape " << npy::formatShape(array->shape)
           << ", expected " << npy::formatShape(expected) << " (the shape of "
           << "weight '" << target.name << "', [K, N] as in the model)";
  std::vector<float> kn(target.k * target.n);
  std::memcpy(kn.data(), array->bytes.data(), kn.size() * sizeof(float));
  std::vector<float> rows(kn.size());
  for (int64_t k = 0; k < target.k; ++k) {
    for (int64_t n = 0; n < target.n; ++n) {
      float s = kn[k * target.n + n];
      if (!std::isfinite(s) || s < 0.0f)
        return matmul.emitError("sensitivity file '")
               << path << "' has the value " << s << " at [" << k << ", " << n
               << "]; sensitivities must be finite and non-negative";
      rows[n * target.k + k] = s;
    }
  }
  return rows;
}

Value createPackedConstant(OpBuilder &builder, Location loc,
                           ArrayRef<int32_t> values, int64_t rows, int64_t cols,
                           unsigned bits, StringRef resourceName) {
  std::vector<uint8_t> packed = ref::pack(values, rows, cols, bits);
  auto type = RankedTensorType::get({rows, ref::packedRowBytes(cols, bits)},
                                    builder.getI8Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(packed.data()),
                       packed.size());
  return createConstantTensor(builder, loc, type, bytes, resourceName);
}

Value createI8Constant(OpBuilder &builder, Location loc,
                       ArrayRef<int64_t> shape, ArrayRef<int32_t> values,
                       StringRef resourceName) {
  std::vector<char> bytes(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bytes[i] = static_cast<char>(static_cast<uint8_t>(values[i] & 0xff));
  auto type = RankedTensorType::get(shape, builder.getI8Type());
  return createConstantTensor(builder, loc, type, bytes, resourceName);
}

static Value createI32Constant(OpBuilder &builder, Location loc,
                               ArrayRef<int32_t> values,
                               StringRef resourceName) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getI32Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(int32_t));
  return createConstantTensor(builder, loc, type, bytes, resourceName);
}

OutlierConstants createOutlierConstants(OpBuilder &builder, Location loc,
                                        const ref::CsrMatrix &csr,
                                        StringRef namePrefix) {
  OutlierConstants c;
  c.rowPtr = createI32Constant(builder, loc, csr.rowPtr,
                               (namePrefix + ".outlier_row_ptr").str());
  c.colInd = createI32Constant(builder, loc, csr.colInd,
                               (namePrefix + ".outlier_col_ind").str());
  c.values =
      createF32Constant(builder, loc, {static_cast<int64_t>(csr.values.size())},
                        csr.values, (namePrefix + ".outlier_values").str());
  return c;
}

int64_t outlierBytes(const ref::CsrMatrix &csr) {
  return static_cast<int64_t>(csr.rowPtr.size()) * 4 +
         static_cast<int64_t>(csr.colInd.size()) * 4 +
         static_cast<int64_t>(csr.values.size()) * 4;
}

DictionaryAttr buildQuantInfo(MLIRContext *context,
                              const ConstantWeightMatmul &target,
                              StringRef scheme, int64_t bytesAfter,
                              ArrayRef<float> original,
                              ArrayRef<float> reconstructed) {
  Builder b(context);
  NamedAttribute entries[] = {
      b.getNamedAttr("layer", b.getStringAttr(target.name)),
      b.getNamedAttr("scheme", b.getStringAttr(scheme)),
      b.getNamedAttr("bytes_before",
                     b.getI64IntegerAttr(target.k * target.n * 4)),
      b.getNamedAttr("bytes_after", b.getI64IntegerAttr(bytesAfter)),
      b.getNamedAttr("weight_sqnr_db",
                     b.getF64FloatAttr(quant::sqnrDb(original, reconstructed))),
  };
  return b.getDictionaryAttr(entries);
}

void finishWeightReplacement(RewriterBase &rewriter,
                             const ConstantWeightMatmul &target,
                             Value product) {
  arith::ConstantOp weight = target.weight;
  replaceConstantWeightMatmul(rewriter, target, product);
  if (weight->use_empty())
    rewriter.eraseOp(weight);
}

} // namespace sparq
