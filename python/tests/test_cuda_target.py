"""sparqc --target=cuda on the generated transformer: its kernels compile to
PTX that ptxas accepts for sm_90a and sm_80, and the library of every
variant exports the C ABI (building it runs ptxas); quantized matmuls use
the generated GEMV and GEMM kernels. With a GPU, its logits match the NumPy
reference; without one, the library says that no GPU is usable instead of
crashing."""

import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

from sparq import models
from sparq.runtime import Model, SparqError

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))


def find_ptxas():
    for variable in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"):
        root = os.environ.get(variable)
        if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
            return os.path.join(root, "bin", "ptxas")
    if os.access("/usr/local/cuda/bin/ptxas", os.X_OK):
        return "/usr/local/cuda/bin/ptxas"
    return shutil.which("ptxas")


def gpu_usable():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True,
                                 timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return listing.returncode == 0 and "GPU" in listing.stdout


PTXAS = find_ptxas()
GPU = gpu_usable()


def sparqc(*args):
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), "--quiet",
                             "--target=cuda", *map(str, args)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def transformer(tmp_path, variant):
    config = models.Config(variant=variant)
    params = models.save(config, tmp_path / "model.onnx")
    input_ids = models.default_inputs(config)
    dims = ["--dim", "batch=1", "--dim", f"seq={input_ids.shape[1]}"]
    return params, input_ids, dims


def test_transformer_kernels_compile(tmp_path):
    _, _, dims = transformer(tmp_path, "fp32")
    for arch in ("sm_90a", "sm_80"):
        ptx = tmp_path / f"{arch}.ptx"
        sparqc(tmp_path / "model.onnx", *dims, f"--gpu-arch={arch}",
               "--emit=ptx", "-o", ptx)
        text = ptx.read_text()
        assert f".target {arch}" in text
        # Embedding, norms, attention, MLP, head: dozens of kernels.
        assert text.count(".visible .entry") >= 30
        if PTXAS:
            subprocess.run([PTXAS, f"-arch={arch}", str(ptx), "-o",
                            str(tmp_path / f"{arch}.cubin")], check=True)


@pytest.mark.parametrize("variant", ["qdq-int8", "matmulnbits-int4"])
def test_quantized_matmuls_use_generated_kernels(tmp_path, variant):
    """The quantized matmuls of the transformer run on the kernels of
    docs/gpu-kernels.md, with their epilogues: the warp-per-row GEMV at
    decode (seq 1); for a 16-token prompt the mma.sync GEMM, and the GEMV on
    blocks of 8 rows where the GEMM's K block (128 for int4) does not divide
    K = 64. None is left
    to the reference lowering. The rest of the graph stays generic
    kernels."""
    config = models.Config(variant=variant)
    models.save(config, tmp_path / "model.onnx")
    for seq, families, feature in (
            (1, {"gemv"}, "shfl.sync.bfly"),
            (16, {"gemm", "gemv"}, "mma.sync.aligned.m16n8k16")):
        ptx = tmp_path / f"seq{seq}.ptx"
        log = sparqc(tmp_path / "model.onnx", "--dim", "batch=1", "--dim",
                     f"seq={seq}", "--gpu-arch=sm_80", "--emit=ptx", "-o",
                     ptx).stderr
        assert "left for convert-sparq-to-linalg" not in log, log
        text = ptx.read_text()
        entries = [line.split()[2] for line in text.splitlines()
                   if line.startswith(".visible .entry")]
        generated = [e for e in entries if e.startswith("__sparq_gpu_")]
        assert generated, entries
        used = {e.split("_")[4] for e in generated}
        assert used <= families and ("gemm" in used) == (seq > 8), generated
        # Bias and activation epilogues run inside the matmul kernels.
        assert any("_bias_" in e for e in generated), generated
        assert feature in text
        if "gemv" in families:
            assert "ld.global.nc.v4" in text
        assert any(e.startswith("sparq_graph_kernel") for e in entries)
        if PTXAS:
            result = subprocess.run([PTXAS, "-arch=sm_80", "-v", str(ptx),
                                     "-o", str(tmp_path / "k.cubin")],
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
            for line in result.stderr.splitlines():
                if "spill" in line:
                    assert "0 bytes spill stores, 0 bytes spill loads" \
                        in line, line


@pytest.mark.skipif(not PTXAS, reason="the CUDA toolkit (libdevice for the "
                                      "kernels' erf and exp) is not installed")
@pytest.mark.parametrize("variant", models.VARIANTS)
def test_transformer_library(tmp_path, variant):
    params, input_ids, dims = transformer(tmp_path, variant)
    sparqc(tmp_path / "model.onnx", *dims, "-o", tmp_path / "model.so")
    model = Model(tmp_path / "model.so")
    assert model.target == "cuda:sm_90a"
    assert model.inputs[0][0] == "input_ids"
    assert model.outputs[0][0] == "logits"
    if not GPU:
        with pytest.raises(SparqError, match="CUDA driver not found|"
                                             "no CUDA device"):
            model.run(input_ids=input_ids)
        return
    logits = model.run(input_ids=input_ids)["logits"]
    expected = models.reference_forward(params, input_ids)
    # The quantized matmuls of a 16-token prompt run on the f16 tensor-core
    # GEMM (activations rounded to f16, f32 accumulation).
    tolerance = 1e-3 if variant == "fp32" else 1e-2
    np.testing.assert_allclose(logits, expected, rtol=tolerance,
                               atol=tolerance * np.abs(expected).max())


MOCK_DRIVER = BUILD / "test" / "mock-cuda"


@pytest.mark.skipif(not (MOCK_DRIVER / "libcuda.so.1").exists(),
                    reason="the mock CUDA driver is not built")
def test_python_runtime_runs_a_gpu_library(tmp_path):
    """sparq.runtime with a GPU library whose device works (the mock driver
    of test/Target/Cuda/MockDriver: kernels are looked up, not run): a
    context is made, inputs go in and outputs of the right shape come back.
    The driver is found through LD_LIBRARY_PATH, so this runs in a child
    process."""
    source = tmp_path / "scale.mlir"
    source.write_text("""
func.func @scale(%x: tensor<4x8xf32> {sparq.name = "x"}) -> (tensor<4x8xf32> {sparq.name = "y"}) {
  %e = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.addf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}""")
    sparqc(source, "--cuda-path=none", "-o", tmp_path / "scale.so")
    script = f"""
import numpy as np
from sparq.runtime import Model
model = Model({str(tmp_path / "scale.so")!r})
assert model.target == "cuda:sm_90a", model.target
y = model.run(x=np.ones((4, 8), np.float32))["y"]
assert y.shape == (4, 8) and y.dtype == np.float32
print("ran")
"""
    env = dict(os.environ, LD_LIBRARY_PATH=str(MOCK_DRIVER),
               PYTHONPATH=str(pathlib.Path(__file__).parents[1]))
    result = subprocess.run(["/usr/bin/python3", "-c", script], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ran"
