//===- SparqDialect.td - sparq dialect definition ----------*- tablegen -*-===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_TD
#define SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_TD

include "mlir/IR/OpBase.td"

def Sparq_Dialect : Dialect {
  let name = "sparq";
  let cppNamespace = "::sparq";
  let summary = "Quantized and sparse tensor computation for transformer models";
  let description = [{
    The `sparq` dialect holds what upstream MLIR lacks for compiling
    quantized and sparse transformer models; everything else is expressed
    with upstream dialects (`quant`, `tensor`, `linalg`, `arith`, ...).

    **Packed sub-byte storage.** An integer tensor of logical shape
    `[d0, ..., dn-1, K]` whose elements are `b` bits wide (2 <= b <= 8) is
    stored in a byte tensor `tensor<d0x...xdn-1xPxi8>` with
    `P = ceil(K * b / 8)`: every row (a slice along the last dimension) is
    packed on its own. Element `j` of a row occupies bits `[j*b, j*b + b)` of
    the row's little-endian bitstream, where bit `t` of the bitstream is bit
    `t mod 8` (bit 0 = least significant) of byte `t / 8`. Signed values are
    stored as `b`-bit two's complement; unused high bits of a row's last byte
    are zero. Consequences: at 4 bits the low nibble holds the even element
    (the ONNX int4 layout, so imported weights need no repacking), and every
    8 consecutive elements starting at a multiple of 8 fill exactly `b`
    whole bytes, which is the unit that CPU and GPU kernels load and unpack
    in registers.

    **Uniform quantization.** Constant, small quantization parameters are
    described with upstream `!quant.uniform` types (per-tensor, per-axis,
    sub-channel) and `quant.qcast`/`quant.dcast`; `sparq.pack` and
    `sparq.unpack` accept tensors of such types. Weight quantization
    parameters are large tensors, so sparq's ops take them as operands:
    `scales` (and optional `zero_points`) have the rank of the quantized
    tensor and each of their dimensions divides the matching dimension; the
    quotient is the block size along that dimension. For an `[N, K]` weight,
    `[1, 1]` is per-tensor, `[N, 1]` per output channel and `[N, K/G]`
    group-wise with group size `G`. Element `(n, k)` is quantized as
    `q = clamp(round_half_even(w / s) + z, qmin, qmax)` and dequantized as
    `(q - z) * s`, where `s, z` are the parameters of its block and
    `[qmin, qmax]` the range of the storage type (`siB` or `uiB`).

    **Matmul convention.** Weights are output-channel major, `W : [N, K]`
    like a PyTorch `Linear` weight, so each output channel's weights are
    contiguous and stream in order during decoding:
    `y[..., n] = sum_k x[..., k] * W[n, k] (+ bias[n])`.

    **Dense + sparse.** The outliers of a dense-and-sparse decomposition
    (`W = Q(D) + S`) are an `[N, K]` CSR matrix given to `sparq.qmatmul` or
    `sparq.lut_matmul` as explicit `row_ptr : tensor<N+1 x i32>`,
    `col_ind : tensor<nnz x i32>` and `values : tensor<nnz x f16|f32>`
    operands (the buffers of upstream `sparse_tensor`'s CSR encoding with
    32-bit positions and coordinates), so that one op computes both parts and
    the lowering adds the outliers in the same pass over the output.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
  ];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes; lives beside their storage classes.
    void registerAttributes();
  }];
}

#endif // SPARQ_DIALECT_SPARQ_IR_SPARQDIALECT_TD
