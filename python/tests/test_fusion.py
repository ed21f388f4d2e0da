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

from sparq import models
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
        result = _sparqc(transformer, *dims, f"--quant={pipeline}",
                         "--kernels=exact", "-o", library)
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
