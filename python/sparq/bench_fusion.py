"""End-to-end fusion benchmark: the generated transformer compiled with and
without `sparq-fuse` (sparqc --fuse=all / --fuse=none), for a decode step
(batch 1, one token) and a prefill (batch 1, --prefill tokens), under each
quantization recipe, all timed in one process.

    python3 -m sparq.bench_fusion --build build

The fused and unfused binaries of one configuration are timed in alternating
rounds (fused, unfused, fused, ...), so a change in machine load touches
both; the table gives the median of the per-round medians and the ratio.
The generated model has no KV cache, so "decode" is the forward pass of a
one-token prompt: its matmuls are the M=1 GEMVs of a decode step, its
attention covers one position.
"""

import argparse
import dataclasses
import ctypes
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from sparq import models
from sparq.runtime import Model, SparqError

# (label, sparqc --quant, sparqc --kernels)
RECIPES = [("fp32", None, "exact"),
           ("w4a16 (int4 g128)", "w4a16", "exact"),
           ("w4a16, VNNI", "w4a16", "vnni-int8"),
           ("squeezellm (LUT-3 + 0.45%)", "squeezellm{bits=3}", "exact"),
           ("w8a8 (SmoothQuant, static)", "w8a8-smoothquant", "exact"),
           ("w8a8 (SmoothQuant, dynamic)",
            "w8a8-smoothquant{activations=dynamic}", "exact")]


def calibration_samples(config, seq, directory, samples=4):
    """`samples` random prompts of `seq` tokens as <sample>/input_ids.npy
    (W8A8 calibrates at the compiled shape)."""
    rng = np.random.default_rng(seq)
    for sample in range(samples):
        path = directory / f"sample{sample}"
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "input_ids.npy",
                rng.integers(0, config.vocab, size=(1, seq), dtype=np.int64))
    return directory


def compile_model(build, onnx_path, out_dir, seq, quant, kernels, fuse,
                  threads, target="cpu", gpu_arch=None, calibration=None):
    command = [str(build / "bin" / "sparqc"), str(onnx_path),
               "--dim", "batch=1", "--dim", f"seq={seq}",
               f"--fuse={fuse}", "-o", str(out_dir), "--quiet"]
    if calibration:
        command.append(f"--calibration={calibration}")
    if target == "cuda":
        # The GPU kernels are fixed; --kernels picks CPU kernels.
        command += ["--target=cuda", f"--gpu-arch={gpu_arch}"]
    else:
        command += [f"--kernels={kernels}", f"--threads={threads}"]
    if quant:
        command.append(f"--quant={quant}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"sparqc failed: {' '.join(command)}\n{result.stderr}")
    return out_dir / (onnx_path.stem + ".so")


class BoundModel:
    """A compiled model with its inputs bound once, so timing measures
    sparq_run alone (no Python argument handling per run)."""

    def __init__(self, path, inputs):
        self.model = Model(path)
        self.context = self.model.context()
        self.inputs = []
        lib = self.model._lib
        for index, (name, dtype, shape, _) in enumerate(self.model.inputs):
            array = np.ascontiguousarray(inputs[name], dtype=dtype)
            assert array.shape == shape, (name, array.shape, shape)
            self.inputs.append(array)
            self.context._check(lib.sparq_set_input(
                self.context._handle, index, array.ctypes.data, array.nbytes))
        self.run_once()

    def run_once(self):
        self.context._check(self.model._lib.sparq_run(self.context._handle))

    def output(self, index=0):
        name, dtype, shape, nbytes = self.model.outputs[index]
        pointer = self.model._lib.sparq_get_output(self.context._handle,
                                                   index, None)
        buffer = (ctypes.c_char * nbytes).from_address(pointer)
        return np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()

    def median_ms(self, runs):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            self.run_once()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e3


def compare(fused, unfused, rounds, runs):
    fused_ms, unfused_ms = [], []
    for _ in range(rounds):
        fused_ms.append(fused.median_ms(runs))
        unfused_ms.append(unfused.median_ms(runs))
    return statistics.median(fused_ms), statistics.median(unfused_ms)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--ffn", type=int, default=2816)
    parser.add_argument("--vocab", type=int, default=512)
    parser.add_argument("--prefill", type=int, default=64,
                        help="prompt length of the prefill case")
    parser.add_argument("--threads", type=int, default=0,
                        help="sparqc --threads (0: one per core)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=20,
                        help="runs per round and binary")
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: GPU libraries (needs a GPU to run); "
                        "each recipe is then timed once, whatever its CPU "
                        "kernels")
    parser.add_argument("--gpu-arch", default="sm_90a",
                        help="--target=cuda: sparqc --gpu-arch")
    parser.add_argument("--baseline", default="none",
                        help="sparqc --fuse of the binary the default "
                        "(--fuse=all) is compared with: none, or the "
                        "families to keep, e.g. all but gated-mlp to "
                        "measure that family alone")
    parser.add_argument("--recipes", default="all",
                        help="comma-separated labels' --quant values "
                        "(fp32, w4a16, squeezellm...) or all")
    args = parser.parse_args(argv)
    build = pathlib.Path(args.build)
    recipes = RECIPES
    if args.recipes != "all":
        wanted = args.recipes.split(",")
        recipes = [r for r in RECIPES
                   if (r[1] or "fp32").split("{")[0] in wanted]
    if args.target == "cuda":
        recipes = [r for r in recipes if r[2] == "exact"]

    config = models.Config(layers=args.layers, hidden=args.hidden,
                           heads=args.heads, ffn=args.ffn, vocab=args.vocab,
                           seq=args.prefill, block_size=128)
    config.validate()
    print(f"target: {args.target}"
          + (f" ({args.gpu_arch})" if args.target == "cuda" else ""))
    print(f"model: {config.layers} layers, hidden {config.hidden}, "
          f"{config.heads} heads, ffn {config.ffn}, vocab {config.vocab}; "
          f"decode = 1 token, prefill = {args.prefill} tokens; "
          f"{args.rounds} alternating rounds of {args.runs} runs\n")
    if args.baseline != "none":
        print(f"baseline: --fuse={args.baseline}\n")
    print(f"{'recipe':<28} {'case':<8} {'baseline ms':>11} {'fused ms':>9} "
          f"{'speedup':>8} {'max |diff|':>10}")
    with tempfile.TemporaryDirectory(prefix="sparq-bench-fusion-") as tmp:
        tmp = pathlib.Path(tmp)
        onnx_path = tmp / "model.onnx"
        models.save(config, onnx_path)
        for label, quant, kernels in recipes:
            for case, seq in (("decode", 1), ("prefill", args.prefill)):
                tokens = models.default_inputs(
                    dataclasses.replace(config, seq=seq))
                inputs = {"input_ids": tokens}
                binaries = {}
                for role, fuse in (("all", "all"), ("base", args.baseline)):
                    out = tmp / f"{label.split()[0]}-{case}-{role}"
                    out.mkdir(exist_ok=True)
                    calibration = None
                    if quant and quant.startswith("w8a8"):
                        calibration = calibration_samples(
                            config, seq, tmp / f"calibration-{seq}")
                    path = compile_model(build, onnx_path, out, seq, quant,
                                         kernels, fuse, args.threads,
                                         args.target, args.gpu_arch,
                                         calibration)
                    try:
                        binaries[role] = BoundModel(path, inputs)
                    except SparqError as error:
                        sys.exit(f"cannot run {path}: {error}")
                fused_ms, unfused_ms = compare(binaries["all"],
                                               binaries["base"],
                                               args.rounds, args.runs)
                diff = np.abs(binaries["all"].output() -
                              binaries["base"].output()).max()
                print(f"{label:<28} {case:<8} {unfused_ms:>11.3f} "
                      f"{fused_ms:>9.3f} {unfused_ms / fused_ms:>7.2f}x "
                      f"{diff:>10.2e}", flush=True)
                for binary in binaries.values():
                    binary.context.close()


if __name__ == "__main__":
    main()
