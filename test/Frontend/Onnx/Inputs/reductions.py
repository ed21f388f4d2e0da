"""Writes the ONNX models of reductions.mlir into the directory argv[1]:
ReduceSum/ReduceMean/ReduceMax in their attribute (opset 13) and input
(opset 18) forms, Softmax, LayerNormalization, and one model per error."""

import os
import sys

import numpy as np

from sparq.onnx_testing import initializer, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name + ".onnx")


def reduction(name, op, dtype, shape, out_shape, opset, axes_input=None,
              out_dtype=None, **attributes):
    """x -> op -> y, with axes as a constant input when `axes_input` is a
    list (opset 18 form, or ReduceSum from 13)."""
    inits = []
    if axes_input is not None:
        inits.append(initializer("axes", np.array(axes_input, np.int64)))
    single_node(path(name), op, [value_info("x", dtype, shape)],
                [value_info("y", out_dtype or dtype, out_shape)],
                initializers=inits, opset=opset, **attributes)


# ReduceMean: attribute axes before opset 18, input axes after.
reduction("mean_attr", "ReduceMean", "float", [2, 3, 4], [2, 1, 4], 13,
          axes=[1])
reduction("mean_input", "ReduceMean", "float", [2, 3, 4], [2, 3], 18,
          axes_input=[-1], keepdims=0)
reduction("mean_all", "ReduceMean", "float", [2, 3], [], 13, keepdims=0)
reduction("mean_int32", "ReduceMean", "int32", [2, 3], [2, 1], 18,
          axes_input=[1])
reduction("mean_uint8", "ReduceMean", "uint8", [4], [1], 13, axes=[0])
reduction("mean_f16", "ReduceMean", "float16", [2, 3], [1, 3], 13, axes=[0])
# ReduceSum: axes are an input from opset 13 on.
reduction("sum_input", "ReduceSum", "int64", [2, 3, 4], [1, 3, 1], 13,
          axes_input=[0, -1])
reduction("sum_all", "ReduceSum", "float", [2, 3], [1, 1], 13)
reduction("sum_noop", "ReduceSum", "float", [2, 3], [2, 3], 13,
          noop_with_empty_axes=1)
reduction("sum_noop_empty", "ReduceSum", "float", [2, 3], [2, 3], 18,
          axes_input=[], noop_with_empty_axes=1)
reduction("sum_scalar", "ReduceSum", "float", [], [], 13)
# ReduceMax: float, signed, unsigned and BOOL (opset 20).
reduction("max_attr", "ReduceMax", "float", [2, 3], [2], 13, axes=[1],
          keepdims=0)
reduction("max_int8", "ReduceMax", "int8", [2, 3], [1, 3], 18,
          axes_input=[0])
reduction("max_uint8", "ReduceMax", "uint8", [2, 3], [2, 1], 18,
          axes_input=[1])
reduction("max_bool", "ReduceMax", "bool", [2, 3], [2], 20, axes_input=[1],
          keepdims=0)

# Softmax.
single_node(path("softmax"), "Softmax", [value_info("x", "float", [2, 5])],
            [value_info("y", "float", [2, 5])], opset=13)
single_node(path("softmax_axis0"), "Softmax",
            [value_info("x", "float16", [2, 3, 4])],
            [value_info("y", "float16", [2, 3, 4])], opset=13, axis=0)

# LayerNormalization.
single_node(path("layernorm"), "LayerNormalization",
            [value_info("x", "float", [2, 3, 4]),
             value_info("scale", "float", [4]),
             value_info("bias", "float", [4])],
            [value_info("y", "float", [2, 3, 4])], opset=17)
single_node(path("layernorm_no_bias"), "LayerNormalization",
            [value_info("x", "float", [2, 3, 4]),
             value_info("scale", "float", [3, 4])],
            [value_info("y", "float", [2, 3, 4])], opset=17, axis=-2,
            epsilon=1e-3)
single_node(path("layernorm_stats"), "LayerNormalization",
            [value_info("x", "float", [2, 3, 4]),
             value_info("scale", "float", [3, 4]),
             value_info("bias", "float", [3, 4])],
            [value_info("y", "float", [2, 3, 4]),
             value_info("mean", "float", [2, 1, 1]),
             value_info("inv_std_dev", "float", [2, 1, 1])],
            opset=17, axis=1)
single_node(path("layernorm_f16"), "LayerNormalization",
            [value_info("x", "float16", [2, 4]),
             value_info("scale", "float16", [4])],
            [value_info("y", "float16", [2, 4]),
             value_info("mean", "float", [2, 1])], opset=17)
single_node(path("layernorm_f16_stash16"), "LayerNormalization",
            [value_info("x", "float16", [2, 4]),
             value_info("scale", "float16", [4])],
            [value_info("y", "float16", [2, 4])], opset=17, stash_type=10)

# Errors.
reduction("axis_out_of_range", "ReduceMean", "float", [2, 3], [2], 13,
          axes=[2])
reduction("axis_repeated", "ReduceSum", "float", [2, 3], [2], 13,
          axes_input=[1, -1])
reduction("axes_attr_opset18", "ReduceMean", "float", [2, 3], [2], 18,
          axes=[1])
reduction("axes_input_opset13", "ReduceMax", "float", [2, 3], [2], 13,
          axes_input=[1])
reduction("sum_bool", "ReduceSum", "bool", [2, 3], [1, 1], 13)
single_node(path("axes_not_constant"), "ReduceMean",
            [value_info("x", "float", [2, 3]),
             value_info("axes", "int64", [1])],
            [value_info("y", "float", [2])], opset=18)
single_node(path("axes_float"), "ReduceSum", [value_info("x", "float", [2])],
            [value_info("y", "float", [1])],
            initializers=[initializer("axes", np.array([0.0], np.float32))],
            opset=13)
single_node(path("softmax_axis"), "Softmax",
            [value_info("x", "float", [2, 3])],
            [value_info("y", "float", [2, 3])], opset=13, axis=2)
single_node(path("softmax_int"), "Softmax", [value_info("x", "int32", [2])],
            [value_info("y", "int32", [2])], opset=13)
single_node(path("layernorm_int"), "LayerNormalization",
            [value_info("x", "int32", [2, 4]),
             value_info("scale", "int32", [4])],
            [value_info("y", "int32", [2, 4])], opset=17)
single_node(path("layernorm_scale_type"), "LayerNormalization",
            [value_info("x", "float", [2, 4]),
             value_info("scale", "float16", [4])],
            [value_info("y", "float", [2, 4])], opset=17)
single_node(path("layernorm_scale_shape"), "LayerNormalization",
            [value_info("x", "float", [2, 4]),
             value_info("scale", "float", [3])],
            [value_info("y", "float", [2, 4])], opset=17)
single_node(path("layernorm_bias_shape"), "LayerNormalization",
            [value_info("x", "float", [2, 4]),
             value_info("scale", "float", [4]),
             value_info("bias", "float", [2, 2, 4])],
            [value_info("y", "float", [2, 4])], opset=17)
single_node(path("layernorm_axis"), "LayerNormalization",
            [value_info("x", "float", [2, 4]),
             value_info("scale", "float", [4])],
            [value_info("y", "float", [2, 4])], opset=17, axis=-3)
single_node(path("layernorm_stash"), "LayerNormalization",
            [value_info("x", "float", [2, 4]),
             value_info("scale", "float", [4])],
            [value_info("y", "float", [2, 4])], opset=17, stash_type=7)
