"""sparq-smoothquant and sparq-fold-calibration on the generated fp32
transformer: smoothing preserves the function, and W8A8 after smoothing is
more accurate than W8A8 without it."""

import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

from sparq import models
from sparq.runtime import Model

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))

# Which recorded activation each linear layer reads (see models._forward).
ACTIVATION_OF = {"q": "norm1", "k": "norm1", "v": "norm1", "o": "attn_out",
                 "gate": "norm2", "up": "norm2", "fc1": "norm2",
                 "down": "mlp_hidden", "fc2": "mlp_hidden"}


def tool(name, *args):
    result = subprocess.run([str(BUILD / "bin" / name), *map(str, args)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def activation_key(weight_name):
    if weight_name == "lm_head.weight":
        return "final_norm"
    _, layer, proj, _ = weight_name.split(".")
    return f"layers.{layer}.{ACTIVATION_OF[proj]}"


def channel_stats(params, input_ids):
    """Per-channel (last axis) min/max/absmax of every matmul input, from
    the numpy forward pass."""
    stats = {}

    def record(key, x):
        flat = x.reshape(-1, x.shape[-1]).astype(np.float32)
        lo, hi = flat.min(axis=0), flat.max(axis=0)
        if key in stats:
            lo = np.minimum(lo, stats[key][0])
            hi = np.maximum(hi, stats[key][1])
        stats[key] = (lo, hi)

    models._forward(dict(params, act_qparams=None), input_ids,
                    use_quantized=False, observer=record)
    return stats


def floats(values):
    return "[" + ", ".join(f"{v:.9e}" for v in values) + "]"


def insert_observers(text, stats):
    """Puts a sparq.observe with per-channel statistics on the activation of
    every constant-weight linalg.matmul, as sparq-calibrate would."""
    resources = dict(re.findall(
        r"(%cst[_0-9]*) = arith.constant dense_resource<([^>]+)>", text))
    matmul = re.compile(
        r"^(\s*)(%\S+) = linalg.matmul ins\((%\S+), (%\S+) : "
        r"(tensor<\S+>), (tensor<\S+>)\)", re.M)
    count = 0

    def observe(match):
        nonlocal count
        indent, result, lhs, rhs, lhs_type, rhs_type = match.groups()
        name = resources.get(rhs)
        if name is None:
            return match.group(0)
        key = activation_key(name)
        lo, hi = stats[key]
        absmax = np.maximum(np.abs(lo), np.abs(hi))
        count += 1
        obs = f"%observed_{count}"
        line = (f"{indent}{obs} = sparq.observe {lhs} name(\"{key}\") axis(1) "
                f"{{stats = #sparq.stats<samples = 1, min = {floats(lo)}, "
                f"max = {floats(hi)}, absmax = {floats(absmax)}>}} "
                f": {lhs_type}\n")
        return (line + f"{indent}{result} = linalg.matmul ins({obs}, {rhs} : "
                f"{lhs_type}, {rhs_type})")

    observed = matmul.sub(observe, text)
    return observed, count


def compile_and_run(tmp_path, mlir_path, name, input_ids):
    so = tmp_path / f"{name}.so"
    tool("sparqc", "--quiet", mlir_path, "--target=cpu", "--kernels=exact",
         "-o", so)
    return Model(so).run(input_ids=input_ids)["logits"]


def sqnr_db(reference, actual):
    reference = reference.astype(np.float64)
    noise = reference - actual.astype(np.float64)
    return 10 * np.log10(np.sum(reference ** 2) / np.sum(noise ** 2))


@pytest.fixture(scope="module")
def observed_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("smoothquant")
    config = models.Config(variant="fp32")
    params = models.save(config, tmp / "model.onnx")
    input_ids = models.default_inputs(config)
    seq = input_ids.shape[1]
    tool("sparq-import-onnx", tmp / "model.onnx", "--dim", "batch=1",
         "--dim", f"seq={seq}", "-o", tmp / "model.mlir")
    text = (tmp / "model.mlir").read_text()
    observed, count = insert_observers(text, channel_stats(params, input_ids))
    assert count == len(models.linear_names(config))
    (tmp / "observed.mlir").write_text(observed)
    expected = models.reference_forward(params, input_ids)
    return tmp, input_ids, expected


@pytest.fixture(scope="module")
def smoothed_model(observed_model):
    tmp = observed_model[0]
    tool("sparq-opt", tmp / "observed.mlir", "--sparq-smoothquant=alpha=0.5",
         "-o", tmp / "smoothed.mlir")
    return tmp / "smoothed.mlir"


def test_smoothing_preserves_the_function(observed_model, smoothed_model):
    tmp, input_ids, expected = observed_model
    smoothed_text = smoothed_model.read_text()
    # Norms and the up projection absorb their scales; the attention
    # outputs and the GELU output of the non-gated MLP need sparq.smooth.
    assert smoothed_text.count("sparq.smooth ") == 3
    original = compile_and_run(tmp, tmp / "observed.mlir", "original",
                               input_ids)
    smoothed = compile_and_run(tmp, smoothed_model, "smoothed", input_ids)
    np.testing.assert_allclose(original, expected, rtol=1e-4, atol=1e-4)
    scale = np.abs(original).max()
    np.testing.assert_allclose(smoothed, original, rtol=1e-4,
                               atol=1e-4 * scale)


@pytest.mark.parametrize("activations", ["static", "dynamic"])
def test_w8a8_after_smoothing_beats_naive_w8a8(observed_model, smoothed_model,
                                               activations):
    tmp, input_ids, expected = observed_model
    results = {}
    for label, source in (("naive", tmp / "observed.mlir"),
                          ("smooth", smoothed_model)):
        out = tmp / f"{label}_{activations}_w8a8.mlir"
        tool("sparq-opt", source,
             f"--sparq-fold-calibration=activations={activations}", "-o", out)
        text = out.read_text()
        assert "sparq.observe" not in text
        assert text.count("sparq.int_matmul") == len(
            models.linear_names(models.Config()))
        logits = compile_and_run(tmp, out, f"{label}_{activations}", input_ids)
        results[label] = sqnr_db(expected, logits)
    print(f"W8A8 ({activations}) output SQNR: naive "
          f"{results['naive']:.2f} dB, SmoothQuant {results['smooth']:.2f} dB")
    assert results["smooth"] > results["naive"] + 1.0
