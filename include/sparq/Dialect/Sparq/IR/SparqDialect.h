//===- SparqDialect.h - sparq dialect ---------------------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_H
#define SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "sparq/Dialect/Sparq/IR/SparqOpsDialect.h.inc"

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_H
