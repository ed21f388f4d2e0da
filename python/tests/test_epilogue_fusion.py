"""Matmul epilogues (activation, then residual add) of sparq.qmatmul and
sparq.lut_matmul through every CPU lowering, against NumPy; and the
generated MatMulNBits transformer with its epilogues fused by sparq-fuse
against the same model unfused."""

import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from sparq import reference
from sparq.runtime import Model
from sparq.runner import tensor_type as tt

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))
PYTHON_DIR = pathlib.Path(__file__).parents[1]

ERF = np.vectorize(math.erf)

# The activations as the epilogue defines them, in float64.
ACTIVATIONS = {
    "none": lambda v: v,
    "relu": lambda v: np.maximum(v, 0),
    "gelu": lambda v: 0.5 * v * (1 + ERF(v / math.sqrt(2))),
    "gelu_tanh": lambda v: 0.5 * v * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))),
    "silu": lambda v: v / (1 + np.exp(-v)),
}


def host_has(flag):
    return flag in pathlib.Path("/proc/cpuinfo").read_text().split()


def sparqc(source, output, *options):
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), source, "--quiet",
                             *options, "-o", output],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def epilogue_text(activation, residual, gated=False):
    text = "" if activation == "none" else f" activation({activation})"
    text += " gated" if gated else ""
    return text + (" residual(%r)" if residual else "")


def gated_expected(activation, pre, gated):
    """act(z) for a plain epilogue; act(gate half) * up half when gated."""
    if not gated:
        return ACTIVATIONS[activation](pre)
    cols = pre.shape[-1] // 2
    return ACTIVATIONS[activation](pre[..., :cols]) * pre[..., cols:]


def run_qmatmul(tmp_path, activation, residual, kernels, m=3, n=24, k=256,
                group=64, gated=False):
    """One int4 qmatmul with bias and the given epilogue on a [1, M, K]
    input (N = 24: one 16-lane epilogue step and a scalar tail; gated: 12
    outputs from 24 weight rows); returns its output, the float64 NumPy
    result and the inputs."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, m, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    scales, zeros = reference.rtn_params(w, 4, symmetric=True,
                                         group_size=group)
    q = reference.quantize(w, scales, zeros, 4, True)
    packed = reference.pack_rows(q, 4).astype(np.int8)
    bias = rng.standard_normal(n).astype(np.float32)
    cols = n // 2 if gated else n
    r = rng.standard_normal((1, m, cols)).astype(np.float32)
    out = tt((1, m, cols), "f32")
    args = [f'%x: {tt((1, m, k), "f32")} {{sparq.name = "x"}}',
            f'%w: {tt(packed.shape, "i8")} {{sparq.name = "w"}}',
            f'%s: {tt(scales.shape, "f32")} {{sparq.name = "s"}}',
            f'%b: tensor<{n}xf32> {{sparq.name = "b"}}']
    types = [tt((1, m, k), "f32"), tt(packed.shape, "i8"),
             tt(scales.shape, "f32"), f"tensor<{n}xf32>"]
    inputs = dict(x=x, w=packed, s=scales, b=bias)
    if residual:
        args.append(f'%r: {out} {{sparq.name = "r"}}')
        types.append(out)
        inputs["r"] = r
    text = (f"func.func @f({', '.join(args)}) -> ({out} {{sparq.name = \"y\"}}) {{\n"
            f"  %y = sparq.qmatmul %x, %w, %s bias(%b) storage(si4)"
            f"{epilogue_text(activation, residual, gated)}\n"
            f"      : ({', '.join(types)}) -> {out}\n"
            f"  return %y : {out}\n}}\n")
    (tmp_path / "k.mlir").write_text(text)
    sparqc(tmp_path / "k.mlir", tmp_path / "k.so", f"--kernels={kernels}")
    y = Model(tmp_path / "k.so").run(**inputs)["y"]
    dense = reference.dequantize(q, scales, zeros).astype(np.float64)
    pre = x.astype(np.float64) @ dense.T + bias
    expected = gated_expected(activation, pre, gated) + (r if residual else 0)
    return y, expected, inputs


def assert_close(y, expected):
    np.testing.assert_allclose(y, expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())


EPILOGUES = [(a, r) for a in ACTIVATIONS for r in (False, True)
             if (a, r) != ("none", False)]


@pytest.mark.parametrize("kernels", ["exact", "reference"])
@pytest.mark.parametrize("activation,residual", EPILOGUES)
def test_qmatmul_epilogue(tmp_path, kernels, activation, residual):
    y, expected, _ = run_qmatmul(tmp_path, activation, residual, kernels)
    assert_close(y, expected)


@pytest.mark.skipif(not (host_has("avx512_vnni") and host_has("avx512vl")),
                    reason="the host CPU lacks AVX-512 VNNI")
@pytest.mark.parametrize("activation,residual", [("gelu", True),
                                                 ("silu", False),
                                                 ("relu", True)])
def test_vnni_qmatmul_epilogue(tmp_path, activation, residual):
    """The int8-activation kernel is approximate; its epilogue is not: the
    fused output is the epilogue applied to the same kernel's plain output."""
    y, _, inputs = run_qmatmul(tmp_path, activation, residual, "vnni-int8")
    (tmp_path / "plain").mkdir()
    plain, _, _ = run_qmatmul(tmp_path / "plain", "none", False, "vnni-int8")
    expected = ACTIVATIONS[activation](plain.astype(np.float64))
    if residual:
        expected = expected + inputs["r"]
    assert_close(y, expected)


GATED = [("silu", False, 1), ("silu", True, 3), ("gelu", False, 8),
         ("gelu_tanh", True, 2), ("relu", False, 5), ("none", True, 1)]


@pytest.mark.parametrize("kernels", ["exact", "reference"])
@pytest.mark.parametrize("activation,residual,m", GATED)
def test_gated_qmatmul(tmp_path, kernels, activation, residual, m):
    """act(gate) * up (+ residual) from one matmul whose first half of rows
    is the gate's: the CPU kernel pairs rows j and N/2 + j at the store."""
    y, expected, _ = run_qmatmul(tmp_path, activation, residual, kernels,
                                 m=m, gated=True)
    assert y.shape[-1] == 12
    assert_close(y, expected)


@pytest.mark.skipif(not (host_has("avx512_vnni") and host_has("avx512vl")),
                    reason="the host CPU lacks AVX-512 VNNI")
@pytest.mark.parametrize("activation,residual,m", GATED[:3])
def test_vnni_gated_qmatmul(tmp_path, activation, residual, m):
    """The gated VNNI kernel's sums are the plain VNNI kernel's, paired."""
    y, _, inputs = run_qmatmul(tmp_path, activation, residual, "vnni-int8",
                               m=m, gated=True)
    (tmp_path / "plain").mkdir()
    plain, _, _ = run_qmatmul(tmp_path / "plain", "none", False, "vnni-int8",
                              m=m)
    expected = gated_expected(activation, plain.astype(np.float64), True)
    if residual:
        expected = expected + inputs["r"]
    assert_close(y, expected)


@pytest.mark.parametrize("kernels", ["exact", "reference"])
@pytest.mark.parametrize("gated", [False, True])
@pytest.mark.parametrize("activation,residual", [("gelu_tanh", True),
                                                 ("silu", False),
                                                 ("gelu", False),
                                                 ("none", True)])
def test_lut_matmul_epilogue(tmp_path, kernels, gated, activation, residual):
    rng = np.random.default_rng(5)
    m, n, k, bits = 2, 16, 128, 3
    cols = n // 2 if gated else n
    x = rng.standard_normal((m, k)).astype(np.float32)
    codebooks = np.sort(rng.standard_normal((n, 1 << bits)),
                        axis=1).astype(np.float32)
    codes = rng.integers(0, 1 << bits, size=(n, k))
    packed = reference.pack_rows(codes, bits).astype(np.int8)
    r = rng.standard_normal((m, cols)).astype(np.float32)
    out = tt((m, cols), "f32")
    args = [f'%x: {tt((m, k), "f32")} {{sparq.name = "x"}}',
            f'%i: {tt(packed.shape, "i8")} {{sparq.name = "i"}}',
            f'%c: {tt(codebooks.shape, "f32")} {{sparq.name = "c"}}']
    types = [tt((m, k), "f32"), tt(packed.shape, "i8"),
             tt(codebooks.shape, "f32")]
    inputs = dict(x=x, i=packed, c=codebooks)
    if residual:
        args.append(f'%r: {out} {{sparq.name = "r"}}')
        types.append(out)
        inputs["r"] = r
    text = (f"func.func @f({', '.join(args)}) -> ({out} {{sparq.name = \"y\"}}) {{\n"
            f"  %y = sparq.lut_matmul %x, %i, %c bits({bits})"
            f"{epilogue_text(activation, residual, gated)}\n"
            f"      : ({', '.join(types)}) -> {out}\n"
            f"  return %y : {out}\n}}\n")
    (tmp_path / "k.mlir").write_text(text)
    sparqc(tmp_path / "k.mlir", tmp_path / "k.so", f"--kernels={kernels}")
    y = Model(tmp_path / "k.so").run(**inputs)["y"]
    pre = x.astype(np.float64) @ np.take_along_axis(
        codebooks, codes, axis=1).astype(np.float64).T
    expected = gated_expected(activation, pre, gated) + (r if residual else 0)
    assert_close(y, expected)


def sparq_opt_has_fuse():
    result = subprocess.run([str(BUILD / "bin" / "sparq-opt"), "--help"],
                            capture_output=True, text=True)
    return "--sparq-fuse" in result.stdout


@pytest.mark.skipif(not sparq_opt_has_fuse(),
                    reason="sparq-opt has no sparq-fuse pass in this build")
@pytest.mark.parametrize("opset", [17, 21])
@pytest.mark.parametrize("kernels", ["exact", "reference"])
def test_fused_transformer_matches_unfused(tmp_path, opset, kernels):
    """The generated int4 transformer: GELU spelled per ONNX node (opset 17)
    or as the Gelu operator (21), SiLU as Sigmoid x Mul, biases and
    residual adds. Fusing every epilogue leaves the logits unchanged."""
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    subprocess.run([sys.executable, "-m", "sparq.models", "--variant",
                    "matmulnbits-int4", "--opset", str(opset), "-o",
                    tmp_path / "m.onnx"], check=True, env=env)
    subprocess.run([str(BUILD / "bin" / "sparq-import-onnx"),
                    tmp_path / "m.onnx", "--dim", "batch=1", "--dim", "seq=4",
                    "-o", tmp_path / "m.mlir"], check=True)
    fused = subprocess.run([str(BUILD / "bin" / "sparq-opt"),
                            tmp_path / "m.mlir",
                            "--sparq-fuse=patterns=epilogue stats=true",
                            "-o", tmp_path / "fused.mlir"],
                           capture_output=True, text=True)
    assert fused.returncode == 0, fused.stderr
    text = (tmp_path / "fused.mlir").read_text()
    # Each kind of epilogue the model has was fused somewhere.
    for part in ("activation(gelu)", "activation(silu)", "residual(", "bias("):
        assert part in text, f"{part} not fused:\n{fused.stderr}"
    assert "epilogue-residual" in fused.stderr
    ids = np.array([[3, 17, 42, 7]], dtype=np.int64)
    logits = {}
    for name in ("m", "fused"):
        # --fuse=none: sparqc would otherwise fuse "m" itself.
        sparqc(tmp_path / f"{name}.mlir", tmp_path / f"{name}.so",
               f"--kernels={kernels}", "--fuse=none")
        logits[name] = Model(tmp_path / f"{name}.so").run(
            input_ids=ids)["logits"]
    np.testing.assert_allclose(logits["fused"], logits["m"], rtol=1e-5,
                               atol=1e-5 * np.abs(logits["m"]).max())
