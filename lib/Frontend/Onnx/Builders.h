//===- Builders.h - IR building helpers for ONNX converters -----*- C++ -*-===//
//
// Part of the sparq project.
//
// Shared by the converters: numpy-style broadcasting into linalg.generic,
// reductions, reshapes, transposes, element type conversions and constants.
// All shapes are static.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_LIB_FRONTEND_ONNX_BUILDERS_H
#define SPARQ_LIB_FRONTEND_ONNX_BUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace sparq::onnx_frontend {

/// numpy broadcasting of several shapes; std::nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// Formats a shape as [2, 3] for messages.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Body of an elementwise computation: scalar operands in, scalar result out.
using ScalarBodyFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Emits a linalg.generic computing `body` elementwise over `inputs`, each
/// broadcast (numpy rules, aligned to the right) to `resultShape`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange inputs,
                             llvm::ArrayRef<int64_t> resultShape,
                             mlir::Type resultElementType, ScalarBodyFn body);

/// tensor.empty of a static shape.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape, mlir::Type elementType);

/// A scalar arith.constant of an integer, index or float type.
mlir::Value createScalar(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, double value);

/// A tensor filled with `value` (arith.constant splat).
mlir::Value createSplat(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                        double value);

/// An arith.constant holding `attr`.
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ElementsAttr attr);

/// Reshapes to `shape` (same element count): one tensor.collapse_shape or
/// tensor.expand_shape when the shapes merge or split neighbouring dims,
/// otherwise through rank 1.
mlir::Value reshape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                    llvm::ArrayRef<int64_t> shape);

/// linalg.transpose by `permutation` (result dim i = input dim perm[i]).
mlir::Value transpose(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> permutation);

/// Reduces `input` over `axes` (normalized, any order) with linalg.reduce,
/// starting from `init` (a scalar of the element type) and combining with
/// `combine(accumulator, element)`. With keepDims the reduced axes stay as
/// size-1 dimensions.
mlir::Value
reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
       llvm::ArrayRef<int64_t> axes, bool keepDims, mlir::Value init,
       llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                      mlir::Value, mlir::Value)>
           combine);

/// Converts a scalar between element types with ONNX Cast semantics
/// (signedness from the ONNX types; float to int truncates toward zero;
/// to BOOL is "!= 0").
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value scalar, int32_t fromDType,
                          int32_t toDType, mlir::Type toType);

/// Converts every element of a tensor (see convertScalar); returns the input
/// itself when the types already agree.
mlir::Value convertTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, int32_t fromDType, int32_t toDType,
                          mlir::Type toType);

/// Normalizes a possibly negative axis for a rank; std::nullopt if out of
/// range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace sparq::onnx_frontend

#endif // SPARQ_LIB_FRONTEND_ONNX_BUILDERS_H
