"""Models and value files for --bind-input tests (argv[1]: output dir)."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

from sparq import onnx_testing as ot

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
node = helper.make_node("Reshape", ["data", "shape"], ["y"], name="reshape")
ot.save_model(f"{out}/reshape.onnx", [node],
              [ot.value_info("data", "float", [2, 6]),
               ot.value_info("shape", "int64", [2])],
              [ot.value_info("y", "float", ["a", "b"])])
np.save(f"{out}/shape.npy", np.array([3, 4], dtype=np.int64))
np.save(f"{out}/shape_i32.npy", np.array([3, 4], dtype=np.int32))
np.save(f"{out}/shape_3.npy", np.array([3, 2, 2], dtype=np.int64))
with open(f"{out}/shape.pb", "wb") as f:
    f.write(numpy_helper.from_array(np.array([4, 3], dtype=np.int64)).SerializeToString())
with open(f"{out}/garbage.pb", "wb") as f:
    f.write(b"\xff\xff\xff\xff not a tensor")
