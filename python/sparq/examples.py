"""Generates small example modules in sparq's dialect from deterministic
weights, quantized with the NumPy reference.

    python3 -m sparq.examples int4-linear > linear.mlir
"""

import argparse
import sys

import numpy as np

from sparq import reference


def _dense(array: np.ndarray) -> str:
    return f"dense<{array.tolist()}>"


def int4_linear(n: int = 8, k: int = 64, group: int = 32, seed: int = 0):
    """A linear layer y = x W^T + b with W quantized to int4 (symmetric,
    group size `group`) and stored packed. Returns (mlir, stats)."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((n, k)) * 0.5).astype(np.float32)
    b = (rng.standard_normal(n) * 0.1).astype(np.float32)
    scales, zeros = reference.rtn_params(w, 4, symmetric=True, group_size=group)
    q = reference.quantize(w, scales, zeros, 4, signed=True)
    error = np.abs(reference.dequantize(q, scales, zeros) - w).max()
    pk = reference.packed_row_bytes(k, 4)
    g = k // group
    mlir = f"""// int4 linear layer: W [{n}, {k}] quantized per group of {group} columns.
func.func @linear(%x: tensor<1x{k}xf32>) -> tensor<1x{n}xf32> {{
  %q = arith.constant {_dense(q)} : tensor<{n}x{k}xi4>
  %w = sparq.pack %q : tensor<{n}x{k}xi4> -> tensor<{n}x{pk}xi8>
  %s = arith.constant {_dense(scales)} : tensor<{n}x{g}xf32>
  %z = arith.constant dense<0> : tensor<{n}x{g}xi8>
  %b = arith.constant {_dense(b)} : tensor<{n}xf32>
  %xo = sparq.observe %x name("linear.input") : tensor<1x{k}xf32>
  %y = sparq.qmatmul %xo, %w, %s zero_points(%z) bias(%b) storage(si4)
      : (tensor<1x{k}xf32>, tensor<{n}x{pk}xi8>, tensor<{n}x{g}xf32>,
         tensor<{n}x{g}xi8>, tensor<{n}xf32>) -> tensor<1x{n}xf32>
  return %y : tensor<1x{n}xf32>
}}
"""
    stats = {
        "fp32 weight bytes": w.nbytes,
        "packed weight bytes": n * pk,
        "scale bytes": scales.nbytes,
        "max |dequant(quant(W)) - W|": float(error),
        "max scale / 2": float(scales.max() / 2),
    }
    return mlir, stats


EXAMPLES = {"int4-linear": int4_linear}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", choices=sorted(EXAMPLES))
    parser.add_argument("--stats", action="store_true",
                        help="print size and error figures to stderr")
    args = parser.parse_args(argv)
    mlir, stats = EXAMPLES[args.example]()
    sys.stdout.write(mlir)
    if args.stats:
        for key, value in stats.items():
            print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
