//===- Passes.td - sparq conversion passes -----------------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_CONVERSION_PASSES_TD
#define SPARQ_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparqToLinalg : Pass<"convert-sparq-to-linalg"> {
  let summary = "Lower sparq ops to reference linalg, tensor, arith and scf IR";
  let description = [{
    Rewrites every sparq op into upstream ops that state its semantics
    directly: unpacking reads bits with shifts, `sparq.dequantize` is a
    `linalg.generic` over the weights with block-indexed scales, the matmuls
    dequantize (or look up) the whole weight matrix, add the densified CSR
    outliers, and contract with a `linalg.generic`.

    This is the reference lowering: it makes any sparq program executable
    through upstream pipelines (bufferization, loops, LLVM), which is what
    numerical tests compare optimized kernels against. It materializes
    dequantized weight matrices, so it is never the path for a decoding hot
    loop; the CPU and GPU kernel lowerings are.

    Example:

    ```
    sparq-opt --convert-sparq-to-linalg model.mlir
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SPARQ_CONVERSION_PASSES_TD
