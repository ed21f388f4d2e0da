"""sparq's main job on the bundled model: generate the small transformer in
its fp32, QDQ-int8 and MatMulNBits-int4 ONNX variants, compile each for the
CPU with sparqc, run it on a fixed prompt through the C ABI, and report the
error against the fp32 NumPy reference, the model size and the latency.

    python3 -m sparq.demo --build build
"""

import argparse
import dataclasses
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

from sparq import models
from sparq.runtime import Model

# (variant, sparqc --kernels, label)
VARIANTS = [("fp32", "exact", "fp32"),
            ("qdq-int8", "exact", "int8 (QDQ)"),
            ("matmulnbits-int4", "exact", "int4-g{g} (MatMulNBits)"),
            ("matmulnbits-int4", "vnni-int8", "int4-g{g}, VNNI acts")]


def compile_model(build, onnx_path, library, config, kernels):
    command = [str(build / "bin" / "sparqc"), str(onnx_path), "--target=cpu",
               "--dim", "batch=1", "--dim", f"seq={config.seq}",
               f"--kernels={kernels}", "-o", str(library), "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"sparqc failed on {onnx_path}:\n{result.stderr}")
    return library


def latency_ms(model, inputs, runs):
    with model.context() as context:
        context.run(**inputs)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            context.run(**inputs)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--ffn", type=int, default=512)
    parser.add_argument("--vocab", type=int, default=512)
    parser.add_argument("--seq", type=int, default=16)
    parser.add_argument("--block-size", type=int, default=128,
                        help="MatMulNBits group size of the int4 variant")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    build = pathlib.Path(args.build)
    base = models.Config(layers=args.layers, hidden=args.hidden,
                         heads=args.heads, ffn=args.ffn, vocab=args.vocab,
                         seq=args.seq, block_size=args.block_size)
    base.validate()
    input_ids = models.default_inputs(base)
    fp32_params = models.build_params(base)
    reference = models.reference_forward(fp32_params, input_ids)

    print(f"model: {base.layers} layers, hidden {base.hidden}, "
          f"{base.heads} heads, ffn {base.ffn}, vocab {base.vocab}; "
          f"prompt of {base.seq} tokens\n")
    print(f"{'variant':<24} {'onnx KiB':>9} {'.so KiB':>8} "
          f"{'vs own ref':>10} {'vs fp32':>9} {'top-1 = fp32':>12} "
          f"{'latency ms':>10}")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for variant, kernels, label in VARIANTS:
            label = label.format(g=args.block_size)
            config = dataclasses.replace(base, variant=variant)
            model_proto, params = models.build_model(config)
            onnx_path = tmp / f"{variant}.onnx"
            onnx.save(model_proto, str(onnx_path))
            library = compile_model(build, onnx_path,
                                    tmp / f"{variant}-{kernels}.so", config,
                                    kernels)
            model = Model(library)
            logits = model.run(input_ids=input_ids).get("logits")
            # The variant's own NumPy reference (same quantized weights and
            # activations) checks the compiler; fp32 shows what quantization
            # costs.
            own = models.reference_forward(params, input_ids)
            vs_own = np.abs(logits - own).max() / np.abs(own).max()
            vs_fp32 = np.abs(logits - reference).max() / np.abs(reference).max()
            agree = np.mean(logits.argmax(-1) == reference.argmax(-1))
            print(f"{label:<24} {onnx_path.stat().st_size / 1024:9.1f} "
                  f"{library.stat().st_size / 1024:8.1f} "
                  f"{vs_own:10.2e} {vs_fp32:9.2e} {agree:12.0%} "
                  f"{latency_ms(model, {'input_ids': input_ids}, args.runs):10.3f}")
            # fp32 must match NumPy to 1e-5; the exact quantized kernels sum
            # each group before scaling it, a float reassociation worth a
            # few 1e-5 after a few layers.
            limit = 1e-5 if variant == "fp32" else 1e-4
            if kernels == "exact" and vs_own > limit:
                failures.append(f"{label} differs from its NumPy reference "
                                f"by {vs_own:.2e} (relative), more than "
                                f"{limit:.0e}")
    print("\nerrors are max |difference| / max |reference| over the logits; "
          "'vs own ref' compares with NumPy running the same quantized "
          "model, 'vs fp32' with the fp32 model (the cost of quantization). "
          "The generated model has LLM-like outliers, which plain RTN int4 "
          "and per-tensor int8 activations handle badly: the motivation for "
          "sparq's SmoothQuant and dense+sparse passes.")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
