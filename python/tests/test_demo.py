"""The main job end to end on a small configuration: every variant of the
generated transformer compiles, runs, and matches its NumPy reference: fp32
within 1e-5 relative, the quantized variants (exact kernels) within 1e-4."""

import os
import pathlib

from sparq import demo

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def test_demo_variants_match_numpy(capsys):
    status = demo.main(["--build", str(BUILD), "--hidden", "64", "--ffn",
                        "128", "--vocab", "128", "--block-size", "32",
                        "--runs", "2"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "FAILED" not in out
    for label in ("fp32", "int8 (QDQ)", "int4-g32 (MatMulNBits)"):
        assert label in out
