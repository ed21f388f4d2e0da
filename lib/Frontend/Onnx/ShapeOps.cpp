//===- ShapeOps.cpp - ONNX converters ----------------------------------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeContext.h"

using namespace mlir;
using namespace sparq::onnx_frontend;

void sparq::onnx_frontend::registerShapeConverters(ConverterRegistry &registry) {}
