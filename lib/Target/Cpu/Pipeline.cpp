//===- Pipeline.cpp - Lowering sparq modules to the LLVM dialect ----------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Target/Cpu/CpuTarget.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

LogicalResult sparq::cpu::buildCpuLoweringPipeline(OpPassManager &pm) {
  // Results become out-parameters the caller (the ABI wrapper) owns, with
  // identity layouts, so outputs are written in place and copied never.
  const char *pipeline =
      "convert-sparq-to-linalg,"
      "canonicalize,"
      "convert-elementwise-to-linalg,"
      "linalg-fuse-elementwise-ops,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-results-to-out-params{hoist-static-allocs "
      "modify-public-functions},"
      "buffer-deallocation-pipeline,"
      "convert-linalg-to-loops,"
      "convert-scf-to-cf,"
      "expand-strided-metadata,"
      "lower-affine,"
      "finalize-memref-to-llvm,"
      "convert-math-to-llvm,"
      "convert-arith-to-llvm,"
      "convert-index-to-llvm,"
      "convert-cf-to-llvm,"
      "func.func(llvm-request-c-wrappers),"
      "convert-func-to-llvm,"
      "reconcile-unrealized-casts";
  // Fails (with a message on stderr) only if a pass is not registered.
  return parsePassPipeline(pipeline, pm);
}

void sparq::cpu::registerCpuPipelines() {
  PassPipelineRegistration<>(
      "sparq-cpu-lowering",
      "Lower tensors and sparq ops to the LLVM dialect for the CPU, with "
      "outputs as caller-owned out-parameters and C wrappers",
      [](OpPassManager &pm) { (void)buildCpuLoweringPipeline(pm); });
}
