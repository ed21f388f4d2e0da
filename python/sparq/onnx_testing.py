"""Small helpers for writing ONNX test models (used by lit test generators
and pytest). Models are built deterministically with Debian's onnx."""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DTYPES = {
    "float": TensorProto.FLOAT,
    "float16": TensorProto.FLOAT16,
    "bfloat16": TensorProto.BFLOAT16,
    "double": TensorProto.DOUBLE,
    "int8": TensorProto.INT8,
    "uint8": TensorProto.UINT8,
    "int16": TensorProto.INT16,
    "int32": TensorProto.INT32,
    "int64": TensorProto.INT64,
    "bool": TensorProto.BOOL,
    "int4": 22,
    "uint4": 21,
}


def value_info(name, dtype, shape):
    """A graph input/output: dtype is a key of DTYPES, shape a list of ints
    or dimension names (None for no shape)."""
    return helper.make_tensor_value_info(name, DTYPES[dtype], shape)


def initializer(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def save_model(path, nodes, inputs, outputs, initializers=(), opset=17,
               extra_opsets=None, ir_version=8):
    """Writes a model with the given nodes; extra_opsets maps domain ->
    version (e.g. {"com.microsoft": 1})."""
    opsets = [helper.make_opsetid("", opset)]
    for domain, version in (extra_opsets or {}).items():
        opsets.append(helper.make_opsetid(domain, version))
    graph = helper.make_graph(list(nodes), os.path.basename(path),
                              list(inputs), list(outputs), list(initializers))
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = ir_version
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    onnx.save(model, path)
    return model


def single_node(path, op_type, inputs, outputs, initializers=(), opset=17,
                domain="", extra_opsets=None, **attributes):
    """A model with one node named after its op type; `inputs`/`outputs` are
    value_info()s (initializer names may be listed in the node's inputs by
    passing them in `initializers` only)."""
    input_names = [i.name for i in inputs] + [t.name for t in initializers]
    node = helper.make_node(op_type, input_names, [o.name for o in outputs],
                            name=op_type.lower(), domain=domain, **attributes)
    return save_model(path, [node], inputs, outputs, initializers, opset,
                      extra_opsets)
