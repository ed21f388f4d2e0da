"""sparq-calibrate on the generated transformer: the recorded statistics
against the activations of the numpy forward pass, and sparqc's quantization
pipelines with --report end to end."""

import json
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

from sparq import models

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))
SEQ = 4
SAMPLES = 3


def activation_key(linear):
    """The numpy forward's name for the activation entering `linear`."""
    if linear == "lm_head":
        return "final_norm"
    prefix, proj = linear.rsplit(".", 1)
    return prefix + "." + {"q": "norm1", "k": "norm1", "v": "norm1",
                           "o": "attn_out", "gate": "norm2", "up": "norm2",
                           "fc1": "norm2", "down": "mlp_hidden",
                           "fc2": "mlp_hidden"}[proj]


@pytest.fixture(scope="module")
def model(tmp_path_factory, sparq_import_onnx):
    """The fp32 model imported for [1, SEQ] inputs, calibration samples, and
    the activations numpy computes at every linear layer's input."""
    tmp = tmp_path_factory.mktemp("calibrate")
    config = models.Config(variant="fp32", seq=SEQ)
    params = models.save(config, str(tmp / "m.onnx"))
    result = subprocess.run(
        [sparq_import_onnx, tmp / "m.onnx", "--dim", "batch=1", "--dim",
         f"seq={SEQ}", "-o", tmp / "m.mlir"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rng = np.random.default_rng(7)
    activations = {}
    for i in range(SAMPLES):
        ids = rng.integers(0, config.vocab, size=(1, SEQ), dtype=np.int64)
        (tmp / "calib" / f"s{i}").mkdir(parents=True)
        np.save(tmp / "calib" / f"s{i}" / "input_ids.npy", ids)

        seen = set()

        def observe(key, x):
            # q, k and v (and gate and up) pass the same activation.
            if key not in seen:
                seen.add(key)
                activations.setdefault(key, []).append(
                    x.reshape(-1, x.shape[-1]))
        models._forward(params, ids, use_quantized=False, observer=observe)
    activations = {k: np.concatenate(v) for k, v in activations.items()}
    return tmp, config, activations


def calibrate(sparq_opt, tmp, options):
    result = subprocess.run(
        [sparq_opt, tmp / "m.mlir",
         f"--sparq-calibrate=inputs={tmp / 'calib'} {options}"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def expected_observers(config):
    """Observer name -> numpy activation key. Every linear layer gets its
    own observer: the importer collapses [batch, seq, hidden] to 2-D once
    per MatMul, so q, k and v read equal but distinct values."""
    return {f"{linear}.weight.input": activation_key(linear)
            for linear in models.linear_names(config)}


def assert_close(actual, expected, scale):
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected,
                               rtol=1e-5, atol=1e-5 * scale)


def test_stats_match_numpy_activations(model, sparq_opt):
    tmp, config, activations = model
    ir = calibrate(sparq_opt, tmp, f"stats-file={tmp / 'stats.json'}")
    stats = json.loads((tmp / "stats.json").read_text())
    observers = expected_observers(config)
    assert set(stats) == set(observers)
    for name, key in observers.items():
        x = activations[key]
        scale = np.abs(x).max()
        entry = stats[name]
        assert entry["samples"] == SAMPLES
        assert entry["axis"] == 1  # the 2-D [seq, hidden] matmul input
        assert_close(entry["min"], x.min(axis=0), scale)
        assert_close(entry["max"], x.max(axis=0), scale)
        assert_close(entry["absmax"], np.abs(x).max(axis=0), scale)
        assert_close(entry["tensor"]["min"], x.min(), scale)
        assert_close(entry["tensor"]["max"], x.max(), scale)
        assert_close(entry["tensor"]["absmax"], scale, scale)
    # The same values are attached to the observers in the IR.
    for name in observers:
        match = re.search(
            rf'sparq\.observe %\S+ name\("{re.escape(name)}"\) axis\(1\) '
            r'\{stats = #sparq\.stats<samples = (\d+), min = \[([^\]]*)\]',
            ir)
        assert match, name
        assert int(match.group(1)) == SAMPLES
        values = [float(v) for v in match.group(2).split(",")]
        assert_close(values, stats[name]["min"], 1.0)


def test_percentile_absmax(model, sparq_opt):
    tmp, config, activations = model
    calibrate(sparq_opt, tmp,
              f"percentile=90 stats-file={tmp / 'stats90.json'}")
    stats = json.loads((tmp / "stats90.json").read_text())
    for name, key in expected_observers(config).items():
        magnitudes = np.abs(activations[key]).astype(np.float64)
        scale = magnitudes.max()
        assert_close(stats[name]["absmax"],
                     np.percentile(magnitudes, 90, axis=0), scale)
        assert_close(stats[name]["tensor"]["absmax"],
                     np.percentile(magnitudes, 90), scale)
        # min and max stay exact.
        assert_close(stats[name]["max"], activations[key].max(axis=0), scale)


def sparqc(*args):
    return subprocess.run([str(BUILD / "bin" / "sparqc"), "--quiet",
                           *map(str, args)], capture_output=True, text=True)


# The model's K (64, 128) needs a smaller group than w4a16's default 128.
@pytest.mark.parametrize("recipe", ["w4a16{group-size=32}", "squeezellm"])
def test_sparqc_quant_report(model, recipe):
    """sparqc --quant=<recipe> --report on the transformer: every linear
    layer quantized and smaller, and the model error the report gives equal
    to the error of the compiled library against the numpy fp32 forward."""
    tmp, config, _ = model
    out = tmp / recipe.split("{")[0]
    result = sparqc(tmp / "m.onnx", "--dim", "batch=1", "--dim", f"seq={SEQ}",
                    f"--quant={recipe}", f"--calibration={tmp / 'calib'}",
                    f"--report={out / 'report.json'}", "-o", out)
    if "is not implemented yet" in result.stderr:
        pytest.skip(f"the passes behind --quant={recipe} are stubs in this "
                    "build")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())

    params = models.build_params(config)
    layers = {layer["layer"]: layer for layer in report["layers"]}
    assert set(layers) == {f"{name}.weight"
                           for name in models.linear_names(config)}
    for name in models.linear_names(config):
        layer = layers[f"{name}.weight"]
        assert layer["bytes_before"] == models._linear(params, name)["w"].nbytes
        assert 0 < layer["bytes_after"] < layer["bytes_before"] / 4
        assert layer["weight_sqnr_db"] > 10
        assert layer["output_sqnr_db"] > 10
    assert report["total_bytes_before"] == sum(
        layer["bytes_before"] for layer in layers.values())
    # The first projections read unquantized activations, so inside the
    # model their error is their own; lm_head's output is the model's.
    for name in ("layers.0.q", "layers.0.k", "layers.0.v"):
        layer = layers[f"{name}.weight"]
        assert layer["in_model_sqnr_db"] == pytest.approx(
            layer["output_sqnr_db"], abs=0.01)
    assert layers["lm_head.weight"]["in_model_sqnr_db"] == pytest.approx(
        report["model"]["sqnr_db"], abs=0.01)

    from sparq.runtime import Model
    library = Model(out / "m.so")
    signal = noise = 0.0
    for sample in sorted((tmp / "calib").iterdir()):
        ids = np.load(sample / "input_ids.npy")
        logits = library.run(input_ids=ids)["logits"].astype(np.float64)
        expected = models._forward(params, ids, use_quantized=False)
        signal += np.sum(expected.astype(np.float64) ** 2)
        noise += np.sum((logits - expected) ** 2)
    assert report["model"]["samples"] == SAMPLES
    assert report["model"]["sqnr_db"] == pytest.approx(
        10 * np.log10(signal / noise), abs=0.05)


def test_smoothing_alone_keeps_the_report_exact(model):
    """SmoothQuant without quantization computes the fp32 function, so the
    report's model error must be tiny. (It once rewrote dense_resource blobs
    in place, which silently changed the fp32 reference the report compiled
    from the same context.)"""
    tmp, _, _ = model
    out = tmp / "smooth-only"
    result = sparqc(tmp / "m.onnx", "--dim", "batch=1", "--dim", f"seq={SEQ}",
                    f"--quant=sparq-calibrate{{inputs={tmp / 'calib'}}},"
                    "sparq-smoothquant",
                    f"--calibration={tmp / 'calib'}",
                    f"--report={out / 'report.json'}", "-o", out)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["model"]["sqnr_db"] > 80
