"""sparqc --target=cpu end to end: compile models into shared libraries,
run them through the C ABI, and compare with NumPy."""

import concurrent.futures
import ctypes
import os
import pathlib
import subprocess

import numpy as np
import pytest
from onnx import helper

from sparq import onnx_testing as ot
from sparq import reference
from sparq.runtime import Model, SparqError
from sparq.runner import literal, tensor_type as tt

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def sparqc(*args):
    return subprocess.run([str(BUILD / "bin" / "sparqc"), "--quiet", *map(str, args)],
                          capture_output=True, text=True)


def compile_mlir(tmp_path, text, name="model", kernels="exact"):
    """Compiles with the exact reference lowering unless `kernels` says
    otherwise (the VNNI kernels quantize activations; test_cpu_kernels.py
    checks them)."""
    source = tmp_path / f"{name}.mlir"
    source.write_text(text)
    result = sparqc(source, f"--kernels={kernels}", "-o", tmp_path / f"{name}.so")
    assert result.returncode == 0, result.stderr
    return Model(tmp_path / f"{name}.so")


def int4_linear_module(x_shape, n, k, group, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, k)).astype(np.float32)
    scales, zeros = reference.rtn_params(w, 4, symmetric=True, group_size=group)
    q = reference.quantize(w, scales, zeros, 4, signed=True)
    packed = reference.pack_rows(q, 4).astype(np.int8)
    bias = rng.standard_normal(n).astype(np.float32)
    y_shape = x_shape[:-1] + (n,)
    text = f"""
func.func @linear(%x: {tt(x_shape, 'f32')} {{sparq.name = "x"}}) -> ({tt(y_shape, 'f32')} {{sparq.name = "y"}}) {{
  %w = arith.constant dense<{literal(packed)}> : {tt(packed.shape, 'i8')}
  %s = arith.constant dense<{literal(scales)}> : {tt(scales.shape, 'f32')}
  %b = arith.constant dense<{literal(bias)}> : tensor<{n}xf32>
  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4)
      : ({tt(x_shape, 'f32')}, {tt(packed.shape, 'i8')}, {tt(scales.shape, 'f32')}, tensor<{n}xf32>) -> {tt(y_shape, 'f32')}
  return %y : {tt(y_shape, 'f32')}
}}"""
    return text, reference.dequantize(q, scales, zeros), bias


def test_quantized_linear_matches_numpy(tmp_path):
    text, w, bias = int4_linear_module((2, 3, 64), n=16, k=64, group=32)
    model = compile_mlir(tmp_path, text)
    assert model.inputs == [("x", np.float32, (2, 3, 64), 2 * 3 * 64 * 4)]
    assert [o[:3] for o in model.outputs] == [("y", np.float32, (2, 3, 16))]
    x = np.random.default_rng(1).standard_normal((2, 3, 64)).astype(np.float32)
    y = model.run(x=x)["y"]
    expected = x.astype(np.float64) @ w.T.astype(np.float64) + bias
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-4)


def test_onnx_model_compiles_and_runs(tmp_path):
    w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    ot.save_model(tmp_path / "add.onnx",
                  [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                   helper.make_node("Add", ["s", "s"], ["y"], name="twice")],
                  [ot.value_info("x", "float", ["batch", 3, 4])],
                  [ot.value_info("y", "float", ["batch", 3, 4])],
                  [ot.initializer("w", w)])
    result = sparqc(tmp_path / "add.onnx", "--dim", "batch=2", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    model = Model(tmp_path / "add.so")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(model.run(x=x)["y"], 2 * (x + w))


def test_abi_rejects_bad_calls(tmp_path):
    text, _, _ = int4_linear_module((1, 64), n=8, k=64, group=64)
    model = compile_mlir(tmp_path, text)
    lib = model._lib
    ctx = lib.sparq_context_create()
    try:
        x = np.zeros((1, 64), dtype=np.float32)
        # Wrong size, bad index, run before every input is bound.
        assert lib.sparq_set_input(ctx, 0, x.ctypes.data, 4) == 1
        assert b"input 0 needs 256 bytes" in lib.sparq_last_error(ctx)
        assert lib.sparq_set_input(ctx, 5, x.ctypes.data, 256) == 1
        assert b"out of range" in lib.sparq_last_error(ctx)
        assert lib.sparq_run(ctx) == 2
        assert b"input 0 was not set" in lib.sparq_last_error(ctx)
        assert lib.sparq_set_input(ctx, 0, None, 256) == 1
        assert lib.sparq_set_input(ctx, 0, x.ctypes.data, 256) == 0
        assert lib.sparq_run(ctx) == 0
        assert lib.sparq_last_error(ctx) == b""
        assert lib.sparq_get_output(ctx, 3, None) is None
        assert not lib.sparq_input_info(-1)
    finally:
        lib.sparq_context_destroy(ctx)
    lib.sparq_context_destroy(None)  # a no-op
    with pytest.raises(SparqError, match="must be float32"):
        model.run(x=np.zeros((1, 64), dtype=np.float64))


@pytest.mark.parametrize("kernels", ["exact", "vnni-int8"])
def test_concurrent_contexts(tmp_path, kernels):
    """Contexts run concurrently from several threads (each kernel also runs
    its rows on OpenMP threads) and give what one context alone gives."""
    text, w, bias = int4_linear_module((4, 128), n=64, k=128, group=32, seed=3)
    model = compile_mlir(tmp_path, text, kernels=kernels)
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((4, 128)).astype(np.float32) for _ in range(8)]
    alone = [model.run(x=x)["y"] for x in xs]

    def work(x):
        with model.context() as context:
            return [context.run(x=x)["y"] for _ in range(20)]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, xs))
    for x, expected, ys in zip(xs, alone, results):
        for y in ys:
            np.testing.assert_array_equal(y, expected)
        exact = x.astype(np.float64) @ w.T + bias
        assert np.abs(expected - exact).max() <= 0.02 * np.abs(exact).max()


def test_no_library_left_behind_on_failure(tmp_path):
    source = tmp_path / "bad.mlir"
    source.write_text("func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {\n"
                      "  return %x : tensor<?xf32>\n}\n")
    result = sparqc(source, "-o", tmp_path / "bad.so")
    assert result.returncode != 0
    assert "static shape" in result.stderr
    assert not (tmp_path / "bad.so").exists()
    assert not (tmp_path / "bad.so.partial").exists()
