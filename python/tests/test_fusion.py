"""sparq-fuse end to end: the generated transformer quantized with a recipe,
compiled with and without sparq-fuse, run through the C ABI. Fusion must not
change the logits (each fused matmul computes the same sums, only wider), and
the fused IR must hold one matmul per Q/K/V and per gate/up group."""

import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

from sparq import models, reference
from sparq.runner import literal, tensor_type as tt
from sparq.runtime import Model

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))
SEQ = 4
CONFIG = models.Config()


def _sparqc(*args):
    return subprocess.run([str(BUILD / "bin" / "sparqc"), "--quiet",
                           *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def transformer(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fusion")
    path = tmp / "m.onnx"
    models.save(CONFIG, str(path))
    return path


# (recipe, sparq op, expected matmuls per layer in the unfused graph)
RECIPES = [
    ("sparq-w4a16{group-size=32}", "qmatmul"),
    ("sparq-squeezellm{bits=3}", "lut_matmul"),
]


@pytest.mark.parametrize("recipe,op", RECIPES)
def test_fused_matches_unfused(transformer, tmp_path, recipe, op):
    dims = ["--dim", "batch=1", "--dim", f"seq={SEQ}"]
    outputs, texts = {}, {}
    for name, pipeline in (("unfused", recipe),
                           ("fused", recipe + ",sparq-fuse{stats=true}")):
        bytecode = tmp_path / f"{name}.mlirbc"
        result = _sparqc(transformer, *dims, f"--quant={pipeline}",
                         "--emit=mlir", "-o", bytecode)
        assert result.returncode == 0, result.stderr
        text = subprocess.run(
            [str(BUILD / "bin" / "sparq-opt"), str(bytecode),
             "--mlir-elide-elementsattrs-if-larger=16",
             "--mlir-elide-resource-strings-if-larger=16"],
            capture_output=True, text=True, check=True).stdout
        texts[name] = (text, result.stderr)
        library = tmp_path / f"{name}.so"
        # --fuse=none: sparqc fuses by default before lowering.
        result = _sparqc(transformer, *dims, f"--quant={pipeline}",
                         "--kernels=exact", "--fuse=none", "-o", library)
        assert result.returncode == 0, result.stderr
        ids = np.arange(SEQ, dtype=np.int64).reshape(1, SEQ) * 7 % CONFIG.vocab
        outputs[name] = Model(str(library)).run(input_ids=ids)

    for key, unfused in outputs["unfused"].items():
        np.testing.assert_allclose(outputs["fused"][key], unfused, rtol=1e-5,
                                   atol=1e-5 * np.abs(unfused).max())

    # One wide matmul per layer for Q/K/V, one more per gated MLP.
    gated = sum(CONFIG.uses_gated_mlp(i) for i in range(CONFIG.layers))
    expected_fusions = CONFIG.layers + gated
    # Q/K/V (3 -> 1) and gate/up (2 -> 1).
    expected_removed = 2 * CONFIG.layers + gated
    count = lambda text: len(re.findall(rf"= sparq\.{op} ", text))
    unfused_ops = count(texts["unfused"][0])
    fused_text, stats = texts["fused"]
    assert count(fused_text) == unfused_ops - expected_removed
    fused_lines = re.findall(r"^sparq-fuse: concat-siblings: (\S+): fused$",
                             stats, re.M)
    assert len(fused_lines) == expected_fusions, stats
    assert all(line.count("+") in (1, 2) for line in fused_lines)
    assert len(re.findall(r'layer = "[^"]*\+[^"]*"', fused_text)) == \
        expected_fusions
    # SiLU(gate) * up goes into each gate/up matmul, which keeps only the
    # product's columns.
    gated_lines = re.findall(
        r"^sparq-fuse: gated-mlp: (\S+\.gate\.weight\+\S+\.up\.weight): "
        r"fused \(silu\)$", stats, re.M)
    assert len(gated_lines) == gated, stats
    assert len(re.findall(rf"sparq\.{op} .*activation\(silu\) gated",
                          fused_text)) == gated


def _const(name, array, element):
    return (f"  %{name} = arith.constant dense<{literal(array)}> : "
            f"{tt(array.shape, element)}\n")


def test_mixed_bias_and_outliers(tmp_path):
    """Three uint4 siblings (zero points, groups of 16): the first and third
    have bias and outliers (the third's row pointers shift by the first's
    nonzeros), the second neither. Fused and unfused
    libraries both match x @ W_hat^T + bias + x @ S^T computed in NumPy."""
    rng = np.random.default_rng(7)
    m, k, group, bits = 3, 64, 16, 4
    widths = [8, 4, 12]
    x = rng.standard_normal((m, k)).astype(np.float32)
    body, results, expected = "", [], []
    for i, n in enumerate(widths):
        w = rng.standard_normal((n, k)).astype(np.float32)
        scales, zeros = reference.rtn_params(w, bits, symmetric=False,
                                             group_size=group)
        q = reference.quantize(w, scales, zeros, bits, False)
        packed = reference.pack_rows(q, bits).astype(np.int8)
        body += _const(f"w{i}", packed, "i8")
        body += _const(f"s{i}", scales.astype(np.float32), "f32")
        body += _const(f"z{i}", zeros.astype(np.int8), "i8")
        types = [tt((m, k), "f32"), tt(packed.shape, "i8"),
                 tt(scales.shape, "f32"), tt(zeros.shape, "i8")]
        extra = f" zero_points(%z{i})"
        y = x.astype(np.float64) @ reference.dequantize(q, scales, zeros).T
        if i != 1:
            bias = rng.standard_normal(n).astype(np.float32)
            body += _const(f"b{i}", bias, "f32")
            types.append(f"tensor<{n}xf32>")
            extra += f" bias(%b{i})"
            y = y + bias
        if i != 1:
            dense = np.zeros((n, k), np.float32)
            dense.flat[rng.choice(n * k, size=5, replace=False)] = 30.0
            rows, cols = np.nonzero(dense)
            row_ptr = np.concatenate(
                [[0], np.cumsum(np.bincount(rows, minlength=n))])
            body += _const(f"rp{i}", row_ptr.astype(np.int32), "i32")
            body += _const(f"ci{i}", cols.astype(np.int32), "i32")
            body += _const(f"v{i}", dense[rows, cols], "f32")
            types += [f"tensor<{n + 1}xi32>", f"tensor<{len(cols)}xi32>",
                      f"tensor<{len(cols)}xf32>"]
            extra += f" outliers(%rp{i}, %ci{i}, %v{i})"
            y = y + x.astype(np.float64) @ dense.T
        body += (f"  %y{i} = sparq.qmatmul %x, %w{i}, %s{i}{extra} "
                 f"storage(ui4)\n      : ({', '.join(types)}) -> "
                 f"{tt((m, n), 'f32')}\n")
        results.append((f"%y{i}", tt((m, n), "f32")))
        expected.append(y)
    outs = ", ".join(f'{t} {{sparq.name = "y{i}"}}'
                     for i, (_, t) in enumerate(results))
    text = (f'func.func @f(%x: {tt((m, k), "f32")} {{sparq.name = "x"}}) -> '
            f"({outs}) {{\n{body}  return "
            f"{', '.join(r for r, _ in results)} : "
            f"{', '.join(t for _, t in results)}\n}}\n")
    unfused = tmp_path / "unfused.mlir"
    unfused.write_text(text)
    fused = tmp_path / "fused.mlir"
    result = subprocess.run(
        [str(BUILD / "bin" / "sparq-opt"), str(unfused),
         "--sparq-fuse=patterns=concat-siblings stats=true", "-o", str(fused)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(": fused\n") == 1, result.stderr
    assert fused.read_text().count("= sparq.qmatmul") == 1
    for source in (unfused, fused):
        library = tmp_path / f"{source.stem}.so"
        result = _sparqc(source, "--kernels=exact", "--fuse=none", "-o",
                         library)
        assert result.returncode == 0, result.stderr
        outputs = Model(str(library)).run(x=x)
        for i, y in enumerate(expected):
            np.testing.assert_allclose(outputs[f"y{i}"], y, rtol=1e-5,
                                       atol=1e-5 * np.abs(y).max())


def test_default_fusion_fp32_softmax(transformer, tmp_path):
    """sparqc fuses by default: on the fp32 model every attention softmax
    absorbs its scale and its mask (a Where in even layers, an additive
    mask in odd ones), and the logits match both the unfused binary and the
    NumPy reference."""
    dims = ["--dim", "batch=1", "--dim", f"seq={SEQ}"]
    ids = np.arange(SEQ, dtype=np.int64).reshape(1, SEQ) * 5 % CONFIG.vocab
    logits = {}
    for fuse in ("all", "none"):
        library = tmp_path / f"{fuse}.so"
        result = _sparqc(transformer, *dims, f"--fuse={fuse}",
                         "--fusion-stats", "-o", library)
        assert result.returncode == 0, result.stderr
        if fuse == "all":
            for part in ("softmax", "softmax-scale", "softmax-mask"):
                fused = re.findall(rf"^sparq-fuse: {part}: \S+/Softmax: fused$",
                                   result.stderr, re.M)
                assert len(fused) == CONFIG.layers, result.stderr
        else:
            assert "sparq-fuse" not in result.stderr
        logits[fuse] = Model(str(library)).run(input_ids=ids)["logits"]
    expected = models.reference_forward(models.build_params(CONFIG), ids)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(logits["all"], logits["none"], rtol=1e-5,
                               atol=1e-6 * scale)
    np.testing.assert_allclose(logits["all"], expected, rtol=1e-5,
                               atol=1e-5 * scale)


@pytest.mark.parametrize("activations,seq", [("static", SEQ), ("dynamic", SEQ),
                                             ("static", 1)])
def test_default_fusion_w8a8_norm_quantize(transformer, tmp_path,
                                           activations, seq):
    """W8A8 (SmoothQuant; static activation scales, or dynamic per-token
    ones): every norm that feeds only int8 matmuls (RMSNorm in even layers,
    LayerNormalization in odd ones) becomes one norm + quantize op, with the
    three quantizations of Q/K/V (and gate/up's two) merged into it (and,
    dynamic, their per-token scale computations), and the logits are the
    unfused binary's exactly. At seq 1 (a decode step) the importer's
    reshapes collapse [1, 1, C] as [[0], [1, 2]], which SmoothQuant and the
    fusion must still see through."""
    calibration = tmp_path / "calibration"
    for sample in range(4):
        directory = calibration / f"sample{sample}"
        directory.mkdir(parents=True)
        ids = ((np.arange(seq, dtype=np.int64) + sample).reshape(1, seq)
               * (3 + sample)
               % CONFIG.vocab)
        np.save(directory / "input_ids.npy", ids)
    dims = ["--dim", "batch=1", "--dim", f"seq={seq}"]
    ids = np.arange(seq, dtype=np.int64).reshape(1, seq) * 5 % CONFIG.vocab
    logits = {}
    for fuse in ("all", "none"):
        library = tmp_path / f"{fuse}.so"
        result = _sparqc(transformer, *dims,
                         f"--quant=w8a8-smoothquant{{activations={activations}}}",
                         f"--calibration={calibration}", f"--fuse={fuse}",
                         "--fusion-stats", "-o", library)
        assert result.returncode == 0, result.stderr
        if fuse == "all":
            lines = re.findall(r"^sparq-fuse: norm-quantize: (\S+): (.*)$",
                               result.stderr, re.M)
            assert len(lines) == 2 * CONFIG.layers, result.stderr
            assert all(outcome.startswith("fused") for _, outcome in lines)
            kinds = {name.rsplit("/", 1)[-1].startswith("LayerNorm")
                     for name, _ in lines}
            assert kinds == {True, False}, lines
            merged = ("3 identical quantizations merged"
                      if activations == "static" else
                      "3 per-token quantizations merged")
            assert any(merged in outcome for _, outcome in lines), lines
        logits[fuse] = Model(str(library)).run(input_ids=ids)["logits"]
    np.testing.assert_array_equal(logits["all"], logits["none"])
