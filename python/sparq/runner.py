"""Runs small MLIR programs on the CPU through sparq-opt's reference
lowering and upstream's mlir-runner, returning printed tensors as NumPy
arrays. For numerical tests of sparq ops against NumPy."""

import re
import subprocess

import numpy as np

LLVM_BIN = "/usr/lib/llvm-22/bin"
LLVM_LIB = "/usr/lib/llvm-22/lib"

LOWER_TO_LLVM = [
    "--convert-sparq-to-linalg",
    "--convert-elementwise-to-linalg",
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--convert-linalg-to-loops",
    "--convert-scf-to-cf",
    "--expand-strided-metadata",
    "--lower-affine",
    "--finalize-memref-to-llvm",
    "--convert-math-to-llvm",
    "--convert-arith-to-llvm",
    "--convert-index-to-llvm",
    "--convert-cf-to-llvm",
    "--convert-func-to-llvm",
    "--reconcile-unrealized-casts",
]


def literal(array: np.ndarray) -> str:
    """An MLIR dense literal body for an array (floats printed exactly)."""
    if array.dtype.kind == "f":
        return np.array2string(array.astype(np.float64), separator=", ",
                               threshold=1 << 30, floatmode="unique",
                               max_line_width=1 << 30)
    return np.array2string(array, separator=", ", threshold=1 << 30,
                           max_line_width=1 << 30)


def tensor_type(shape, element: str) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def run(sparq_opt: str, body: str, results) -> list:
    """Runs `body` (the statements of @main, using SSA names of its choice)
    and prints each (ssa_name, shape, element) in `results` (element "f32"
    or "i32"); returns them as arrays."""
    prints = []
    for name, shape, element in results:
        # Floats travel as their bit patterns: printMemrefF32 rounds to six
        # digits, and the tests compare exactly.
        source = f"%{name}"
        if element == "f32":
            source = f"%{name}_bits"
            prints.append(f"  {source} = arith.bitcast %{name} : "
                          f"{tensor_type(shape, 'f32')} to "
                          f"{tensor_type(shape, 'i32')}")
        prints.append(
            f"  %{name}_u = tensor.cast {source} : {tensor_type(shape, 'i32')}"
            f" to tensor<*xi32>\n"
            f"  call @printMemrefI32(%{name}_u) : (tensor<*xi32>) -> ()")
    module = ("func.func private @printMemrefI32(tensor<*xi32>)\n"
              "func.func @main() {\n" + body + "\n" + "\n".join(prints) +
              "\n  return\n}\n")
    lowered = subprocess.run([sparq_opt, *LOWER_TO_LLVM], input=module,
                             capture_output=True, text=True)
    if lowered.returncode != 0:
        raise RuntimeError(f"lowering failed:\n{lowered.stderr}\n{module}")
    ran = subprocess.run(
        [f"{LLVM_BIN}/mlir-runner", "-e", "main",
         "-entry-point-result=void",
         f"-shared-libs={LLVM_LIB}/libmlir_runner_utils.so,"
         f"{LLVM_LIB}/libmlir_c_runner_utils.so"],
        input=lowered.stdout, capture_output=True, text=True)
    if ran.returncode != 0:
        raise RuntimeError(f"mlir-runner failed:\n{ran.stderr}")
    arrays = []
    chunks = ran.stdout.split("Unranked Memref")[1:]
    for (name, shape, element), chunk in zip(results, chunks):
        data = chunk.split("data =", 1)[1]
        numbers = np.array([int(v) for v in re.findall(r"-?\d+", data)],
                           dtype=np.int64).astype(np.int32).reshape(shape)
        arrays.append(numbers.view(np.float32) if element == "f32" else numbers)
    return arrays
