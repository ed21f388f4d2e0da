//===- Passes.h - Passes of the CUDA back end -------------------*- C++ -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_TARGET_CUDA_PASSES_H
#define SPARQ_TARGET_CUDA_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace sparq {

#define GEN_PASS_DECL
#include "sparq/Target/Cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparq/Target/Cuda/Passes.h.inc"

} // namespace sparq

#endif // SPARQ_TARGET_CUDA_PASSES_H
