"""sparq-opt's constant folding of sparq.pack / sparq.unpack against the
NumPy reference of the packed layout, for every bit width."""

import re
import subprocess

import numpy as np
import pytest

from sparq import reference


def fold(sparq_opt, module: str) -> str:
    result = subprocess.run([sparq_opt, "-canonicalize",
                             "--mlir-print-elementsattrs-with-hex-if-larger=-1"], input=module,
                            capture_output=True, text=True, check=True)
    return result.stdout


def dense_values(ir: str) -> np.ndarray:
    match = re.search(r"arith.constant dense<(.*)> : tensor<", ir)
    assert match, ir
    text = match.group(1)
    return np.array([int(v) for v in re.findall(r"-?\d+", text)], dtype=np.int64)


@pytest.mark.parametrize("bits", range(2, 9))
@pytest.mark.parametrize("signed", [False, True])
def test_pack_fold_matches_numpy(sparq_opt, bits, signed):
    rng = np.random.default_rng(bits * 2 + signed)
    rows, k = 3, 37
    lo, hi = reference.storage_range(bits, signed)
    values = rng.integers(lo, hi + 1, size=(rows, k))
    packed_k = reference.packed_row_bytes(k, bits)
    # Signless iN literals take values in the signed range.
    literal = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
    module = f"""
    func.func @f() -> tensor<{rows}x{packed_k}xi8> {{
      %c = arith.constant dense<{literal.tolist()}> : tensor<{rows}x{k}xi{bits}>
      %p = sparq.pack %c : tensor<{rows}x{k}xi{bits}> -> tensor<{rows}x{packed_k}xi8>
      return %p : tensor<{rows}x{packed_k}xi8>
    }}"""
    folded = dense_values(fold(sparq_opt, module)).astype(np.uint8)
    expected = reference.pack_rows(values, bits).reshape(-1)
    np.testing.assert_array_equal(folded, expected)
    np.testing.assert_array_equal(
        reference.unpack_rows(folded.reshape(rows, packed_k), k, bits, signed),
        values)


@pytest.mark.parametrize("bits", [2, 3, 4, 5, 8])
def test_unpack_fold_matches_numpy(sparq_opt, bits):
    rng = np.random.default_rng(100 + bits)
    k = 29
    values = rng.integers(0, 1 << bits, size=(2, k))
    packed = reference.pack_rows(values, bits).astype(np.int8)
    packed_k = packed.shape[-1]
    module = f"""
    func.func @f() -> tensor<2x{k}xi{bits}> {{
      %c = arith.constant dense<{packed.tolist()}> : tensor<2x{packed_k}xi8>
      %u = sparq.unpack %c : tensor<2x{packed_k}xi8> -> tensor<2x{k}xi{bits}>
      return %u : tensor<2x{k}xi{bits}>
    }}"""
    folded = dense_values(fold(sparq_opt, module)) & ((1 << bits) - 1)
    np.testing.assert_array_equal(folded, values.reshape(-1))


def test_reference_rtn_error_bound():
    rng = np.random.default_rng(7)
    w = rng.standard_normal((16, 64)).astype(np.float32)
    for bits, symmetric in [(4, True), (4, False), (3, False), (8, True)]:
        scales, zeros = reference.rtn_params(w, bits, symmetric, group_size=16)
        q = reference.quantize(w, scales, zeros, bits, signed=symmetric)
        err = np.abs(reference.dequantize(q, scales, zeros) - w)
        bound = np.kron(scales, np.ones((1, 16))) / 2 + 1e-6
        assert (err <= bound).all(), (bits, symmetric, err.max())


def test_verifier_names_the_problem(sparq_opt):
    module = """
    func.func @f(%w: tensor<4x8xf32>, %s: tensor<4x3xf32>) -> tensor<4x4xi8> {
      %0 = sparq.quantize %w, %s storage(si4) : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<4x4xi8>
      return %0 : tensor<4x4xi8>
    }"""
    result = subprocess.run([sparq_opt], input=module, capture_output=True,
                            text=True)
    assert result.returncode != 0
    assert "scales dim 1 (3) must divide the quantized dim 1 (8)" in result.stderr
