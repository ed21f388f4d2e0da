"""Writes the MatMul and Gemm models of matmul.mlir into the directory
argv[1]."""

import os
import sys

import numpy as np

from sparq.onnx_testing import initializer, single_node, value_info

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def matmul(name, a_shape, b_shape, y_shape, dtype="float", b_dtype=None,
           weight=False):
    """MatMul of inputs a and b (b an initializer when `weight`)."""
    b_dtype = b_dtype or dtype
    inputs = [value_info("a", dtype, a_shape)]
    inits = []
    if weight:
        inits.append(initializer(
            "b", np.arange(np.prod(b_shape), dtype=np.float32)
            .reshape(b_shape)))
    else:
        inputs.append(value_info("b", b_dtype, b_shape))
    single_node(path(name), "MatMul", inputs,
                [value_info("y", dtype, y_shape)], initializers=inits,
                opset=13)


# numpy semantics: plain, weight, batched, broadcast batches, 1-D operands.
matmul("mm_2d.onnx", [2, 3], [3, 4], [2, 4])
matmul("mm_weight.onnx", [2, 5, 3], [3, 4], [2, 5, 4], weight=True)
matmul("mm_unit_batch.onnx", [2, 5, 3], [1, 3, 4], [2, 5, 4])
matmul("mm_batched.onnx", [2, 5, 3], [2, 3, 4], [2, 5, 4])
matmul("mm_broadcast.onnx", [3, 1, 5, 3], [2, 3, 4], [3, 2, 5, 4])
matmul("mm_1d_lhs.onnx", [3], [3, 4], [4])
matmul("mm_1d_rhs.onnx", [2, 3], [3], [2])
matmul("mm_1d_both.onnx", [3], [3], [])
matmul("mm_1d_batched.onnx", [3], [2, 3, 4], [2, 4])
matmul("mm_f16.onnx", [2, 3], [3, 4], [2, 4], dtype="float16")
matmul("mm_bf16.onnx", [2, 3], [3, 4], [2, 4], dtype="bfloat16")
matmul("mm_i32.onnx", [2, 3], [3, 4], [2, 4], dtype="int32")
matmul("mm_i64.onnx", [2, 3], [3, 4], [2, 4], dtype="int64")

# MatMul errors.
matmul("mm_bad_k.onnx", [2, 3], [4, 5], [2, 5])
matmul("mm_bad_batch.onnx", [2, 2, 3], [3, 3, 4], [3, 2, 4])
matmul("mm_bad_types.onnx", [2, 3], [3, 4], [2, 4], b_dtype="float16")
matmul("mm_bad_int8.onnx", [2, 3], [3, 4], [2, 4], dtype="int8")
matmul("mm_bad_scalar.onnx", [], [3], [3])
# One input only: the ONNX checker refuses it, so its RUN line skips it.
single_node(path("mm_bad_missing.onnx"), "MatMul",
            [value_info("a", "float", [2, 3])],
            [value_info("y", "float", [2, 3])], opset=13)


def gemm(name, a_shape, b_shape, y_shape, c_shape=None, dtype="float",
         c_dtype=None, **attributes):
    inputs = [value_info("a", dtype, a_shape), value_info("b", dtype, b_shape)]
    if c_shape is not None:
        inputs.append(value_info("c", c_dtype or dtype, c_shape))
    single_node(path(name), "Gemm", inputs, [value_info("y", dtype, y_shape)],
                opset=13, **attributes)


gemm("gemm_plain.onnx", [2, 3], [3, 4], [2, 4])
gemm("gemm_trans.onnx", [3, 2], [4, 3], [2, 4], transA=1, transB=1)
gemm("gemm_alpha_beta.onnx", [2, 3], [3, 4], [2, 4], c_shape=[4], alpha=0.5,
     beta=2.0)
gemm("gemm_c_column.onnx", [2, 3], [3, 4], [2, 4], c_shape=[2, 1])
gemm("gemm_alpha_only.onnx", [2, 3], [3, 4], [2, 4], alpha=3.0)
gemm("gemm_beta_zero.onnx", [2, 3], [3, 4], [2, 4], c_shape=[2, 4], beta=0.0)
gemm("gemm_i32.onnx", [2, 3], [3, 4], [2, 4], c_shape=[], dtype="int32",
     alpha=2.0)

# Gemm errors.
gemm("gemm_bad_rank.onnx", [1, 2, 3], [3, 4], [2, 4])
gemm("gemm_bad_k.onnx", [2, 3], [4, 3], [2, 4])
gemm("gemm_bad_c.onnx", [2, 3], [3, 4], [2, 4], c_shape=[3])
gemm("gemm_bad_c_type.onnx", [2, 3], [3, 4], [2, 4], c_shape=[4],
     c_dtype="float16")
gemm("gemm_bad_alpha.onnx", [2, 3], [3, 4], [2, 4], dtype="int32", alpha=0.5)
