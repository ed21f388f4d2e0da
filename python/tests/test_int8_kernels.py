"""W8A8 sparq.int_matmul on the CPU's AVX-512 VNNI kernels: the int32
accumulation against NumPy's exact integer product, and the rescaled
results (per-tensor or per-token activation scales, per-tensor or
per-channel weight scales, bias, f32 or f16 results) bit for bit against
the reference lowering (--kernels=reference), whose arithmetic the kernels
repeat in the same order."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

from sparq.runtime import Model
from sparq.runner import tensor_type as tt

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def host_has_vnni():
    flags = pathlib.Path("/proc/cpuinfo").read_text().split()
    return "avx512_vnni" in flags and "avx512vl" in flags


pytestmark = pytest.mark.skipif(not host_has_vnni(),
                                reason="the host CPU lacks AVX-512 VNNI")

NP_TYPES = {"f32": np.float32, "f16": np.float16}


def compile_int8(tmp_path, name, m, n, k, scales, bias, result, kernels,
                 lead=(1,)):
    """One sparq.int_matmul on [*lead, M, K] codes; `scales` is None (i32
    result) or (input kind, weight kind) with kinds "tensor", "token",
    "channel"."""
    x_shape = (*lead, m, k)
    args = [f'%x: {tt(x_shape, "i8")} {{sparq.name = "x"}}',
            f'%w: {tt((n, k), "i8")} {{sparq.name = "w"}}']
    types = [tt(x_shape, "i8"), tt((n, k), "i8")]
    parts = ["%x, %w"]
    if scales:
        sa_shape = (*lead, m, 1) if scales[0] == "token" else \
            (1,) * (len(lead) + 1) + (1,)
        sw_shape = (n, 1) if scales[1] == "channel" else (1, 1)
        args += [f'%sa: {tt(sa_shape, "f32")} {{sparq.name = "sa"}}',
                 f'%sw: {tt(sw_shape, "f32")} {{sparq.name = "sw"}}']
        types += [tt(sa_shape, "f32"), tt(sw_shape, "f32")]
        parts.append("scales(%sa, %sw)")
    if bias:
        args.append(f'%b: tensor<{n}xf32> {{sparq.name = "b"}}')
        types.append(f"tensor<{n}xf32>")
        parts.append("bias(%b)")
    out = tt((*lead, m, n), result)
    text = (f"func.func @f({', '.join(args)}) -> ({out} {{sparq.name = \"y\"}}) {{\n"
            f"  %y = sparq.int_matmul {' '.join(parts)}\n"
            f"      : ({', '.join(types)}) -> {out}\n"
            f"  return %y : {out}\n}}\n")
    source = tmp_path / f"{name}.mlir"
    source.write_text(text)
    library = tmp_path / f"{name}-{kernels}.so"
    done = subprocess.run([str(BUILD / "bin" / "sparqc"), str(source),
                           "--quiet", f"--kernels={kernels}", "--emit=so",
                           "-o", str(library)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return library


def inputs(rng, m, n, k, scales, bias, lead=(1,)):
    data = {"x": rng.integers(-128, 128, size=(*lead, m, k)).astype(np.int8),
            "w": rng.integers(-128, 128, size=(n, k)).astype(np.int8)}
    # The extremes: a row of -128 (the largest |x|) and a weight row of
    # +127 and -128 exercise the sign flip's correction.
    data["x"][..., 0, :] = -128
    data["w"][0, :] = 127
    data["w"][-1, :] = -128
    if scales:
        sa_shape = (*lead, m, 1) if scales[0] == "token" else \
            (1,) * (len(lead) + 1) + (1,)
        sw_shape = (n, 1) if scales[1] == "channel" else (1, 1)
        data["sa"] = (rng.random(sa_shape) * 0.02 + 1e-3).astype(np.float32)
        data["sw"] = (rng.random(sw_shape) * 0.02 + 1e-3).astype(np.float32)
    if bias:
        data["b"] = rng.standard_normal(n).astype(np.float32)
    return data


@pytest.mark.parametrize("m,n,k", [(1, 40, 1024), (3, 37, 96), (8, 16, 48),
                                   (12, 24, 64)])
def test_int32_accumulation_is_exact(tmp_path, m, n, k):
    """No scales: y is NumPy's int64 product, exactly (K = 96 and 48 take
    the 32- and 16-byte vpdpbusd, M = 12 two row tiles of 6)."""
    rng = np.random.default_rng(m * 1000 + n)
    library = compile_int8(tmp_path, "acc", m, n, k, None, False, "i32",
                           "exact")
    data = inputs(rng, m, n, k, None, False)
    y = Model(library).run(x=data["x"], w=data["w"])["y"]
    expected = data["x"].astype(np.int64) @ data["w"].astype(np.int64).T
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("scales,bias,result", [
    (("tensor", "tensor"), False, "f32"),
    (("token", "channel"), True, "f32"),
    (("token", "tensor"), True, "f16"),
    (("tensor", "channel"), False, "f16"),
])
def test_rescale_matches_reference_bitwise(tmp_path, scales, bias, result):
    m, n, k = 5, 33, 256
    rng = np.random.default_rng(7)
    data = inputs(rng, m, n, k, scales, bias)
    outputs = {}
    for kernels in ("exact", "reference"):
        library = compile_int8(tmp_path, "rescale", m, n, k, scales, bias,
                               result, kernels)
        outputs[kernels] = Model(library).run(**data)["y"]
    assert outputs["exact"].dtype == NP_TYPES[result]
    np.testing.assert_array_equal(outputs["exact"], outputs["reference"])
    acc = data["x"].astype(np.float64) @ data["w"].astype(np.float64).T
    expected = acc * data["sa"] * data["sw"].T + (data["b"] if bias else 0)
    np.testing.assert_allclose(outputs["exact"], expected,
                               rtol=1e-6 if result == "f32" else 1e-3,
                               atol=1e-6 * np.abs(expected).max())


def test_kernel_is_used(tmp_path):
    """The kernel is what runs: the library holds it, with vpdpbusd."""
    source_dir = tmp_path
    compile_int8(source_dir, "used", 2, 16, 128, ("token", "channel"), True,
                 "f32", "exact")
    asm = tmp_path / "used.s"
    done = subprocess.run([str(BUILD / "bin" / "sparqc"),
                           str(tmp_path / "used.mlir"), "--quiet",
                           "--emit=asm", "-o", str(asm)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = asm.read_text()
    assert "__sparq_int8_matmul_m2_n16_k128_token_channel" in text
    assert "vpdpbusd" in text
