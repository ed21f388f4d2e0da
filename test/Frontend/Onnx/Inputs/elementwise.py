"""Writes the ONNX models of elementwise.mlir into the directory argv[1]:
one model per elementwise operator and variant (broadcasting, element
types, folding of known inputs) and one per error."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from sparq.onnx_testing import initializer, save_model, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name + ".onnx")


def unary(name, op, dtype, shape, opset=17, out_dtype=None, **attributes):
    """x -> op -> y with y of the same shape."""
    single_node(path(name), op, [value_info("x", dtype, shape)],
                [value_info("y", out_dtype or dtype, shape)], opset=opset,
                **attributes)


def binary(name, op, a, b, y, opset=17, **attributes):
    """a, b -> op -> y; a, b, y are (dtype, shape) pairs."""
    single_node(path(name), op,
                [value_info("a", *a), value_info("b", *b)],
                [value_info("y", *y)], opset=opset, **attributes)


def folded(name, op, arrays, y, opset=17, **attributes):
    """op over initializers only, so the importer can fold it."""
    inits = [initializer(f"c{i}", array) for i, array in enumerate(arrays)]
    single_node(path(name), op, [], [value_info("y", *y)],
                initializers=inits, opset=opset, **attributes)


# Add, Sub, Mul, Div: broadcasting of different ranks, scalars, types.
binary("add_broadcast", "Add", ("float", [2, 3]), ("float", [3]),
       ("float", [2, 3]))
binary("add_ranks", "Add", ("float", [4, 1, 3]), ("float", [2, 1]),
       ("float", [4, 2, 3]))
binary("add_scalar", "Add", ("float", [2, 3]), ("float", []),
       ("float", [2, 3]))
binary("add_int32", "Add", ("int32", [4]), ("int32", [4]), ("int32", [4]))
binary("sub_f16", "Sub", ("float16", [2, 2]), ("float16", [1, 2]),
       ("float16", [2, 2]), opset=14)
binary("sub_int64", "Sub", ("int64", [3]), ("int64", [1]), ("int64", [3]))
binary("mul_bf16", "Mul", ("bfloat16", [3]), ("bfloat16", [3]),
       ("bfloat16", [3]), opset=14)
binary("mul_int8", "Mul", ("int8", [3]), ("int8", [3]), ("int8", [3]),
       opset=14)
binary("div_float", "Div", ("float", [3]), ("float", [3]), ("float", [3]))
binary("div_int32", "Div", ("int32", [3]), ("int32", [3]), ("int32", [3]))
binary("div_uint8", "Div", ("uint8", [3]), ("uint8", [3]), ("uint8", [3]),
       opset=14)

# Folding of known inputs.
folded("mul_fold", "Mul", [np.array([2, 3, -4], np.int64),
                           np.array(5, np.int64)], ("int64", [3]))
folded("add_fold_float", "Add", [np.array([1.5, -2.0], np.float32),
                                 np.array([[0.25], [1.0]], np.float32)],
       ("float", [2, 2]))
folded("sub_fold", "Sub", [np.array([10, 20], np.int32),
                           np.array([3, 30], np.int32)], ("int32", [2]))
folded("div_fold", "Div", [np.array([-7, 7, 9], np.int64),
                           np.array([2, -2, 3], np.int64)], ("int64", [3]))
folded("div_fold_uint8", "Div", [np.array([200, 9], np.uint8),
                                 np.array([3, 2], np.uint8)], ("uint8", [2]),
       opset=14)
folded("div_fold_float", "Div", [np.array([1.0, -3.0], np.float32),
                                 np.array([4.0, 2.0], np.float32)],
       ("float", [2]))
# Division by a known zero is left to run time instead of folding.
folded("div_by_zero", "Div", [np.array([1, 2], np.int32),
                              np.array([0, 1], np.int32)], ("int32", [2]))
folded("neg_fold", "Neg", [np.array([1, -2, 0], np.int32)], ("int32", [3]))
folded("neg_fold_float", "Neg", [np.array([0.5, -1.0], np.float32)],
       ("float", [2]))
# A PyTorch-style shape chain: Identity keeps the contents known, so
# Mul(Identity(c), 2) still folds, and Cast folds the result.
chain = [
    helper.make_node("Identity", ["c0"], ["i"], name="identity"),
    helper.make_node("Mul", ["i", "c1"], ["m"], name="mul"),
    helper.make_node("Cast", ["m"], ["y"], name="cast", to=1),
]
save_model(path("fold_chain"), chain, [], [value_info("y", "float", [2])],
           [initializer("c0", np.array([3, 4], np.int64)),
            initializer("c1", np.array(2, np.int64))])
# Too large to fold: 33 x 33 = 1089 elements.
folded("add_no_fold_large", "Add", [np.ones([33, 1], np.float32),
                                    np.ones([1, 33], np.float32)],
       ("float", [33, 33]))

# Pow: float base with float or integer exponent, integer base.
binary("pow_float", "Pow", ("float", [2, 3]), ("float", [3]),
       ("float", [2, 3]))
binary("pow_float_int", "Pow", ("float", [3]), ("int64", [3]),
       ("float", [3]))
binary("pow_float_uint8", "Pow", ("float", [3]), ("uint8", [3]),
       ("float", [3]))
binary("pow_f16_float", "Pow", ("float16", [3]), ("float", [3]),
       ("float16", [3]))
binary("pow_int", "Pow", ("int32", [3]), ("int64", [3]), ("int32", [3]))
binary("pow_int_float", "Pow", ("int64", [3]), ("float", [3]),
       ("int64", [3]))
single_node(path("pow_square"), "Pow", [value_info("x", "float", [4])],
            [value_info("y", "float", [4])],
            initializers=[initializer("two", np.array(2.0, np.float32))])

# Unary operators.
unary("sqrt", "Sqrt", "float", [2, 3])
unary("reciprocal", "Reciprocal", "float16", [3])
unary("neg_float", "Neg", "float", [3])
unary("neg_int", "Neg", "int32", [3])
unary("exp", "Exp", "float", [3])
unary("erf", "Erf", "float", [3])
unary("tanh", "Tanh", "double", [3])
unary("sigmoid", "Sigmoid", "float", [3])
unary("relu", "Relu", "float", [3])
unary("relu_int8", "Relu", "int8", [3], opset=14)
unary("gelu", "Gelu", "float", [2, 3], opset=20)
unary("gelu_tanh", "Gelu", "float", [2, 3], opset=20, approximate="tanh")

# Where: broadcasting of three inputs, folding.
single_node(path("where"), "Where",
            [value_info("c", "bool", [2, 1]), value_info("x", "float", [3]),
             value_info("z", "float", [])],
            [value_info("y", "float", [2, 3])])
folded("where_fold", "Where", [np.array([True, False, True]),
                               np.array([1, 2, 3], np.int64),
                               np.array(-1, np.int64)], ("int64", [3]))

# Equal: BOOL result, folding.
binary("equal_float", "Equal", ("float", [2, 3]), ("float", [3]),
       ("bool", [2, 3]))
binary("equal_int64", "Equal", ("int64", [3]), ("int64", []),
       ("bool", [3]))
folded("equal_fold", "Equal", [np.array([1, 2, 3], np.int64),
                               np.array([1, 0, 3], np.int64)], ("bool", [3]))
folded("equal_fold_float", "Equal", [np.array([1.0, np.nan], np.float32),
                                     np.array([1.0, np.nan], np.float32)],
       ("bool", [2]))

# Cast, CastLike.
FLOAT, UINT8, INT8, INT32, INT64, BOOL, FLOAT16, STRING = 1, 2, 3, 6, 7, 9, \
    10, 8
unary("cast_float_int32", "Cast", "float", [3], out_dtype="int32", to=INT32)
unary("cast_float_uint8", "Cast", "float", [3], out_dtype="uint8", to=UINT8)
unary("cast_int32_float", "Cast", "int32", [3], out_dtype="float", to=FLOAT)
unary("cast_uint8_float", "Cast", "uint8", [3], out_dtype="float", to=FLOAT)
unary("cast_float_bool", "Cast", "float", [3], out_dtype="bool", to=BOOL)
unary("cast_bool_float", "Cast", "bool", [3], out_dtype="float", to=FLOAT)
unary("cast_float_f16", "Cast", "float", [3], out_dtype="float16",
      to=FLOAT16)
unary("cast_int64_int32", "Cast", "int64", [3], out_dtype="int32", to=INT32)
unary("cast_uint8_int32", "Cast", "uint8", [3], out_dtype="int32", to=INT32)
unary("cast_int8_uint8", "Cast", "int8", [3], out_dtype="uint8", to=UINT8)
unary("cast_saturate", "Cast", "float", [3], opset=19, out_dtype="float16",
      to=FLOAT16, saturate=0)
folded("cast_fold_int_float", "Cast", [np.array([1, -2, 3], np.int64)],
       ("float", [3]), to=FLOAT)
folded("cast_fold_float_int", "Cast", [np.array([-1.5, 2.7], np.float32)],
       ("int32", [2]), to=INT32)
folded("cast_fold_uint8_int64", "Cast", [np.array([200, 1], np.uint8)],
       ("int64", [2]), to=INT64)
folded("cast_fold_bool", "Cast", [np.array([0.0, -0.5], np.float32)],
       ("bool", [2]), to=BOOL)
single_node(path("castlike"), "CastLike",
            [value_info("x", "float", [3]), value_info("t", "int64", [1])],
            [value_info("y", "int64", [3])], opset=15)
folded("castlike_fold", "CastLike", [np.array([4, 5], np.int32),
                                     np.array([0.0], np.float16)],
       ("float16", [2]), opset=15)

# Identity.
unary("identity", "Identity", "float", [2, 3])
# INT4 [2, 4] = [[1, -2, 3, -4], [5, -6, 7, -8]], two nibbles per byte, low
# nibble first (libonnx 1.12 cannot write INT4 itself).
int4 = TensorProto()
int4.name, int4.data_type = "w", 22
int4.dims.extend([2, 4])
int4.raw_data = bytes([0xE1, 0xC3, 0xA5, 0x87])
single_node(path("identity_int4"), "Identity", [],
            [value_info("y", "int4", [2, 4])], initializers=[int4], opset=21)
# A consumer of Identity's result still finds the packed bytes.
save_model(path("identity_packed"),
           [helper.make_node("Identity", ["w"], ["i"], name="identity"),
            helper.make_node("DequantizeLinear", ["i", "s"], ["y"],
                             name="dequantize")],
           [], [value_info("y", "float", [2, 4])],
           [int4, initializer("s", np.array(0.5, np.float32))], opset=21)

# Trilu: upper/lower, k known or not, on the last two dims.
single_node(path("trilu_upper"), "Trilu", [value_info("x", "float", [2, 3, 4])],
            [value_info("y", "float", [2, 3, 4])], opset=14)
single_node(path("trilu_lower_k"), "Trilu", [value_info("x", "int64", [3, 3])],
            [value_info("y", "int64", [3, 3])],
            initializers=[initializer("k", np.array(-1, np.int64))],
            opset=14, upper=0)
single_node(path("trilu_dynamic_k"), "Trilu",
            [value_info("x", "float", [3, 3]), value_info("k", "int64", [])],
            [value_info("y", "float", [3, 3])], opset=14)

# Errors.
binary("add_type_mismatch", "Add", ("float", [2]), ("int64", [2]),
       ("float", [2]))
binary("add_no_broadcast", "Add", ("float", [2, 3]), ("float", [4]),
       ("float", [2, 3]))
binary("add_bool", "Add", ("bool", [2]), ("bool", [2]), ("bool", [2]))
binary("div_sign_mismatch", "Div", ("int8", [2]), ("uint8", [2]),
       ("int8", [2]), opset=14)
binary("pow_bool", "Pow", ("float", [2]), ("bool", [2]), ("float", [2]))
unary("sqrt_int", "Sqrt", "int32", [2])
unary("neg_uint8", "Neg", "uint8", [2])
unary("gelu_bad", "Gelu", "float", [2], opset=20, approximate="fast")
single_node(path("where_cond_float"), "Where",
            [value_info("c", "float", [2]), value_info("x", "float", [2]),
             value_info("z", "float", [2])],
            [value_info("y", "float", [2])])
single_node(path("where_types"), "Where",
            [value_info("c", "bool", [2]), value_info("x", "float", [2]),
             value_info("z", "float16", [2])],
            [value_info("y", "float", [2])])
single_node(path("where_no_broadcast"), "Where",
            [value_info("c", "bool", [2]), value_info("x", "float", [3]),
             value_info("z", "float", [1])],
            [value_info("y", "float", [3])])
binary("equal_types", "Equal", ("int32", [2]), ("int64", [2]),
       ("bool", [2]))
unary("cast_float8", "Cast", "float", [2], opset=19, out_dtype="float",
      to=17, saturate=1)
unary("cast_string", "Cast", "float", [2], to=STRING)
unary("cast_no_to", "Cast", "float", [2])
single_node(path("trilu_rank1"), "Trilu", [value_info("x", "float", [4])],
            [value_info("y", "float", [4])], opset=14)
single_node(path("trilu_k_float"), "Trilu",
            [value_info("x", "float", [2, 2])],
            [value_info("y", "float", [2, 2])],
            initializers=[initializer("k", np.array(1.0, np.float32))],
            opset=14)
single_node(path("trilu_k_shape"), "Trilu",
            [value_info("x", "float", [2, 2])],
            [value_info("y", "float", [2, 2])],
            initializers=[initializer("k", np.array([1, 2], np.int64))],
            opset=14)
