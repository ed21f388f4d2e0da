"""Writes the hostile models of limits.mlir into the directory argv[1]:
absurd and negative dimensions, element counts that overflow, data claims
that disagree with the bytes present, and deeply nested subgraphs."""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from sparq.onnx_testing import save_model, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


# Inputs of 2^62 x 4 floats, and a negative dimension.
single_node(path("huge_input.onnx"), "Identity",
            [value_info("x", "float", [2 ** 62, 4])],
            [value_info("y", "float", [2 ** 62, 4])])
single_node(path("negative_dim.onnx"), "Identity",
            [value_info("x", "float", [2, -3])],
            [value_info("y", "float", [2, -3])])

# Each input is addressable, their broadcast sum (2^30 x 2^30) is not.
single_node(path("huge_broadcast.onnx"), "Add",
            [value_info("a", "float", [2 ** 30, 1]),
             value_info("b", "float", [1, 2 ** 30])],
            [value_info("y", "float", [2 ** 30, 2 ** 30])])


def add_with(name, weight):
    """x FLOAT [4] + weight -> y."""
    single_node(path(name), "Add", [value_info("x", "float", [4])],
                [value_info("y", "float", [4])], initializers=[weight])


# An initializer whose dimensions multiply past 2^64, and one that claims a
# billion elements but holds four.
overflow = TensorProto()
overflow.name = "w"
overflow.data_type = TensorProto.FLOAT
overflow.dims.extend([2 ** 40, 2 ** 40])
overflow.raw_data = np.zeros(4, np.float32).tobytes()
add_with("overflow_initializer.onnx", overflow)
claim = TensorProto()
claim.name = "w"
claim.data_type = TensorProto.FLOAT
claim.dims.extend([10 ** 9])
claim.raw_data = np.zeros(4, np.float32).tobytes()
add_with("claim_initializer.onnx", claim)

# A Constant node's tensor attribute with as many elements as int64 holds.
constant = helper.make_node("Constant", [], ["y"], name="const")
value = TensorProto()
value.name = "v"
value.data_type = TensorProto.FLOAT
value.dims.extend([2 ** 62, 2 ** 62])
constant.attribute.append(helper.make_attribute("value", value))
save_model(path("huge_constant.onnx"), [constant], [],
           [value_info("y", "float", [2 ** 62, 2 ** 62])])


def nested_if(depth):
    """A model whose If node's then-branch holds an If node ... `depth`
    levels deep, built in place (copying subgraphs would be quadratic)."""
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    graph = helper.make_graph([], "top",
                              [helper.make_tensor_value_info(
                                  "c", TensorProto.BOOL, []),
                               helper.make_tensor_value_info(
                                   "x", TensorProto.FLOAT, [2])], [y])
    leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])],
                             "leaf", [], [y])
    current = graph
    for level in range(depth):
        node = current.node.add()
        node.op_type = "If"
        node.name = f"if{level}"
        node.input.append("c")
        node.output.append("y")
        other = node.attribute.add()
        other.name = "else_branch"
        other.type = onnx.AttributeProto.GRAPH
        other.g.CopyFrom(leaf)
        then = node.attribute.add()
        then.name = "then_branch"
        then.type = onnx.AttributeProto.GRAPH
        then.g.name = f"then{level}"
        then.g.output.append(y)
        current = then.g
    current.node.append(helper.make_node("Identity", ["x"], ["y"]))
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


for depth in (20, 1000):
    with open(path(f"nested_if_{depth}.onnx"), "wb") as f:
        f.write(nested_if(depth).SerializeToString())

# Empty files and text files are not models.
open(path("empty.onnx"), "wb").close()
with open(path("text.onnx"), "w") as f:
    f.write("graph { node { op_type: 'Add' } }\n")
