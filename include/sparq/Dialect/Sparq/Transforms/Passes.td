//===- Passes.td - sparq quantization transforms -----------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_TD
#define SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparqQuantizeWeights : Pass<"sparq-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Round-to-nearest weight quantization of constant matmul "
                "weights into sparq.qmatmul";
  let description = [{
    TODO(issue 6): describe.
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "4", "Bits per weight (2 to 8)">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Weights per scale along K (0: one scale per output channel); "
           "must divide K">,
    Option<"symmetric", "symmetric", "bool", "true",
           "Symmetric (signed, no zero point) or asymmetric (unsigned with "
           "zero points)">,
    ListOption<"skip", "skip", "std::string",
               "Weights left in floating point: glob patterns matched "
               "against the weight's name (e.g. lm_head*,*embed*)">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SparqCodebookQuantize : Pass<"sparq-codebook-quantize",
                                 "::mlir::ModuleOp"> {
  let summary = "Per-channel k-means (SqueezeLLM) codebook quantization into "
                "sparq.lut_matmul";
  let description = [{
    TODO(issue 6): describe.
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "3", "Index bits (2 to 4)">,
    Option<"maxIterations", "max-iterations", "unsigned", "50",
           "Lloyd iterations per channel at most">,
    Option<"sensitivity", "sensitivity", "std::string", "\"\"",
           "Directory of <weight name>.npy sensitivity tensors (same shape "
           "as the weight) weighting the k-means objective">,
    ListOption<"skip", "skip", "std::string",
               "Weights left in floating point: glob patterns matched "
               "against the weight's name">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SparqDecomposeOutliers : Pass<"sparq-decompose-outliers",
                                  "::mlir::ModuleOp"> {
  let summary = "Dense-and-sparse decomposition: outliers into CSR, the rest "
                "quantized";
  let description = [{
    TODO(issue 6): describe.
  }];
  let options = [
    Option<"fraction", "fraction", "double", "0.0045",
           "Fraction of each weight matrix kept exactly in CSR">,
    Option<"sensitivity", "sensitivity", "std::string", "\"\"",
           "Directory of <weight name>.npy sensitivity tensors">,
    Option<"dense", "dense", "std::string", "\"codebook\"",
           "How the dense remainder is quantized: rtn or codebook">,
    Option<"bits", "bits", "unsigned", "3", "Bits of the dense part">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "RTN group size of the dense part (0: per channel)">,
    Option<"maxIterations", "max-iterations", "unsigned", "50",
           "k-means iterations of the dense part at most">,
    ListOption<"skip", "skip", "std::string",
               "Weights left in floating point: glob patterns">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SparqSmoothQuant : Pass<"sparq-smoothquant", "::mlir::ModuleOp"> {
  let summary = "SmoothQuant: migrate activation outlier scales into weights";
  let description = [{
    Applies SmoothQuant (Xiao et al., 2023) to calibrated f32 models:
    `X W == (X diag(s)^-1) (diag(s) W)`, with per input channel
    `s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)`, moves the range of
    activation outlier channels into the weights so that both quantize
    well to 8 bits (run sparq-fold-calibration afterwards).

    Activations are the left-hand sides of `linalg.matmul`s with a
    constant `[K, N]` weight, looked through `sparq.observe` and reshapes
    that keep the last dimension. Every matmul reading the same value (Q,
    K and V of one norm output; gate and up of a gated MLP) shares one `s`,
    computed from `max|W_j|` over all their weights and the per-channel
    `absmax` of the observers' `#sparq.stats` (observe `axis` = last).
    Rows `j` of each consumer's weight are multiplied by `s_j`; `1/s_j` is
    folded into the producer when the activation feeds nothing else and
    the producer is linear per channel: an elementwise `linalg.generic`
    multiplying by a constant `[C]` vector (RMSNorm/LayerNorm gamma, with
    its beta and any added `[C]` constant divided too), or a constant-weight
    matmul (its output columns). Constants used elsewhere are cloned.
    Otherwise a `sparq.smooth %x, %s` is inserted on the matmuls' path
    (with a remark naming the activation). Observer statistics on the
    smoothed path are divided by `s`, so sparq-fold-calibration sees the
    smoothed ranges.

    Errors: `alpha` outside [0, 1]; an observer without `stats` (not
    calibrated); statistics that are not per channel along the last axis;
    a module without any observer. A matmul whose activation has no
    observer is left alone with a warning.

    Example:

    ```
    sparq-opt calibrated.mlir --sparq-smoothquant="alpha=0.5" \
        --sparq-fold-calibration="activations=static"
    ```
  }];
  let options = [
    Option<"alpha", "alpha", "double", "0.5",
           "Migration strength in [0, 1]">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SparqFoldCalibration : Pass<"sparq-fold-calibration",
                                "::mlir::ModuleOp"> {
  let summary = "Fold calibration statistics and QDQ patterns into static "
                "quantized ops";
  let description = [{
    Turns calibration results and QDQ graphs into quantized compute:

    1. QDQ weights of pre-quantized models: a `linalg.matmul` whose `[K, N]`
       right-hand side is a `sparq.dequantize` of constant integer codes
       (any 2-8-bit storage, per-tensor/per-channel/group-wise scales,
       optional zero points) becomes a `sparq.qmatmul` on the same codes,
       transposed at compile time to `[N, K]` and repacked; scales and zero
       points are transposed to `[N / Bn, K / G]`, all-zero integer zero
       points dropped. When the weight is signed 8-bit with one scale per
       output channel (or tensor) and the activation is itself a symmetric
       si8 `sparq.dequantize` with one constant scale (a Q/DQ pair), the
       matmul becomes `sparq.int_matmul` on both codes instead. The function
       is unchanged.
    2. W8A8: a constant-weight f32 `linalg.matmul` whose activation
       carries a `sparq.observe` with `stats` (looked for through reshapes
       that keep the last dimension) becomes
       `sparq.quantize` (si8) + `sparq.int_matmul ... scales(%sa, %sw)` with
       symmetric int8 weights per output channel. `activations=static`
       uses one activation scale `absmax / 127` from the statistics;
       `activations=dynamic` computes `max_k |x[m, k]| / 127` per token at
       run time with linalg ops. Each op gets a `sparq.quant_info`
       (scheme `w8a8-static`/`w8a8-dynamic`, or `qdq-<storage>-...`).
    3. Observers are removed, and remaining `sparq.dequantize` ops of
       constants with at most 4096 elements fold into f32 constants.

    Run sparq-smoothquant first to move activation outliers into the
    weights. Errors: an observer on a matmul input without `stats`; an
    `activations` value other than `static` or `dynamic`.

    Example:

    ```
    sparq-opt calibrated.mlir --sparq-smoothquant \
        --sparq-fold-calibration="activations=dynamic"
    ```
  }];
  let options = [
    Option<"activations", "activations", "std::string", "\"static\"",
           "W8A8 activation scales: static (per tensor, from statistics) "
           "or dynamic (per token at run time)">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_TD
