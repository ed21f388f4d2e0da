"""Tests of the generated transformer models (sparq.models) and of importing
them and large external-data models with sparq-import-onnx.

The generator is checked against its own numpy reference with a small numpy
ONNX evaluator (onnxruntime is not available), so that numeric tests of
compiled models can trust reference_forward."""

import math
import os
import pathlib
import re
import subprocess
import sys
import textwrap
import time

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from sparq import models

ROOT = pathlib.Path(__file__).resolve().parents[2]
VARIANTS = models.VARIANTS
SMALL = dict(layers=2, hidden=64, heads=4, ffn=128, vocab=256, seq=16)


def run(cmd, **kwargs):
    return subprocess.run([str(c) for c in cmd], capture_output=True,
                          text=True, **kwargs)


#===----------------------------------------------------------------------===#
# A numpy evaluator of the ONNX operators the generator writes
#===----------------------------------------------------------------------===#


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def _dequantize_linear(x, scale, zero_point, axis):
    zero_point = np.zeros((), x.dtype) if zero_point is None else zero_point
    if scale.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    return ((x.astype(np.float32) - zero_point.astype(np.float32)) *
            scale).astype(np.float32)


def _quantize_linear(x, scale, zero_point):
    info = np.iinfo(zero_point.dtype)
    q = np.clip(np.rint(x / scale) + zero_point.astype(np.float32), info.min,
                info.max)
    return q.astype(zero_point.dtype)


def _layer_norm(x, scale, bias, axis, epsilon):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return ((x - mean) / np.sqrt(var + np.float32(epsilon)) * scale +
            bias).astype(np.float32)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _reduce_mean(inputs, attrs):
    axes = attrs.get("axes")
    if len(inputs) > 1 and inputs[1] is not None:
        axes = inputs[1].tolist()
    axes = tuple(axes) if axes is not None else None
    return inputs[0].mean(axis=axes, keepdims=bool(attrs.get("keepdims", 1)))


def _matmul_nbits(inputs, attrs):
    k, n = attrs["K"], attrs["N"]
    assert attrs["bits"] == 4
    zero_points = inputs[3] if len(inputs) > 3 else None
    w = models.dequantize_matmulnbits(inputs[1], inputs[2], zero_points, k, n,
                                      attrs["block_size"])
    return (inputs[0] @ w).astype(np.float32)


def _trilu(inputs, attrs):
    k = int(inputs[1]) if len(inputs) > 1 else 0
    return (np.triu if attrs.get("upper", 1) else np.tril)(inputs[0], k)


_NP_TYPE = {TensorProto.FLOAT: np.float32, TensorProto.BOOL: np.bool_,
            TensorProto.INT64: np.int64, TensorProto.INT32: np.int32}

OPS = {
    "Constant": lambda i, a: numpy_helper.to_array(a["value"]),
    "ConstantOfShape": lambda i, a: np.full(
        i[0].tolist(), numpy_helper.to_array(a["value"]).reshape(-1)[0]),
    "Shape": lambda i, a: np.array(i[0].shape, np.int64),
    "Gather": lambda i, a: np.take(i[0], i[1], axis=a.get("axis", 0)),
    "Unsqueeze": lambda i, a: np.expand_dims(i[0], tuple(i[1].tolist())),
    "Concat": lambda i, a: np.concatenate(i, axis=a["axis"]),
    "Reshape": lambda i, a: i[0].reshape(i[1].tolist()),
    "Transpose": lambda i, a: i[0].transpose(a["perm"]),
    "Trilu": _trilu,
    "Cast": lambda i, a: i[0].astype(_NP_TYPE[a["to"]]),
    "Where": lambda i, a: np.where(i[0], i[1], i[2]),
    "Add": lambda i, a: i[0] + i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Div": lambda i, a: i[0] / i[1],
    "Pow": lambda i, a: np.power(i[0], i[1]),
    "Sqrt": lambda i, a: np.sqrt(i[0]),
    "Reciprocal": lambda i, a: np.float32(1) / i[0],
    "ReduceMean": _reduce_mean,
    "Sigmoid": lambda i, a: np.float32(1) / (np.float32(1) + np.exp(-i[0])),
    "Erf": lambda i, a: _erf(i[0]),
    "Gelu": lambda i, a: (np.float32(0.5) * i[0] *
                          (np.float32(1) + _erf(i[0] / np.float32(
                              math.sqrt(2.0))))),
    "Softmax": lambda i, a: _softmax(i[0], a.get("axis", -1)),
    "LayerNormalization": lambda i, a: _layer_norm(
        i[0], i[1], i[2], a.get("axis", -1), a.get("epsilon", 1e-5)),
    "MatMul": lambda i, a: i[0] @ i[1],
    "QuantizeLinear": lambda i, a: _quantize_linear(i[0], i[1], i[2]),
    "DequantizeLinear": lambda i, a: _dequantize_linear(
        i[0], i[1], i[2] if len(i) > 2 else None, a.get("axis", 1)),
    "MatMulNBits": _matmul_nbits,
}


def evaluate(model, feeds):
    """Runs `model` (single-output nodes only) on numpy `feeds`."""
    env = dict(feeds)
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a)
                 for a in node.attribute}
        inputs = [env[name] if name else None for name in node.input]
        with np.errstate(over="ignore"):
            result = OPS[node.op_type](inputs, attrs)
        if isinstance(result, np.ndarray) and result.dtype == np.float64:
            result = result.astype(np.float32)
        env[node.output[0]] = np.asarray(result)
    return [env[output.name] for output in model.graph.output]


#===----------------------------------------------------------------------===#
# The generator
#===----------------------------------------------------------------------===#


def small_config(variant, **overrides):
    return models.Config(variant=variant, **dict(SMALL, **overrides))


@pytest.mark.parametrize("variant", VARIANTS)
def test_generator_is_deterministic(variant):
    first, _ = models.build_model(small_config(variant))
    second, _ = models.build_model(small_config(variant))
    assert first.SerializeToString() == second.SerializeToString()


@pytest.mark.parametrize("variant", ["fp32", "qdq-int8"])
def test_onnx_checker_and_shape_inference_accept_the_model(variant):
    model, _ = models.build_model(small_config(variant))
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    dims = inferred.graph.output[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["batch", "seq", 256]


@pytest.mark.parametrize("variant,opset,norm", [
    ("fp32", 17, "alternate"),
    ("fp32", 18, "rms"),
    ("fp32", 20, "layernorm"),
    ("qdq-int8", 17, "alternate"),
    ("matmulnbits-int4", 17, "alternate"),
    ("matmulnbits-int4", 21, "alternate"),
])
def test_graph_computes_reference_forward(variant, opset, norm):
    config = small_config(variant, opset=opset, norm=norm)
    model, params = models.build_model(config)
    input_ids = models.default_inputs(config, batch=2)
    (logits,) = evaluate(model, {"input_ids": input_ids})
    expected = models.reference_forward(params, input_ids)
    assert logits.shape == (2, config.seq, config.vocab)
    assert logits.dtype == np.float32
    assert np.isfinite(expected).all()
    # Activation quantization can flip a rounding where the evaluator and the
    # reference differ in the last bit: allow a few quantization steps.
    tolerance = (2e-3 if variant == "qdq-int8" else 1e-4) * np.abs(
        expected).max()
    np.testing.assert_allclose(logits, expected, rtol=0, atol=tolerance)


def test_graph_uses_the_pytorch_patterns():
    model, _ = models.build_model(small_config("fp32"))
    ops = [node.op_type for node in model.graph.node]
    for op in ("Gather", "Shape", "Unsqueeze", "Concat", "Reshape", "Pow",
               "ReduceMean", "Sqrt", "Reciprocal", "Div", "LayerNormalization",
               "Transpose", "Trilu", "Where", "Softmax", "Sigmoid", "Erf"):
        assert op in ops, op
    gelu_model, _ = models.build_model(small_config("fp32", opset=20))
    assert "Gelu" in [node.op_type for node in gelu_model.graph.node]
    inputs = model.graph.input
    assert [i.name for i in inputs] == ["input_ids"]
    dims = inputs[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["batch", "seq"]


def test_quantized_layouts_match_onnx_runtime():
    _, params = models.build_model(small_config("matmulnbits-int4"))
    lin = params["layers"][0]["down"]  # K = ffn = 128, N = hidden = 64
    assert lin["packed"].shape == (64, 4, 16) and lin["packed"].dtype == np.uint8
    assert lin["scales"].shape == (64 * 4,)
    assert lin["zero_points"].shape == (64 * 2,)
    deq = models.dequantize_matmulnbits(lin["packed"], lin["scales"],
                                        lin["zero_points"], 128, 64)
    np.testing.assert_array_equal(deq, lin["w_eff"])
    config = small_config("matmulnbits-int4")
    model, _ = models.build_model(config)
    nbits = [n for n in model.graph.node if n.op_type == "MatMulNBits"]
    assert len(nbits) == len(models.linear_names(config))
    assert all(n.domain == "com.microsoft" for n in nbits)
    assert ("com.microsoft", 1) in [(o.domain, o.version)
                                    for o in model.opset_import]

    model, params = models.build_model(small_config("qdq-int8"))
    dq = [n for n in model.graph.node if n.op_type == "DequantizeLinear"
          and n.input[0].endswith("weight_quantized")]
    assert len(dq) == len(models.linear_names(params["config"]))
    inits = {i.name: i for i in model.graph.initializer}
    q = inits["layers.0.q.weight_quantized"]
    assert q.data_type == TensorProto.INT8 and list(q.dims) == [64, 64]
    assert list(inits["layers.0.q.weight_scale"].dims) == [64]


def test_llm_like_outliers():
    config = small_config("fp32")
    params = models.make_params(config)
    channels = params["outlier_channels"]
    magnitude = np.abs(params["embed"]).mean(axis=0)
    normal = np.delete(magnitude, channels)
    assert (magnitude[channels] > 15 * normal.mean()).all()
    w = params["layers"][0]["q"]["w"]
    big = np.abs(w) > 6 * w.std() / 1.5
    assert 0.002 < big.mean() < 0.02


def test_quantized_references_stay_close_to_fp32():
    input_ids = models.default_inputs(small_config("fp32"))
    fp32 = models.reference_forward(models.build_params(small_config("fp32")),
                                    input_ids)
    for variant, bound in (("qdq-int8", 0.25), ("matmulnbits-int4", 0.5)):
        quantized = models.reference_forward(
            models.build_params(small_config(variant)), input_ids)
        error = np.abs(quantized - fp32).max() / np.abs(fp32).max()
        assert 0 < error < bound, (variant, error)


def test_cli_writes_a_model(tmp_path):
    out = tmp_path / "model.onnx"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    result = run([sys.executable, "-m", "sparq.models", "--variant",
                  "matmulnbits-int4", "--layers", "1", "--hidden", "32",
                  "--heads", "2", "--ffn", "64", "--vocab", "64", "-o", out],
                 env=env)
    assert result.returncode == 0, result.stderr
    model = onnx.load(str(out))
    assert sum(n.op_type == "MatMulNBits" for n in model.graph.node) == 8
    bad = run([sys.executable, "-m", "sparq.models", "--variant",
               "matmulnbits-int4", "--hidden", "48", "--heads", "4", "-o",
               tmp_path / "bad.onnx"], env=env)
    assert bad.returncode != 0 and "multiples of 32" in bad.stderr


#===----------------------------------------------------------------------===#
# Importing the models
#===----------------------------------------------------------------------===#


def import_and_round_trip(tool, sparq_opt, model_path, dims):
    """Imports to bytecode and reads it back with sparq-opt; returns (the
    imported IR as text, the IR after --canonicalize)."""
    out = model_path.with_suffix(".mlirbc")
    cmd = [tool, model_path, "-o", out]
    for name, value in dims.items():
        cmd += ["--dim", f"{name}={value}"]
    result = run(cmd)
    assert result.returncode == 0, result.stderr
    printed = run([sparq_opt, out])
    assert printed.returncode == 0, printed.stderr
    canonical = run([sparq_opt, out, "--canonicalize"])
    assert canonical.returncode == 0, canonical.stderr
    return printed.stdout, canonical.stdout


def count(pattern, text):
    return len(re.findall(pattern, text))


FLOAT_BLOB = r"dense_resource<[^>]*> : tensor<[0-9x]*xf32>"


def check_signature(ir, batch, seq, vocab):
    assert re.search(rf"func\.func @main\(%arg0: tensor<{batch}x{seq}xi64>",
                     ir), ir[:2000]
    assert re.search(rf"-> \(?tensor<{batch}x{seq}x{vocab}xf32>", ir)


def check_no_shape_computations(ir):
    """PyTorch's Shape->Gather->Unsqueeze->Concat chains fold at import: no
    dynamic shapes, no runtime shape ops, no shape vectors left once dead
    constants are removed."""
    assert "?" not in "".join(re.findall(r"tensor<[^>]*>", ir))
    for op in ("tensor.dim", "tensor.from_elements", "tensor.reshape",
               "shape."):
        assert op not in ir, op
    assert count(r"arith\.constant dense<[^>]*> : tensor<\d+xi64>", ir) == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_import_generated_model(tmp_path, sparq_import_onnx, sparq_opt,
                                variant):
    config = small_config(variant)
    path = tmp_path / "model.onnx"
    models.save(config, str(path))
    linears = len(models.linear_names(config))
    ir, canonical = import_and_round_trip(sparq_import_onnx, sparq_opt, path,
                                          {"batch": 1, "seq": 16})
    check_signature(ir, 1, 16, config.vocab)
    check_no_shape_computations(canonical)
    if variant == "fp32":
        assert count(r"linalg\.matmul\b", ir) >= 1
        assert count(r"linalg\.(batch_)?matmul\b", ir) >= linears
    elif variant == "qdq-int8":
        # One dequantization of every INT8 [K, N] weight; the weights stay
        # int8 in memory (the embedding table is the only float blob).
        weight_dequants = count(
            r"sparq\.dequantize [^\n]*: \(tensor<\d+x\d+xi8>", ir)
        assert weight_dequants >= linears, weight_dequants
        assert count(FLOAT_BLOB, ir) == 1
    else:
        assert count(r"sparq\.qmatmul\b", ir) == linears
        assert count(FLOAT_BLOB, ir) == 1


def test_import_other_sizes_and_opset_20(tmp_path, sparq_import_onnx,
                                         sparq_opt):
    config = small_config("fp32", opset=20, norm="rms")
    path = tmp_path / "model.onnx"
    models.save(config, str(path))
    ir, canonical = import_and_round_trip(sparq_import_onnx, sparq_opt, path,
                                          {"batch": 2, "seq": 8})
    check_signature(ir, 2, 8, config.vocab)
    check_no_shape_computations(canonical)


#===----------------------------------------------------------------------===#
# Large weights in external data files
#===----------------------------------------------------------------------===#


def external_tensor(name, dtype, dims, location, offset, length):
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = dtype
    tensor.dims.extend(dims)
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset),
                       ("length", length)):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, str(value)
    return tensor


def save_external_model(path, nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, "external", inputs, outputs,
                              initializers)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def write_weights_model(directory, shapes):
    """A chain of Adds over big FLOAT initializers stored back to back (with
    64-byte alignment) in weights.bin; returns (model path, weight bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    initializers, offset = [], 0
    with open(directory / "weights.bin", "wb") as data:
        for index, shape in enumerate(shapes):
            array = rng.standard_normal(shape, dtype=np.float32)
            data.write(array.tobytes())
            initializers.append(external_tensor(
                f"w{index}", TensorProto.FLOAT, shape, "weights.bin", offset,
                array.nbytes))
            offset += array.nbytes
            pad = -offset % 64
            data.write(b"\0" * pad)
            offset += pad
    nodes, previous = [], "x"
    for index in range(len(shapes)):
        output = "y" if index == len(shapes) - 1 else f"t{index}"
        nodes.append(helper.make_node("Add", [previous, f"w{index}"],
                                      [output], name=f"add{index}"))
        previous = output
    shape = list(shapes[0])
    save_external_model(
        directory / "model.onnx", nodes,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1] * len(shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializers)
    weight_bytes = sum(int(np.prod(s)) * 4 for s in shapes)
    return directory / "model.onnx", weight_bytes


PEAK_RSS_SCRIPT = textwrap.dedent("""
    import resource, subprocess, sys
    result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    sys.stderr.write(result.stderr)
    # Peak resident set of the importer alone (the only child), in KiB.
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.exit(result.returncode)
""")


def peak_rss_bytes(cmd):
    """Peak RSS of `cmd`, measured in a fresh Python process so that no
    earlier child of this process counts."""
    result = run([sys.executable, "-c", PEAK_RSS_SCRIPT, *cmd])
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]) * 1024


def test_import_external_weights_memory(tmp_path, sparq_import_onnx):
    """Importing ~200 MB of external weights maps them instead of copying:
    the importer's peak RSS grows by at most 1.5x the weight bytes over a
    weightless import."""
    baseline_path, _ = write_weights_model(tmp_path / "baseline", [[1, 4]])
    big_path, weight_bytes = write_weights_model(
        tmp_path / "big", [[50, 256, 1024]] * 4)
    assert weight_bytes >= 200 * 10**6
    baseline = peak_rss_bytes([sparq_import_onnx, baseline_path, "-o",
                               tmp_path / "baseline.mlirbc"])
    out = tmp_path / "big.mlirbc"
    peak = peak_rss_bytes([sparq_import_onnx, big_path, "-o", out])
    growth = peak - baseline
    print(f"baseline {baseline / 2**20:.1f} MiB, peak {peak / 2**20:.1f} "
          f"MiB, growth {growth / weight_bytes:.2f}x of "
          f"{weight_bytes / 2**20:.1f} MiB weights")
    assert out.stat().st_size > weight_bytes
    assert growth <= 1.5 * weight_bytes
    for path in (out, big_path.parent / "weights.bin"):
        path.unlink()


def test_import_external_data_over_2gb(tmp_path, sparq_import_onnx,
                                       sparq_opt):
    """One 2.25 GiB initializer (past protobuf's and int32's limits) in a
    sparse external file imports, and its bytecode reads back."""
    shape = [576, 1024, 1024]
    size = int(np.prod(shape)) * 4
    assert size > 2 * 2**30
    data, out = tmp_path / "huge.bin", tmp_path / "huge.mlirbc"
    with open(data, "wb") as file:
        file.truncate(size)
    save_external_model(
        tmp_path / "model.onnx",
        [helper.make_node("Identity", ["w"], ["y"], name="identity")], [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        [external_tensor("w", TensorProto.FLOAT, shape, "huge.bin", 0, size)])
    try:
        start = time.monotonic()
        result = run([sparq_import_onnx, tmp_path / "model.onnx",
                      "--emit-bytecode", "-o", "/dev/null"])
        elapsed = time.monotonic() - start
        print(f"imported a {size / 2**30:.2f} GiB initializer to /dev/null "
              f"in {elapsed:.1f} s")
        assert result.returncode == 0, result.stderr
        # Writing a real file reads every byte of the mapping.
        start = time.monotonic()
        result = run([sparq_import_onnx, tmp_path / "model.onnx", "-o", out])
        elapsed = time.monotonic() - start
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > size
        print(f"imported to a {out.stat().st_size / 2**30:.2f} GiB bytecode "
              f"file in {elapsed:.1f} s")
        printed = run([sparq_opt, out, "--emit-bytecode", "-o", "/dev/null"])
        assert printed.returncode == 0, printed.stderr
    finally:
        # pytest keeps recent temporary directories: do not leave GBs there.
        data.unlink()
        out.unlink(missing_ok=True)
