"""Writes the tensor files of sparq-run-errors.mlir into argv[1]: inputs of
the right and wrong name, shape and type for a model with one input
x: float32 [2, 3], and .npy / TensorProto files that lie about their size."""

import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


np.save(path("x.npy"), np.arange(6, dtype=np.float32).reshape(2, 3))
np.save(path("x_f64.npy"), np.zeros((2, 3), np.float64))
np.save(path("x_shape.npy"), np.zeros((3, 2), np.float32))
np.save(path("x_complex.npy"), np.zeros((2, 3), np.complex64))

# Headers that claim more data than the file holds, or a shape whose byte
# count overflows 64 bits.
with open(path("x.npy"), "rb") as f:
    good = f.read()
with open(path("truncated.npy"), "wb") as f:
    f.write(good[:-5])
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
with open(path("overflow.npy"), "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") +
            header.encode() + b"\0" * 8)
with open(path("text.npy"), "w") as f:
    f.write("just text\n")
open(path("empty.npy"), "wb").close()

# ONNX test data: a good input_0.pb, and an expected output whose data is
# shorter than its shape (sparq-run used to read past it).
os.makedirs(path("data_set"), exist_ok=True)
tensor = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3),
                                 "x")
with open(path("data_set/input_0.pb"), "wb") as f:
    f.write(tensor.SerializeToString())
short = TensorProto()
short.name = "y"
short.data_type = TensorProto.FLOAT
short.dims.extend([2, 3])
short.raw_data = np.zeros(2, np.float32).tobytes()
os.makedirs(path("short_expect"), exist_ok=True)
with open(path("short_expect/output_0.pb"), "wb") as f:
    f.write(short.SerializeToString())
huge = TensorProto()
huge.name = "x"
huge.data_type = TensorProto.FLOAT
huge.dims.extend([2 ** 62, 2 ** 62])
os.makedirs(path("huge_set"), exist_ok=True)
with open(path("huge_set/input_0.pb"), "wb") as f:
    f.write(huge.SerializeToString())
