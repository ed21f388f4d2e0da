//===- Passes.h - sparq quantization transforms -----------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_H
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_H

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace sparq {

#define GEN_PASS_DECL
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparq/Dialect/Sparq/Transforms/Passes.h.inc"

} // namespace sparq

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_H
