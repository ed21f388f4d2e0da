"""Loads a model compiled by `sparqc` (--target=cpu or cuda) through its C ABI
(include/sparq/Runtime/sparq_model.h) with ctypes.

    model = sparq.load("out/model.so")
    outputs = model.run(input_ids=ids)     # dict name -> ndarray (copies)
    outputs = model(ids)                   # the same, inputs in order

Inputs are bound zero-copy: an array that is C-contiguous, aligned and of the
input's dtype is handed to the library as it is (the library only reads it);
anything else that NumPy can turn into the right array without changing a
value (a list, a scalar, a strided view) is converted first. A wrong name,
shape or dtype raises `InputError` naming the input, what it must be and what
it got; values are never cast silently.

`Model.run` returns copies, safe to keep. `Context.run_views` returns
read-only views of the context's own output buffers (no copy): that
context's next run overwrites them, and they keep the buffers alive (the C
context is destroyed only when the Context is closed or dropped and no view
is left).
"""

import collections
import ctypes
import os
import threading

import numpy as np

ABI_VERSION = 1

# ONNX TensorProto.DataType codes (sparq_dtype) to NumPy. NumPy has no
# bfloat16: such tensors are exchanged as their raw uint16 bits.
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
          11: np.float64, 12: np.uint32, 13: np.uint64, 16: np.uint16}


class SparqError(RuntimeError):
    """A model could not be loaded or run."""


class InputError(SparqError, ValueError):
    """Inputs that do not match the model: a missing or unknown name, or a
    wrong shape or dtype."""


class TensorInfo(collections.namedtuple("TensorInfo",
                                        "name dtype shape nbytes")):
    """An input or output: its name, NumPy dtype, shape and size in bytes
    (it compares equal to the plain tuple (name, dtype, shape, nbytes))."""

    def __str__(self):
        return f"{self.name}: {_describe(self.dtype, self.shape)}"


def _describe(dtype, shape):
    return f"{np.dtype(dtype)} {list(shape)}"


class _CTensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("bytes", ctypes.c_size_t)]


def _declare(lib):
    """The C ABI's signatures; a library lacking one is not a sparq model."""
    signatures = {
        "sparq_abi_version": ([], ctypes.c_int32),
        "sparq_num_inputs": ([], ctypes.c_int32),
        "sparq_num_outputs": ([], ctypes.c_int32),
        "sparq_input_info": ([ctypes.c_int32], ctypes.POINTER(_CTensorInfo)),
        "sparq_output_info": ([ctypes.c_int32], ctypes.POINTER(_CTensorInfo)),
        "sparq_context_create": ([], ctypes.c_void_p),
        "sparq_context_destroy": ([ctypes.c_void_p], None),
        "sparq_set_input": ([ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p,
                             ctypes.c_size_t], ctypes.c_int),
        "sparq_run": ([ctypes.c_void_p], ctypes.c_int),
        "sparq_get_output": ([ctypes.c_void_p, ctypes.c_int32,
                              ctypes.POINTER(ctypes.c_size_t)],
                             ctypes.c_void_p),
        "sparq_last_error": ([ctypes.c_void_p], ctypes.c_char_p),
    }
    for name, (argtypes, restype) in signatures.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            return name
        function.argtypes = argtypes
        function.restype = restype
    return None


class Model:
    """A compiled model: a shared library with the sparq C ABI.

    `inputs` / `outputs` (also `inputs_info` / `outputs_info`) list
    `TensorInfo(name, dtype, shape, nbytes)` in the model's order."""

    def __init__(self, path, *, _keep_alive=None):
        self.path = os.fspath(path)
        if not os.path.isfile(self.path):
            raise SparqError(f"cannot load model '{self.path}': no such file")
        try:
            lib = ctypes.CDLL(os.path.abspath(self.path))
        except OSError as error:
            raise SparqError(f"cannot load model '{self.path}': {error}") \
                from None
        missing = _declare(lib)
        if missing:
            raise SparqError(f"'{self.path}' is not a sparq model: it does "
                             f"not export {missing} (see sparq_model.h)")
        version = lib.sparq_abi_version()
        if version != ABI_VERSION:
            raise SparqError(f"'{self.path}' has sparq ABI version {version}; "
                             f"this runtime reads version {ABI_VERSION}")
        self._lib = lib
        # "cpu" or "cuda"; libraries from before sparq_target existed are CPU
        # libraries.
        if hasattr(lib, "sparq_target"):
            lib.sparq_target.argtypes = []
            lib.sparq_target.restype = ctypes.c_char_p
            self.target = lib.sparq_target().decode()
        else:
            self.target = "cpu"
        # E.g. the temporary directory sparq.compile wrote the library to.
        self._keep_alive = _keep_alive
        self.inputs = [_info(lib.sparq_input_info(i))
                       for i in range(lib.sparq_num_inputs())]
        self.outputs = [_info(lib.sparq_output_info(i))
                        for i in range(lib.sparq_num_outputs())]
        self._input_index = {info.name: i for i, info in enumerate(self.inputs)}
        self._thread_contexts = threading.local()

    @property
    def inputs_info(self):
        return list(self.inputs)

    @property
    def outputs_info(self):
        return list(self.outputs)

    def __repr__(self):
        inputs = ", ".join(map(str, self.inputs))
        outputs = ", ".join(map(str, self.outputs))
        return f"<sparq.Model {self.path!r} ({inputs}) -> ({outputs})>"

    def context(self):
        """A new context: its own output buffers and bound inputs."""
        return Context(self)

    def run(self, inputs=None, /, **named):
        """Runs the model: inputs by name (keywords, or a dict for names that
        are not Python identifiers). Returns {output name: array}, copies
        the caller owns. Thread-safe: each thread runs its own context."""
        context = getattr(self._thread_contexts, "context", None)
        if context is None:
            context = self._thread_contexts.context = Context(self)
        try:
            return context.run(inputs, **named)
        finally:
            # The cached context must not keep the caller's arrays alive.
            context._unbind()

    def __call__(self, *arrays, **named):
        """`run`, with inputs given in the model's input order or by name."""
        if len(arrays) > len(self.inputs):
            raise InputError(f"the model takes {len(self.inputs)} inputs, "
                             f"got {len(arrays)} positional arrays")
        feed = {}
        for info, array in zip(self.inputs, arrays):
            feed[info.name] = array
        for name, array in named.items():
            if name in feed:
                raise InputError(f"input '{name}' given twice (by position "
                                 "and by name)")
            feed[name] = array
        return self.run(feed)

    def _check_inputs(self, feed):
        return _check_inputs(self.inputs, self._input_index, feed)


def _check_inputs(inputs, index, feed):
    """The arrays to bind, in input order, or InputError."""
    unknown = [name for name in feed if name not in index]
    if unknown:
        raise InputError(
            f"the model has no input named '{unknown[0]}'; its inputs "
            f"are: {', '.join(map(str, inputs))}")
    missing = [info for info in inputs if info.name not in feed]
    if missing:
        info = missing[0]
        raise InputError(f"missing input '{info.name}' "
                         f"({_describe(info.dtype, info.shape)})")
    return [_as_input(info, feed[info.name]) for info in inputs]


def _info(pointer):
    if not pointer:
        raise SparqError("the model's tensor table is inconsistent")
    info = pointer.contents
    code = info.dtype
    if code not in DTYPES:
        raise SparqError(f"tensor '{info.name.decode()}' has element type "
                         f"{code}, which this runtime does not know")
    return TensorInfo(info.name.decode(), np.dtype(DTYPES[code]),
                      tuple(info.shape[d] for d in range(info.rank)),
                      info.bytes)


def _as_input(info, value):
    """`value` as an array the library may read in place, or InputError."""
    if isinstance(value, np.ndarray):
        if value.dtype != info.dtype or value.shape != info.shape:
            raise InputError(f"input '{info.name}' must be "
                             f"{_describe(info.dtype, info.shape)}, got "
                             f"{_describe(value.dtype, value.shape)}")
        array = value
    else:
        # Lists and scalars: converted to the input's dtype, but a value
        # that would change on the way is an error, not a silent cast.
        try:
            loose = np.asarray(value)
            array = np.asarray(value, dtype=info.dtype)
        except (TypeError, ValueError) as error:
            raise InputError(f"input '{info.name}' must be "
                             f"{_describe(info.dtype, info.shape)}: "
                             f"{error}") from None
        if array.shape != info.shape:
            raise InputError(f"input '{info.name}' must be "
                             f"{_describe(info.dtype, info.shape)}, got "
                             f"shape {list(array.shape)}")
        if loose.dtype != array.dtype and not np.array_equal(loose, array):
            raise InputError(f"input '{info.name}' must be "
                             f"{_describe(info.dtype, info.shape)}; its "
                             f"values do not fit {info.dtype}")
    if (not array.flags.c_contiguous or
            array.ctypes.data % max(array.dtype.alignment, 1)):
        array = np.ascontiguousarray(array).copy()
    return array


class _ContextHandle:
    """Owns a sparq_context: destroyed when the Context and every output
    view of it are gone, so a view never outlives its memory."""

    def __init__(self, lib):
        self.lib = lib
        self.pointer = lib.sparq_context_create()
        if not self.pointer:
            raise MemoryError("sparq_context_create failed")
        # A GPU library whose device cannot be set up still returns a
        # context, with the reason as its last error.
        error = lib.sparq_last_error(self.pointer)
        if error:
            lib.sparq_context_destroy(self.pointer)
            self.pointer = None
            raise SparqError(error.decode())

    def __del__(self):
        if self.pointer:
            self.lib.sparq_context_destroy(self.pointer)
            self.pointer = None


class Context:
    """One set of output buffers and bound inputs. Separate contexts may run
    concurrently from different threads; one context must not."""

    def __init__(self, model: Model):
        # Not the Model itself: Model.run caches contexts, and a cycle would
        # keep the library (and its temporary directory) until the next GC.
        self._lib = model._lib
        self._inputs = model.inputs
        self._outputs = model.outputs
        self._input_index = model._input_index
        self._keep_alive = model._keep_alive
        self._owner = _ContextHandle(self._lib)
        self._handle = self._owner.pointer
        # The arrays bound to the inputs: the library reads them on every run
        # until they are bound again, so they must outlive that.
        self._bound = [None] * len(self._inputs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Ends the context. Its buffers are freed once no view returned by
        run_views refers to them any more."""
        self._owner = None
        self._handle = None
        self._bound = []

    def _unbind(self):
        """Forgets the bound arrays: the next run binds its inputs again."""
        self._bound = [None] * len(self._inputs)

    def _check(self, status):
        if status != 0:
            raise SparqError(self._lib.sparq_last_error(self._handle).decode())

    def _run(self, feed):
        if not self._handle:
            raise SparqError("the context is closed")
        arrays = _check_inputs(self._inputs, self._input_index, feed)
        for index, array in enumerate(arrays):
            if self._bound[index] is not array:
                self._check(self._lib.sparq_set_input(
                    self._handle, index, array.ctypes.data, array.nbytes))
                self._bound[index] = array
        self._check(self._lib.sparq_run(self._handle))

    def _output_views(self):
        results = {}
        for index, info in enumerate(self._outputs):
            size = ctypes.c_size_t()
            pointer = self._lib.sparq_get_output(self._handle, index,
                                                 ctypes.byref(size))
            if info.nbytes == 0:
                results[info.name] = np.empty(info.shape, info.dtype)
                continue
            if not pointer or size.value != info.nbytes:
                raise SparqError(f"output '{info.name}' is missing")
            buffer = (ctypes.c_char * info.nbytes).from_address(pointer)
            # The view's base is `buffer`, which holds the context's memory.
            buffer._sparq_owner = self._owner
            view = np.frombuffer(buffer, dtype=info.dtype).reshape(info.shape)
            view.flags.writeable = False
            results[info.name] = view
        return results

    def run(self, inputs=None, /, **named):
        """Runs on the inputs (by keyword, or a dict); returns copies."""
        self._run(_merge(inputs, named))
        return {name: np.array(view)
                for name, view in self._output_views().items()}

    def run_views(self, inputs=None, /, **named):
        """Runs without copying the outputs: read-only views of this
        context's buffers. The next run of this context overwrites them;
        they keep the buffers alive after close()."""
        self._run(_merge(inputs, named))
        return self._output_views()


def _merge(inputs, named):
    feed = dict(inputs or {})
    for name, value in named.items():
        if name in feed:
            raise InputError(f"input '{name}' given twice")
        feed[name] = value
    return feed


def load(path) -> Model:
    """Loads a model library written by `sparqc` / `sparq.compile`."""
    return Model(path)
