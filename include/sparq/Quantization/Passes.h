//===- Passes.h - sparq calibration and reporting ---------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_QUANTIZATION_PASSES_H
#define SPARQ_QUANTIZATION_PASSES_H

#include "sparq/Dialect/Sparq/IR/SparqDialect.h"
#include "sparq/Dialect/Sparq/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace sparq {

#define GEN_PASS_DECL
#include "sparq/Quantization/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparq/Quantization/Passes.h.inc"

/// Registers sparq-w8a8-smoothquant, sparq-w4a16 and sparq-squeezellm.
void registerQuantizationPipelines();

} // namespace sparq

#endif // SPARQ_QUANTIZATION_PASSES_H
