"""Loads a model compiled by `sparqc` (--target=cpu or cuda) through its C ABI
(include/sparq/Runtime/sparq_model.h) with ctypes.

    model = Model("out/model.so")
    outputs = model.run(input_ids=np.array(...))   # dict name -> ndarray
"""

import ctypes

import numpy as np

DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
          11: np.float64, 12: np.uint32, 13: np.uint64}


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("bytes", ctypes.c_size_t)]


class SparqError(RuntimeError):
    pass


class Model:
    def __init__(self, path: str):
        lib = ctypes.CDLL(str(path))
        self._lib = lib
        lib.sparq_input_info.restype = ctypes.POINTER(_TensorInfo)
        lib.sparq_output_info.restype = ctypes.POINTER(_TensorInfo)
        lib.sparq_context_create.restype = ctypes.c_void_p
        lib.sparq_context_destroy.argtypes = [ctypes.c_void_p]
        lib.sparq_set_input.argtypes = [ctypes.c_void_p, ctypes.c_int32,
                                        ctypes.c_void_p, ctypes.c_size_t]
        lib.sparq_run.argtypes = [ctypes.c_void_p]
        lib.sparq_get_output.argtypes = [ctypes.c_void_p, ctypes.c_int32,
                                         ctypes.POINTER(ctypes.c_size_t)]
        lib.sparq_get_output.restype = ctypes.c_void_p
        lib.sparq_last_error.argtypes = [ctypes.c_void_p]
        lib.sparq_last_error.restype = ctypes.c_char_p
        # Libraries from before sparq_target existed are CPU libraries.
        if hasattr(lib, "sparq_target"):
            lib.sparq_target.restype = ctypes.c_char_p
            self.target = lib.sparq_target().decode()
        else:
            self.target = "cpu"
        self.inputs = [self._describe(lib.sparq_input_info(i))
                       for i in range(lib.sparq_num_inputs())]
        self.outputs = [self._describe(lib.sparq_output_info(i))
                        for i in range(lib.sparq_num_outputs())]

    @staticmethod
    def _describe(info):
        info = info.contents
        return (info.name.decode(), DTYPES[info.dtype],
                tuple(info.shape[d] for d in range(info.rank)), info.bytes)

    def context(self):
        return Context(self)

    def run(self, **inputs):
        with self.context() as context:
            return context.run(**inputs)


class Context:
    """One set of output buffers; contexts may run concurrently."""

    def __init__(self, model: Model):
        self._model = model
        self._lib = model._lib
        self._handle = self._lib.sparq_context_create()
        if not self._handle:
            raise MemoryError("sparq_context_create failed")
        # A GPU library whose device cannot be set up still returns a
        # context, with the reason as its last error.
        error = self._lib.sparq_last_error(self._handle)
        if error:
            message = error.decode()
            self.close()
            raise SparqError(message)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._handle:
            self._lib.sparq_context_destroy(self._handle)
            self._handle = None

    def _check(self, status):
        if status != 0:
            raise SparqError(self._lib.sparq_last_error(self._handle).decode())

    def run(self, **inputs):
        keep = []
        for index, (name, dtype, shape, nbytes) in enumerate(self._model.inputs):
            if name not in inputs:
                raise SparqError(f"missing input '{name}'")
            array = np.ascontiguousarray(inputs[name])
            if array.dtype != dtype or array.shape != shape:
                raise SparqError(f"input '{name}' must be {np.dtype(dtype)} "
                                 f"{list(shape)}, got {array.dtype} "
                                 f"{list(array.shape)}")
            keep.append(array)
            self._check(self._lib.sparq_set_input(
                self._handle, index, array.ctypes.data, array.nbytes))
        self._check(self._lib.sparq_run(self._handle))
        results = {}
        for index, (name, dtype, shape, nbytes) in enumerate(self._model.outputs):
            pointer = self._lib.sparq_get_output(self._handle, index, None)
            buffer = (ctypes.c_char * nbytes).from_address(pointer)
            results[name] = np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()
        return results
