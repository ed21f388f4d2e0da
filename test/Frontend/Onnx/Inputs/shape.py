"""Writes the ONNX models of shape.mlir (shape and data-movement operators)
into the directory argv[1]."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from sparq.onnx_testing import initializer, save_model, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


def path(name):
    return os.path.join(out, name)


def node(op, inputs, outputs, name=None, **attributes):
    return helper.make_node(op, inputs, outputs, name=name or op.lower(),
                            **attributes)


def model(name, nodes, inputs, outputs, inits=(), opset=17):
    save_model(path(name + ".onnx"), nodes, inputs, outputs, inits, opset)


def one(name, op, inputs, outputs, inits=(), opset=17, **attributes):
    """A model of one node reading `inputs`, then `inits`."""
    names = [i.name for i in inputs] + [t.name for t in inits]
    model(name, [node(op, names, [o.name for o in outputs], **attributes)],
          inputs, outputs, inits, opset)


def ints(name, values, dtype=np.int64):
    return initializer(name, np.array(values, dtype=dtype))


def f32(name, shape):
    return value_info(name, "float", shape)


def i64(name, shape):
    return value_info(name, "int64", shape)


def anyshape(name, dtype="float"):
    """The output of a model sparq rejects: any rank-1 shape will do."""
    return value_info(name, dtype, ["n"])


def const(output, array):
    """A Constant node holding `array`, named after its output."""
    return node("Constant", [], [output], name=output,
                value=helper.make_tensor(output, _onnx_type(array),
                                         array.shape, array.flatten()))


def _onnx_type(array):
    return {np.dtype(np.float32): TensorProto.FLOAT,
            np.dtype(np.int64): TensorProto.INT64,
            np.dtype(np.int32): TensorProto.INT32}[array.dtype]


# --- Constant -------------------------------------------------------------

model("constant_tensor",
      [const("y", np.array([[1.5, 2], [3, 4]], np.float32))], [],
      [f32("y", [2, 2])])
one("constant_value_float", "Constant", [], [f32("y", [])], value_float=2.5)
one("constant_value_floats", "Constant", [], [f32("y", [3])],
    value_floats=[1.0, -2.0, 0.5])
one("constant_value_int", "Constant", [], [i64("y", [])], value_int=-7)
one("constant_value_ints", "Constant", [], [i64("y", [2])],
    value_ints=[4, 8])
one("constant_none", "Constant", [], [f32("y", [])])
one("constant_two", "Constant", [], [f32("y", [])], value_float=1.0,
    value_int=1)
one("constant_string", "Constant", [], [anyshape("y")], value_string="hi")

# --- Shape ----------------------------------------------------------------

one("shape", "Shape", [f32("x", [2, 3, 4])], [i64("y", [3])])
one("shape_start_end", "Shape", [f32("x", [2, 3, 4, 5])], [i64("y", [2])],
    opset=15, start=1, end=-1)
one("shape_clamped", "Shape", [f32("x", [2, 3, 4])], [i64("y", [3])],
    opset=15, start=-10, end=10)
one("shape_empty", "Shape", [f32("x", [2, 3, 4])], [i64("y", [0])],
    opset=15, start=2, end=1)

# --- Reshape --------------------------------------------------------------

one("reshape", "Reshape", [f32("x", [2, 3, 4])], [f32("y", [2, 12])],
    [ints("shape", [0, -1])])
one("reshape_allowzero", "Reshape", [f32("x", [0, 3])], [f32("y", [3, 0])],
    [ints("shape", [3, 0])], opset=14, allowzero=1)
one("reshape_fold", "Reshape", [], [i64("y", [3, 2])],
    [ints("data", [[1, 2, 3], [4, 5, 6]]), ints("shape", [3, -1])])
one("reshape_same", "Reshape", [f32("x", [2, 3])], [f32("y", [2, 3])],
    [ints("shape", [2, 3])])
one("reshape_count", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [4, 2])])
one("reshape_two_inferred", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [-1, -1])])
one("reshape_not_inferable", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [4, -1])])
one("reshape_zero_past_rank", "Reshape", [f32("x", [2, 3])],
    [anyshape("y")], [ints("shape", [0, 3, 0])])
one("reshape_negative", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [-2, 3])])
one("reshape_zero_and_inferred", "Reshape", [f32("x", [2, 3])],
    [anyshape("y")], [ints("shape", [0, -1])], opset=14, allowzero=1)
one("reshape_runtime_shape", "Reshape", [f32("x", [2, 3]), i64("s", [2])],
    [anyshape("y")])
one("reshape_float_shape", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [initializer("shape", np.array([3, 2], np.float32))])
one("reshape_2d_shape", "Reshape", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [[3, 2]])])
model("reshape_missing", [node("Reshape", ["x"], ["y"])], [f32("x", [2, 3])],
      [anyshape("y")])

# --- Transpose ------------------------------------------------------------

one("transpose_default", "Transpose", [f32("x", [2, 3, 4])],
    [f32("y", [4, 3, 2])])
one("transpose_perm", "Transpose", [f32("x", [2, 3, 4])],
    [f32("y", [2, 4, 3])], perm=[0, 2, 1])
one("transpose_identity", "Transpose", [f32("x", [2, 3])],
    [f32("y", [2, 3])], perm=[0, 1])
one("transpose_fold", "Transpose", [], [i64("y", [3, 2])],
    [ints("data", [[1, 2, 3], [4, 5, 6]])])
one("transpose_bad_perm", "Transpose", [f32("x", [2, 3, 4])],
    [anyshape("y")], perm=[0, 0, 1])

# --- Unsqueeze / Squeeze --------------------------------------------------

one("unsqueeze", "Unsqueeze", [f32("x", [2, 3])], [f32("y", [1, 2, 3, 1])],
    [ints("axes", [-1, 0])])
one("unsqueeze_fold", "Unsqueeze", [], [i64("y", [1])],
    [ints("data", 5), ints("axes", [0])])
one("unsqueeze_out_of_range", "Unsqueeze", [f32("x", [2, 3])],
    [anyshape("y")], [ints("axes", [3])])
one("unsqueeze_repeated", "Unsqueeze", [f32("x", [2, 3])], [anyshape("y")],
    [ints("axes", [1, -3])])
one("unsqueeze_runtime_axes", "Unsqueeze",
    [f32("x", [2, 3]), i64("axes", [1])], [anyshape("y")])

one("squeeze_all", "Squeeze", [f32("x", [1, 3, 1, 2])], [f32("y", [3, 2])])
one("squeeze_axes", "Squeeze", [f32("x", [1, 3, 1, 2])],
    [f32("y", [1, 3, 2])], [ints("axes", [-2])])
one("squeeze_fold", "Squeeze", [], [i64("y", [2])],
    [ints("data", [[7], [8]]), ints("axes", [1])])
one("squeeze_not_one", "Squeeze", [f32("x", [1, 3])], [anyshape("y")],
    [ints("axes", [1])])
one("squeeze_out_of_range", "Squeeze", [f32("x", [1, 3])], [anyshape("y")],
    [ints("axes", [-3])])

# --- Concat ---------------------------------------------------------------

one("concat", "Concat", [f32("a", [2, 3]), f32("b", [2, 5])],
    [f32("y", [2, 8])], axis=-1)
one("concat_fold", "Concat", [], [i64("y", [3])],
    [ints("a", [2, 5]), ints("b", [-1])], axis=0)
one("concat_fold_inner", "Concat", [], [i64("y", [2, 3])],
    [ints("a", [[1], [4]]), ints("b", [[2, 3], [5, 6]])], axis=1)
one("concat_empty_input", "Concat", [f32("a", [0, 3]), f32("b", [2, 3])],
    [f32("y", [2, 3])], axis=0)
one("concat_types", "Concat", [], [anyshape("y", "int64")],
    [ints("a", [1]), ints("b", [2], np.int32)], axis=0)
one("concat_shapes", "Concat", [f32("a", [2, 3]), f32("b", [3, 3])],
    [anyshape("y")], axis=1)
one("concat_axis", "Concat", [f32("a", [2, 3]), f32("b", [2, 3])],
    [anyshape("y")], axis=2)
one("concat_no_axis", "Concat", [f32("a", [2, 3]), f32("b", [2, 3])],
    [anyshape("y")])

one("concat_scalars", "Concat", [f32("a", []), f32("b", [])],
    [anyshape("y")], axis=0)
model("concat_no_inputs", [node("Concat", [], ["y"], axis=0)], [],
      [anyshape("y")])
model("concat_missing_input", [node("Concat", ["a", ""], ["y"], axis=0)],
      [f32("a", [2])], [anyshape("y")])

# --- Split ----------------------------------------------------------------

one("split_sizes", "Split", [f32("x", [2, 6])],
    [f32("a", [2, 1]), f32("b", [2, 2]), f32("c", [2, 3])],
    [ints("split", [1, 2, 3])], axis=1)
one("split_equal", "Split", [f32("x", [6, 2])],
    [f32("a", [2, 2]), f32("b", [2, 2]), f32("c", [2, 2])])
one("split_num_outputs", "Split", [f32("x", [7])],
    [f32("a", [2]), f32("b", [2]), f32("c", [2]), f32("d", [1])], opset=18,
    num_outputs=4)
one("split_fold", "Split", [], [i64("a", [1]), i64("b", [3])],
    [ints("data", [10, 20, 30, 40]), ints("split", [1, 3])], axis=-1)
one("split_bad_sum", "Split", [f32("x", [4])],
    [anyshape("a"), anyshape("b")], [ints("split", [1, 2])])
one("split_bad_count", "Split", [f32("x", [4])],
    [anyshape("a"), anyshape("b"), anyshape("c")], [ints("split", [1, 3])])
one("split_uneven", "Split", [f32("x", [5])],
    [anyshape("a"), anyshape("b")])
one("split_too_many", "Split", [f32("x", [5])],
    [anyshape("a"), anyshape("b"), anyshape("c"), anyshape("d")], opset=18,
    num_outputs=4)
one("split_num_mismatch", "Split", [f32("x", [6])],
    [anyshape("a"), anyshape("b")], opset=18, num_outputs=3)
one("split_both", "Split", [f32("x", [6])], [anyshape("a"), anyshape("b")],
    [ints("split", [3, 3])], opset=18, num_outputs=2)
one("split_axis", "Split", [f32("x", [6])], [anyshape("a"), anyshape("b")],
    axis=1)

one("split_scalar", "Split", [f32("x", [])], [anyshape("a")])
model("split_no_outputs", [node("Split", ["x"], [])], [f32("x", [4])],
      [anyshape("y")])

# --- Slice ----------------------------------------------------------------


def slice_model(name, shape, starts, ends, axes=None, steps=None,
                dtype=np.int64, data=None, out=None):
    """Slice of x FLOAT `shape` (or of the INT64 constant `data`); `out` is
    the result shape (none for models sparq rejects)."""
    inits = [ints("starts", starts, dtype), ints("ends", ends, dtype)]
    names = ["starts", "ends"]
    if axes is not None or steps is not None:
        names.append("axes" if axes is not None else "")
        if axes is not None:
            inits.append(ints("axes", axes, dtype))
    if steps is not None:
        names.append("steps")
        inits.append(ints("steps", steps, dtype))
    if data is not None:
        inputs, first = [], "data"
        inits.insert(0, ints("data", data))
        output = i64("y", out) if out else anyshape("y", "int64")
    else:
        inputs, first = [f32("x", shape)], "x"
        output = f32("y", out) if out else anyshape("y")
    model(name, [node("Slice", [first] + names, ["y"])], inputs, [output],
          inits)


slice_model("slice_basic", [4, 10], [1], [3], axes=[0], out=[2, 10])
slice_model("slice_steps", [10], [1], [9], steps=[3], out=[3])
slice_model("slice_negative", [4, 10], [-3], [-1], axes=[-1], out=[4, 2])
slice_model("slice_clamped", [4, 10], [2, -100], [INT64_MAX, 100],
            out=[2, 10])
slice_model("slice_int32", [4, 10], [1], [-1], axes=[1], dtype=np.int32,
            out=[4, 8])
slice_model("slice_whole", [4, 10], [0], [INT64_MAX], axes=[1],
            out=[4, 10])
slice_model("slice_reverse", [5, 4], [-1], [INT64_MIN], axes=[0],
            steps=[-1], out=[5, 4])
slice_model("slice_reverse_step", [10], [8], [0], steps=[-3], out=[3])
slice_model("slice_empty", [4, 10], [5], [2], axes=[1], out=[4, 0])
slice_model("slice_fold", None, [-1], [INT64_MIN], steps=[-2],
            data=[0, 1, 2, 3, 4, 5, 6], out=[4])
slice_model("slice_step_zero", [10], [0], [5], steps=[0])
slice_model("slice_lengths", [4, 10], [0, 0], [1])
slice_model("slice_axes_length", [4, 10], [0, 0], [1, 1], axes=[0])
slice_model("slice_axes_range", [4, 10], [0], [1], axes=[2])
slice_model("slice_axes_repeated", [4, 10], [0, 0], [1, 1], axes=[0, -2])
slice_model("slice_steps_length", [4, 10], [0], [1], axes=[0], steps=[1, 1])
model("slice_runtime", [node("Slice", ["x", "starts", "ends"], ["y"])],
      [f32("x", [10]), i64("starts", [1])], [anyshape("y")],
      [ints("ends", [5])])

# --- Gather ---------------------------------------------------------------

# Embedding lookup: a [100, 16] table (a dense_resource blob) by token ids.
rng = np.random.default_rng(0)
model("gather_embedding",
      [node("Gather", ["table", "ids"], ["y"])], [i64("ids", [2, 3])],
      [f32("y", [2, 3, 16])],
      [initializer("table",
                   rng.standard_normal((100, 16)).astype(np.float32))])
one("gather_runtime_scalar", "Gather",
    [f32("x", [2, 5, 4]), value_info("i", "int32", [])], [f32("y", [2, 4])],
    axis=1)
one("gather_last_token", "Gather", [f32("x", [2, 5, 4])],
    [f32("y", [2, 4])], [ints("i", -1)], axis=1)
one("gather_strided", "Gather", [f32("x", [6, 4])], [f32("y", [2, 4])],
    [ints("i", [1, 3])])
one("gather_2d_indices", "Gather", [f32("x", [6, 4])],
    [f32("y", [2, 2, 4])], [ints("i", [[0, 1], [2, 3]])])
one("gather_shuffle", "Gather", [f32("x", [6, 4])], [f32("y", [3, 4])],
    [ints("i", [3, 0, -1])])
one("gather_fold", "Gather", [], [i64("y", [3, 2, 1])],
    [ints("data", [[1, 2], [3, 4], [5, 6]]), ints("i", [[1], [-2]])],
    axis=-1)
one("gather_out_of_range", "Gather", [f32("x", [4, 2])], [anyshape("y")],
    [ints("i", [5])])
one("gather_axis", "Gather", [f32("x", [4, 2])], [anyshape("y")],
    [ints("i", [0])], axis=2)
one("gather_float_indices", "Gather", [f32("x", [4, 2]), f32("i", [1])],
    [anyshape("y")])
one("gather_scalar_data", "Gather", [f32("x", [])], [anyshape("y")],
    [ints("i", 0)])

one("gather_empty_axis", "Gather",
    [f32("x", [0, 3]), i64("i", [2])], [anyshape("y")])

# --- Expand ---------------------------------------------------------------

one("expand", "Expand", [f32("x", [3, 1])], [f32("y", [2, 3, 4])],
    [ints("shape", [2, 1, 4])])
one("expand_smaller_shape", "Expand", [f32("x", [2, 3])], [f32("y", [2, 3])],
    [ints("shape", [1, 1])])
one("expand_fold", "Expand", [], [i64("y", [3, 2])],
    [ints("data", [[1, 2]]), ints("shape", [3, 1])])
one("expand_incompatible", "Expand", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [4, 3])])
one("expand_negative", "Expand", [f32("x", [2, 3])], [anyshape("y")],
    [ints("shape", [-1, 3])])
one("expand_runtime_shape", "Expand", [f32("x", [2, 3]), i64("s", [2])],
    [anyshape("y")])

# --- ConstantOfShape ------------------------------------------------------

one("constant_of_shape", "ConstantOfShape", [], [f32("y", [2, 3])],
    [ints("shape", [2, 3])])
one("constant_of_shape_int", "ConstantOfShape", [], [i64("y", [4])],
    [ints("shape", [4])],
    value=helper.make_tensor("v", TensorProto.INT64, [1], [7]))
one("constant_of_shape_large", "ConstantOfShape", [],
    [value_info("y", "bool", [64, 64])], [ints("shape", [64, 64])],
    value=helper.make_tensor("v", TensorProto.BOOL, [1], [True]))
one("constant_of_shape_two_values", "ConstantOfShape", [], [anyshape("y")],
    [ints("shape", [4])],
    value=helper.make_tensor("v", TensorProto.FLOAT, [2], [1, 2]))
one("constant_of_shape_runtime", "ConstantOfShape", [i64("s", [2])],
    [anyshape("y")])

# --- Range ----------------------------------------------------------------


def range_model(name, start, limit, delta, dtype=np.int64, runtime=None,
                out=None):
    inits = [initializer(n, np.array(v, dtype)) for n, v in
             (("start", start), ("limit", limit), ("delta", delta))]
    onnx_dtype = {np.int64: "int64", np.int32: "int32",
                  np.float32: "float"}[dtype]
    inputs = []
    if runtime:
        inits = [t for t in inits if t.name != runtime]
        inputs = [value_info(runtime, onnx_dtype, [])]
    model(name, [node("Range", ["start", "limit", "delta"], ["y"])], inputs,
          [value_info("y", onnx_dtype, out if out else ["n"])], inits)


range_model("range_int", 0, 10, 3, out=[4])
range_model("range_int_down", 10, 0, -4, dtype=np.int32, out=[3])
range_model("range_float", 0.5, 2.0, 0.5, dtype=np.float32, out=[3])
range_model("range_empty", 5, 0, 1, out=[0])
range_model("range_large", 0, 4000, 2, out=[2000])
range_model("range_large_float", 0, 1500, 1, dtype=np.float32,
            out=[1500])
range_model("range_runtime", 0, 10, 1, runtime="limit")
range_model("range_zero_delta", 0, 10, 0)
model("range_types", [node("Range", ["start", "limit", "delta"], ["y"])], [],
      [anyshape("y", "int64")],
      [ints("start", 0), ints("limit", 4, np.int32), ints("delta", 1)])
model("range_not_scalar", [node("Range", ["start", "limit", "delta"], ["y"])],
      [], [anyshape("y", "int64")],
      [ints("start", [0, 1]), ints("limit", 4), ints("delta", 1)])

model("range_uint8", [node("Range", ["start", "limit", "delta"], ["y"])], [],
      [anyshape("y", "uint8")],
      [ints("start", 0, np.uint8), ints("limit", 4, np.uint8),
       ints("delta", 1, np.uint8)])
range_model("range_infinite", 0, np.inf, 1, dtype=np.float32)
range_model("range_huge", INT64_MIN, INT64_MAX, 1)

# --- PyTorch-style shape chains -------------------------------------------

# x.view(x.size(0), x.size(1), 4, 8) as torch.onnx writes it, with symbolic
# batch and sequence sizes.
model("torch_view_heads", [
    node("Shape", ["x"], ["shape0"], name="shape0"),
    const("idx0", np.array(0, np.int64)),
    node("Gather", ["shape0", "idx0"], ["batch"], name="gather0", axis=0),
    const("axes0", np.array([0], np.int64)),
    node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="unsqueeze0"),
    node("Shape", ["x"], ["shape1"], name="shape1"),
    const("idx1", np.array(1, np.int64)),
    node("Gather", ["shape1", "idx1"], ["seq"], name="gather1", axis=0),
    const("axes1", np.array([0], np.int64)),
    node("Unsqueeze", ["seq", "axes1"], ["seq1"], name="unsqueeze1"),
    const("heads", np.array([4], np.int64)),
    const("head_dim", np.array([8], np.int64)),
    node("Concat", ["batch1", "seq1", "heads", "head_dim"], ["new_shape"],
         axis=0),
    node("Reshape", ["x", "new_shape"], ["y"]),
], [f32("x", ["batch", "seq", 32])], [f32("y", ["batch", "seq", 4, 8])])

# The same with head_dim = hidden / heads computed through Cast and Div, and
# a second output flattening batch * seq with Mul.
model("torch_view_arith", [
    node("Shape", ["x"], ["shape"]),
    const("idx0", np.array(0, np.int64)),
    node("Gather", ["shape", "idx0"], ["batch"], name="gather0"),
    const("idx1", np.array(1, np.int64)),
    node("Gather", ["shape", "idx1"], ["seq"], name="gather1"),
    const("idx2", np.array(2, np.int64)),
    node("Gather", ["shape", "idx2"], ["hidden"], name="gather2"),
    node("Cast", ["hidden"], ["hidden_f"], name="cast0", to=TensorProto.FLOAT),
    const("heads_f", np.array(4, np.float32)),
    node("Div", ["hidden_f", "heads_f"], ["head_dim_f"]),
    node("Cast", ["head_dim_f"], ["head_dim"], name="cast1",
         to=TensorProto.INT64),
    const("axes", np.array([0], np.int64)),
    node("Unsqueeze", ["batch", "axes"], ["batch1"], name="unsqueeze0"),
    node("Unsqueeze", ["seq", "axes"], ["seq1"], name="unsqueeze1"),
    node("Unsqueeze", ["head_dim", "axes"], ["head_dim1"], name="unsqueeze2"),
    const("heads", np.array([4], np.int64)),
    node("Concat", ["batch1", "seq1", "heads", "head_dim1"], ["shape4"],
         name="concat0", axis=0),
    node("Reshape", ["x", "shape4"], ["y"], name="reshape0"),
    node("Mul", ["batch", "seq"], ["tokens"]),
    node("Unsqueeze", ["tokens", "axes"], ["tokens1"], name="unsqueeze3"),
    const("minus_one", np.array([-1], np.int64)),
    node("Concat", ["tokens1", "minus_one"], ["shape2"], name="concat1",
         axis=0),
    node("Reshape", ["x", "shape2"], ["z"], name="reshape1"),
], [f32("x", ["batch", "seq", 32])],
    [f32("y", ["batch", "seq", 4, 8]), f32("z", ["tokens", 32])])
