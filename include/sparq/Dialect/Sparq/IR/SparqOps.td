//===- SparqOps.td - sparq operations ----------------------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQOPS_TD
#define SPARQ_DIALECT_SPARQ_IR_SPARQOPS_TD

include "sparq/Dialect/Sparq/IR/SparqDialect.td"
include "sparq/Dialect/Sparq/IR/SparqAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Sparq_Float : AnyTypeOf<[F16, BF16, F32]>;
def Sparq_FloatTensor : RankedTensorOf<[Sparq_Float]>;
def Sparq_PackedTensor : RankedTensorOf<[I8]>;
def Sparq_ZeroPointTensor : RankedTensorOf<[AnySignlessInteger, Sparq_Float]>;
def Sparq_IndexVector : 1DTensorOf<[I32]>;
def Sparq_OutlierValues : 1DTensorOf<[Sparq_Float]>;

// Checked by the op verifiers, which name the type they got: a signed or
// unsigned integer type of 2 to 8 bits (`si4`, `ui3`, ...).
def Sparq_StorageTypeAttr : TypeAttrOf<AnyInteger>;

class Sparq_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sparq_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Packed storage
//===----------------------------------------------------------------------===//

def Sparq_PackOp : Sparq_Op<"pack", [Pure]> {
  let summary = "Packs 2- to 8-bit integers into bytes";
  let description = [{
    Packs each row (last-dimension slice) of a tensor of `b`-bit integers,
    2 <= b <= 8, into `ceil(K * b / 8)` bytes with the bit layout documented
    on the dialect. The element type is a signless, signed or unsigned
    integer type, or a `!quant` type whose storage type has 2 to 8 bits; the
    layout keeps only the bits, so signedness does not matter here.

    Packing constants folds to a packed constant, and `pack(unpack(x))`
    folds to `x`.

    Example:

    ```mlir
    %packed = sparq.pack %q : tensor<64x127xi4> -> tensor<64x64xi8>
    %w = sparq.pack %qw : tensor<32x16x!quant.uniform<i4:f32, 0.5>>
                          -> tensor<32x8xi8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source);
  let results = (outs Sparq_PackedTensor:$result);
  let assemblyFormat = [{
    $source attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Sparq_UnpackOp : Sparq_Op<"unpack", [Pure]> {
  let summary = "Unpacks bytes into 2- to 8-bit integers";
  let description = [{
    The inverse of `sparq.pack`: the result type says the logical shape and
    the element bit width (an integer type or a `!quant` type with a 2- to
    8-bit storage type). `unpack(pack(x))` folds to `x`, and unpacking a
    constant folds to a constant.

    Example:

    ```mlir
    %q = sparq.unpack %packed : tensor<64x64xi8> -> tensor<64x127xi4>
    ```
  }];
  let arguments = (ins Sparq_PackedTensor:$source);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $source attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Uniform quantization on packed storage
//===----------------------------------------------------------------------===//

def Sparq_QuantizeOp : Sparq_Op<"quantize", [Pure]> {
  let summary = "Quantizes a float tensor into packed storage";
  let description = [{
    Quantizes `input` block-wise (see the dialect description) with `scales`
    and optional `zero_points` into the integer range of `storage`, rounding
    half to even, and packs the result. `scales` has the rank of `input`;
    each of its dimensions divides the matching input dimension, so
    per-tensor, per-channel and group-wise quantization are one op. Zero
    points have the shape of `scales` and an integer element type, or the
    scales' float type for the `(q - z) * s` form with fractional `z`.

    Example (4-bit, group size 128, asymmetric):

    ```mlir
    %p = sparq.quantize %w, %scales zero_points(%zp) storage(ui4)
        : (tensor<256x512xf32>, tensor<256x4xf32>, tensor<256x4xi8>)
        -> tensor<256x256xi8>
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    Sparq_FloatTensor:$scales,
    Optional<Sparq_ZeroPointTensor>:$zero_points,
    Sparq_StorageTypeAttr:$storage_type
  );
  let results = (outs Sparq_PackedTensor:$result);
  let assemblyFormat = [{
    $input `,` $scales (`zero_points` `(` $zero_points^ `)`)?
    `storage` `(` $storage_type `)` attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Sparq_DequantizeOp : Sparq_Op<"dequantize", [Pure]> {
  let summary = "Dequantizes packed storage into a float tensor";
  let description = [{
    Unpacks `input` (whose logical shape is the result's) and computes
    `(q - z) * s` block-wise. Parameters follow the same rules as
    `sparq.quantize`. Compute ops take packed weights directly; this op is
    for graph-level rewriting and reference lowering, never for a decoding
    hot path, where it would materialize a float weight matrix.

    Example (per output channel, symmetric 8-bit):

    ```mlir
    %w = sparq.dequantize %p, %scales storage(si8)
        : (tensor<256x512xi8>, tensor<256x1xf16>) -> tensor<256x512xf16>
    ```
  }];
  let arguments = (ins
    Sparq_PackedTensor:$input,
    Sparq_FloatTensor:$scales,
    Optional<Sparq_ZeroPointTensor>:$zero_points,
    Sparq_StorageTypeAttr:$storage_type
  );
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scales (`zero_points` `(` $zero_points^ `)`)?
    `storage` `(` $storage_type `)` attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Compute
//===----------------------------------------------------------------------===//

def Sparq_QMatmulOp : Sparq_Op<"qmatmul", [Pure, AttrSizedOperandSegments]> {
  let summary = "Activations times uniformly quantized packed weights";
  let description = [{
    `y[..., n] = sum_k x[..., k] * W[n, k] + bias[n] + (x * S^T)[..., n]`,
    where `W = dequantize(weights, scales, zero_points)` with the `storage`
    integer type, and `S` is the optional CSR outlier matrix of a
    dense-and-sparse decomposition (see the dialect description). `weights`
    is the packed `[N, K]` matrix; `scales` is `[N / Bn, K / G]`, so any
    group size `G` dividing `K` works, and `G = K` is per-channel. The
    result has the input's leading dimensions, `N` as its last, and the
    input's element type. Lowerings dequantize in registers; no float weight
    matrix is ever written to memory.

    An optional epilogue runs on each output element before it is stored:
    `activation` (`relu`, `gelu` = `0.5 x (1 + erf(x / sqrt 2))`,
    `gelu_tanh`, `silu` = `x sigmoid(x)`) after the bias and outliers, then
    `residual`, a tensor of the result type, is added:
    `y = act(x W^T + bias + x S^T) + residual`. `sparq-fuse` forms it.

    A `gated` op is the gate and up projections of a gated MLP in one
    matmul: the first `N / 2` weight rows are the gate's, the last `N / 2`
    the up projection's, and with `z = x W^T + bias + x S^T` the result has
    `N / 2` columns, `y[..., j] = act(z[..., j]) * z[..., N / 2 + j] +
    residual[..., j]` (SwiGLU with `silu`, GeGLU with `gelu`). Kernels
    compute each gate/up pair of outputs together and never store `z`.

    Example (int4, group size 128, with zero points, bias and outliers):

    ```mlir
    %y = sparq.qmatmul %x, %w, %scales zero_points(%zp) bias(%b)
        outliers(%row_ptr, %col_ind, %values) storage(ui4)
        : (tensor<1x512xf16>, tensor<256x256xi8>, tensor<256x4xf16>,
           tensor<256x4xi8>, tensor<256xf16>, tensor<257xi32>,
           tensor<655xi32>, tensor<655xf16>) -> tensor<1x256xf16>
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    Sparq_PackedTensor:$weights,
    Sparq_FloatTensor:$scales,
    Optional<Sparq_ZeroPointTensor>:$zero_points,
    Optional<Sparq_FloatTensor>:$bias,
    Optional<Sparq_IndexVector>:$outlier_row_ptr,
    Optional<Sparq_IndexVector>:$outlier_col_ind,
    Optional<Sparq_OutlierValues>:$outlier_values,
    Sparq_StorageTypeAttr:$storage_type,
    OptionalAttr<Sparq_ActivationAttr>:$activation,
    Optional<Sparq_FloatTensor>:$residual,
    UnitAttr:$gated
  );
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weights `,` $scales
    (`zero_points` `(` $zero_points^ `)`)?
    (`bias` `(` $bias^ `)`)?
    (`outliers` `(` $outlier_row_ptr^ `,` $outlier_col_ind `,`
       $outlier_values `)`)?
    `storage` `(` $storage_type `)`
    (`activation` `(` $activation^ `)`)? (`gated` $gated^)?
    (`residual` `(` $residual^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  // The builders without an epilogue keep the signature they had before the
  // epilogue existed.
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
      "::mlir::Value":$weights, "::mlir::Value":$scales,
      "::mlir::Value":$zero_points, "::mlir::Value":$bias,
      "::mlir::Value":$outlier_row_ptr, "::mlir::Value":$outlier_col_ind,
      "::mlir::Value":$outlier_values, "::mlir::TypeAttr":$storage_type), [{
      build($_builder, $_state, result, input, weights, scales, zero_points,
            bias, outlier_row_ptr, outlier_col_ind, outlier_values,
            storage_type, /*activation=*/nullptr, /*residual=*/nullptr,
            /*gated=*/::mlir::UnitAttr());
    }]>,
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
      "::mlir::Value":$weights, "::mlir::Value":$scales,
      "::mlir::Value":$zero_points, "::mlir::Value":$bias,
      "::mlir::Value":$outlier_row_ptr, "::mlir::Value":$outlier_col_ind,
      "::mlir::Value":$outlier_values, "::mlir::Type":$storage_type), [{
      build($_builder, $_state, result, input, weights, scales, zero_points,
            bias, outlier_row_ptr, outlier_col_ind, outlier_values,
            ::mlir::TypeAttr::get(storage_type), /*activation=*/nullptr,
            /*residual=*/nullptr, /*gated=*/::mlir::UnitAttr());
    }]>,
  ];
  let extraClassDeclaration = [{
    /// The epilogue activation (`none` when the attribute is absent).
    ::sparq::Activation getActivationKind() {
      return getActivation().value_or(::sparq::Activation::none);
    }
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Sparq_LutMatmulOp : Sparq_Op<"lut_matmul",
                                 [Pure, AttrSizedOperandSegments]> {
  let summary = "Activations times codebook-quantized packed weights";
  let description = [{
    Non-uniform (lookup table) quantization as in SqueezeLLM:
    `W[n, k] = codebooks[n, indices[n, k]]`, with `indices` the packed,
    unsigned `bits`-bit `[N, K]` index matrix and `codebooks` the `[N, 2^bits]`
    per-output-channel tables. Otherwise like `sparq.qmatmul`, including the
    optional bias and CSR outliers of a dense-and-sparse decomposition and
    the optional `activation` / `residual` epilogue and `gated` outputs.

    Example (3-bit codebooks, SiLU epilogue and a residual add):

    ```mlir
    %y = sparq.lut_matmul %x, %idx, %codebooks bits(3) activation(silu)
        residual(%r)
        : (tensor<4x512xf32>, tensor<256x192xi8>, tensor<256x8xf32>,
           tensor<4x256xf32>) -> tensor<4x256xf32>
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    Sparq_PackedTensor:$indices,
    Sparq_FloatTensor:$codebooks,
    Optional<Sparq_FloatTensor>:$bias,
    Optional<Sparq_IndexVector>:$outlier_row_ptr,
    Optional<Sparq_IndexVector>:$outlier_col_ind,
    Optional<Sparq_OutlierValues>:$outlier_values,
    I64Attr:$bits,
    OptionalAttr<Sparq_ActivationAttr>:$activation,
    Optional<Sparq_FloatTensor>:$residual,
    UnitAttr:$gated
  );
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $codebooks
    (`bias` `(` $bias^ `)`)?
    (`outliers` `(` $outlier_row_ptr^ `,` $outlier_col_ind `,`
       $outlier_values `)`)?
    `bits` `(` $bits `)`
    (`activation` `(` $activation^ `)`)? (`gated` $gated^)?
    (`residual` `(` $residual^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  // The builder without an epilogue keeps the signature it had before the
  // epilogue existed.
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
      "::mlir::Value":$indices, "::mlir::Value":$codebooks,
      "::mlir::Value":$bias, "::mlir::Value":$outlier_row_ptr,
      "::mlir::Value":$outlier_col_ind, "::mlir::Value":$outlier_values,
      "uint64_t":$bits), [{
      build($_builder, $_state, result, input, indices, codebooks, bias,
            outlier_row_ptr, outlier_col_ind, outlier_values, bits,
            /*activation=*/nullptr, /*residual=*/nullptr, /*gated=*/false);
    }]>,
  ];
  let extraClassDeclaration = [{
    /// The epilogue activation (`none` when the attribute is absent).
    ::sparq::Activation getActivationKind() {
      return getActivation().value_or(::sparq::Activation::none);
    }
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Sparq_IntMatmulOp : Sparq_Op<"int_matmul",
                                 [Pure, AttrSizedOperandSegments]> {
  let summary = "int8 x int8 matmul with int32 accumulation (W8A8)";
  let description = [{
    `acc[..., n] = sum_k input[..., k] * weights[n, k]` over signed 8-bit
    activations and `[N, K]` signed 8-bit weights, accumulated in 32 bits.
    Without scales the result is `acc : i32`. With
    `scales(%input_scales, %weight_scales)` the result is float:
    `acc * input_scales[..., 0] * weight_scales[n, 0] (+ bias[n])`, where
    `input_scales` has the input's rank, last dimension 1 and either all
    other dimensions 1 (per-tensor) or the input's (per-token), and
    `weight_scales` is `[1, 1]` (per-tensor) or `[N, 1]` (per-channel).

    Example (per-token activation, per-channel weight scales):

    ```mlir
    %y = sparq.int_matmul %a, %w scales(%sa, %sw)
        : (tensor<16x512xi8>, tensor<256x512xi8>, tensor<16x1xf32>,
           tensor<256x1xf32>) -> tensor<16x256xf32>
    ```
  }];
  let arguments = (ins
    Sparq_PackedTensor:$input,
    Sparq_PackedTensor:$weights,
    Optional<Sparq_FloatTensor>:$input_scales,
    Optional<Sparq_FloatTensor>:$weight_scales,
    Optional<Sparq_FloatTensor>:$bias
  );
  let results = (outs RankedTensorOf<[I32, Sparq_Float]>:$result);
  let assemblyFormat = [{
    $input `,` $weights
    (`scales` `(` $input_scales^ `,` $weight_scales `)`)?
    (`bias` `(` $bias^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Calibration and SmoothQuant
//===----------------------------------------------------------------------===//

def Sparq_ObserveOp : Sparq_Op<"observe",
                               [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Calibration observer: passes its input through";
  let description = [{
    Marks a tensor whose statistics calibration records under `name`:
    per-tensor, or per channel along `axis` when given. The op returns its
    input unchanged. `sparq-calibrate` fills in `stats`, and
    `sparq-fold-calibration` turns them into static quantization parameters
    and removes the observer.

    Example:

    ```mlir
    %y = sparq.observe %x name("blk0.attn_norm") axis(2)
        {stats = #sparq.stats<samples = 8, min = [-1.0, 0.0],
                              max = [1.0, 2.0],
                              absmax = [1.0, 2.0]>}
        : tensor<1x16x2xf32>
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    StrAttr:$name,
    OptionalAttr<I64Attr>:$axis,
    OptionalAttr<Sparq_CalibrationStatsAttr>:$stats
  );
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input `name` `(` $name `)` (`axis` `(` $axis^ `)`)? attr-dict
    `:` type($input)
  }];
  let hasVerifier = 1;
}

def Sparq_SmoothOp : Sparq_Op<"smooth",
                              [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Divides the last dimension by per-channel smoothing scales";
  let description = [{
    `y[..., j] = x[..., j] / scales[j]`: the activation side of SmoothQuant's
    `X * diag(s)^-1`, inserted only where no producer (a LayerNorm/RMSNorm
    or a linear layer) can absorb the scales. Folds away when every scale
    is 1, and two consecutive constant smooths merge into one.

    Example:

    ```mlir
    %y = sparq.smooth %x, %s : tensor<1x16x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Sparq_FloatTensor:$input, 1DTensorOf<[Sparq_Float]>:$scales);
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scales attr-dict `:` type($input) `,` type($scales)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Sparq_SoftmaxOp : Sparq_Op<"softmax",
                               [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Softmax over the last dimension of scaled, masked scores";
  let description = [{
    The softmax of attention: `y = softmax(mask(x * scale))` along the last
    dimension, computed without writing the scaled or masked scores to
    memory. `mask` broadcasts to the input's shape (NumPy rules, aligned at
    the trailing dimensions, so a `[Sq, Sk]` causal mask serves every batch
    and head):

    - an `i1` mask keeps the scaled score where it is true and puts
      `fill` (e.g. the most negative f32, what exporters write for a causal
      mask) where it is false;
    - a mask of the input's element type is added to the scaled score.

    `scale` defaults to 1. `sparq-fuse` (family `softmax`) forms this op
    from the ONNX importer's Mul/Div, Where/Add and Softmax.

    Example:

    ```mlir
    %p = sparq.softmax %scores scale(1.250000e-01) mask(%allowed : tensor<16x16xi1>)
        fill(-3.40282347E+38) : tensor<1x4x16x16xf32>
    ```
  }];
  let arguments = (ins Sparq_FloatTensor:$input,
                       OptionalAttr<F32Attr>:$scale,
                       Optional<RankedTensorOf<[I1, Sparq_Float]>>:$mask,
                       OptionalAttr<F32Attr>:$fill);
  let results = (outs Sparq_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `)`)? (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`fill` `(` $fill^ `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Sparq_RmsNormQuantizeOp : Sparq_Op<"rms_norm_quantize",
                                      [Pure, AttrSizedOperandSegments]> {
  let summary = "RMSNorm followed by activation quantization (W8A8)";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * gamma` along the last dimension,
    quantized into packed storage. The normalized activations are never
    written to memory in float.

    With `scales` (and optional `zero_points`), the quantization is
    `sparq.quantize`'s with those static activation parameters (their
    shape rules are `sparq.quantize`'s on the input's shape). Without them
    it is dynamic and symmetric, per token (row): `s = max |y| / qmax` over
    the row (1 for an all-zero row), `q = clamp(round(y / s))` with
    `qmax = 2^(bits-1) - 1`, and the op also returns the `[..., 1]` f32
    scales `s`, which the int8 matmul needs to rescale.

    `sparq-fuse` (family `norm-quantize`) forms this op from the ONNX
    importer's RMSNorm (Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul) and the
    `sparq.quantize` of an int8 matmul's input (with its per-token scale
    computation, for dynamic quantization), after SmoothQuant has folded
    its scales into `gamma`.

    Examples:

    ```mlir
    %q = sparq.rms_norm_quantize %x, %gamma scales(%s) epsilon(1.0e-05)
        storage(si8)
        : (tensor<16x64xf32>, tensor<64xf32>, tensor<1x1xf32>) -> tensor<16x64xi8>
    %q2, %s2 = sparq.rms_norm_quantize %x, %gamma epsilon(1.0e-05) storage(si8)
        : (tensor<16x64xf32>, tensor<64xf32>)
        -> (tensor<16x64xi8>, tensor<16x1xf32>)
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    Sparq_FloatTensor:$gamma,
    Optional<Sparq_FloatTensor>:$scales,
    Optional<Sparq_ZeroPointTensor>:$zero_points,
    F32Attr:$epsilon,
    Sparq_StorageTypeAttr:$storage_type
  );
  let results = (outs Sparq_PackedTensor:$result,
                      Optional<RankedTensorOf<[F32]>>:$token_scales);
  let assemblyFormat = [{
    $input `,` $gamma (`scales` `(` $scales^ `)`)?
    (`zero_points` `(` $zero_points^ `)`)?
    `epsilon` `(` $epsilon `)` `storage` `(` $storage_type `)` attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Sparq_LayerNormQuantizeOp : Sparq_Op<"layer_norm_quantize",
                                        [Pure, AttrSizedOperandSegments]> {
  let summary = "LayerNorm followed by activation quantization (W8A8)";
  let description = [{
    `y = (x - mean(x)) / sqrt(var(x) + epsilon) * gamma (+ beta)` along the
    last dimension (the population variance), quantized into packed storage
    as `sparq.rms_norm_quantize` describes: statically with `scales` and
    optional `zero_points`, or without them dynamically per token, also
    returning the `[..., 1]` f32 scales. The normalized activations are
    never written to memory in float.

    `sparq-fuse` (family `norm-quantize`) forms this op from the ONNX
    importer's LayerNormalization and the `sparq.quantize` of an int8
    matmul's input.

    Example:

    ```mlir
    %q = sparq.layer_norm_quantize %x, %gamma beta(%beta) scales(%s)
        epsilon(1.0e-05) storage(si8)
        : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<1x1xf32>)
        -> tensor<16x64xi8>
    ```
  }];
  let arguments = (ins
    Sparq_FloatTensor:$input,
    Sparq_FloatTensor:$gamma,
    Optional<Sparq_FloatTensor>:$beta,
    Optional<Sparq_FloatTensor>:$scales,
    Optional<Sparq_ZeroPointTensor>:$zero_points,
    F32Attr:$epsilon,
    Sparq_StorageTypeAttr:$storage_type
  );
  let results = (outs Sparq_PackedTensor:$result,
                      Optional<RankedTensorOf<[F32]>>:$token_scales);
  let assemblyFormat = [{
    $input `,` $gamma (`beta` `(` $beta^ `)`)? (`scales` `(` $scales^ `)`)?
    (`zero_points` `(` $zero_points^ `)`)?
    `epsilon` `(` $epsilon `)` `storage` `(` $storage_type `)` attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQOPS_TD
