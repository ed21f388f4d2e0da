//===- Passes.td - sparq transforms of upstream IR ---------*- tablegen -*-===//
//
// Part of the sparq project.
//
// Transforms of upstream dialects (linalg, tensor) that the CPU lowering
// needs and upstream does not provide in the right form.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_TRANSFORMS_PASSES_TD
#define SPARQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseElementwiseWithoutRecomputation
    : Pass<"fuse-elementwise-without-recomputation"> {
  let summary = "Fuse elementwise linalg producers into consumers that "
                "read each produced element once";
  let description = [{
    Upstream `linalg-fuse-elementwise-ops` fuses an elementwise producer
    into any consumer, including one that reads each produced element many
    times: a GELU feeding a matmul then evaluates `erf` once per
    multiply-add (K times more often), and a LayerNorm's `rsqrt` of the row
    variance once per element of the row. This pass runs the same fusion,
    reshape propagation and constant folding patterns, but fuses a producer
    only when it has one use and the consumer's indexing map for it is a
    permutation of all the consumer's loops, so each produced element is
    computed exactly once wherever it ends up.

    Example:

    ```
    sparq-opt --fuse-elementwise-without-recomputation model.mlir
    ```
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def InterchangeContractionLoops : Pass<"interchange-contraction-loops"> {
  let summary = "Order the loops of linalg contractions so the innermost "
                "one walks the output and an operand with unit stride";
  let description = [{
    `convert-linalg-to-loops` keeps a linalg op's iteration order, and for
    matmuls that order ends with the reduction: the innermost loop walks the
    weight matrix down a column (a stride of N elements) and accumulates
    into one scalar, which LLVM cannot vectorize without reassociating the
    floating-point sum. This pass generalizes contractions (matmul,
    batch_matmul, and generic ops with reductions) whose output's innermost
    dimension is a parallel loop that also indexes the innermost dimension
    of an input, and moves that loop innermost, after the reductions:
    `C[i, j] += A[i, k] * B[k, j]` runs as `i, k, j`. Each output element
    still sums its terms in the same order, so results are bit-identical,
    and the innermost loop becomes a unit-stride multiply-add over rows of
    `B` and `C` that LLVM vectorizes.

    Example:

    ```
    sparq-opt --interchange-contraction-loops model.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // SPARQ_TRANSFORMS_PASSES_TD
