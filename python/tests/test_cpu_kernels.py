"""The CPU quantized matmul kernels (convert-sparq-to-cpu-kernels): the
exact ones (f32 activations) against the exact result, the AVX-512 VNNI
ones against a NumPy emulation of their arithmetic (int8 activations per
group, exact integer dot products) and loosely against the exact result,
and the codebook (lut_matmul) kernels against NumPy, for AVX-512 and AVX2
targets."""

import os
import pathlib
import re
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
                    kernels, cpu="native"):
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
                             f"--kernels={kernels}", f"--cpu={cpu}",
                             "--quiet", "-o",
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


def outlier_matrix(rng, n, k, count):
    """A dense [n, k] matrix with `count` large entries (the CSR outliers of a
    dense-and-sparse decomposition), and its CSR arrays."""
    dense = np.zeros((n, k), np.float32)
    picks = rng.choice(n * k, size=count, replace=False)
    dense.flat[picks] = (rng.standard_normal(count) * 20).astype(np.float32)
    rows, cols = np.nonzero(dense)
    row_ptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
    return dense, row_ptr.astype(np.int32), cols.astype(np.int32), dense[rows, cols]


def compile_and_run_lut(tmp_path, m, n, k, bits, bias, outliers,
                        cpu="native", emit=None, codebook_type="f32"):
    """Compiles one lut_matmul with random codebooks and indices and runs it;
    returns its output and the NumPy result (dense weights looked up from
    the codebooks, outliers added densely, in float64). With `emit`, stops
    at that stage and returns the emitted file's text instead."""
    rng = np.random.default_rng(m * 1000 + n + k + bits + 7 * bias + outliers)
    x = rng.standard_normal((m, k)).astype(np.float32)
    codebooks = np.sort(rng.standard_normal((n, 1 << bits)), axis=1).astype(
        {"f32": np.float32, "f16": np.float16}[codebook_type])
    codes = rng.integers(0, 1 << bits, size=(n, k))
    packed = reference.pack_rows(codes, bits).astype(np.int8)
    args = [f'%x: {tt((m, k), "f32")} {{sparq.name = "x"}}',
            f'%i: {tt(packed.shape, "i8")} {{sparq.name = "i"}}',
            f'%c: {tt(codebooks.shape, codebook_type)} {{sparq.name = "c"}}']
    types = [tt((m, k), "f32"), tt(packed.shape, "i8"),
             tt(codebooks.shape, codebook_type)]
    inputs = dict(x=x, i=packed, c=codebooks)
    expected = x.astype(np.float64) @ np.take_along_axis(
        codebooks, codes, axis=1).astype(np.float64).T
    extra = ""
    if bias:
        b = rng.standard_normal(n).astype(np.float32)
        args.append(f'%b: tensor<{n}xf32> {{sparq.name = "b"}}')
        types.append(f"tensor<{n}xf32>")
        inputs["b"] = b
        extra += " bias(%b)"
        expected += b
    if outliers:
        # 0.45% of the weights, at least one.
        count = max(1, n * k * 45 // 10000)
        dense, row_ptr, cols, values = outlier_matrix(rng, n, k, count)
        nnz = len(cols)
        args += [f'%rp: tensor<{n + 1}xi32> {{sparq.name = "rp"}}',
                 f'%ci: tensor<{nnz}xi32> {{sparq.name = "ci"}}',
                 f'%v: tensor<{nnz}xf32> {{sparq.name = "v"}}']
        types += [f"tensor<{n + 1}xi32>", f"tensor<{nnz}xi32>",
                  f"tensor<{nnz}xf32>"]
        inputs.update(rp=row_ptr, ci=cols, v=values)
        extra += " outliers(%rp, %ci, %v)"
        expected += x.astype(np.float64) @ dense.astype(np.float64).T
    text = (f"func.func @f({', '.join(args)}) -> ({tt((m, n), 'f32')} {{sparq.name = \"y\"}}) {{\n"
            f"  %y = sparq.lut_matmul %x, %i, %c{extra} bits({bits})\n"
            f"      : ({', '.join(types)}) -> {tt((m, n), 'f32')}\n"
            f"  return %y : {tt((m, n), 'f32')}\n}}\n")
    (tmp_path / "k.mlir").write_text(text)
    command = [str(BUILD / "bin" / "sparqc"), tmp_path / "k.mlir",
               f"--cpu={cpu}", "--quiet"]
    if emit:
        command += [f"--emit={emit}", "-o", tmp_path]
    else:
        command += ["-o", tmp_path / "k.so"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    if emit:
        suffix = {"llvm": "ll", "asm": "s"}[emit]
        return (tmp_path / f"k.{suffix}").read_text()
    y = Model(tmp_path / "k.so").run(**inputs)["y"]
    return y, expected


def assert_close(y, expected):
    np.testing.assert_allclose(y, expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())


def host_has(flag):
    return re.search(rf"\b{flag}\b", pathlib.Path("/proc/cpuinfo").read_text())


CPUS = ["x86-64-v3",
        pytest.param("x86-64-v4", marks=pytest.mark.skipif(
            not host_has("avx512f"), reason="the host CPU lacks AVX-512"))]
# x86-64-v4 has no VBMI; Ice Lake servers have it (vpmultishiftqb unpacking).
LUT_CPUS = CPUS + [pytest.param("icelake-server", marks=pytest.mark.skipif(
    not host_has("avx512vbmi"), reason="the host CPU lacks AVX-512 VBMI"))]


LUT_CASES = [
    # m, n, k, bits, bias, outliers
    (1, 64, 512, 3, False, False),
    (1, 48, 256, 4, True, False),
    (3, 32, 512, 3, True, True),
    (3, 16, 128, 4, False, True),
    (8, 40, 256, 3, False, True),
    (8, 24, 384, 4, True, True),
    (1, 32, 4096, 3, True, True),
    (13, 8, 64, 4, True, False),
    (64, 8, 96, 3, False, False),
    # K in several chunks (the last one partial), N not a multiple of the
    # 16-row output blocks.
    (8, 24, 1536, 3, True, True),
    (4, 20, 2400, 4, True, True),
    (2, 18, 8288, 3, True, True),
    (1, 18, 8288, 3, True, True),  # one row: no chunks
]


@pytest.mark.parametrize("m,n,k,bits,bias,outliers", LUT_CASES)
def test_lut_kernel(tmp_path, m, n, k, bits, bias, outliers):
    y, expected = compile_and_run_lut(tmp_path, m, n, k, bits, bias, outliers)
    assert_close(y, expected)


@pytest.mark.parametrize("cpu", LUT_CPUS)
def test_lut_kernel_f16_codebooks(tmp_path, cpu):
    """f16 codebooks are widened to f32 when loaded into registers."""
    ir = compile_and_run_lut(tmp_path, 2, 16, 128, 4, True, True, cpu=cpu,
                             emit="llvm", codebook_type="f16")
    assert "__sparq_lut_matmul_b4_m2_n16_k128_bias_csr_f16_f32" in ir
    y, expected = compile_and_run_lut(tmp_path, 2, 16, 128, 4, True, True,
                                      cpu=cpu, codebook_type="f16")
    assert_close(y, expected)


@pytest.mark.parametrize("bits", [3, 4])
def test_lut_kernel_is_used(tmp_path, bits):
    ir = compile_and_run_lut(tmp_path, 2, 8, 64, bits, True, False,
                             cpu="x86-64-v4", emit="llvm")
    assert f"__sparq_lut_matmul_b{bits}_m2_n8_k64_bias_f32_f32_v512" in ir


@pytest.mark.parametrize("m,k,bits", [(1, 48, 3), (3, 80, 4), (65, 64, 3)])
def test_lut_uncovered_falls_back(tmp_path, m, k, bits):
    """K not a multiple of 32 or more rows than max-rows: no kernel, and the
    reference lowering still gives the right answer."""
    ir = compile_and_run_lut(tmp_path, m, 8, k, bits, True, True,
                             emit="llvm")
    assert "__sparq_lut_matmul" not in ir
    y, expected = compile_and_run_lut(tmp_path, m, 8, k, bits, True, True)
    assert_close(y, expected)


def test_lut_without_avx2_falls_back(tmp_path):
    """Baseline x86-64 has no vector permute: codebook matmuls take the
    reference lowering, with the same result."""
    ir = compile_and_run_lut(tmp_path, 3, 16, 128, 4, True, True,
                             cpu="x86-64", emit="llvm")
    assert "__sparq_lut_matmul" not in ir
    y, expected = compile_and_run_lut(tmp_path, 3, 16, 128, 4, True, True,
                                      cpu="x86-64")
    assert_close(y, expected)


@pytest.mark.parametrize("cpu", LUT_CPUS)
@pytest.mark.parametrize("m,n,k,bits,bias,outliers",
                         [(1, 64, 512, 3, True, True),
                          (8, 24, 384, 4, True, True),
                          (4, 20, 2400, 4, True, True),
                          (3, 16, 128, 4, False, False)])
def test_lut_kernel_for_cpu(tmp_path, cpu, m, n, k, bits, bias, outliers):
    y, expected = compile_and_run_lut(tmp_path, m, n, k, bits, bias, outliers,
                                      cpu=cpu)
    assert_close(y, expected)


@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("m,n,k,group,bits,signed,outliers",
                         [CASES[0], CASES[1], CASES[4], CASES[8]])
def test_exact_kernel_for_cpu(tmp_path, cpu, m, n, k, group, bits, signed,
                              outliers):
    y, exact, *_ = compile_and_run(tmp_path, m, n, k, group, bits, signed,
                                   outliers, "exact", cpu=cpu)
    assert_close(y, exact)


@pytest.mark.parametrize("bits", [3, 4])
def test_avx2_code_has_no_zmm(tmp_path, bits):
    """For x86-64-v3 the codebook kernel permutes ymm registers (vpermps,
    or its integer twin vpermd) and no instruction touches a zmm register."""
    asm = compile_and_run_lut(tmp_path, 2, 8, 64, bits, True, True,
                              cpu="x86-64-v3", emit="asm")
    assert re.search(r"vperm[dps]+\s+%ymm", asm)
    assert "zmm" not in asm


def test_avx2_exact_qmatmul_has_no_zmm(tmp_path):
    """The exact quantized matmul kernels are portable vector code: for
    x86-64-v3 they use ymm FMAs and no zmm register."""
    source = tmp_path / "q.mlir"
    source.write_text(
        "func.func @f(%x: tensor<8x256xf32>, %w: tensor<16x128xi8>,"
        " %s: tensor<16x2xf32>) -> tensor<8x16xf32> {\n"
        "  %y = sparq.qmatmul %x, %w, %s storage(si4) : (tensor<8x256xf32>,"
        " tensor<16x128xi8>, tensor<16x2xf32>) -> tensor<8x16xf32>\n"
        "  return %y : tensor<8x16xf32>\n}\n")
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), source,
                             "--cpu=x86-64-v3", "--emit=asm", "--quiet", "-o",
                             tmp_path], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    asm = (tmp_path / "q.s").read_text()
    assert re.search(r"vfmadd\w+\s+.*%ymm", asm)
    assert "zmm" not in asm


@pytest.mark.parametrize("bits", [3, 4])
def test_vbmi_code_unpacks_with_multishift(tmp_path, bits):
    """With VBMI each vector of codes is one vpmultishiftqb on a qword
    broadcast from memory; without it (x86-64-v4), byte shuffles and
    shifts."""
    asm = compile_and_run_lut(tmp_path, 2, 8, 128, bits, True, False,
                              cpu="icelake-server", emit="asm")
    assert re.search(r"vpmultishiftqb\s+\d*\(%\w+\)\{1to8\}, %zmm", asm)
    asm = compile_and_run_lut(tmp_path, 2, 8, 128, bits, True, False,
                              cpu="x86-64-v4", emit="asm")
    assert "vpmultishiftqb" not in asm and "vpshufb" in asm
