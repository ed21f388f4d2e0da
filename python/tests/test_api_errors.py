"""The Python API's failures: compiler diagnostics as sparq.CompileError,
wrong inputs as sparq.InputError, and what sparq.compile hands sparqc."""

import json
import os
import pathlib
import stat
import textwrap

import numpy as np
import onnx
import pytest

import sparq
from sparq import models

CONFIG = models.Config(layers=1, hidden=32, heads=2, ffn=64, vocab=32, seq=4)
DIMS = {"batch": 1, "seq": CONFIG.seq}


@pytest.fixture(scope="module")
def onnx_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.onnx"
    models.save(CONFIG, path)
    return path


@pytest.fixture(scope="module")
def model(onnx_path):
    return sparq.compile(onnx_path, dims=DIMS).load()


def test_missing_model_file(tmp_path):
    with pytest.raises(sparq.CompileError) as error:
        sparq.compile(tmp_path / "absent.onnx", output_dir=tmp_path / "out")
    assert "absent.onnx: cannot read the model" in str(error.value)
    assert error.value.returncode == 1
    assert "absent.onnx" in error.value.command[1]
    assert list((tmp_path / "out").iterdir()) == []


def test_unknown_quantization_recipe(onnx_path, tmp_path):
    with pytest.raises(sparq.CompileError) as error:
        sparq.compile(onnx_path, quant="w5a3", dims=DIMS,
                      output_dir=tmp_path)
    message = str(error.value)
    assert "--quant=w5a3 is not w4a16, squeezellm, w8a8-smoothquant or a " \
           "pass pipeline" in message
    assert "'w5a3' does not refer to a registered pass" in \
        error.value.diagnostics
    assert not (tmp_path / "tiny.so").exists()


def test_recipe_error_is_carried(onnx_path):
    # K = 32 is not a multiple of the default group size 128.
    with pytest.raises(sparq.CompileError,
                       match="group-size 128 does not divide K = 32"):
        sparq.compile(onnx_path, quant="w4a16", dims=DIMS)
    with pytest.raises(sparq.CompileError,
                       match="w8a8-smoothquant needs --calibration=DIR"):
        sparq.compile(onnx_path, quant="w8a8-smoothquant", dims=DIMS)


def test_arguments_checked_before_compiling(onnx_path):
    with pytest.raises(ValueError, match="report=True describes what quant"):
        sparq.compile(onnx_path, report=True)
    with pytest.raises(ValueError, match="emit='exe' is not one of"):
        sparq.compile(onnx_path, emit="exe")
    with pytest.raises(TypeError, match="model must be a path"):
        sparq.compile(42)
    with pytest.raises(TypeError, match=r"dims\['seq'\] must be an int"):
        sparq.compile(onnx_path, dims={"seq": "4"})
    with pytest.raises(sparq.SparqError, match="is not an executable file"):
        sparq.compile(onnx_path, sparqc="/nonexistent/sparqc")


def test_model_proto_with_unloaded_external_data(onnx_path, tmp_path):
    proto = onnx.load(onnx_path)
    onnx.save_model(proto, str(tmp_path / "ext.onnx"),
                    save_as_external_data=True,
                    all_tensors_to_one_file=True, location="ext.data",
                    size_threshold=0)
    assert (tmp_path / "ext.data").is_file()
    unloaded = onnx.load(str(tmp_path / "ext.onnx"), load_external_data=False)
    with pytest.raises(ValueError, match="refers to external data "
                                         "'ext.data' that was not loaded"):
        sparq.compile(unloaded, dims=DIMS)
    # From its path, the importer reads the external data itself.
    loaded = sparq.compile(tmp_path / "ext.onnx", dims=DIMS).load()
    assert [i.name for i in loaded.inputs] == ["input_ids"]


def test_wrong_inputs(model):
    ids = models.default_inputs(CONFIG)
    with pytest.raises(sparq.InputError,
                       match=r"input 'input_ids' must be int64 \[1, 4\], "
                             r"got int32 \[1, 4\]"):
        model.run(input_ids=ids.astype(np.int32))
    with pytest.raises(sparq.InputError,
                       match=r"input 'input_ids' must be int64 \[1, 4\], "
                             r"got int64 \[1, 3\]"):
        model.run(input_ids=ids[:, :3])
    with pytest.raises(sparq.InputError,
                       match=r"the model has no input named 'tokens'; its "
                             r"inputs are: input_ids: int64 \[1, 4\]"):
        model.run(tokens=ids)
    with pytest.raises(sparq.InputError,
                       match=r"missing input 'input_ids' \(int64 \[1, 4\]\)"):
        model.run()
    with pytest.raises(sparq.InputError, match="takes 1 inputs, got 2"):
        model(ids, ids)
    with pytest.raises(sparq.InputError, match="given twice"):
        model(ids, input_ids=ids)
    # InputError is a ValueError, and the model still runs afterwards.
    with pytest.raises(ValueError):
        model.run(input_ids="hello")
    assert model.run(input_ids=ids)["logits"].shape == (1, 4, CONFIG.vocab)


def test_load_errors(tmp_path):
    with pytest.raises(sparq.SparqError, match="no such file"):
        sparq.load(tmp_path / "absent.so")
    text = tmp_path / "text.so"
    text.write_text("not a library")
    with pytest.raises(sparq.SparqError, match="cannot load model"):
        sparq.load(text)
    libm = pathlib.Path("/lib/x86_64-linux-gnu/libm.so.6")
    if libm.exists():
        with pytest.raises(sparq.SparqError,
                           match="is not a sparq model: it does not export "
                                 "sparq_abi_version"):
            sparq.load(libm)


FAKE_SPARQC = """\
#!/usr/bin/python3
# Records its arguments and the files they name, and writes -o.
import json, os, sys
import numpy as np
args = sys.argv[1:]
seen = {"args": args, "files": {}}
for arg in args:
    value = arg.split("=", 1)[-1]
    if os.path.isdir(value):
        for root, _, files in os.walk(value):
            for name in files:
                path = os.path.join(root, name)
                seen["files"][os.path.relpath(path, value)] = \\
                    np.load(path).tolist()
    elif value.endswith(".npy") and os.path.isfile(value):
        seen["files"][os.path.basename(value)] = np.load(value).tolist()
open(os.environ["FAKE_SPARQC_LOG"], "w").write(json.dumps(seen))
open(args[args.index("-o") + 1], "w").write("")
"""


def test_options_reach_sparqc(onnx_path, tmp_path, monkeypatch):
    fake = tmp_path / "sparqc"
    fake.write_text(FAKE_SPARQC)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "log.json"
    monkeypatch.setenv("FAKE_SPARQC_LOG", str(log))
    monkeypatch.setenv("SPARQ_SPARQC", str(fake))
    samples = [{"input_ids": np.full((1, 4), i, np.int64)} for i in range(2)]
    result = sparq.compile(
        onnx_path, target="cuda", gpu_arch="sm_90", quant="squeezellm",
        calibration=samples, dims={"batch": 1, "seq": 4},
        output_dir=tmp_path / "out", cpu="x86-64-v3", threads=2,
        kernels="vnni-int8", fuse=["epilogue", "concat-siblings"],
        bind_inputs={"shape": np.array([1, 4], np.int64)},
        extra_args=["--fusion-stats"], quiet=False)
    seen = json.loads(log.read_text())
    args = seen["args"]
    assert result.command[0] == str(fake)
    assert args[0] == str(onnx_path)
    calibration = next(a for a in args if a.startswith("--calibration="))
    bound = next(a for a in args if a.startswith("shape="))
    assert args[1:] == [
        "--target=cuda", "--emit=so", "--gpu-arch=sm_90", "--dim", "batch=1",
        "--dim", "seq=4", "--bind-input", bound, "--quant=squeezellm",
        calibration, "--cpu=x86-64-v3", "--threads=2", "--kernels=vnni-int8",
        "--fuse=epilogue,concat-siblings", "--fusion-stats", "-o",
        str(tmp_path / "out" / "tiny.so")]
    assert seen["files"] == {
        "sample00000/input_ids.npy": [[0, 0, 0, 0]],
        "sample00001/input_ids.npy": [[1, 1, 1, 1]],
        "shape.npy": [1, 4]}
    # The samples and bound inputs were temporary.
    assert not os.path.exists(calibration.split("=", 1)[1])
    monkeypatch.delenv("SPARQ_SPARQC")
    assert sparq.find_sparqc() != str(fake)
