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
    Replaces every `linalg.matmul` whose right-hand side is a constant f32
    `[K, N]` weight (what the ONNX importer makes of MatMul and Gemm with an
    initializer) by a `sparq.qmatmul` with round-to-nearest (RTN) weights,
    so that the weights take `bits` bits each plus one f32 scale (and an i8
    zero point) per group of `group-size` weights along K.

    Weights are transposed to sparq's `[N, K]` layout and quantized group by
    group, like the reference numerics (`sparq/Reference/Quantization.h`):
    - `symmetric=true`: signed `si<bits>` storage,
      `scale = absmax / (2^(bits-1) - 1)`, no zero points;
    - `symmetric=false`: unsigned `ui<bits>` storage,
      `scale = (max(hi, 0) - min(lo, 0)) / (2^bits - 1)` and an integer zero
      point, so 0 stays exactly representable.
    An all-zero group gets scale 1 (its weights quantize to 0): nothing is
    ever divided by 0. `group-size=0` means one scale per output channel.
    A `group-size` that does not divide a weight's K is an error naming the
    weight (no silent fallback to another group size); skip such weights
    with `skip=`. Non-finite weights are an error.

    The new op carries `sparq.quant_info = {layer, scheme, bytes_before,
    bytes_after, weight_sqnr_db}` (scheme e.g. `rtn-int4-g128-sym`), which
    `sparq-quant-report` reads. Weights whose name (the initializer's name,
    or `matmul_<i>` for literal weights) matches a `skip` glob stay in
    float.

    Example:

    ```
    sparq-opt model.mlir \
      --sparq-quantize-weights="bits=4 group-size=128 skip=lm_head*"
    ```
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

def SparqClipWeights : Pass<"sparq-clip-weights", "::mlir::ModuleOp"> {
  let summary = "Clip constant matmul weights to the range that minimizes "
                "their round-to-nearest error";
  let description = [{
    A preparation for `sparq-quantize-weights` with the same `bits` and
    `group-size` (symmetric): an outlier weight sets its group's scale, so
    every other weight of the group is rounded coarsely. Clipping the group
    to a smaller range `[-c, c]` trades error on the few largest weights for
    finer steps on all the others.

    For each group of `group-size` weights along K of every constant f32
    matmul weight (`[K, N]`, output channel by output channel, as
    `sparq-quantize-weights` groups them) with absmax `m`, the pass tries the
    clipping ranges `c = r * m` for `r = 1 - i * max-shrink / grid`,
    `i = 0..grid`: it clips the group to `[-c, c]`, quantizes it as
    `sparq-quantize-weights` would (symmetric RTN, scale `c / qmax`) and
    keeps the `c` whose dequantized group has the smallest squared error
    against the original weights (the first one on ties, so `r = 1`, no
    clipping, unless clipping is strictly better). The weight constant is
    replaced by the clipped weights; a `sparq.weight_name` attribute keeps
    its name for `skip=`, sensitivities and the report.

    Only the weights change: quantize them afterwards with the same
    `bits` and `group-size`, e.g. `--quant="sparq-clip-weights{bits=3
    group-size=64},sparq-quantize-weights{bits=3 group-size=64}"`. The
    report's weight SQNR then compares with the clipped weights; its output
    and model SQNR compare with the model before the pipeline.

    Example:

    ```
    sparq-opt model.mlir --sparq-clip-weights="bits=4 group-size=128" \
      --sparq-quantize-weights="bits=4 group-size=128"
    ```
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "4",
           "Bits of the symmetric quantization to prepare for (2 to 8)">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Weights per clipping range along K (0: one per output channel); "
           "must divide K">,
    Option<"grid", "grid", "unsigned", "20",
           "Clipping ranges tried per group besides the full range">,
    Option<"maxShrink", "max-shrink", "double", "0.5",
           "Largest fraction of the range clipped away, in (0, 1)">,
    ListOption<"skip", "skip", "std::string",
               "Weights left as they are: glob patterns matched against the "
               "weight's name">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SparqCodebookQuantize : Pass<"sparq-codebook-quantize",
                                 "::mlir::ModuleOp"> {
  let summary = "Per-channel k-means (SqueezeLLM) codebook quantization into "
                "sparq.lut_matmul";
  let description = [{
    SqueezeLLM-style non-uniform quantization: replaces every constant-weight
    `linalg.matmul` (as for `sparq-quantize-weights`) by a
    `sparq.lut_matmul` whose `[N, K]` weights are `bits`-bit indices (packed,
    unsigned) into one `[2^bits]` f32 codebook per output channel
    (`codebooks : [N, 2^bits]`). Non-uniform levels follow the weights'
    actual distribution, so at 3 bits they lose much less than a uniform
    grid.

    Each channel's codebook is a 1-D k-means (Lloyd) of its weights, run
    from two deterministic starts (an even grid over the channel's range,
    and weighted quantiles) for at most `max-iterations` iterations; the
    better result is kept. With `sensitivity=<dir>`, the k-means minimizes
    `sum_i s_i * (w_i - c(w_i))^2` with `s` read from
    `<dir>/<weight name>.npy`: a float32 array of the weight's own `[K, N]`
    shape as stored in the model (e.g. the diagonal Fisher information,
    transposed like the weight), finite and non-negative. A missing file,
    another shape or dtype, or a negative value is an error naming the file.
    `bits` must be 2 to 4.

    Annotates the new ops with `sparq.quant_info` (scheme `lut-<bits>`).

    Example:

    ```
    sparq-opt model.mlir \
      --sparq-codebook-quantize="bits=3 sensitivity=fisher/ skip=lm_head*"
    ```
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "3", "Index bits (2 to 4)">,
    Option<"maxIterations", "max-iterations", "unsigned", "50",
           "Lloyd iterations per channel at most">,
    Option<"sensitivity", "sensitivity", "std::string", "\"\"",
           "Directory of <weight name>.npy float32 sensitivities, [K, N] "
           "like the weight in the model, weighting the k-means objective">,
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
    SqueezeLLM's dense-and-sparse decomposition `W = Q(D) + S`: from every
    constant-weight `linalg.matmul` (as for `sparq-quantize-weights`), the
    `round(fraction * N * K)` weights with the highest score are kept in an
    f32 CSR matrix `S` (the `outliers(row_ptr, col_ind, values)` operands)
    and the remainder `D` is quantized: `dense=rtn` (symmetric,
    `bits`, `group-size`) gives a `sparq.qmatmul`, `dense=codebook`
    (per-channel k-means, `bits` 2 to 4, `max-iterations`) a
    `sparq.lut_matmul`. Taking the few largest weights out narrows the range
    the dense part has to cover, which is where low-bit quantization loses
    most.

    The score is `|w|`, or `s * w^2` with `sensitivity=<dir>` (files as for
    `sparq-codebook-quantize`): the first-order loss increase of perturbing
    the weight, so the most sensitive weights are the ones kept exactly.
    Equal scores go to the lower `[N, K]` row-major index.

    The outlier positions take no part in the dense part's statistics (RTN
    ranges, k-means). At those positions the reconstructed weight equals the
    original exactly: with RTN the dense part is exactly 0 there (0 never
    widens a group's range and is representable), so `S` holds the
    weights; with codebooks the index names the entry `c` nearest 0 for
    which some f32 `s` has `c + s == w` exactly, and `S` holds that `s` (a
    row where some outlier has no such entry is re-clustered with an exact
    0 in its codebook). `fraction=0` leaves out the outlier operands.
    `fraction` must lie in [0, 0.5] and `dense` be `rtn` or `codebook`.

    Annotates the new ops with `sparq.quant_info` (scheme e.g.
    `lut-3+sparse-0.45%`); `weight_sqnr_db` counts the outliers.

    Example:

    ```
    sparq-opt model.mlir --sparq-decompose-outliers="fraction=0.0045 \
      dense=codebook bits=3 sensitivity=fisher/"
    ```
  }];
  let options = [
    Option<"fraction", "fraction", "double", "0.0045",
           "Fraction of each weight matrix kept exactly in CSR, in [0, 0.5]">,
    Option<"sensitivity", "sensitivity", "std::string", "\"\"",
           "Directory of <weight name>.npy float32 sensitivities, [K, N] "
           "like the weight in the model: outliers are chosen by s * w^2 "
           "instead of |w|, and codebooks weighted by s">,
    Option<"dense", "dense", "std::string", "\"codebook\"",
           "How the dense remainder is quantized: rtn or codebook">,
    Option<"bits", "bits", "unsigned", "3",
           "Bits of the dense part (2 to 8 for rtn, 2 to 4 for codebook)">,
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

def SparqFuse : Pass<"sparq-fuse", "::mlir::ModuleOp"> {
  let summary = "Fuse quantized transformer layers: dequantized weights, sibling matmuls, gated MLPs, matmul epilogues, softmax, norm + activation quantization";
  let description = [{
    See docs/fusion.md.
  }];
  let options = [
    ListOption<"patterns", "patterns", "std::string",
               "Fusion families to run (default: all): dequantize-matmul, "
               "concat-siblings, gated-mlp, epilogue, softmax, norm-quantize">,
    Option<"stats", "stats", "bool", "false",
           "Print one line per fusion candidate: fused or not, and why">,
  ];
  let dependentDialects = [
    "::sparq::SparqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SPARQ_DIALECT_SPARQ_TRANSFORMS_PASSES_TD
