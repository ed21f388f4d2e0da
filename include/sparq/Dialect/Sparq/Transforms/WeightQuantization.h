//===- WeightQuantization.h - Building quantized matmuls --------*- C++ -*-===//
//
// Part of the sparq project.
//
// What the weight quantization passes (sparq-quantize-weights,
// sparq-codebook-quantize, sparq-decompose-outliers) share once they have
// quantized a weight on plain arrays: checking the weight, reading its
// sensitivity, materializing packed constants and CSR outliers, the
// `sparq.quant_info` annotation, and swapping the matmul out.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTQUANTIZATION_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTQUANTIZATION_H

#include "sparq/Dialect/Sparq/Transforms/WeightMatching.h"
#include "sparq/Reference/Kernels.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

#include <string>
#include <vector>

namespace sparq {

/// Name of the discardable attribute every quantization pass puts on the ops
/// it creates from a weight.
constexpr llvm::StringLiteral kQuantInfoAttrName = "sparq.quant_info";

/// Fails, with an error on the matmul naming the weight and the [k, n]
/// position, if a weight in `rows` ([N, K]) is NaN or infinite.
mlir::LogicalResult verifyFiniteWeights(const ConstantWeightMatmul &target,
                                        llvm::ArrayRef<float> rows);

/// Reads `<directory>/<weight name>.npy`: a float32 array of the weight's
/// own [K, N] shape as stored in the model, finite and non-negative.
/// Returns it transposed to [N, K] rows; errors (emitted on the matmul) name
/// the file, and for a wrong shape or dtype what was expected.
mlir::FailureOr<std::vector<float>>
readSensitivity(llvm::StringRef directory, const ConstantWeightMatmul &target);

/// An i8 constant with the [rows, cols] `values` of `bits` bits packed one
/// row at a time (sparq/Reference/Packing.h): [rows, ceil(cols*bits/8)].
mlir::Value createPackedConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                 llvm::ArrayRef<int32_t> values, int64_t rows,
                                 int64_t cols, unsigned bits,
                                 llvm::StringRef resourceName);

/// An i8 constant of `shape` holding the low 8 bits of each value.
mlir::Value createI8Constant(mlir::OpBuilder &builder, mlir::Location loc,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int32_t> values,
                             llvm::StringRef resourceName);

/// The row_ptr (i32), col_ind (i32) and values (f32) constants of `csr`.
struct OutlierConstants {
  mlir::Value rowPtr, colInd, values;
};
OutlierConstants createOutlierConstants(mlir::OpBuilder &builder,
                                        mlir::Location loc,
                                        const ref::CsrMatrix &csr,
                                        llvm::StringRef namePrefix);

/// Bytes the CSR arrays take: (N + 1) * 4 + nnz * (4 + 4).
int64_t outlierBytes(const ref::CsrMatrix &csr);

/// The `sparq.quant_info` dictionary: layer, scheme, bytes_before (the f32
/// weight), bytes_after, weight_sqnr_db (of `original` vs
/// `reconstructed`, both [N, K]).
mlir::DictionaryAttr buildQuantInfo(mlir::MLIRContext *context,
                                    const ConstantWeightMatmul &target,
                                    llvm::StringRef scheme, int64_t bytesAfter,
                                    llvm::ArrayRef<float> original,
                                    llvm::ArrayRef<float> reconstructed);

/// Replaces the matmul with `product` (see replaceConstantWeightMatmul) and
/// erases the float weight if nothing else uses it.
void finishWeightReplacement(mlir::RewriterBase &rewriter,
                             const ConstantWeightMatmul &target,
                             mlir::Value product);

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_WEIGHTQUANTIZATION_H
