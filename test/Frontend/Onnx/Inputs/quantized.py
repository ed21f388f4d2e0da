"""Writes the quantization models of quantized.mlir into the directory
argv[1]: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
MatMulInteger, QLinearMatMul and com.microsoft MatMulNBits."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from sparq.onnx_testing import initializer, save_model, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

INT4, UINT4 = 22, 21
MS = {"com.microsoft": 1}


def path(name):
    return os.path.join(out, name)


def int4_tensor(name, values, dtype=INT4):
    """A 4-bit initializer written by hand (onnx 1.12 predates INT4): two
    elements per byte over the flattened tensor, low nibble first."""
    values = np.asarray(values)
    flat = values.reshape(-1).astype(np.int64) & 0xF
    if flat.size % 2:
        flat = np.append(flat, 0)
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = dtype
    tensor.dims.extend(values.shape)
    tensor.raw_data = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()
    return tensor


def f32(name, values):
    return initializer(name, np.asarray(values, dtype=np.float32))


def node_model(name, op, inputs, outputs, inits=(), opset=13, domain="",
               extra_opsets=None, **attributes):
    """One node reading graph inputs `inputs` (value_infos), then
    initializers `inits`."""
    names = [i.name for i in inputs] + [t.name for t in inits]
    node = helper.make_node(op, names, [o.name for o in outputs],
                            name=op.lower(), domain=domain, **attributes)
    save_model(path(name), [node], inputs, outputs, inits, opset, extra_opsets)


def ordered_model(name, op, input_names, inputs, outputs, inits=(), opset=13,
                  domain="", extra_opsets=None, **attributes):
    """One node whose inputs are `input_names` (graph inputs, initializers or
    '' for absent optional inputs)."""
    node = helper.make_node(op, input_names, [o.name for o in outputs],
                            name=op.lower(), domain=domain, **attributes)
    save_model(path(name), [node], inputs, outputs, inits, opset, extra_opsets)


# --- QuantizeLinear ---------------------------------------------------------

x24 = value_info("x", "float", [2, 4])
node_model("q_tensor.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])],
           [f32("s", 0.5), initializer("z", np.uint8(3))])
node_model("q_no_zp.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", 0.5)])
node_model("q_axis.onnx", "QuantizeLinear",
           [value_info("x", "float", [2, 3, 4])],
           [value_info("y", "int8", [2, 3, 4])],
           [f32("s", [0.5, 0.25, 1.0]),
            initializer("z", np.array([1, -2, 0], dtype=np.int8))], axis=1)
node_model("q_blocked_i4.onnx", "QuantizeLinear",
           [value_info("x", "float", [2, 8])],
           [value_info("y", "int4", [2, 8])],
           [f32("s", [[0.5, 0.25], [1.0, 2.0]]),
            int4_tensor("z", [[1, -1], [0, 7]])],
           opset=21, axis=1, block_size=4)
node_model("q_output_dtype.onnx", "QuantizeLinear", [x24],
           [value_info("y", "int8", [2, 4])], [f32("s", 0.5)], opset=21,
           output_dtype=TensorProto.INT8)
node_model("q_f16.onnx", "QuantizeLinear",
           [value_info("x", "float16", [2, 4]),
            value_info("s", "float16", [])],
           [value_info("y", "uint8", [2, 4])], opset=19)
node_model("q_u4_tensor.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint4", [2, 4])],
           [f32("s", [0.5]), int4_tensor("z", [3], UINT4)], opset=21)

node_model("q_i32.onnx", "QuantizeLinear", [value_info("x", "int32", [3])],
           [value_info("y", "int8", [3])],
           [f32("s", 2.0), initializer("z", np.int8(1))])

# QuantizeLinear errors.
node_model("q_bad_x.onnx", "QuantizeLinear",
           [value_info("x", "int8", [2, 4])],
           [value_info("y", "uint8", [2, 4])], [f32("s", 0.5)])
node_model("q_bad_scale_type.onnx", "QuantizeLinear",
           [x24, value_info("s", "double", [])],
           [value_info("y", "uint8", [2, 4])], opset=21)
node_model("q_bad_axis.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", [0.5] * 4)], axis=2)
node_model("q_bad_axis_len.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", [0.5] * 5)], axis=1)
node_model("q_bad_scale_rank.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", [[0.5] * 4] * 2)])
node_model("q_bad_block_shape.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", [[0.5] * 3] * 2)],
           opset=21, axis=1, block_size=2)
node_model("q_bad_block_size.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])], [f32("s", [[0.5] * 2] * 2)],
           opset=21, axis=1, block_size=-2)
node_model("q_bad_zp_shape.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])],
           [f32("s", [0.5] * 4), initializer("z", np.zeros(2, np.uint8))])
node_model("q_bad_output_dtype.onnx", "QuantizeLinear", [x24],
           [value_info("y", "uint8", [2, 4])],
           [f32("s", 0.5), initializer("z", np.uint8(3))], opset=21,
           output_dtype=TensorProto.INT8)
node_model("q_bad_qtype.onnx", "QuantizeLinear", [x24],
           [value_info("y", "int32", [2, 4])],
           [f32("s", 0.5), initializer("z", np.int32(3))], opset=21)

# --- DequantizeLinear -------------------------------------------------------

w8 = np.arange(32, dtype=np.int64).reshape(4, 8) - 16
node_model("dq_const_axis_i8.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [4, 8])],
           [initializer("w", w8.astype(np.int8)),
            f32("s", [0.5, 0.25, 1.0, 2.0]),
            initializer("z", np.array([0, 1, -1, 2], np.int8))], axis=0)
node_model("dq_const_tensor_u8.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [4, 8])],
           [initializer("w", (w8 + 16).astype(np.uint8)), f32("s", 0.5),
            initializer("z", np.uint8(128))])
node_model("dq_const_blocked_i4.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [4, 8])],
           [int4_tensor("w", np.arange(32).reshape(4, 8) % 16 - 8),
            f32("s", np.full((4, 2), 0.5)),
            int4_tensor("z", [[0, 1], [-1, 2], [3, -8], [7, 0]])],
           opset=21, axis=1, block_size=4)
node_model("dq_const_axis_u4.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [4, 6])],
           [int4_tensor("w", np.arange(24).reshape(4, 6) % 16, UINT4),
            f32("s", [1, 2, 3, 4, 5, 6])], opset=21, axis=1)
node_model("dq_const_blocked_axis0.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [8, 4])],
           [initializer("w", np.arange(32, dtype=np.uint8).reshape(8, 4)),
            f32("s", np.full((2, 4), 0.5)),
            initializer("z", np.full((2, 4), 7, np.uint8))],
           opset=21, axis=0, block_size=4)
# block_size 4 does not divide 10: blocks of gcd(4, 10) = 2 elements.
node_model("dq_const_ragged.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [2, 10])],
           [initializer("w", np.arange(20, dtype=np.int8).reshape(2, 10)),
            f32("s", [[1, 2, 3], [4, 5, 6]]),
            initializer("z", np.array([[1, 2, 3], [4, 5, 6]], np.int8))],
           opset=21, axis=1, block_size=4)
ordered_model("dq_const_ragged_input.onnx", "DequantizeLinear", ["w", "s"],
              [value_info("s", "float", [2, 3])],
              [value_info("y", "float", [2, 10])],
              [initializer("w",
                           np.arange(20, dtype=np.int8).reshape(2, 10))],
              opset=21, axis=1, block_size=4)
# More than 1024 elements: the weight is a dense_resource blob.
node_model("dq_const_large.onnx", "DequantizeLinear", [],
           [value_info("y", "float16", [64, 32])],
           [initializer("w", (np.arange(2048) % 256 - 128).astype(np.int8)
                        .reshape(64, 32)),
            initializer("s", np.full(64, 0.5, np.float16))], axis=0)
node_model("dq_act_i8.onnx", "DequantizeLinear",
           [value_info("x", "int8", [2, 4])],
           [value_info("y", "float", [2, 4])],
           [f32("s", 0.5), initializer("z", np.int8(-3))])
node_model("dq_act_axis_u8.onnx", "DequantizeLinear",
           [value_info("x", "uint8", [2, 3, 4])],
           [value_info("y", "float", [2, 3, 4])],
           [f32("s", [0.5, 0.25, 1.0]),
            initializer("z", np.array([1, 2, 3], np.uint8))], axis=-2)
node_model("dq_act_blocked_i4.onnx", "DequantizeLinear",
           [value_info("x", "int4", [2, 8])],
           [value_info("y", "float16", [2, 8])],
           [initializer("s", np.full((2, 2), 0.5, np.float16))],
           opset=21, axis=1, block_size=4)
node_model("dq_act_i32.onnx", "DequantizeLinear",
           [value_info("x", "int32", [3])], [value_info("y", "float", [3])],
           [f32("s", 0.125)])
node_model("dq_const_scalar.onnx", "DequantizeLinear", [],
           [value_info("y", "float", [])],
           [initializer("w", np.int8(5)), f32("s", 0.5)])

# DequantizeLinear errors (opset 21 skips the ONNX checker, which would
# refuse the missing scale itself).
node_model("dq_bad_missing.onnx", "DequantizeLinear",
           [value_info("x", "int8", [2, 4])],
           [value_info("y", "float", [2, 4])], opset=21)
node_model("dq_bad_x.onnx", "DequantizeLinear",
           [value_info("x", "float", [2, 4])],
           [value_info("y", "float", [2, 4])], [f32("s", 0.5)])
node_model("dq_bad_zp_type.onnx", "DequantizeLinear",
           [value_info("x", "int8", [2, 4])],
           [value_info("y", "float", [2, 4])],
           [f32("s", 0.5), initializer("z", np.uint8(3))])
node_model("dq_bad_axis_len.onnx", "DequantizeLinear",
           [value_info("x", "int8", [2, 4])],
           [value_info("y", "float", [2, 4])], [f32("s", [0.5] * 3)], axis=0)

# --- DynamicQuantizeLinear --------------------------------------------------

single_node(path("dql.onnx"), "DynamicQuantizeLinear",
            [value_info("x", "float", [2, 3])],
            [value_info("y", "uint8", [2, 3]), value_info("y_scale", "float", []),
             value_info("y_zero_point", "uint8", [])], opset=13)
single_node(path("dql_bad.onnx"), "DynamicQuantizeLinear",
            [value_info("x", "float16", [2, 3])],
            [value_info("y", "uint8", [2, 3]), value_info("y_scale", "float", []),
             value_info("y_zero_point", "uint8", [])], opset=13)

# --- MatMulInteger ----------------------------------------------------------

ordered_model("mmi.onnx", "MatMulInteger", ["a", "b", "za", "zb"],
              [value_info("a", "uint8", [2, 3])],
              [value_info("y", "int32", [2, 4])],
              [initializer("b", np.arange(12, dtype=np.int8).reshape(3, 4)),
               initializer("za", np.uint8(128)),
               initializer("zb", np.array([1, 2, 3, 4], np.int8))])
ordered_model("mmi_batched.onnx", "MatMulInteger", ["a", "b", "za"],
              [value_info("a", "int8", [2, 3, 5]),
               value_info("b", "int8", [2, 5, 4])],
              [value_info("y", "int32", [2, 3, 4])],
              [initializer("za", np.array([1, 2, 3], np.int8))])
ordered_model("mmi_b_zp_only.onnx", "MatMulInteger", ["a", "b", "", "zb"],
              [value_info("a", "int8", [2, 3]),
               value_info("b", "uint8", [3, 4])],
              [value_info("y", "int32", [2, 4])],
              [initializer("zb", np.uint8(7))])
ordered_model("mmi_bad_type.onnx", "MatMulInteger", ["a", "b"],
              [value_info("a", "int32", [2, 3]),
               value_info("b", "int8", [3, 4])],
              [value_info("y", "int32", [2, 4])])
ordered_model("mmi_bad_zp_type.onnx", "MatMulInteger", ["a", "b", "za"],
              [value_info("a", "uint8", [2, 3]),
               value_info("b", "int8", [3, 4])],
              [value_info("y", "int32", [2, 4])],
              [initializer("za", np.int8(1))])
ordered_model("mmi_bad_zp_shape.onnx", "MatMulInteger", ["a", "b", "za"],
              [value_info("a", "uint8", [2, 3]),
               value_info("b", "int8", [3, 4])],
              [value_info("y", "int32", [2, 4])],
              [initializer("za", np.zeros(3, np.uint8))])
ordered_model("mmi_bad_k.onnx", "MatMulInteger", ["a", "b"],
              [value_info("a", "uint8", [2, 3]),
               value_info("b", "int8", [5, 4])],
              [value_info("y", "int32", [2, 4])])

# --- QLinearMatMul ----------------------------------------------------------

QLMM = ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"]


def qlmm(name, a_shape, a_dtype, sa, za, b, sb, zb, zy, y_shape, opset=10,
         input_names=QLMM, sy=0.25, y_dtype=None):
    ordered_model(name, "QLinearMatMul", input_names,
                  [value_info("a", a_dtype, a_shape)],
                  [value_info("y", y_dtype or zy.dtype.name, y_shape)],
                  [f32("sa", sa), initializer("za", za), initializer("b", b),
                   f32("sb", sb), initializer("zb", zb), f32("sy", sy),
                   initializer("zy", zy)], opset=opset)


b34 = np.arange(12, dtype=np.int8).reshape(3, 4)
qlmm("qlmm.onnx", [2, 3], "uint8", 0.5, np.uint8(128), b34,
     [0.1, 0.2, 0.3, 0.4], np.zeros(4, np.int8), np.uint8(10), [2, 4])
qlmm("qlmm_rows.onnx", [2, 2, 3], "int8", [0.5, 0.25],
     np.array([1, -1], np.int8), b34, 0.5, np.int8(0), np.int8(-5),
     [2, 2, 4], opset=21)
qlmm("qlmm_1d.onnx", [3], "int8", 0.5, np.int8(0), b34, 0.5, np.int8(0),
     np.int8(0), [4])

# QLinearMatMul errors.
qlmm("qlmm_bad_missing.onnx", [2, 3], "uint8", 0.5, np.uint8(0), b34, 0.5,
     np.int8(0), np.uint8(0), [2, 4], opset=21,
     input_names=QLMM[:7])
qlmm("qlmm_bad_y_scale.onnx", [2, 3], "uint8", 0.5, np.uint8(0), b34, 0.5,
     np.int8(0), np.uint8(0), [2, 4], sy=[0.5, 0.5])
qlmm("qlmm_bad_y_zp.onnx", [2, 3], "uint8", 0.5, np.uint8(0), b34, 0.5,
     np.int8(0), np.int32(0), [2, 4])
qlmm("qlmm_bad_zp_shape.onnx", [2, 3], "uint8", [0.5, 0.5], np.uint8(0),
     b34, 0.5, np.int8(0), np.uint8(0), [2, 4])
qlmm("qlmm_bad_column.onnx", [2, 3], "uint8", 0.5, np.uint8(0), b34,
     [0.5] * 3, np.zeros(3, np.int8), np.uint8(0), [2, 4])
qlmm("qlmm_bad_1d.onnx", [3], "uint8", [0.5] * 3, np.zeros(3, np.uint8), b34,
     0.5, np.int8(0), np.uint8(0), [4])
qlmm("qlmm_bad_a.onnx", [2, 3], "int32", 0.5, np.int32(0), b34, 0.5,
     np.int8(0), np.uint8(0), [2, 4])
ordered_model("qlmm_bad_scale_type.onnx", "QLinearMatMul", QLMM,
              [value_info("a", "uint8", [2, 3])],
              [value_info("y", "uint8", [2, 4])],
              [initializer("sa", np.float64(0.5)),
               initializer("za", np.uint8(0)), initializer("b", b34),
               f32("sb", 0.5), initializer("zb", np.int8(0)),
               f32("sy", 0.5), initializer("zy", np.uint8(0))], opset=21)

# --- com.microsoft MatMulNBits -----------------------------------------------


def nbits(name, a_shape, k, n, bits, block_size, zp=None, zp_as_input=None,
          bias=None, a_dtype="float", scales=None, b=None, g_idx=False,
          overrides=None):
    """MatMulNBits with B from a deterministic byte pattern. `zp` is an
    initializer value (uint8 or float array); `zp_as_input` a shape for a
    uint8 graph input instead. `overrides` replaces attributes (None drops
    one)."""
    blocks = -(-k // block_size)
    blob = block_size * bits // 8
    ftype = np.float16 if a_dtype == "float16" else np.float32
    if b is None:
        b = (np.arange(n * blocks * blob) * 37 % 256).astype(np.uint8) \
            .reshape(n, blocks, blob)
    if scales is None:
        scales = (np.arange(n * blocks) + 1).astype(ftype) / 8
    inputs = [value_info("a", a_dtype, a_shape)]
    inits = [initializer("b", b), initializer("scales", scales)]
    names = ["a", "b", "scales"]
    if zp_as_input is not None:
        inputs.append(value_info("zp", "uint8", zp_as_input))
        names.append("zp")
    elif zp is not None:
        inits.append(initializer("zp", zp))
        names.append("zp")
    else:
        names.append("")
    if g_idx:
        inits.append(initializer("g_idx", np.zeros(k, np.int32)))
        names.append("g_idx")
    else:
        names.append("")
    if bias is not None:
        inits.append(initializer("bias", bias))
        names.append("bias")
    while names[-1] == "":
        names.pop()
    attrs = {"K": k, "N": n, "bits": bits, "block_size": block_size}
    attrs.update(overrides or {})
    attrs = {key: value for key, value in attrs.items() if value is not None}
    y_shape = list(a_shape[:-1]) + [n]
    ordered_model(name, "MatMulNBits", names, inputs,
                  [value_info("y", a_dtype, y_shape)], inits, opset=17,
                  domain="com.microsoft", extra_opsets=MS, **attrs)


# 4 bits, K = 32, N = 4, blocks of 16: k_blocks = 2, one zero-point byte a row.
nbits("nbits4_zp.onnx", [2, 32], 32, 4, 4, 16,
      zp=np.array([0x21, 0x43, 0x65, 0x87], np.uint8),
      overrides={"accuracy_level": 4})
nbits("nbits4.onnx", [1, 3, 32], 32, 4, 4, 16)
nbits("nbits4_float_zp.onnx", [2, 32], 32, 4, 4, 16,
      zp=np.linspace(7, 8, 8).astype(np.float32))
# k_blocks = 3: two zero-point bytes a row, the last nibble padding.
nbits("nbits4_odd_blocks.onnx", [2, 48], 48, 2, 4, 16,
      zp=np.array([0x21, 0x03, 0x54, 0x06], np.uint8).reshape(2, 2))
nbits("nbits4_zp_input.onnx", [2, 32], 32, 4, 4, 16, zp_as_input=[4])
nbits("nbits8.onnx", [2, 32], 32, 4, 8, 16,
      zp=np.arange(8, dtype=np.uint8) + 120)
nbits("nbits8_no_zp.onnx", [2, 32], 32, 4, 8, 16)
nbits("nbits2.onnx", [2, 32], 32, 4, 2, 16,
      zp=np.array([0b1001, 0b0110, 0b1111, 0b0000], np.uint8))
nbits("nbits4_f16_bias.onnx", [2, 32], 32, 4, 4, 16, a_dtype="float16",
      bias=np.arange(4, dtype=np.float16))
# 128 rows x 16 blocks of zero points (> 1024): unpacked into a blob.
nbits("nbits4_large_zp.onnx", [1, 256], 256, 128, 4, 16,
      zp=(np.arange(128 * 8) % 256).astype(np.uint8))

# MatMulNBits errors.
nbits("nbits_bad_bits.onnx", [2, 32], 32, 4, 4, 16, overrides={"bits": 3})
nbits("nbits_bad_k_block.onnx", [2, 40], 40, 4, 4, 16)
nbits("nbits_bad_no_k.onnx", [2, 32], 32, 4, 4, 16, overrides={"K": None})
nbits("nbits_bad_n.onnx", [2, 32], 32, 4, 4, 16, overrides={"N": 0})
nbits("nbits_bad_block_bytes.onnx", [2, 36], 36, 4, 4, 16,
      overrides={"block_size": 3},
      b=np.zeros((4, 12, 1), np.uint8), scales=np.ones(48, np.float32))
nbits("nbits_bad_a_k.onnx", [2, 16], 32, 4, 4, 16)
nbits("nbits_bad_a_type.onnx", [2, 32], 32, 4, 4, 16, a_dtype="double",
      scales=np.ones(8, np.float64))
nbits("nbits_bad_b_shape.onnx", [2, 32], 32, 4, 4, 16,
      b=np.zeros((4, 16), np.uint8))
nbits("nbits_bad_b_type.onnx", [2, 32], 32, 4, 4, 16,
      b=np.zeros((4, 2, 8), np.int8))
nbits("nbits_bad_scales.onnx", [2, 32], 32, 4, 4, 16,
      scales=np.ones(4, np.float32))
nbits("nbits_bad_scales_type.onnx", [2, 32], 32, 4, 4, 16,
      scales=np.ones(8, np.float16))
nbits("nbits_bad_zp_shape.onnx", [2, 32], 32, 4, 4, 16,
      zp=np.zeros(8, np.uint8))
nbits("nbits_bad_float_zp_shape.onnx", [2, 32], 32, 4, 4, 16,
      zp=np.zeros(4, np.float32))
nbits("nbits_bad_zp_type.onnx", [2, 32], 32, 4, 4, 16,
      zp=np.zeros(8, np.int32))
nbits("nbits_bad_g_idx.onnx", [2, 32], 32, 4, 4, 16, g_idx=True)
nbits("nbits_bad_bias.onnx", [2, 32], 32, 4, 4, 16,
      bias=np.zeros(3, np.float32))
