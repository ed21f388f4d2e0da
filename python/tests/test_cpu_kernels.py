"""The CPU quantized matmul kernels (convert-sparq-to-cpu-kernels): the
exact ones (f32 activations) against the exact result, and the AVX-512 VNNI
ones against a NumPy emulation of their arithmetic (int8 activations per
group, exact integer dot products) and loosely against the exact result."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

from sparq import reference
from sparq.runtime import Model
from sparq.runner import tensor_type as tt

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def host_has_vnni():
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    return "avx512_vnni" in flags and "avx512vl" in flags


needs_vnni = pytest.mark.skipif(not host_has_vnni(),
                                reason="the host CPU lacks AVX-512 VNNI")


def emulate(x, q_unsigned, zero_points, scales, group):
    """What the kernel computes: per (row, group) int8 activations with
    scale absmax/127, an exact integer dot product with the unsigned
    weights, then (acc - zp * sum(xq)) * weight_scale * activation_scale."""
    m, k = x.shape
    y = np.zeros((m, q_unsigned.shape[0]))
    for row in range(m):
        for g in range(k // group):
            xs = x[row, g * group:(g + 1) * group]
            absmax = np.abs(xs).max()
            scale = np.float32(absmax / np.float32(127))
            inverse = np.float32(0) if absmax == 0 else np.float32(127) / absmax
            xq = np.rint(xs * inverse).astype(np.int64)
            acc = q_unsigned[:, g * group:(g + 1) * group].astype(np.int64) @ xq
            factor = scales[:, g].astype(np.float64) * scale
            y[row] += (acc - zero_points[:, g] * xq.sum()) * factor
    return y


CASES = [
    (1, 64, 512, 128, 4, True, False),
    (2, 32, 512, 64, 4, False, True),
    (3, 16, 256, 32, 4, True, False),
    (1, 16, 512, 256, 4, True, True),
    (4, 32, 256, 64, 8, True, False),
    (2, 16, 256, 256, 8, False, False),
    (16, 8, 128, 128, 4, False, False),
    (13, 8, 128, 64, 4, True, False),
    (32, 16, 256, 128, 8, True, True),
    (2, 8, 384, 128, 4, True, False),  # an odd number of groups
    (3, 8, 768, 256, 4, False, True),  # odd groups, two blocks each
]


def compile_and_run(tmp_path, m, n, k, group, bits, signed, outliers,
                    kernels):
    """Compiles one qmatmul with random weights and runs it; returns the
    output and what NumPy needs to check it."""
    rng = np.random.default_rng(m * 1000 + n + k + group + bits)
    x = rng.standard_normal((m, k)).astype(np.float32)
    x[0, :group] = 0  # an all-zero activation group
    w = rng.standard_normal((n, k)).astype(np.float32)
    scales, zeros = reference.rtn_params(w, bits, symmetric=signed,
                                         group_size=group)
    q = reference.quantize(w, scales, zeros, bits, signed)
    packed = reference.pack_rows(q, bits).astype(np.int8)
    bias = rng.standard_normal(n).astype(np.float32)
    args = [f'%x: {tt((m, k), "f32")} {{sparq.name = "x"}}',
            f'%w: {tt(packed.shape, "i8")} {{sparq.name = "w"}}',
            f'%s: {tt(scales.shape, "f32")} {{sparq.name = "s"}}',
            f'%b: tensor<{n}xf32> {{sparq.name = "b"}}']
    types = [tt((m, k), "f32"), tt(packed.shape, "i8"), tt(scales.shape, "f32"),
             f"tensor<{n}xf32>"]
    inputs = dict(x=x, w=packed, s=scales, b=bias)
    extra = ""
    if not signed:
        args.append(f'%z: {tt(zeros.shape, "i8")} {{sparq.name = "z"}}')
        extra += " zero_points(%z)"
        types.insert(3, tt(zeros.shape, "i8"))
        inputs["z"] = zeros.astype(np.int8)
    extra += " bias(%b)"
    dense_outliers = np.zeros((n, k), np.float32)
    if outliers:
        picks = rng.choice(n * k, size=n, replace=False)
        dense_outliers.flat[picks] = rng.standard_normal(n) * 20
        rows, cols = np.nonzero(dense_outliers)
        row_ptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
        nnz = len(cols)
        args += [f'%rp: tensor<{n + 1}xi32> {{sparq.name = "rp"}}',
                 f'%ci: tensor<{nnz}xi32> {{sparq.name = "ci"}}',
                 f'%v: tensor<{nnz}xf32> {{sparq.name = "v"}}']
        types += [f"tensor<{n + 1}xi32>", f"tensor<{nnz}xi32>", f"tensor<{nnz}xf32>"]
        extra += " outliers(%rp, %ci, %v)"
        inputs.update(rp=row_ptr.astype(np.int32), ci=cols.astype(np.int32),
                      v=dense_outliers[rows, cols])
    storage = f"{'s' if signed else 'u'}i{bits}"
    text = (f"func.func @f({', '.join(args)}) -> ({tt((m, n), 'f32')} {{sparq.name = \"y\"}}) {{\n"
            f"  %y = sparq.qmatmul %x, %w, %s{extra} storage({storage})\n"
            f"      : ({', '.join(types)}) -> {tt((m, n), 'f32')}\n"
            f"  return %y : {tt((m, n), 'f32')}\n}}\n")
    (tmp_path / "k.mlir").write_text(text)
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), tmp_path / "k.mlir",
                             f"--kernels={kernels}", "--quiet", "-o",
                             tmp_path / "k.so"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    y = Model(tmp_path / "k.so").run(**inputs)["y"]
    exact = (x.astype(np.float64) @ reference.dequantize(q, scales, zeros).T
             + bias + x.astype(np.float64) @ dense_outliers.T)
    return y, exact, x, q, scales, zeros, bias, dense_outliers


@pytest.mark.parametrize("m,n,k,group,bits,signed,outliers", CASES)
def test_exact_kernel(tmp_path, m, n, k, group, bits, signed, outliers):
    y, exact, *_ = compile_and_run(tmp_path, m, n, k, group, bits, signed,
                                   outliers, "exact")
    np.testing.assert_allclose(y, exact, rtol=1e-5,
                               atol=1e-5 * np.abs(exact).max())


def test_exact_kernel_is_used(tmp_path):
    """The default lowering calls the exact kernel; no dequantized weight
    matrix appears."""
    source = tmp_path / "k.mlir"
    source.write_text(
        "func.func @f(%x: tensor<1x128xf32>, %w: tensor<8x64xi8>,"
        " %s: tensor<8x1xf32>) -> tensor<1x8xf32> {\n"
        "  %y = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<1x128xf32>,"
        " tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<1x8xf32>\n"
        "  return %y : tensor<1x8xf32>\n}\n")
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), source,
                             "--emit=llvm", "--quiet", "-o", tmp_path],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    ir = (tmp_path / "k.ll").read_text()
    assert "__sparq_qmatmul_s4_m1_n8_k128_g128_f32_xf32" in ir


@needs_vnni
@pytest.mark.parametrize("m,n,k,group,bits,signed,outliers", CASES)
def test_vnni_kernel_matches_emulation(tmp_path, m, n, k, group, bits, signed,
                                       outliers):
    y, exact, x, q, scales, zeros, bias, dense_outliers = compile_and_run(
        tmp_path, m, n, k, group, bits, signed, outliers, "vnni-int8")

    q_unsigned = q + (1 << (bits - 1)) if signed else q
    zero_points = np.full(scales.shape, 1 << (bits - 1)) if signed else zeros
    expected = (emulate(x, q_unsigned, zero_points, scales, group) + bias +
                x.astype(np.float64) @ dense_outliers.T)
    np.testing.assert_allclose(y, expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
    # Against exact fp32 activations the difference is int8 activation
    # rounding: well under 2% of the output's scale on Gaussian data.
    assert np.abs(y - exact).max() <= 0.02 * np.abs(exact).max()
