"""sparq.report and compile(report=True): the w4a16 report as data, each
figure checked against NumPy (RTN weights, layer outputs on the fp32
model's activations) and the model error against runs of the compiled fp32
and quantized models."""

import math

import numpy as np
import pytest

import sparq
from sparq import models, reference

CONFIG = models.Config(layers=1, hidden=64, heads=2, ffn=128, vocab=64, seq=8)
DIMS = {"batch": 1, "seq": CONFIG.seq}
GROUP = 32
RECIPE = f"w4a16{{group-size={GROUP}}}"


def sqnr_db(signal, noise):
    return 10 * math.log10(signal / noise)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    directory = tmp_path_factory.mktemp("report")
    params = models.save(CONFIG, directory / "tiny.onnx")
    rng = np.random.default_rng(7)
    samples = [{"input_ids": rng.integers(0, CONFIG.vocab, (1, CONFIG.seq),
                                          dtype=np.int64)}
               for _ in range(3)]
    quantized = sparq.compile(directory / "tiny.onnx", quant=RECIPE,
                              calibration=samples, dims=DIMS, report=True)
    fp32 = sparq.compile(directory / "tiny.onnx", dims=DIMS)
    return directory / "tiny.onnx", params, samples, quantized, fp32


def rtn_weight(w_kn):
    """The w4a16 weight as NumPy quantizes it: [N, K] rows, symmetric int4
    in groups of GROUP along K; returned in [K, N]."""
    rows = w_kn.T.astype(np.float32)
    scales, zeros = reference.rtn_params(rows, 4, symmetric=True,
                                         group_size=GROUP)
    q = reference.quantize(rows, scales, zeros, 4, signed=True)
    return reference.dequantize(q, scales, zeros).T


def layer_inputs(params, samples, monkeypatch):
    """{linear name: [its fp32 input activation per sample]}: the first
    activation observed after the linear's weights are looked up (attention
    observes other activations too)."""
    inputs, current = {}, []
    original = models._linear

    def named_linear(p, name):
        current[:] = [name]
        return original(p, name)

    def observe(key, x):
        if current:
            inputs.setdefault(current.pop(), []).append(
                x.reshape(-1, x.shape[-1]))

    monkeypatch.setattr(models, "_linear", named_linear)
    for sample in samples:
        models._forward(params, sample["input_ids"], use_quantized=False,
                        observer=observe)
    return inputs


def test_report_layers_match_numpy(setup, monkeypatch):
    _, params, samples, quantized, _ = setup
    report = quantized.report
    assert isinstance(report, sparq.Report)
    names = models.linear_names(CONFIG)
    assert [layer.layer for layer in report.layers] == \
        [f"{name}.weight" for name in names]
    inputs = layer_inputs(params, samples, monkeypatch)
    for name in names:
        layer = report.layer(f"{name}.weight")
        w = models._linear(params, name)["w"]
        k, n = w.shape
        assert layer.scheme == f"rtn-int4-g{GROUP}-sym"
        assert layer.bytes_before == k * n * 4
        assert layer.bytes_after == n * k // 2 + n * (k // GROUP) * 4
        assert layer.compression == pytest.approx(
            layer.bytes_before / layer.bytes_after)
        wq = rtn_weight(w)
        expected = sqnr_db(np.sum(w.astype(np.float64) ** 2),
                           np.sum((w - wq).astype(np.float64) ** 2))
        assert layer.weight_sqnr_db == pytest.approx(expected, abs=1e-3)
        signal = noise = 0.0
        for x in inputs[name]:
            y = x.astype(np.float64) @ w
            signal += np.sum(y ** 2)
            noise += np.sum((y - x.astype(np.float64) @ wq) ** 2)
        assert layer.output_sqnr_db == pytest.approx(sqnr_db(signal, noise),
                                                     abs=0.02), name
        assert layer.in_model_sqnr_db is not None
    assert report.fp32_layers == 0 and report.fp32_layer_bytes == 0
    assert report.total_bytes_before == sum(l.bytes_before
                                            for l in report.layers)
    assert report.total_bytes_after == sum(l.bytes_after
                                           for l in report.layers)


def test_report_model_error_matches_compiled_models(setup):
    _, _, samples, quantized, fp32 = setup
    error = quantized.report.model
    assert error.samples == len(samples)
    q_model, f_model = quantized.load(), fp32.load()
    signal = noise = max_abs = max_ref = 0.0
    for sample in samples:
        y = f_model.run(sample)["logits"].astype(np.float64)
        d = q_model.run(sample)["logits"] - y
        signal += np.sum(y ** 2)
        noise += np.sum(d ** 2)
        max_abs = max(max_abs, np.abs(d).max())
        max_ref = max(max_ref, np.abs(y).max())
    assert error.sqnr_db == pytest.approx(sqnr_db(signal, noise), abs=0.01)
    assert error.max_abs_error == pytest.approx(max_abs, rel=1e-3)
    assert error.max_rel_error == pytest.approx(max_abs / max_ref, rel=1e-3)


def test_report_function_and_json(setup, tmp_path):
    path, _, samples, quantized, _ = setup
    # sparq.report stops after quantizing; same figures as the full compile.
    report = sparq.report(path, RECIPE, calibration=samples, dims=DIMS)
    assert report == quantized.report
    # Without samples nothing is measured: None, not a number.
    unmeasured = sparq.report(path, RECIPE, dims=DIMS)
    assert unmeasured.model is None
    assert all(l.output_sqnr_db is None for l in unmeasured.layers)
    assert [l.weight_sqnr_db for l in unmeasured.layers] == \
        [l.weight_sqnr_db for l in report.layers]
    # The JSON sparqc writes reads back into the same data.
    sparq.compile(path, quant=RECIPE, dims=DIMS, emit="mlir",
                  output_dir=tmp_path,
                  extra_args=[f"--report={tmp_path / 'r.json'}"])
    assert sparq.Report.from_json(tmp_path / "r.json") == unmeasured
    assert sparq.Report.from_dict(report.to_dict()) == report
    table = str(report)
    assert table.splitlines()[0].split()[:2] == ["layer", "scheme"]
    assert "model output vs fp32 on 3 samples" in table
    with pytest.raises(KeyError, match="no quantized layer named 'nope'"):
        report.layer("nope")
    with pytest.raises(ValueError, match="not a sparq quantization report"):
        sparq.Report.from_json('{"layers": []}')
