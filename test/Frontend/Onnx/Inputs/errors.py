"""Writes the bad ONNX models of errors.mlir into the directory argv[1].

Only Add and Identity are used where a supported operator is needed."""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from sparq.onnx_testing import initializer, save_model, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def external_tensor(name, shape, location, offset=None, length=None):
    """A FLOAT tensor whose data lives in `location`."""
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = TensorProto.FLOAT
    tensor.dims.extend(shape)
    tensor.data_location = TensorProto.EXTERNAL
    entries = [("location", location), ("offset", offset), ("length", length)]
    for key, value in entries:
        if value is not None:
            entry = tensor.external_data.add()
            entry.key, entry.value = key, str(value)
    return tensor


def add_with(name, weight):
    """x FLOAT [4] + weight -> y."""
    single_node(path(name), "Add", [value_info("x", "float", [4])],
                [value_info("y", "float", [4])], initializers=[weight])


# Unsupported operators in several domains and opsets, some used twice.
lstm0 = helper.make_node("LSTM", ["x"], ["l0"], name="lstm0", hidden_size=2)
lstm1 = helper.make_node("LSTM", ["x"], ["l1"], name="lstm1", hidden_size=2)
custom = helper.make_node("FancyNorm", ["x"], ["c"], name="fancy",
                          domain="com.example")
tree = helper.make_node("TreeEnsembleRegressor", ["x"], ["t"], name="trees",
                        domain="ai.onnx.ml")
stray = helper.make_node("Mystery", ["x"], ["m"], name="", domain="org.unknown")
ok = helper.make_node("Identity", ["x"], ["y"], name="identity")
save_model(path("unsupported.onnx"), [lstm0, custom, lstm1, tree, stray, ok],
           [value_info("x", "float", [1, 2, 3])],
           [value_info("y", "float", [1, 2, 3])], opset=17,
           extra_opsets={"com.example": 3, "ai.onnx.ml": 3})

# Add exists from opset 13 on only.
single_node(path("old_opset.onnx"), "Add",
            [value_info("a", "float", [2]), value_info("b", "float", [2])],
            [value_info("y", "float", [2])], opset=11)

# Protobuf that stops mid-field, and bytes that are no protobuf at all.
single_node(path("valid.onnx"), "Identity", [value_info("x", "float", [2])],
            [value_info("y", "float", [2])],
            initializers=[])
with open(path("valid.onnx"), "rb") as f:
    valid = f.read()
with open(path("truncated.onnx"), "wb") as f:
    f.write(valid[: len(valid) - 7])
with open(path("corrupt.onnx"), "wb") as f:
    f.write(b"\x0f\xff\xfe\xfd" * 16)

# A node reading a tensor nothing defines.
save_model(path("missing_initializer.onnx"),
           [helper.make_node("Add", ["x", "ghost"], ["y"], name="add")],
           [value_info("x", "float", [4])], [value_info("y", "float", [4])])

# External data problems (data.bin holds 8 bytes).
with open(path("data.bin"), "wb") as f:
    f.write(np.arange(2, dtype=np.float32).tobytes())
add_with("missing_file.onnx", external_tensor("w", [4], "nothere.bin"))
add_with("absolute.onnx", external_tensor("w", [4], "/etc/passwd"))
add_with("dotdot.onnx", external_tensor("w", [4], "sub/../../data.bin"))
add_with("length_mismatch.onnx",
         external_tensor("w", [4], "data.bin", offset=0, length=12))
add_with("too_short.onnx", external_tensor("w", [4], "data.bin", offset=0))
add_with("bad_offset.onnx",
         external_tensor("w", [4], "data.bin", offset="x12", length=16))

# raw_data with the wrong number of bytes.
raw = initializer("w", np.zeros(4, np.float32))
raw.raw_data = b"\0" * 12
add_with("raw_size.onnx", raw)

# Add of FLOAT and FLOAT16.
single_node(path("type_mismatch.onnx"), "Add",
            [value_info("a", "float", [4]), value_info("b", "float16", [4])],
            [value_info("y", "float", [4])])

# Shapes that do not broadcast.
single_node(path("shape_mismatch.onnx"), "Add",
            [value_info("a", "float", [2, 3]), value_info("b", "float", [4])],
            [value_info("y", "float", [2, 3])])

# Symbolic dims: 'seq' used by two inputs, 'batch' by one.
single_node(path("symbolic.onnx"), "Add",
            [value_info("a", "float", ["batch", "seq"]),
             value_info("b", "float", ["seq"])],
            [value_info("y", "float", ["batch", "seq"])])

# A graph output nothing computes.
save_model(path("uncomputed_output.onnx"),
           [helper.make_node("Identity", ["x"], ["y"], name="identity")],
           [value_info("x", "float", [2])],
           [value_info("y", "float", [2]), value_info("z", "float", [2])])

# Declared outputs disagreeing with what the graph computes.
single_node(path("output_type.onnx"), "Identity",
            [value_info("x", "float", [2, 3])],
            [value_info("y", "float16", [2, 3])])
single_node(path("output_shape.onnx"), "Identity",
            [value_info("x", "float", [2, 3])],
            [value_info("y", "float", [3, 2])])

# No ai.onnx opset at all.
graph = helper.make_graph(
    [helper.make_node("Identity", ["x"], ["y"], name="identity")], "g",
    [value_info("x", "float", [2])], [value_info("y", "float", [2])])
model = helper.make_model(
    graph, opset_imports=[helper.make_opsetid("com.microsoft", 1)])
model.ir_version = 8
onnx.save(model, path("no_default_opset.onnx"))

# Nodes with the wrong number of inputs, at an opset newer than libonnx's
# checker knows (so only sparq's own arity check stands between them and the
# converters), and a required input left out by an empty name.
x4 = [value_info("x", "float", [4])]
y4 = [value_info("y", "float", [4])]
save_model(path("arity_add.onnx"),
           [helper.make_node("Add", ["x"], ["y"], name="add")], x4, y4,
           opset=21)
save_model(path("arity_empty.onnx"),
           [helper.make_node("Relu", [""], ["y"], name="relu")], x4, y4,
           opset=21)
save_model(path("arity_gap.onnx"),
           [helper.make_node("Add", ["", "x"], ["y"], name="add")], x4, y4,
           opset=21)
