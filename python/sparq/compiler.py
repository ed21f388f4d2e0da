"""Compiles models with the `sparqc` driver from Python.

    result = sparq.compile("model.onnx", quant="w4a16", dims={"batch": 1,
                           "seq": 16}, output_dir="out")
    model = result.load()                 # sparq.Model over out/model.so
    report = sparq.report("model.onnx", quant="squeezellm",
                          calibration="calib/", dims={"batch": 1, "seq": 16})

sparqc is found (see `find_sparqc`) in: the `sparqc=` argument, $SPARQ_SPARQC,
$SPARQ_BUILD_DIR/bin, the `build/bin` of the source tree this package lives
in, then $PATH. Compiler errors raise `CompileError` with sparqc's
diagnostics; nothing is written to `output_dir` unless compiling succeeds.
"""

import dataclasses
import os
import pathlib
import shutil
import subprocess
import tempfile
from typing import Mapping, Optional, Sequence

import numpy as np

from sparq.reports import Report
from sparq.runtime import Model, SparqError

RECIPES = ("w4a16", "squeezellm", "w8a8-smoothquant")
# sparqc --emit stage -> extension of the file it writes.
EMIT_EXTENSIONS = {"mlir": "mlirbc", "llvm": "ll", "asm": "s", "obj": "o",
                   "so": "so"}
# Protobuf cannot serialize a message of 2 GiB or more; larger models are
# written with their tensors as external data.
_PROTOBUF_LIMIT = 2**31 - 1024


class CompileError(SparqError):
    """sparqc failed. `diagnostics` is what it printed (its `error:` lines
    name the thing at fault), `command` the command line."""

    def __init__(self, message, diagnostics="", command=None, returncode=None):
        super().__init__(message)
        self.diagnostics = diagnostics
        self.command = command
        self.returncode = returncode


@dataclasses.dataclass
class CompileResult:
    """What sparq.compile wrote."""
    # The library (or, with emit=, the file of that stage).
    path: pathlib.Path
    output_dir: pathlib.Path
    report: Optional[Report]
    # sparqc's stderr (diagnostics, notes, and progress unless quiet).
    log: str
    command: list
    # The temporary directory holding `path` when no output_dir was given:
    # removed when this result (and every Model loaded from it) is gone.
    _tempdir: Optional[tempfile.TemporaryDirectory] = dataclasses.field(
        default=None, repr=False)

    @property
    def library(self) -> pathlib.Path:
        return self.path

    def load(self) -> Model:
        """The compiled model, ready to run."""
        if self.path.suffix != ".so":
            raise SparqError(f"{self.path} is not a shared library (compiled "
                             "with emit= other than 'so')")
        return Model(self.path, _keep_alive=self._tempdir)


def _package_build_dir():
    # python/sparq/compiler.py -> <source tree>/build
    return pathlib.Path(__file__).resolve().parents[2] / "build"


def find_sparqc(sparqc=None) -> str:
    """The sparqc executable to run, or SparqError saying where it looked."""
    candidates = []
    if sparqc:
        candidates.append(("sparqc=", pathlib.Path(sparqc)))
    if os.environ.get("SPARQ_SPARQC"):
        candidates.append(("$SPARQ_SPARQC",
                           pathlib.Path(os.environ["SPARQ_SPARQC"])))
    if os.environ.get("SPARQ_BUILD_DIR"):
        candidates.append(("$SPARQ_BUILD_DIR", pathlib.Path(
            os.environ["SPARQ_BUILD_DIR"]) / "bin" / "sparqc"))
    candidates.append(("the source tree", _package_build_dir() / "bin" /
                       "sparqc"))
    for _, path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        if sparqc and path == pathlib.Path(sparqc):
            raise SparqError(f"sparqc={sparqc} is not an executable file")
    on_path = shutil.which("sparqc")
    if on_path:
        return on_path
    looked = ", ".join(f"{path} ({why})" for why, path in candidates)
    raise SparqError(f"cannot find sparqc: looked at {looked} and $PATH; "
                     "build sparq (scripts/configure && ninja -C build) or "
                     "set SPARQ_BUILD_DIR")


def _check_name(kind, name):
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise ValueError(f"{kind} name {name!r} cannot be a file name")


def _all_tensors(graph):
    """The initializers and tensor attributes of `graph` and its
    subgraphs."""
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("g"):
                yield from _all_tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _all_tensors(subgraph)


def _write_onnx(proto, directory, name):
    """Writes an onnx.ModelProto to <directory>/<name>.onnx."""
    import onnx

    for tensor in _all_tensors(proto.graph):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            location = {e.key: e.value for e in tensor.external_data}.get(
                "location", "?")
            raise ValueError(
                f"tensor '{tensor.name}' of the ModelProto refers to external "
                f"data '{location}' that was not loaded; pass the model's "
                "path instead, or onnx.load() it with its external data")
    path = pathlib.Path(directory) / f"{name}.onnx"
    if proto.ByteSize() < _PROTOBUF_LIMIT:
        path.write_bytes(proto.SerializeToString())
    else:
        # save_model moves tensors out of the message it is given.
        copy = onnx.ModelProto()
        copy.CopyFrom(proto)
        onnx.save_model(copy, str(path), save_as_external_data=True,
                        all_tensors_to_one_file=True,
                        location=f"{name}.onnx.data")
    return path


def _write_calibration(samples, directory):
    """Calibration samples given as arrays: one {input name: array} dict, or
    a sequence of them, written as <directory>/<sample>/<input>.npy."""
    if isinstance(samples, Mapping):
        samples = [samples]
    directory = pathlib.Path(directory)
    for index, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            raise TypeError("calibration= must be a directory, a dict of "
                            "input arrays, or a list of such dicts")
        sample_dir = directory / f"sample{index:05d}"
        sample_dir.mkdir(parents=True)
        for name, array in sample.items():
            _check_name("input", name)
            np.save(sample_dir / f"{name}.npy", np.asarray(array))
    return directory


def _sparqc_arguments(*, target, quant, calibration, dims, cpu, threads,
                      kernels, fuse, gpu_arch, bind_inputs, emit, extra_args,
                      scratch):
    args = [f"--target={target}", f"--emit={emit}"]
    if gpu_arch:
        args.append(f"--gpu-arch={gpu_arch}")
    for name, size in (dims or {}).items():
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"dims['{name}'] must be an int, got {size!r}")
        args += ["--dim", f"{name}={int(size)}"]
    for name, value in (bind_inputs or {}).items():
        _check_name("input", name)
        if isinstance(value, (str, os.PathLike)):
            file = os.fspath(value)
        else:
            bound = scratch / "bound"
            bound.mkdir(exist_ok=True)
            file = str(bound / f"{name}.npy")
            np.save(file, np.asarray(value))
        args += ["--bind-input", f"{name}={file}"]
    if quant:
        args.append(f"--quant={quant}")
    if calibration is not None:
        if not isinstance(calibration, (str, os.PathLike)):
            calibration = _write_calibration(calibration, scratch / "calib")
        args.append(f"--calibration={os.fspath(calibration)}")
    if cpu:
        args.append(f"--cpu={cpu}")
    if threads is not None:
        args.append(f"--threads={int(threads)}")
    if kernels:
        args.append(f"--kernels={kernels}")
    if fuse is not None:
        args.append(f"--fuse={fuse if isinstance(fuse, str) else ','.join(fuse)}")
    return args + [str(a) for a in extra_args]


def _error_message(stderr, returncode):
    errors = [line for line in stderr.splitlines() if "error:" in line]
    if errors:
        return "\n".join(errors)
    if returncode < 0:
        return f"sparqc was killed by signal {-returncode}:\n{stderr.strip()}"
    return stderr.strip() or f"sparqc failed with exit status {returncode}"


def compile(model, target: str = "cpu", *, quant: Optional[str] = None,
            calibration=None, dims: Optional[Mapping[str, int]] = None,
            output_dir=None, name: Optional[str] = None,
            cpu: Optional[str] = None, threads: Optional[int] = None,
            kernels: Optional[str] = None, fuse=None,
            gpu_arch: Optional[str] = None, bind_inputs=None,
            report: bool = False, emit: str = "so",
            extra_args: Sequence[str] = (), sparqc: Optional[str] = None,
            quiet: bool = True, timeout: Optional[float] = None
            ) -> CompileResult:
    """Compiles `model` with sparqc and returns a CompileResult.

    model: a path to an .onnx, .mlir or .mlirbc file, or an onnx.ModelProto.
    target: "cpu" or "cuda" (passed to sparqc as --target; with gpu_arch=,
        --gpu-arch).
    quant: None, a recipe ("w4a16", "squeezellm", "w8a8-smoothquant", each
        optionally with {options}, e.g. "w4a16{group-size=32}") or any pass
        pipeline ("sparq-quantize-weights{bits=3 group-size=64}").
    calibration: a directory of samples (see docs/quantization.md), or the
        samples themselves: a {input name: array} dict or a list of them.
        w8a8-smoothquant calibrates on it; the report measures error on it.
    dims: symbolic ONNX dimensions to bind, {"batch": 1, "seq": 128}.
    output_dir: where <name>.<ext> goes (created if needed); by default a
        temporary directory that lives as long as the result and the models
        loaded from it.
    name: the output's file name stem (default: the model file's stem, or
        "model" for a ModelProto).
    cpu, threads, kernels, fuse: sparqc's --cpu, --threads, --kernels and
        --fuse (a family name string or a list of them).
    bind_inputs: {input name: array or .npy/.pb path} fixed at compile time.
    report: also produce the quantization report (needs quant); it is
        returned as result.report (a sparq.Report).
    emit: the stage to stop after: "so" (default), "mlir", "llvm", "asm",
        "obj".
    extra_args: more sparqc arguments, as they would be typed.
    """
    if emit not in EMIT_EXTENSIONS:
        raise ValueError(f"emit={emit!r} is not one of "
                         f"{', '.join(EMIT_EXTENSIONS)}")
    if report and not quant:
        raise ValueError("report=True describes what quant= did; give quant "
                         "too")
    executable = find_sparqc(sparqc)
    tempdir = tempfile.TemporaryDirectory(prefix="sparq-")
    scratch = pathlib.Path(tempdir.name)
    try:
        if isinstance(model, (str, os.PathLike)):
            source = pathlib.Path(model)
            stem = name or source.stem
        elif hasattr(model, "graph") and hasattr(model, "SerializeToString"):
            stem = name or "model"
            _check_name("model", stem)
            source = _write_onnx(model, scratch, stem)
        else:
            raise TypeError("model must be a path (.onnx, .mlir, .mlirbc) or "
                            f"an onnx.ModelProto, not {type(model).__name__}")
        _check_name("output", stem)
        args = _sparqc_arguments(
            target=target, quant=quant, calibration=calibration, dims=dims,
            cpu=cpu, threads=threads, kernels=kernels, fuse=fuse,
            gpu_arch=gpu_arch, bind_inputs=bind_inputs, emit=emit,
            extra_args=extra_args, scratch=scratch)
        if output_dir is None:
            out_dir = scratch / "out"
            kept = tempdir
        else:
            out_dir = pathlib.Path(output_dir)
            kept = None
        out_dir.mkdir(parents=True, exist_ok=True)
        output = out_dir / f"{stem}.{EMIT_EXTENSIONS[emit]}"
        report_path = scratch / "report.json"
        command = [executable, os.fspath(source), *args, "-o", str(output)]
        if report:
            command.append(f"--report={report_path}")
        if quiet:
            command.append("--quiet")
        try:
            completed = subprocess.run(command, capture_output=True,
                                       text=True, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            raise CompileError(f"sparqc took longer than {timeout} s",
                               diagnostics=expired.stderr or "",
                               command=command) from None
        if completed.returncode != 0:
            raise CompileError(
                _error_message(completed.stderr, completed.returncode),
                diagnostics=completed.stderr, command=command,
                returncode=completed.returncode)
        if not output.is_file():
            raise CompileError(f"sparqc succeeded but wrote no {output}",
                               diagnostics=completed.stderr, command=command)
        parsed = Report.from_json(report_path) if report else None
        result = CompileResult(path=output, output_dir=out_dir,
                               report=parsed, log=completed.stderr,
                               command=command, _tempdir=kept)
    except BaseException:
        tempdir.cleanup()
        raise
    if kept is None:
        tempdir.cleanup()
    return result


def report(model, quant: str, *, calibration=None,
           dims: Optional[Mapping[str, int]] = None, **options) -> Report:
    """The quantization report of `quant` on `model` as data (sparq.Report):
    per layer scheme, bytes and SQNRs, totals, and with calibration samples
    the model's output error against fp32. Runs sparqc up to the quantized
    MLIR only (no code generation); takes compile()'s other options."""
    if not quant:
        raise ValueError("report() needs quant=, the recipe or pipeline to "
                         "report on")
    options.setdefault("emit", "mlir")
    result = compile(model, quant=quant, calibration=calibration, dims=dims,
                     report=True, **options)
    return result.report
