"""sparq-fold-calibration numerics: the W8A8 and QDQ-folded programs it
writes, compiled with sparqc, against NumPy models of the same arithmetic."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

from sparq import models
from sparq.runner import literal, tensor_type as tt
from sparq.runtime import Model

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def tool(name, *args):
    result = subprocess.run([str(BUILD / "bin" / name), *map(str, args)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def fold_and_compile(tmp_path, text, options, name):
    source = tmp_path / f"{name}.mlir"
    source.write_text(text)
    folded = tmp_path / f"{name}.folded.mlir"
    tool("sparq-opt", source, f"--sparq-fold-calibration={options}",
         "-o", folded)
    tool("sparqc", "--quiet", folded, "--target=cpu", "--kernels=exact",
         "-o", tmp_path / f"{name}.so")
    return folded.read_text(), Model(tmp_path / f"{name}.so")


def rne_int8(x):
    return np.clip(np.rint(x), -128, 127)


@pytest.mark.parametrize("activations", ["static", "dynamic"])
def test_w8a8_matches_numpy(tmp_path, activations):
    rng = np.random.default_rng(3)
    m, k, n = 5, 32, 12
    w = rng.standard_normal((k, n)).astype(np.float32)
    x = rng.standard_normal((m, k)).astype(np.float32)
    x[:, 7] *= 20.0  # an outlier channel
    calib = np.abs(x).max(axis=0) * np.float32(1.25)
    stats = ", ".join(f"{v:.9e}" for v in calib)
    text = f"""
func.func @linear(%x: {tt((m, k), 'f32')} {{sparq.name = "x"}})
    -> ({tt((m, n), 'f32')} {{sparq.name = "y"}}) {{
  %w = arith.constant dense<{literal(w)}> : {tt((k, n), 'f32')}
  %o = sparq.observe %x name("x") axis(1)
      {{stats = #sparq.stats<samples = 1, min = [{stats}], max = [{stats}],
                             absmax = [{stats}]>}} : {tt((m, k), 'f32')}
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {tt((m, n), 'f32')}
  %f = linalg.fill ins(%zero : f32) outs(%e : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  %y = linalg.matmul ins(%o, %w : {tt((m, k), 'f32')}, {tt((k, n), 'f32')})
      outs(%f : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  return %y : {tt((m, n), 'f32')}
}}"""
    folded, model = fold_and_compile(tmp_path, text,
                                     f"activations={activations}", "w8a8")
    assert "sparq.int_matmul" in folded and "linalg.matmul" not in folded
    y = model.run(x=x)["y"]

    # Weights: symmetric int8 per output channel.
    sw = (np.abs(w).max(axis=0) / np.float32(127)).astype(np.float32)
    wq = rne_int8(w / sw)
    # Activations: per tensor from the statistics, or per token.
    if activations == "static":
        sa = np.full((m, 1), np.float32(calib.max()) / np.float32(127),
                     np.float32)
    else:
        sa = (np.abs(x).max(axis=1, keepdims=True) /
              np.float32(127)).astype(np.float32)
    xq = rne_int8(x / sa)
    acc = (xq.astype(np.int64) @ wq.astype(np.int64)).astype(np.float64)
    expected = acc * sa * sw
    np.testing.assert_allclose(y, expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
    # And it approximates the f32 product.
    exact = x.astype(np.float64) @ w.astype(np.float64)
    assert np.abs(y - exact).max() < 0.05 * np.abs(exact).max()


def test_qdq_int4_weight_becomes_qmatmul(tmp_path):
    """Unsigned 4-bit QDQ codes [K, N] with zero points and groups of 8
    along K, packed along N as ONNX stores them."""
    rng = np.random.default_rng(5)
    m, k, n, group = 3, 32, 6, 8
    q = rng.integers(0, 16, size=(k, n)).astype(np.int64)
    scales = rng.uniform(0.01, 0.1, size=(k // group, n)).astype(np.float32)
    zp = rng.integers(0, 16, size=(k // group, n)).astype(np.int64)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8).view(np.int8)
    x = rng.standard_normal((m, k)).astype(np.float32)
    text = f"""
func.func @linear(%x: {tt((m, k), 'f32')} {{sparq.name = "x"}})
    -> ({tt((m, n), 'f32')} {{sparq.name = "y"}}) {{
  %codes = arith.constant dense<{literal(packed)}> : {tt(packed.shape, 'i8')}
  %s = arith.constant dense<{literal(scales)}> : {tt(scales.shape, 'f32')}
  %z = arith.constant dense<{literal(zp.astype(np.int8))}> : {tt(zp.shape, 'i8')}
  %w = sparq.dequantize %codes, %s zero_points(%z) storage(ui4)
      : ({tt(packed.shape, 'i8')}, {tt(scales.shape, 'f32')}, {tt(zp.shape, 'i8')}) -> {tt((k, n), 'f32')}
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {tt((m, n), 'f32')}
  %f = linalg.fill ins(%zero : f32) outs(%e : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  %y = linalg.matmul ins(%x, %w : {tt((m, k), 'f32')}, {tt((k, n), 'f32')})
      outs(%f : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  return %y : {tt((m, n), 'f32')}
}}"""
    folded, model = fold_and_compile(tmp_path, text, "", "qdq4")
    assert "sparq.qmatmul" in folded and "sparq.dequantize" not in folded
    y = model.run(x=x)["y"]
    w = ((q - np.repeat(zp, group, axis=0)) *
         np.repeat(scales, group, axis=0)).astype(np.float64)
    expected = x.astype(np.float64) @ w
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_qdq_int8_model_folds_and_keeps_its_function(tmp_path):
    config = models.Config(variant="qdq-int8")
    params = models.save(config, tmp_path / "model.onnx")
    input_ids = models.default_inputs(config)
    tool("sparq-import-onnx", tmp_path / "model.onnx", "--dim", "batch=1",
         "--dim", f"seq={input_ids.shape[1]}", "-o", tmp_path / "model.mlir")
    folded, model = fold_and_compile(tmp_path,
                                     (tmp_path / "model.mlir").read_text(),
                                     "", "qdq8")
    assert folded.count("sparq.qmatmul") == len(models.linear_names(config))
    assert "sparq.dequantize" not in folded
    logits = model.run(input_ids=input_ids)["logits"]
    expected = models.reference_forward(params, input_ids)
    np.testing.assert_allclose(logits, expected, rtol=1e-3,
                               atol=1e-3 * np.abs(expected).max())


def test_qdq_int8_activation_and_weight_become_int_matmul(tmp_path):
    rng = np.random.default_rng(9)
    m, k, n = 4, 16, 5
    sa = np.float32(0.05)
    codes = rng.integers(-127, 128, size=(k, n)).astype(np.int8)
    sw = rng.uniform(0.001, 0.01, size=(1, n)).astype(np.float32)
    x = (rng.standard_normal((1, m, k)) * 3).astype(np.float32)
    text = f"""
func.func @linear(%x: {tt((1, m, k), 'f32')} {{sparq.name = "x"}})
    -> ({tt((m, n), 'f32')} {{sparq.name = "y"}}) {{
  %sa = arith.constant dense<{float(sa)!r}> : tensor<1x1x1xf32>
  %q = sparq.quantize %x, %sa storage(si8)
      : ({tt((1, m, k), 'f32')}, tensor<1x1x1xf32>) -> {tt((1, m, k), 'i8')}
  %dq = sparq.dequantize %q, %sa storage(si8)
      : ({tt((1, m, k), 'i8')}, tensor<1x1x1xf32>) -> {tt((1, m, k), 'f32')}
  %c = tensor.collapse_shape %dq [[0, 1], [2]]
      : {tt((1, m, k), 'f32')} into {tt((m, k), 'f32')}
  %codes = arith.constant dense<{literal(codes)}> : {tt((k, n), 'i8')}
  %sw = arith.constant dense<{literal(sw)}> : {tt((1, n), 'f32')}
  %w = sparq.dequantize %codes, %sw storage(si8)
      : ({tt((k, n), 'i8')}, {tt((1, n), 'f32')}) -> {tt((k, n), 'f32')}
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {tt((m, n), 'f32')}
  %f = linalg.fill ins(%zero : f32) outs(%e : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  %y = linalg.matmul ins(%c, %w : {tt((m, k), 'f32')}, {tt((k, n), 'f32')})
      outs(%f : {tt((m, n), 'f32')}) -> {tt((m, n), 'f32')}
  return %y : {tt((m, n), 'f32')}
}}"""
    folded, model = fold_and_compile(tmp_path, text, "", "qdqw8a8")
    assert "sparq.int_matmul" in folded and "sparq.dequantize" not in folded
    y = model.run(x=x)["y"]
    xq = rne_int8(x.reshape(m, k) / sa)
    acc = (xq.astype(np.int64) @ codes.astype(np.int64)).astype(np.float64)
    expected = acc * np.float64(sa) * sw.astype(np.float64)
    np.testing.assert_allclose(y, expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
