"""Runs ONNX's node conformance tests (Debian's libonnx-testdata) through
sparq: import with sparq-import-onnx, lower on the CPU (reference lowering +
upstream passes), run with mlir-runner on the recorded inputs, and compare
with the recorded outputs using ONNX's tolerances (rtol 1e-3, atol 1e-7).

    python3 -m sparq.onnx_conformance --build build [--report docs/onnx-coverage.md]

Only cases whose every operator sparq imports are in scope; the report lists
each operator with its cases and how many pass, and every failure with its
reason.
"""

import argparse
import collections
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

from sparq import runner

DATA_DIR = "/usr/share/libonnx-testdata/data/node"
RTOL, ATOL = 1e-3, 1e-7

# ONNX data type code -> (MLIR element type, how it is printed).
ELEMENT_TYPES = {
    1: "f32", 2: "i8", 3: "i8", 4: "i16", 5: "i16", 6: "i32", 7: "i64",
    9: "i1", 10: "f16", 11: "f64", 12: "i32", 13: "i64", 16: "bf16",
}
UNSIGNED = {2, 4, 12, 13}


class Case:
    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.name = directory.name
        model = onnx.load(str(directory / "model.onnx"), load_external_data=False)
        self.op_types = sorted({(n.domain or "ai.onnx", n.op_type)
                                for n in model.graph.node})
        self.main_op = model.graph.node[0].op_type if model.graph.node else ""
        initializers = {t.name for t in model.graph.initializer}
        self.inputs = [i for i in model.graph.input if i.name not in initializers]
        self.outputs = list(model.graph.output)
        self.tensor_only = all(v.type.HasField("tensor_type")
                               for v in self.inputs + self.outputs)


def discover(data_dir=DATA_DIR):
    return [Case(d) for d in sorted(pathlib.Path(data_dir).iterdir())
            if (d / "model.onnx").exists()]


def supported_operators(import_tool):
    listing = subprocess.run([import_tool, "--list-ops"], capture_output=True,
                             text=True, check=True).stdout
    return {tuple(line.split()) for line in listing.splitlines() if line}


def _tensor_type(shape, element):
    return runner.tensor_type(shape, element)


def _constant(name, array, dtype_code):
    element = ELEMENT_TYPES[dtype_code]
    shape = array.shape
    if element == "i1":
        body = runner.literal(array.astype(np.int8)).replace("1", "true") \
            .replace("0", "false")
        return f"  %{name} = arith.constant dense<{body}> : {_tensor_type(shape, 'i1')}"
    data = np.ascontiguousarray(array).tobytes()
    if not data:
        return f"  %{name} = tensor.empty() : {_tensor_type(shape, element)}"
    return (f"  %{name} = arith.constant dense<\"0x{data.hex().upper()}\"> : "
            f"{_tensor_type(shape, element)}")


def _print_value(name, shape, dtype_code):
    """Statements printing %name exactly (as integers) and how to decode."""
    element = ELEMENT_TYPES[dtype_code]
    t = lambda e: _tensor_type(shape, e)
    lines = []
    if element in ("f32", "i32"):
        src, kind = name, "I32"
        if element == "f32":
            src = f"{name}_b"
            lines.append(f"  %{src} = arith.bitcast %{name} : {t('f32')} to {t('i32')}")
    elif element in ("f64", "i64"):
        src, kind = name, "I64"
        if element == "f64":
            src = f"{name}_b"
            lines.append(f"  %{src} = arith.bitcast %{name} : {t('f64')} to {t('i64')}")
    else:
        kind = "I32"
        src = f"{name}_w"
        if element in ("f16", "bf16"):
            lines.append(f"  %{name}_h = arith.bitcast %{name} : {t(element)} to {t('i16')}")
            lines.append(f"  %{src} = arith.extui %{name}_h : {t('i16')} to {t('i32')}")
        else:
            ext = "extui" if dtype_code in UNSIGNED or element == "i1" else "extsi"
            lines.append(f"  %{src} = arith.{ext} %{name} : {t(element)} to {t('i32')}")
    width = kind[1:]
    lines.append(f"  %{name}_u = tensor.cast %{src} : {t('i' + width)} to tensor<*xi{width}>")
    lines.append(f"  call @printMemref{kind}(%{name}_u) : (tensor<*xi{width}>) -> ()")
    return lines


def _decode(numbers, shape, dtype_code):
    values = np.array(numbers, dtype=np.int64)
    element = ELEMENT_TYPES[dtype_code]
    if element == "f32":
        return values.astype(np.int32).view(np.float32).reshape(shape)
    if element == "f64":
        return values.view(np.float64).reshape(shape)
    if element == "f16":
        return values.astype(np.uint16).view(np.float16).reshape(shape)
    if element == "bf16":
        return (values.astype(np.uint32) << 16).view(np.float32).reshape(shape)
    if element == "i1":
        return values.astype(bool).reshape(shape)
    return values.reshape(shape)


def _harness(inputs, outputs, input_arrays, output_types):
    """A function calling @main on constant inputs and printing outputs."""
    lines = ["func.func @sparq_harness() {"]
    arg_types = []
    for i, (info, array) in enumerate(zip(inputs, input_arrays)):
        code = info.type.tensor_type.elem_type
        lines.append(_constant(f"in{i}", array, code))
        arg_types.append(_tensor_type(array.shape, ELEMENT_TYPES[code]))
    result_types = [_tensor_type(shape, ELEMENT_TYPES[code])
                    for shape, code in output_types]
    results = ", ".join(f"%out{i}" for i in range(len(outputs)))
    args = ", ".join(f"%in{i}" for i in range(len(inputs)))
    call = f"call @main({args}) : ({', '.join(arg_types)}) -> ({', '.join(result_types)})"
    lines.append(f"  {results} = {call}" if outputs else f"  {call}")
    for i, (shape, code) in enumerate(output_types):
        lines.extend(_print_value(f"out{i}", shape, code))
    lines.append("  return\n}")
    lines.append("func.func private @printMemrefI32(tensor<*xi32>)")
    lines.append("func.func private @printMemrefI64(tensor<*xi64>)")
    return "\n".join(lines)


def _insert_into_module(module_text, extra):
    """Inserts functions before the module's closing brace (ahead of any
    trailing dialect resources)."""
    resources = module_text.find("\n{-#")
    head = module_text if resources < 0 else module_text[:resources]
    tail = "" if resources < 0 else module_text[resources:]
    close = head.rstrip().rfind("}")
    return head[:close] + extra + "\n" + head[close:] + tail


def run_case(case: Case, tools) -> tuple:
    """Returns (passed, message)."""
    import_tool, opt_tool = tools
    datasets = sorted(case.directory.glob("test_data_set_*"))
    if not datasets:
        return False, "no test data"
    with tempfile.TemporaryDirectory() as tmp:
        imported = subprocess.run(
            [import_tool, str(case.directory / "model.onnx"), "-o",
             f"{tmp}/model.mlir"], capture_output=True, text=True)
        if imported.returncode != 0:
            return False, "import: " + imported.stderr.strip().splitlines()[-1]
        module_text = pathlib.Path(f"{tmp}/model.mlir").read_text()
        for dataset in datasets:
            inputs = [numpy_helper.to_array(onnx.load_tensor(str(dataset / f"input_{i}.pb")))
                      for i in range(len(case.inputs))]
            expected = [onnx.load_tensor(str(dataset / f"output_{i}.pb"))
                        for i in range(len(case.outputs))]
            output_types = [(tuple(t.dims), t.data_type) for t in expected]
            if any(code not in ELEMENT_TYPES for _, code in output_types) or \
                    any(i.type.tensor_type.elem_type not in ELEMENT_TYPES for i in case.inputs):
                return False, "unsupported element type in test data"
            harness = _harness(case.inputs, case.outputs, inputs, output_types)
            program = _insert_into_module(module_text, harness)
            lowered = subprocess.run([opt_tool, *runner.LOWER_TO_LLVM],
                                     input=program, capture_output=True, text=True)
            if lowered.returncode != 0:
                return False, "lowering: " + lowered.stderr.strip().splitlines()[0]
            ran = subprocess.run(
                [f"{runner.LLVM_BIN}/mlir-runner", "-e", "sparq_harness",
                 "-entry-point-result=void",
                 f"-shared-libs={runner.LLVM_LIB}/libmlir_runner_utils.so,"
                 f"{runner.LLVM_LIB}/libmlir_c_runner_utils.so"],
                input=lowered.stdout, capture_output=True, text=True, timeout=300)
            if ran.returncode != 0:
                return False, "run: " + (ran.stderr.strip().splitlines() or ["crashed"])[0]
            chunks = ran.stdout.split("Unranked Memref")[1:]
            for index, (chunk, tensor) in enumerate(zip(chunks, expected)):
                numbers = [int(v) for v in re.findall(r"-?\d+", chunk.split("data =", 1)[1])]
                got = _decode(numbers, tuple(tensor.dims), tensor.data_type)
                want = numpy_helper.to_array(tensor)
                if want.dtype == np.float16 or tensor.data_type == 16:
                    want = want.astype(np.float32)
                    got = got.astype(np.float32)
                try:
                    if want.dtype.kind == "f":
                        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
                    else:
                        np.testing.assert_array_equal(got, want)
                except AssertionError as error:
                    summary = str(error).strip().splitlines()
                    mismatch = next((s for s in summary if "Mismatch" in s), summary[0])
                    return False, f"output {index} differs: {mismatch.strip()}"
    return True, ""


def write_report(path, results, cases_by_op, unsupported_cases):
    lines = ["# ONNX conformance (libonnx-testdata node tests)", "",
             "Generated by `python3 -m sparq.onnx_conformance --report "
             "docs/onnx-coverage.md`: every node test of Debian's "
             "libonnx-testdata whose operators sparq imports, imported with "
             "`sparq-import-onnx`, lowered on the CPU and run on the recorded "
             "inputs, compared with ONNX's tolerances (rtol 1e-3, atol 1e-7).",
             ""]
    total = len(results)
    passed = sum(1 for ok, _ in results.values() if ok)
    lines.append(f"**{passed} of {total} cases pass** "
                 f"({100.0 * passed / max(total, 1):.1f}%); "
                 f"{unsupported_cases} further cases use operators sparq does "
                 "not import or sequence/optional values.")
    lines += ["", "| operator | cases | passed |", "|---|---|---|"]
    for op, names in sorted(cases_by_op.items()):
        ok = sum(1 for n in names if results[n][0])
        lines.append(f"| {op} | {len(names)} | {ok} |")
    failures = [(n, msg) for n, (ok, msg) in sorted(results.items()) if not ok]
    if failures:
        lines += ["", "## Failures", ""]
        for name, message in failures:
            lines.append(f"- `{name}`: {message}")
    pathlib.Path(path).write_text("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--filter", default="", help="regex on case names")
    parser.add_argument("--report", help="write a markdown report here")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--min-pass-rate", type=float, default=0.0,
                        help="exit 1 if fewer cases pass (0..1)")
    args = parser.parse_args(argv)
    tools = (f"{args.build}/bin/sparq-import-onnx", f"{args.build}/bin/sparq-opt")
    supported = supported_operators(tools[0])
    cases = [c for c in discover(args.data) if re.search(args.filter, c.name)]
    # Sequence and optional values are not tensors: out of scope like
    # unsupported operators.
    in_scope = [c for c in cases if c.tensor_only and
                all(op in supported for op in c.op_types)]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_case, c, tools): c for c in in_scope}
        for future in concurrent.futures.as_completed(futures):
            case = futures[future]
            try:
                results[case.name] = future.result()
            except Exception as error:  # a harness bug must not hide others
                results[case.name] = (False, f"harness error: {error}")
    cases_by_op = collections.defaultdict(list)
    for case in in_scope:
        cases_by_op[case.main_op].append(case.name)
    passed = sum(1 for ok, _ in results.values() if ok)
    for name, (ok, message) in sorted(results.items()):
        if not ok:
            print(f"FAIL {name}: {message}")
    print(f"onnx conformance: {passed} passed, {len(results) - passed} failed "
          f"({len(cases) - len(in_scope)} cases out of scope)")
    if args.report:
        write_report(args.report, results, cases_by_op, len(cases) - len(in_scope))
    rate = passed / max(len(results), 1)
    return 0 if rate >= args.min_pass_rate else 1


if __name__ == "__main__":
    sys.exit(main())
