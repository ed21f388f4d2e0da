//===- SparqDialect.cpp - sparq dialect -----------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"

#include "sparq/Dialect/Sparq/IR/SparqAttrs.h"
#include "sparq/Dialect/Sparq/IR/SparqOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparq;

#include "sparq/Dialect/Sparq/IR/SparqOpsDialect.cpp.inc"

void SparqDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sparq/Dialect/Sparq/IR/SparqOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *SparqDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
