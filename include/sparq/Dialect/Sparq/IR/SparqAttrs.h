//===- SparqAttrs.h - sparq attributes --------------------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_H
#define SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "sparq/Dialect/Sparq/IR/SparqEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sparq/Dialect/Sparq/IR/SparqAttrs.h.inc"

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQATTRS_H
