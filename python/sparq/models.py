"""Deterministic generator of a small decoder-only transformer as ONNX.

The graph is written the way PyTorch's exporter writes LLMs (Llama/Qwen-like
layers alternating with GPT-2-like ones), so that the importer meets the same
patterns it will meet in real models:

* input_ids INT64 [batch, seq] -> Gather (token embedding);
* per layer: a norm (RMSNorm spelled Pow/ReduceMean/Add/Sqrt/Reciprocal/Mul,
  or LayerNormalization), multi-head causal self-attention (Q/K/V MatMul +
  bias Add, Reshape through the Shape->Gather->Unsqueeze->Concat chain,
  Transpose, MatMul, Mul by 1/sqrt(head_dim), causal mask by Where or Add,
  Softmax, MatMul, Transpose, Reshape, output projection), residual Add, a
  second norm, an MLP (SiLU-gated in even layers, GELU with biases in odd
  ones) and a residual Add;
* a final RMSNorm (Sqrt then Div) and the lm_head MatMul -> logits FLOAT
  [batch, seq, vocab].

Like real LLMs, a few hidden channels carry activations 20-50x larger than
the rest (their embedding columns and norm weights are scaled) and ~0.5% of
the linear weights are large-magnitude outliers.

Variants of every linear layer ([K, N] weight, y = x @ W):

* ``fp32``: a FLOAT initializer;
* ``qdq-int8``: ONNX Runtime's QDQ format: an INT8 initializer through a
  per-output-channel DequantizeLinear (axis=1), and every MatMul activation
  input through a per-tensor UINT8 QuantizeLinear/DequantizeLinear pair whose
  scale comes from a calibration run of the numpy reference;
* ``matmulnbits-int4``: com.microsoft MatMulNBits (bits=4, block_size 32 by
  default, ``--block-size``)
  with B uint8 [N, K/block, block/2] (low nibble first), scales FLOAT
  [N*K/block] and
  zero points packed two per byte [N*ceil(K/block/2)], as ONNX Runtime's
  MatMul4BitsQuantizer writes them.

``reference_forward(params, input_ids)`` computes the same function in numpy
(fp32), including the variant's weight and activation quantization, for
numeric tests of compiled models.

Usage:
  /usr/bin/python3 -m sparq.models --variant fp32 -o model.onnx
"""

import argparse
import dataclasses
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VARIANTS = ("fp32", "qdq-int8", "matmulnbits-int4")
NORMS = ("alternate", "rms", "layernorm")
MS_DOMAIN = "com.microsoft"
NBITS_BLOCK = 32
RMS_EPS = 1e-6
LN_EPS = 1e-5
# What PyTorch's masked_fill(finfo.min) writes for masked attention scores.
MASK_VALUE = np.float32(np.finfo(np.float32).min)


@dataclasses.dataclass(frozen=True)
class Config:
    variant: str = "fp32"
    layers: int = 2
    hidden: int = 64
    heads: int = 4
    ffn: int = 128
    vocab: int = 256
    seq: int = 16
    # ai.onnx opset: >= 18 passes ReduceMean axes as an input, >= 20 uses
    # the Gelu operator instead of the Erf formula.
    opset: int = 17
    # "alternate": RMSNorm in even layers, LayerNormalization in odd ones.
    norm: str = "alternate"
    seed: int = 0
    # MatMulNBits block size (weights per scale along K).
    block_size: int = NBITS_BLOCK

    def validate(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}")
        if self.norm not in NORMS:
            raise ValueError(f"unknown norm {self.norm!r}")
        if not 17 <= self.opset <= 21:
            raise ValueError("opset must be in 17..21 (LayerNormalization)")
        if self.hidden % self.heads:
            raise ValueError("hidden must be a multiple of heads")
        if self.block_size < 16 or self.block_size & (self.block_size - 1):
            raise ValueError("block_size must be a power of two >= 16")
        if self.variant == "matmulnbits-int4" and (
                self.hidden % self.block_size or self.ffn % self.block_size):
            raise ValueError(
                f"hidden and ffn must be multiples of {self.block_size} for "
                "MatMulNBits")
        if min(self.layers, self.hidden, self.ffn, self.vocab, self.seq) < 1:
            raise ValueError("sizes must be positive")

    @property
    def head_dim(self):
        return self.hidden // self.heads

    def uses_rms_norm(self, layer):
        return self.norm == "rms" or (self.norm == "alternate" and
                                      layer % 2 == 0)

    @staticmethod
    def uses_gated_mlp(layer):
        return layer % 2 == 0


#===----------------------------------------------------------------------===#
# Parameters
#===----------------------------------------------------------------------===#


def _linear_weight(rng, k, n):
    """[K, N] weight with ~0.5% large-magnitude outliers."""
    std = 1.0 / math.sqrt(k)
    w = rng.normal(0.0, std, size=(k, n)).astype(np.float32)
    count = max(1, int(round(0.005 * k * n)))
    flat = rng.choice(k * n, size=count, replace=False)
    signs = rng.choice(np.array([-1.0, 1.0], np.float32), size=count)
    w.reshape(-1)[flat] = signs * rng.uniform(8.0, 16.0, size=count) * std
    return w


def _bias(rng, n):
    return rng.normal(0.0, 0.02, size=n).astype(np.float32)


def make_params(config):
    """fp32 parameters of the model (a dict; see reference_forward)."""
    config.validate()
    rng = np.random.default_rng(config.seed)
    h, f = config.hidden, config.ffn
    outlier_count = min(3, h)
    outlier_channels = np.sort(rng.choice(h, size=outlier_count,
                                          replace=False))
    outlier_scales = rng.uniform(20.0, 50.0, size=outlier_count).astype(
        np.float32)

    def norm_weight():
        w = (1.0 + rng.normal(0.0, 0.05, size=h)).astype(np.float32)
        w[outlier_channels] *= outlier_scales
        return w

    embed = rng.normal(0.0, 1.0, size=(config.vocab, h)).astype(np.float32)
    embed[:, outlier_channels] *= outlier_scales
    layers = []
    for i in range(config.layers):
        layer = {}
        for norm in ("norm1", "norm2"):
            layer[norm] = {"weight": norm_weight()}
            if not config.uses_rms_norm(i):
                layer[norm]["bias"] = _bias(rng, h)
        for proj in ("q", "k", "v"):
            layer[proj] = {"w": _linear_weight(rng, h, h), "b": _bias(rng, h)}
        layer["o"] = {"w": _linear_weight(rng, h, h)}
        if config.uses_gated_mlp(i):
            layer["gate"] = {"w": _linear_weight(rng, h, f)}
            layer["up"] = {"w": _linear_weight(rng, h, f)}
            layer["down"] = {"w": _linear_weight(rng, f, h)}
        else:
            layer["fc1"] = {"w": _linear_weight(rng, h, f), "b": _bias(rng, f)}
            layer["fc2"] = {"w": _linear_weight(rng, f, h), "b": _bias(rng, h)}
        layers.append(layer)
    return {
        "config": config,
        "embed": embed,
        "layers": layers,
        "final_norm": {"weight": (1.0 + rng.normal(0.0, 0.05, size=h)).astype(
            np.float32)},
        "lm_head": {"w": _linear_weight(rng, h, config.vocab)},
        "outlier_channels": outlier_channels,
    }


def linear_names(config):
    """Names ("layers.0.q", ..., "lm_head") of every linear layer, in graph
    order."""
    names = []
    for i in range(config.layers):
        names += [f"layers.{i}.{p}" for p in ("q", "k", "v", "o")]
        mlp = ("gate", "up", "down") if config.uses_gated_mlp(i) else ("fc1",
                                                                        "fc2")
        names += [f"layers.{i}.{p}" for p in mlp]
    return names + ["lm_head"]


def _linear(params, name):
    if name == "lm_head":
        return params["lm_head"]
    _, index, proj = name.split(".")
    return params["layers"][int(index)][proj]


#===----------------------------------------------------------------------===#
# Quantization (numpy, matching ONNX/ORT semantics)
#===----------------------------------------------------------------------===#


def quantize_int8_per_channel(w):
    """Symmetric INT8, one scale per output channel (column of [K, N])."""
    absmax = np.abs(w).max(axis=0)
    scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale


def quantize_uint8_per_tensor(lo, hi):
    """ORT's asymmetric UINT8 activation parameters for the range [lo, hi]
    (widened to hold 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
    zero_point = np.uint8(np.clip(round(-lo / float(scale)), 0, 255))
    return scale, zero_point


def fake_quant_uint8(x, scale, zero_point):
    """DequantizeLinear(QuantizeLinear(x)) with ONNX's rounding (half to
    even) and saturation."""
    q = np.clip(np.rint(x / scale) + np.float32(zero_point), 0, 255)
    return ((q - np.float32(zero_point)) * scale).astype(np.float32)


def quantize_int4_blockwise(w, block=NBITS_BLOCK):
    """ORT's asymmetric 4-bit block quantization of a [K, N] weight along K.

    Returns (packed B uint8 [N, K/block, block/2], scales float [N*K/block],
    packed zero points uint8 [N*ceil(K/block/2)], dequantized [K, N])."""
    k, n = w.shape
    blocks = k // block
    wt = w.T.reshape(n, blocks, block)
    lo = np.minimum(wt.min(axis=2), 0.0)
    hi = np.maximum(wt.max(axis=2), 0.0)
    scale = ((hi - lo) / 15.0).astype(np.float32)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    zp = np.clip(np.rint(-lo / scale), 0, 15).astype(np.uint8)
    q = np.clip(np.rint(wt / scale[:, :, None]) + zp[:, :, None], 0,
                15).astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    zp_cols = (blocks + 1) // 2
    zp_padded = np.zeros((n, zp_cols * 2), np.uint8)
    zp_padded[:, :blocks] = zp
    zp_packed = (zp_padded[:, 0::2] | (zp_padded[:, 1::2] << 4)).astype(
        np.uint8)
    deq = ((q.astype(np.float32) - zp[:, :, None]) * scale[:, :, None])
    return (packed, scale.reshape(-1), zp_packed.reshape(-1),
            deq.reshape(n, k).T.astype(np.float32).copy())


def dequantize_matmulnbits(b, scales, zero_points, k, n, block=NBITS_BLOCK):
    """[K, N] float weight of MatMulNBits inputs (4 bits)."""
    blocks = k // block
    q = np.empty((n, blocks, block), np.float32)
    q[:, :, 0::2] = b & 0xF
    q[:, :, 1::2] = b >> 4
    if zero_points is None:
        zp = np.full((n, blocks), 8.0, np.float32)
    else:
        zp_bytes = zero_points.reshape(n, -1)
        zp_all = np.stack([zp_bytes & 0xF, zp_bytes >> 4], axis=-1).reshape(
            n, -1)
        zp = zp_all[:, :blocks].astype(np.float32)
    s = scales.reshape(n, blocks)
    return ((q - zp[:, :, None]) * s[:, :, None]).reshape(n, k).T.copy()


def _quantize_weights(params):
    variant = params["config"].variant
    for name in linear_names(params["config"]):
        lin = _linear(params, name)
        if variant == "qdq-int8":
            lin["q"], lin["scale"] = quantize_int8_per_channel(lin["w"])
            lin["w_eff"] = (lin["q"].astype(np.float32) * lin["scale"]).astype(
                np.float32)
        elif variant == "matmulnbits-int4":
            (lin["packed"], lin["scales"], lin["zero_points"],
             lin["w_eff"]) = quantize_int4_blockwise(
                 lin["w"], params["config"].block_size)


def calibrate(params, input_ids):
    """Per-tensor UINT8 (scale, zero point) of every quantized activation,
    from the float model's ranges on `input_ids`."""
    ranges = {}

    def record(key, x):
        lo, hi = ranges.get(key, (np.inf, -np.inf))
        ranges[key] = (min(lo, float(x.min())), max(hi, float(x.max())))

    float_params = dict(params, act_qparams=None)
    _forward(float_params, input_ids, use_quantized=False, observer=record)
    return {key: quantize_uint8_per_tensor(lo, hi)
            for key, (lo, hi) in ranges.items()}


def build_params(config):
    """Parameters of the variant: fp32 weights plus, for quantized variants,
    the stored quantized data and the effective (dequantized) weights, and
    for qdq-int8 the calibrated activation parameters."""
    params = make_params(config)
    _quantize_weights(params)
    params["act_qparams"] = None
    if config.variant == "qdq-int8":
        params["act_qparams"] = calibrate(params, default_inputs(config))
    return params


def default_inputs(config, batch=1):
    """A fixed token sequence: input_ids INT64 [batch, seq]."""
    tokens = (np.arange(config.seq, dtype=np.int64) * 37 + 11) % config.vocab
    rows = [(tokens + 13 * b) % config.vocab for b in range(batch)]
    return np.stack(rows).astype(np.int64)


#===----------------------------------------------------------------------===#
# numpy reference
#===----------------------------------------------------------------------===#


def _rms_norm(x, weight):
    mean_square = np.mean(x * x, axis=-1, keepdims=True)
    return (x * (np.float32(1.0) / np.sqrt(mean_square + np.float32(RMS_EPS)))
            * weight).astype(np.float32)


def _layer_norm(x, weight, bias):
    mean = np.mean(x, axis=-1, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=-1, keepdims=True)
    return (centered / np.sqrt(var + np.float32(LN_EPS)) * weight +
            bias).astype(np.float32)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def _sigmoid(x):
    # exp overflows to inf for very negative x, which gives the right 0.
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def _gelu(x):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))).astype(np.float32)


def _forward(params, input_ids, use_quantized, observer=None):
    config = params["config"]
    qparams = params.get("act_qparams")

    def act(key, x):
        """An activation at a MatMul input (QDQ point in qdq-int8)."""
        x = x.astype(np.float32)
        if observer:
            observer(key, x)
        if qparams and key in qparams:
            return fake_quant_uint8(x, *qparams[key])
        return x

    def linear(name, x, key):
        lin = _linear(params, name)
        w = lin.get("w_eff", lin["w"]) if use_quantized else lin["w"]
        y = act(key, x) @ w
        if "b" in lin:
            y = y + lin["b"]
        return y.astype(np.float32)

    def norm(layer, which, x):
        p = params["layers"][layer][which]
        if config.uses_rms_norm(layer):
            return _rms_norm(x, p["weight"])
        return _layer_norm(x, p["weight"], p["bias"])

    b, s = input_ids.shape
    nh, hd = config.heads, config.head_dim
    allowed = np.tril(np.ones((s, s), dtype=bool))
    x = params["embed"][input_ids]
    for i in range(config.layers):
        pre = f"layers.{i}"
        h = norm(i, "norm1", x)
        heads = {}
        for proj in ("q", "k", "v"):
            y = linear(f"{pre}.{proj}", h, f"{pre}.norm1")
            heads[proj] = y.reshape(b, s, nh, hd).transpose(0, 2, 1, 3)
        q = act(f"{pre}.q_heads", heads["q"])
        k_t = act(f"{pre}.k_heads_t", heads["k"].transpose(0, 1, 3, 2))
        scores = (q @ k_t) * np.float32(1.0 / math.sqrt(hd))
        if i % 2 == 0:
            scores = np.where(allowed, scores, MASK_VALUE)
        else:
            scores = scores + np.where(allowed, np.float32(0), MASK_VALUE)
        probs = act(f"{pre}.probs", _softmax(scores))
        ctx = probs @ act(f"{pre}.v_heads", heads["v"])
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, s, config.hidden)
        x = x + linear(f"{pre}.o", ctx, f"{pre}.attn_out")
        h = norm(i, "norm2", x)
        if config.uses_gated_mlp(i):
            gate = linear(f"{pre}.gate", h, f"{pre}.norm2")
            up = linear(f"{pre}.up", h, f"{pre}.norm2")
            mlp = linear(f"{pre}.down", gate * _sigmoid(gate) * up,
                         f"{pre}.mlp_hidden")
        else:
            mlp = linear(f"{pre}.fc2",
                         _gelu(linear(f"{pre}.fc1", h, f"{pre}.norm2")),
                         f"{pre}.mlp_hidden")
        x = (x + mlp).astype(np.float32)
    mean_square = np.mean(x * x, axis=-1, keepdims=True)
    h = (x / np.sqrt(mean_square + np.float32(RMS_EPS)) *
         params["final_norm"]["weight"]).astype(np.float32)
    return linear("lm_head", h, "final_norm")


def reference_forward(model_params, input_ids):
    """Logits FLOAT [batch, seq, vocab] of the model described by
    `model_params` (from build_params) for INT64 `input_ids` [batch, seq]:
    fp32 arithmetic with the variant's quantized weights and, for qdq-int8,
    its fake-quantized activations."""
    return _forward(model_params, np.asarray(input_ids, np.int64),
                    use_quantized=True)


#===----------------------------------------------------------------------===#
# ONNX graph
#===----------------------------------------------------------------------===#


class _GraphWriter:
    """Accumulates nodes and initializers with PyTorch-style names."""

    def __init__(self, params):
        self.params = params
        self.config = params["config"]
        self.nodes = []
        self.initializers = []
        self.constant_count = 0
        self.qdq_outputs = {}

    def node(self, op_type, inputs, name, outputs=None, domain="", **attrs):
        outputs = outputs or [f"{name}_output_0"]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=name,
                                           domain=domain, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def init(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.asarray(array),
                                                         name))
        return name

    def constant(self, array):
        """A Constant node, as the exporter writes small literals."""
        self.constant_count += 1
        name = f"/Constant_{self.constant_count}"
        value = numpy_helper.from_array(np.asarray(array))
        return self.node("Constant", [], name, value=value)

    # Shape chain: dim `index` of `tensor` as a 1-D INT64 tensor.
    def dim(self, tensor, index, prefix):
        shape = self.node("Shape", [tensor], f"{prefix}/Shape_{index}")
        gathered = self.node("Gather",
                             [shape, self.constant(np.int64(index))],
                             f"{prefix}/Gather_{index}", axis=0)
        return self.node("Unsqueeze",
                         [gathered, self.constant(np.array([0], np.int64))],
                         f"{prefix}/Unsqueeze_{index}")

    def reshape(self, tensor, source, tail, prefix):
        """Reshape `tensor` to [batch, seq] + tail, batch and seq taken from
        `source`'s shape as PyTorch's view(bsz, q_len, ...) exports."""
        parts = [self.dim(source, 0, prefix), self.dim(source, 1, prefix)]
        parts += [self.constant(np.array([d], np.int64)) for d in tail]
        shape = self.node("Concat", parts, f"{prefix}/Concat", axis=0)
        return self.node("Reshape", [tensor, shape], f"{prefix}/Reshape")

    def qdq(self, tensor, key):
        """QuantizeLinear/DequantizeLinear on an activation (qdq-int8 only),
        shared by all consumers of the tensor."""
        qparams = self.params["act_qparams"]
        if not qparams:
            return tensor
        if tensor in self.qdq_outputs:
            return self.qdq_outputs[tensor]
        scale, zero_point = qparams[key]
        s = self.init(f"{tensor}_scale", np.float32(scale))
        z = self.init(f"{tensor}_zero_point", np.uint8(zero_point))
        q = self.node("QuantizeLinear", [tensor, s, z],
                      f"{tensor}_QuantizeLinear",
                      outputs=[f"{tensor}_quantized"])
        dq = self.node("DequantizeLinear", [q, s, z],
                       f"{tensor}_DequantizeLinear",
                       outputs=[f"{tensor}_dequantized"])
        self.qdq_outputs[tensor] = dq
        return dq

    def linear(self, x, name, key, prefix):
        lin = _linear(self.params, name)
        k, n = lin["w"].shape
        variant = self.config.variant
        if variant == "matmulnbits-int4":
            b = self.init(f"{name}.weight_Q4", lin["packed"])
            s = self.init(f"{name}.weight_scales", lin["scales"])
            z = self.init(f"{name}.weight_zp", lin["zero_points"])
            y = self.node("MatMulNBits", [x, b, s, z], f"{prefix}/MatMul_Q4",
                          domain=MS_DOMAIN, K=k, N=n, bits=4,
                          block_size=self.config.block_size,
                          accuracy_level=0)
        elif variant == "qdq-int8":
            q = self.init(f"{name}.weight_quantized", lin["q"])
            s = self.init(f"{name}.weight_scale", lin["scale"])
            z = self.init(f"{name}.weight_zero_point", np.zeros(n, np.int8))
            w = self.node("DequantizeLinear", [q, s, z],
                          f"{name}.weight_DequantizeLinear",
                          outputs=[f"{name}.weight_dequantized"], axis=1)
            y = self.node("MatMul", [self.qdq(x, key), w], f"{prefix}/MatMul")
        else:
            w = self.init(f"{name}.weight", lin["w"])
            y = self.node("MatMul", [x, w], f"{prefix}/MatMul")
        if "b" in lin:
            bias = self.init(f"{name}.bias", lin["b"])
            y = self.node("Add", [bias, y], f"{prefix}/Add")
        return y

    def scalar(self, value, name):
        return self.init(name, np.float32(value))

    def reduce_mean_last(self, x, prefix):
        if self.config.opset >= 18:
            axes = self.constant(np.array([-1], np.int64))
            return self.node("ReduceMean", [x, axes], f"{prefix}/ReduceMean",
                             keepdims=1)
        return self.node("ReduceMean", [x], f"{prefix}/ReduceMean",
                         axes=[-1], keepdims=1)

    def rms_norm(self, x, weight_name, weight, prefix, use_div=False):
        """Pow/ReduceMean/Add/Sqrt then Reciprocal+Mul (or Div) and the
        weight Mul, as PyTorch exports LlamaRMSNorm."""
        sq = self.node("Pow", [x, self.scalar(2.0, f"{prefix}.pow_exponent")],
                       f"{prefix}/Pow")
        mean = self.reduce_mean_last(sq, prefix)
        var = self.node("Add", [mean, self.scalar(RMS_EPS, f"{prefix}.eps")],
                        f"{prefix}/Add")
        root = self.node("Sqrt", [var], f"{prefix}/Sqrt")
        if use_div:
            normed = self.node("Div", [x, root], f"{prefix}/Div")
        else:
            inv = self.node("Reciprocal", [root], f"{prefix}/Reciprocal")
            normed = self.node("Mul", [x, inv], f"{prefix}/Mul")
        w = self.init(weight_name, weight)
        return self.node("Mul", [w, normed], f"{prefix}/Mul_1")

    def norm(self, x, layer, which):
        p = self.params["layers"][layer][which]
        prefix = f"/model/layers.{layer}/{which}"
        name = f"model.layers.{layer}.{which}"
        if self.config.uses_rms_norm(layer):
            return self.rms_norm(x, f"{name}.weight", p["weight"], prefix)
        w = self.init(f"{name}.weight", p["weight"])
        b = self.init(f"{name}.bias", p["bias"])
        return self.node("LayerNormalization", [x, w, b],
                         f"{prefix}/LayerNormalization", axis=-1,
                         epsilon=LN_EPS)

    def causal_masks(self, input_ids):
        """(allowed BOOL [seq, seq], additive FLOAT [seq, seq]) built from
        the runtime sequence length, as exporters of causal LMs do."""
        prefix = "/model/causal_mask"
        seq = self.dim(input_ids, 1, prefix)
        size = self.node("Concat", [seq, seq], f"{prefix}/Concat", axis=0)
        ones = self.node("ConstantOfShape", [size],
                         f"{prefix}/ConstantOfShape",
                         value=helper.make_tensor("value", TensorProto.FLOAT,
                                                  [1], [1.0]))
        lower = self.node("Trilu", [ones], f"{prefix}/Trilu", upper=0)
        allowed = self.node("Cast", [lower], f"{prefix}/Cast",
                            to=TensorProto.BOOL)
        additive = self.node("Where", [allowed, self.constant(np.float32(0)),
                                       self.constant(MASK_VALUE)],
                             f"{prefix}/Where")
        return allowed, additive

    def attention(self, h, layer, masks):
        cfg = self.config
        pre = f"layers.{layer}"
        prefix = f"/model/layers.{layer}/self_attn"
        heads = {}
        for proj in ("q", "k", "v"):
            y = self.linear(h, f"{pre}.{proj}", f"{pre}.norm1",
                            f"{prefix}/{proj}_proj")
            y = self.reshape(y, h, [cfg.heads, cfg.head_dim],
                             f"{prefix}/{proj}_view")
            perm = [0, 2, 3, 1] if proj == "k" else [0, 2, 1, 3]
            heads[proj] = self.node("Transpose", [y],
                                    f"{prefix}/{proj}_Transpose", perm=perm)
        scores = self.node("MatMul", [self.qdq(heads["q"], f"{pre}.q_heads"),
                                      self.qdq(heads["k"], f"{pre}.k_heads_t")],
                           f"{prefix}/MatMul")
        scale = self.scalar(1.0 / math.sqrt(cfg.head_dim),
                            f"{prefix}.scale")
        scores = self.node("Mul", [scores, scale], f"{prefix}/Mul")
        allowed, additive = masks
        if layer % 2 == 0:
            fill = self.constant(MASK_VALUE)
            scores = self.node("Where", [allowed, scores, fill],
                               f"{prefix}/Where")
        else:
            scores = self.node("Add", [scores, additive], f"{prefix}/Add")
        probs = self.node("Softmax", [scores], f"{prefix}/Softmax", axis=-1)
        ctx = self.node("MatMul", [self.qdq(probs, f"{pre}.probs"),
                                   self.qdq(heads["v"], f"{pre}.v_heads")],
                        f"{prefix}/MatMul_1")
        ctx = self.node("Transpose", [ctx], f"{prefix}/Transpose",
                        perm=[0, 2, 1, 3])
        ctx = self.reshape(ctx, h, [cfg.hidden], f"{prefix}/o_view")
        return self.linear(ctx, f"{pre}.o", f"{pre}.attn_out",
                           f"{prefix}/o_proj")

    def mlp(self, h, layer):
        pre = f"layers.{layer}"
        prefix = f"/model/layers.{layer}/mlp"
        if self.config.uses_gated_mlp(layer):
            gate = self.linear(h, f"{pre}.gate", f"{pre}.norm2",
                               f"{prefix}/gate_proj")
            sig = self.node("Sigmoid", [gate], f"{prefix}/act_fn/Sigmoid")
            silu = self.node("Mul", [gate, sig], f"{prefix}/act_fn/Mul")
            up = self.linear(h, f"{pre}.up", f"{pre}.norm2",
                             f"{prefix}/up_proj")
            hidden = self.node("Mul", [silu, up], f"{prefix}/Mul")
            return self.linear(hidden, f"{pre}.down", f"{pre}.mlp_hidden",
                               f"{prefix}/down_proj")
        y = self.linear(h, f"{pre}.fc1", f"{pre}.norm2", f"{prefix}/fc1")
        y = self.gelu(y, f"{prefix}/act")
        return self.linear(y, f"{pre}.fc2", f"{pre}.mlp_hidden",
                           f"{prefix}/fc2")

    def gelu(self, x, prefix):
        if self.config.opset >= 20:
            return self.node("Gelu", [x], f"{prefix}/Gelu",
                             approximate="none")
        scaled = self.node("Div", [x, self.scalar(math.sqrt(2.0),
                                                  f"{prefix}.sqrt2")],
                           f"{prefix}/Div")
        erf = self.node("Erf", [scaled], f"{prefix}/Erf")
        one = self.node("Add", [erf, self.scalar(1.0, f"{prefix}.one")],
                        f"{prefix}/Add")
        prod = self.node("Mul", [x, one], f"{prefix}/Mul")
        return self.node("Mul", [prod, self.scalar(0.5, f"{prefix}.half")],
                         f"{prefix}/Mul_1")

    def build(self):
        cfg = self.config
        embed = self.init("model.embed_tokens.weight", self.params["embed"])
        x = self.node("Gather", [embed, "input_ids"],
                      "/model/embed_tokens/Gather", axis=0)
        masks = self.causal_masks("input_ids")
        for i in range(cfg.layers):
            prefix = f"/model/layers.{i}"
            h = self.norm(x, i, "norm1")
            x = self.node("Add", [x, self.attention(h, i, masks)],
                          f"{prefix}/Add")
            h = self.norm(x, i, "norm2")
            x = self.node("Add", [x, self.mlp(h, i)], f"{prefix}/Add_1")
        h = self.rms_norm(x, "model.norm.weight",
                          self.params["final_norm"]["weight"], "/model/norm",
                          use_div=True)
        self.linear(h, "lm_head", "final_norm", "/lm_head")
        # lm_head has no bias, so its (MatMul|MatMulNBits) is the last node.
        self.nodes[-1].output[0] = "logits"
        graph = helper.make_graph(
            self.nodes, f"sparq_tiny_decoder_{cfg.variant}",
            [helper.make_tensor_value_info("input_ids", TensorProto.INT64,
                                           ["batch", "seq"])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                           ["batch", "seq", cfg.vocab])],
            self.initializers)
        opsets = [helper.make_opsetid("", cfg.opset)]
        if cfg.variant == "matmulnbits-int4":
            opsets.append(helper.make_opsetid(MS_DOMAIN, 1))
        model = helper.make_model(graph, opset_imports=opsets,
                                  producer_name="sparq.models")
        # IR 8 is what onnx 1.12 writes for opset 17; newer opsets need 9+.
        model.ir_version = 8 if cfg.opset <= 17 else 10
        return model


def build_model(config):
    """(onnx.ModelProto, params) of the model described by `config`."""
    params = build_params(config)
    return _GraphWriter(params).build(), params


def save(config, path):
    model, params = build_model(config)
    onnx.save(model, path)
    return params


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write a small decoder-only transformer as ONNX")
    defaults = Config()
    parser.add_argument("--variant", choices=VARIANTS, default="fp32")
    helps = {
        "seq": "length of the default inputs used for calibration (the "
               "graph's seq dimension stays symbolic)",
        "opset": "ai.onnx opset, 17..21 (>= 18: ReduceMean axes input, "
                 ">= 20: Gelu operator)",
    }
    helps["block-size"] = "MatMulNBits weights per scale (matmulnbits-int4)"
    for field in ("layers", "hidden", "heads", "ffn", "vocab", "seq",
                  "opset", "seed", "block_size"):
        flag = field.replace("_", "-")
        parser.add_argument(f"--{flag}", type=int,
                            default=getattr(defaults, field),
                            help=helps.get(flag))
    parser.add_argument("--norm", choices=NORMS, default=defaults.norm)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    config = Config(variant=args.variant, layers=args.layers,
                    hidden=args.hidden, heads=args.heads, ffn=args.ffn,
                    vocab=args.vocab, seq=args.seq, opset=args.opset,
                    norm=args.norm, seed=args.seed,
                    block_size=args.block_size)
    try:
        config.validate()
    except ValueError as error:
        parser.error(str(error))
    save(config, args.output)


if __name__ == "__main__":
    main()
