"""End to end: ONNX MatMul models through sparq-quantize-weights,
sparq-codebook-quantize and sparq-decompose-outliers, compiled with sparqc
and run through the C ABI. The quantized weights are read back from the
pass output and checked against NumPy: RTN against reference.py's
independent RTN, codebooks and CSR outliers by their definitions, and every
model output against x @ W_hat^T computed in NumPy."""

import ast
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

from sparq import onnx_testing as ot
from sparq import reference
from sparq.runtime import Model

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))
M, K, N = 4, 256, 96
WEIGHT = "proj.weight"


def _tool(name):
    return str(BUILD / "bin" / name)


@pytest.fixture(scope="module")
def matmul_model(tmp_path_factory):
    """x[M, K] @ W[K, N] with a heavy-tailed W (t distribution), imported."""
    tmp = tmp_path_factory.mktemp("matmul")
    rng = np.random.default_rng(0)
    w = (rng.standard_t(3, size=(K, N)) * 0.05).astype(np.float32)
    ot.single_node(str(tmp / "m.onnx"), "MatMul",
                   [ot.value_info("x", "float", [M, K])],
                   [ot.value_info("y", "float", [M, N])],
                   [ot.initializer(WEIGHT, w)])
    mlir = tmp / "m.mlir"
    subprocess.run([_tool("sparq-import-onnx"), str(tmp / "m.onnx"), "-o",
                    str(mlir)], check=True)
    x = rng.standard_normal((M, K)).astype(np.float32)
    return mlir, w, x


def run_pass(tmp_path, mlir, pipeline):
    out = tmp_path / "q.mlir"
    result = subprocess.run([_tool("sparq-opt"), str(mlir), pipeline, "-o",
                             str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out.read_text()


def compile_and_run(tmp_path, text, x):
    # A fresh library name each time: dlopen hands back a loaded library of
    # the same path.
    index = len(list(tmp_path.glob("model*.so")))
    source = tmp_path / f"model{index}.mlir"
    library = tmp_path / f"model{index}.so"
    source.write_text(text)
    result = subprocess.run([_tool("sparqc"), "--quiet", str(source),
                             "--kernels=exact", "-o", str(library)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Model(library).run(x=x)["y"]


_ELEMENT = {"f32": np.float32, "i8": np.int8, "i32": np.int32}


def _constants(text):
    """SSA name -> array of every tensor arith.constant in printed IR
    (literal dense<...> or dense_resource<...> with its hex blob)."""
    blobs = {key: bytes.fromhex(blob[2:])[4:] for key, blob in re.findall(
        r'^\s*"?([\w.\-]+)"?: "(0x[0-9A-Fa-f]+)"', text, re.M)}
    constants = {}
    pattern = (r"(%[\w]+) = arith.constant (dense(?:_resource)?)<(.*?)> : "
               r"tensor<([0-9x]+)x(f32|i8|i32)>")
    for name, kind, body, dims, element in re.findall(pattern, text):
        shape = tuple(int(d) for d in dims.split("x"))
        dtype = _ELEMENT[element]
        if kind == "dense_resource":
            array = np.frombuffer(blobs[body], dtype=dtype)
        elif body.startswith('"0x'):  # large literals print as raw hex
            array = np.frombuffer(bytes.fromhex(body[3:-1]), dtype=dtype)
        else:
            value = ast.literal_eval(body.replace("0x7FC00000", "nan"))
            array = np.array(value, dtype=dtype)
            if array.ndim == 0:
                array = np.full(shape, array, dtype=dtype)
        constants[name] = array.reshape(shape)
    return constants


def _op(text, op):
    """Operand names and sparq.quant_info of the single `op` in `text`."""
    line = next(l for l in text.splitlines() if f"sparq.{op} " in l)
    operands = re.findall(r"%[\w]+", line.split("{sparq.quant_info")[0])
    info = dict(re.findall(r"(\w+) = (\"[^\"]*\"|[-\w.+]+)", line.split(
        "{sparq.quant_info = {")[1].split("}")[0]))
    return operands, info, line


def _sqnr(ref, approx):
    ref = ref.astype(np.float64)
    return 10 * np.log10((ref ** 2).sum() / ((ref - approx) ** 2).sum())


@pytest.mark.parametrize("bits,group,symmetric", [
    (4, 32, True), (8, 0, True), (3, 64, False), (2, 128, True)])
def test_rtn_matches_numpy(tmp_path, matmul_model, bits, group, symmetric):
    mlir, w, x = matmul_model
    text = run_pass(tmp_path, mlir, f"--sparq-quantize-weights=bits={bits} "
                    f"group-size={group} symmetric={int(symmetric)}")
    operands, info, line = _op(text, "qmatmul")
    assert f"storage({'si' if symmetric else 'ui'}{bits})" in line
    assert info["layer"] == f'"{WEIGHT}"'
    consts = _constants(text)

    rows = w.T  # [N, K]
    scales, zeros = reference.rtn_params(rows, bits, symmetric, group)
    q = reference.quantize(rows, scales, zeros, bits, signed=symmetric)
    w_hat = reference.dequantize(q, scales, zeros)
    packed = consts[operands[2]].view(np.uint8)
    np.testing.assert_array_equal(packed, reference.pack_rows(q, bits))
    np.testing.assert_array_equal(consts[operands[3]], scales)
    if not symmetric:
        np.testing.assert_array_equal(
            consts[operands[4]].view(np.uint8).astype(np.int32), zeros)
    assert float(info["weight_sqnr_db"]) == pytest.approx(
        _sqnr(rows, w_hat), rel=1e-9)
    groups = K // (group or K)
    assert int(info["bytes_after"]) == N * reference.packed_row_bytes(K, bits) \
        + N * groups * 4 + (0 if symmetric else N * groups)

    y = compile_and_run(tmp_path, text, x)
    np.testing.assert_allclose(y, x @ w_hat.T, rtol=1e-5, atol=1e-5)


def test_more_bits_are_closer(tmp_path, matmul_model):
    mlir, w, x = matmul_model
    exact = x @ w
    sqnr = {}
    for bits in (3, 8):
        text = run_pass(tmp_path, mlir,
                        f"--sparq-quantize-weights=bits={bits} group-size=64")
        sqnr[bits] = _sqnr(exact, compile_and_run(tmp_path, text, x))
    # About 6 dB per bit; 3 bits on heavy-tailed weights is poor.
    assert sqnr[8] > sqnr[3] + 25
    assert 5 < sqnr[3] < 20
    assert sqnr[8] > 35


def _codebook_weights(text, consts, bits, operands):
    indices = reference.unpack_rows(consts[operands[2]].view(np.uint8), K,
                                    bits, signed=False)
    codebooks = consts[operands[3]]
    assert codebooks.shape == (N, 1 << bits)
    return np.take_along_axis(codebooks, indices, axis=1), indices, codebooks


def test_codebook_beats_rtn(tmp_path, matmul_model):
    mlir, w, x = matmul_model
    text = run_pass(tmp_path, mlir,
                    "--sparq-codebook-quantize=bits=3 max-iterations=50")
    operands, info, line = _op(text, "lut_matmul")
    assert "bits(3)" in line and info["scheme"] == '"lut-3"'
    consts = _constants(text)
    dense, indices, codebooks = _codebook_weights(text, consts, 3, operands)
    rows = w.T
    # Every weight uses its nearest codebook entry.
    nearest = np.abs(rows[:, :, None] - codebooks[:, None, :]).min(-1)
    np.testing.assert_array_equal(np.abs(rows - dense), nearest)
    assert float(info["weight_sqnr_db"]) == pytest.approx(_sqnr(rows, dense),
                                                          rel=1e-9)
    y = compile_and_run(tmp_path, text, x)
    np.testing.assert_allclose(y, x @ dense.T, rtol=1e-5, atol=1e-5)

    rtn = run_pass(tmp_path, mlir, "--sparq-quantize-weights=bits=3 "
                   "group-size=0 symmetric=0")
    _, rtn_info, _ = _op(rtn, "qmatmul")
    assert float(info["weight_sqnr_db"]) > float(rtn_info["weight_sqnr_db"]) + 2


@pytest.mark.parametrize("dense", ["codebook", "rtn"])
def test_decomposition_keeps_outliers_exactly(tmp_path, matmul_model, dense):
    mlir, w, x = matmul_model
    fraction = 0.01
    text = run_pass(tmp_path, mlir, f"--sparq-decompose-outliers=bits=3 "
                    f"fraction={fraction} dense={dense} group-size=64")
    op = "lut_matmul" if dense == "codebook" else "qmatmul"
    operands, info, line = _op(text, op)
    consts = _constants(text)
    rows = w.T
    if dense == "codebook":
        dense_w, _, _ = _codebook_weights(text, consts, 3, operands)
        row_ptr, col_ind, values = (consts[o] for o in operands[4:7])
    else:
        q = reference.unpack_rows(consts[operands[2]].view(np.uint8), K, 3,
                                  signed=True)
        scales = consts[operands[3]]
        dense_w = reference.dequantize(q, scales, np.zeros_like(scales,
                                                                np.int32))
        row_ptr, col_ind, values = (consts[o] for o in operands[4:7])
    nnz = round(fraction * N * K)
    assert row_ptr.shape == (N + 1,) and row_ptr[-1] == nnz
    assert np.all(np.diff(row_ptr) >= 0)
    outlier_rows = np.repeat(np.arange(N), np.diff(row_ptr))
    sparse = np.zeros_like(rows)
    sparse[outlier_rows, col_ind] = values
    mask = np.zeros(rows.shape, bool)
    mask[outlier_rows, col_ind] = True
    # The outliers are the largest magnitudes...
    assert np.abs(rows[~mask]).max() <= np.abs(rows[mask]).min()
    # ...and the decomposition gives them back bit for bit.
    reconstructed = dense_w + sparse
    np.testing.assert_array_equal(reconstructed[mask].view(np.uint32),
                                  rows[mask].view(np.uint32))
    if dense == "rtn":
        assert np.all(dense_w[mask] == 0)
        # Scales ignore the outliers: absmax of the rest / 3.
        rest = np.where(mask, 0, rows).reshape(N, K // 64, 64)
        np.testing.assert_array_equal(
            scales, np.abs(rest).max(-1) / np.float32(3))
    y = compile_and_run(tmp_path, text, x)
    np.testing.assert_allclose(y, x @ dense_w.T + x @ sparse.T, rtol=1e-5,
                               atol=1e-5)

    # Taking 1% out helps the 3-bit dense part on heavy-tailed weights.
    plain = run_pass(tmp_path, mlir, "--sparq-codebook-quantize=bits=3"
                     if dense == "codebook" else
                     "--sparq-quantize-weights=bits=3 group-size=64")
    _, plain_info, _ = _op(plain, "lut_matmul" if dense == "codebook"
                           else "qmatmul")
    assert float(info["weight_sqnr_db"]) > \
        float(plain_info["weight_sqnr_db"]) + 1.5


def test_transformer_logits(tmp_path):
    """The generated Llama-like model (outlier channels in its weights):
    every matmul quantized, logits compared with the fp32 model's."""
    onnx_path = tmp_path / "t.onnx"
    subprocess.run(["/usr/bin/python3", "-m", "sparq.models", "--variant",
                    "fp32", "-o", str(onnx_path)], check=True,
                   env={**os.environ, "PYTHONPATH": str(
                       pathlib.Path(__file__).parents[1])})
    mlir = tmp_path / "t.mlir"
    subprocess.run([_tool("sparq-import-onnx"), str(onnx_path), "--dim",
                    "batch=1", "--dim", "seq=4", "-o", str(mlir)], check=True)
    ids = np.array([[1, 5, 9, 200]], np.int64)

    def logits(text):
        index = len(list(tmp_path.glob("t*.so")))
        source, library = tmp_path / f"t{index}.mlir", tmp_path / f"t{index}.so"
        source.write_text(text)
        subprocess.run([_tool("sparqc"), "--quiet", str(source),
                        "--kernels=exact", "-o", str(library)], check=True)
        return Model(library).run(input_ids=ids)["logits"]

    exact = logits(mlir.read_text())
    sqnr = {}
    for name, pipeline in [
            ("rtn8", "--sparq-quantize-weights=bits=8 group-size=32"),
            ("rtn3", "--sparq-quantize-weights=bits=3 group-size=32"),
            ("lut3", "--sparq-codebook-quantize=bits=3"),
            ("lut3+sparse", "--sparq-decompose-outliers=bits=3 "
             "dense=codebook fraction=0.0045"),
            ("rtn3+sparse", "--sparq-decompose-outliers=bits=3 dense=rtn "
             "group-size=32 fraction=0.0045")]:
        text = run_pass(tmp_path, mlir, pipeline)
        assert "linalg.matmul" not in text, name
        assert text.count("sparq.quant_info") == 14, name
        sqnr[name] = _sqnr(exact, logits(text))
    # Measured: rtn8 35.6, rtn3 2.5, lut3 6.4, lut3+sparse 6.7,
    # rtn3+sparse 3.7 dB.
    assert sqnr["rtn8"] > 30
    assert sqnr["rtn8"] > sqnr["rtn3"] + 20
    assert sqnr["lut3"] > sqnr["rtn3"] + 2
    assert sqnr["lut3+sparse"] > sqnr["lut3"]
    assert sqnr["rtn3+sparse"] > sqnr["rtn3"] + 0.5
