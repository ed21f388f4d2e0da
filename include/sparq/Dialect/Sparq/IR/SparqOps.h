//===- SparqOps.h - sparq operations ----------------------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQOPS_H
#define SPARQ_DIALECT_SPARQ_IR_SPARQOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"
#include "sparq/Dialect/Sparq/IR/SparqDialect.h"

namespace sparq {
/// Bit width of the packed elements of `type`: the width of an integer
/// element type, or of a `!quant` type's storage type; 0 for anything else.
unsigned getPackedElementBits(mlir::Type elementType);

/// Bytes one row of `numElements` `bits`-bit elements takes when packed.
int64_t getPackedRowBytes(int64_t numElements, unsigned bits);
} // namespace sparq

#define GET_OP_CLASSES
#include "sparq/Dialect/Sparq/IR/SparqOps.h.inc"

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQOPS_H
