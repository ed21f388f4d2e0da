//===- Epilogue.h - matmul epilogue arithmetic -------------------*- C++
//-*-===//
//
// Part of the sparq project.
//
// The arithmetic of the `activation` epilogue of sparq.qmatmul and
// sparq.lut_matmul, shared by every lowering so that they agree bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_EPILOGUE_H
#define SPARQ_DIALECT_SPARQ_IR_EPILOGUE_H

#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace sparq {

/// Applies `activation` to `x`, a float scalar or vector. Narrow floats
/// (f16, bf16) are computed in f32 and rounded back once, since erf, tanh and
/// exp have no narrow libm entry points.
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            Activation activation, mlir::Value x);

/// The outputs of a `gated` matmul from its `[..., N]` pre-activation
/// result `wide`: `act(wide[..., :N/2]) * wide[..., N/2:] (+ residual)`, as
/// two tensor.extract_slice ops and one elementwise linalg.generic.
mlir::Value buildGatedProduct(mlir::OpBuilder &b, mlir::Location loc,
                              Activation activation, mlir::Value wide,
                              mlir::Value residual);

/// A copy of the sparq.qmatmul or sparq.lut_matmul `op` (same operands,
/// attributes and discardable attributes) with result type `resultType`
/// and the given bias and epilogue; the fusion patterns and the gated
/// expansion build their ops with it.
mlir::Operation *cloneWithEpilogue(mlir::OpBuilder &b, mlir::Operation *op,
                                   mlir::Type resultType, mlir::Value bias,
                                   ActivationAttr activation,
                                   mlir::Value residual, mlir::UnitAttr gated);

/// Replaces the `gated` sparq.qmatmul or sparq.lut_matmul `op` by the same
/// matmul without an epilogue, writing all N columns, followed by
/// buildGatedProduct. Lowerings whose kernels have no gated outputs use it;
/// the wide intermediate is what gated kernels avoid. Returns the new
/// matmul.
mlir::Operation *expandGatedMatmul(mlir::RewriterBase &rewriter,
                                   mlir::Operation *op);

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_IR_EPILOGUE_H
