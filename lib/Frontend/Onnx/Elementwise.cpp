//===- Elementwise.cpp - ONNX elementwise converters ----------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace sparq::onnx_frontend;

namespace {
LogicalResult convertIdentity(NodeContext &node) {
  node.setOutput(0, node.getInput(0));
  return success();
}

LogicalResult convertAdd(NodeContext &node) {
  RankedTensorType lhsType = node.getInputType(0);
  RankedTensorType rhsType = node.getInputType(1);
  if (lhsType.getElementType() != rhsType.getElementType())
    return node.emitError() << "input element types differ: "
                            << lhsType.getElementType() << " and "
                            << rhsType.getElementType();
  auto shape = broadcastShapes({lhsType.getShape(), rhsType.getShape()});
  if (!shape)
    return node.emitError() << "shapes " << formatShape(lhsType.getShape())
                            << " and " << formatShape(rhsType.getShape())
                            << " do not broadcast";
  Type elementType = lhsType.getElementType();
  Value result = buildElementwise(
      node.getBuilder(), node.getLoc(),
      ValueRange{node.getInputValue(0), node.getInputValue(1)}, *shape,
      elementType, [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        if (isa<FloatType>(elementType))
          return arith::AddFOp::create(b, loc, args[0], args[1]);
        return arith::AddIOp::create(b, loc, args[0], args[1]);
      });
  node.setOutput(0, result, node.getInputDType(0));
  return success();
}
} // namespace

void sparq::onnx_frontend::registerElementwiseConverters(
    ConverterRegistry &registry) {
  registry.add("", "Identity", 13, convertIdentity);
  registry.add("", "Add", 13, convertAdd);
}
