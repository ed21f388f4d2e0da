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

namespace sparq {

/// Applies `activation` to `x`, a float scalar or vector. Narrow floats
/// (f16, bf16) are computed in f32 and rounded back once, since erf, tanh and
/// exp have no narrow libm entry points.
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            Activation activation, mlir::Value x);

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_IR_EPILOGUE_H
