"""The C ABI of a compiled model refuses every bad call with an error code
and a message (sparq_last_error), never by crashing: null contexts, indices
out of range, wrong byte counts, null data, running before every input is
bound. Called through ctypes directly, as a C program would."""

import ctypes
import os
import pathlib
import subprocess

import numpy as np
import pytest

BUILD = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR",
                                    pathlib.Path(__file__).parents[2] / "build"))

OK, INVALID_ARGUMENT, MISSING_INPUT = 0, 1, 2

MODEL = """
func.func @scale(%x: tensor<2x3xf32> {sparq.name = "x"},
                 %s: tensor<3xf32> {sparq.name = "s"})
    -> (tensor<2x3xf32> {sparq.name = "y"}) {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("abi")
    (tmp / "scale.mlir").write_text(MODEL)
    result = subprocess.run([str(BUILD / "bin" / "sparqc"), "--quiet",
                             str(tmp / "scale.mlir"), "-o",
                             str(tmp / "scale.so")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lib = ctypes.CDLL(str(tmp / "scale.so"))
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
    lib.sparq_input_info.restype = ctypes.c_void_p
    lib.sparq_output_info.restype = ctypes.c_void_p
    return lib


@pytest.fixture
def ctx(lib):
    handle = lib.sparq_context_create()
    assert handle
    yield handle
    lib.sparq_context_destroy(handle)


def test_null_context(lib):
    x = np.zeros((2, 3), np.float32)
    assert lib.sparq_set_input(None, 0, x.ctypes.data, x.nbytes) == \
        INVALID_ARGUMENT
    assert lib.sparq_run(None) == INVALID_ARGUMENT
    assert lib.sparq_get_output(None, 0, None) is None
    assert lib.sparq_last_error(None) == b"context is NULL"
    lib.sparq_context_destroy(None)


@pytest.mark.parametrize("index", [-1, 2, 2 ** 31 - 1, -2 ** 31])
def test_input_index_out_of_range(lib, ctx, index):
    x = np.zeros((2, 3), np.float32)
    assert lib.sparq_set_input(ctx, index, x.ctypes.data, x.nbytes) == \
        INVALID_ARGUMENT
    assert lib.sparq_last_error(ctx) == (
        f"input index {index} is out of range (the model has 2 inputs)"
        .encode())
    assert lib.sparq_input_info(index) is None
    assert lib.sparq_output_info(index if index != 2 else 1) is None


@pytest.mark.parametrize("nbytes", [0, 23, 25, 2 ** 63, 2 ** 64 - 1])
def test_wrong_byte_count(lib, ctx, nbytes):
    x = np.zeros((2, 3), np.float32)
    assert lib.sparq_set_input(ctx, 0, x.ctypes.data, nbytes) == \
        INVALID_ARGUMENT
    assert lib.sparq_last_error(ctx) == b"input 0 needs 24 bytes"


def test_null_data(lib, ctx):
    assert lib.sparq_set_input(ctx, 1, None, 12) == INVALID_ARGUMENT
    assert lib.sparq_last_error(ctx) == b"input 1: data is NULL"


def test_run_before_inputs_then_recover(lib, ctx):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    s = np.array([1.0, -2.0, 0.5], np.float32)
    assert lib.sparq_run(ctx) == MISSING_INPUT
    assert lib.sparq_last_error(ctx) == b"input 0 was not set"
    assert lib.sparq_set_input(ctx, 0, x.ctypes.data, x.nbytes) == OK
    assert lib.sparq_last_error(ctx) == b""
    assert lib.sparq_run(ctx) == MISSING_INPUT
    assert lib.sparq_last_error(ctx) == b"input 1 was not set"
    assert lib.sparq_set_input(ctx, 1, s.ctypes.data, s.nbytes) == OK
    assert lib.sparq_run(ctx) == OK
    size = ctypes.c_size_t()
    out = lib.sparq_get_output(ctx, 0, ctypes.byref(size))
    assert size.value == 24
    y = np.ctypeslib.as_array(ctypes.cast(out, ctypes.POINTER(ctypes.c_float)),
                              shape=(2, 3))
    np.testing.assert_array_equal(y, x * s)
    assert lib.sparq_get_output(ctx, 1, None) is None
    assert lib.sparq_get_output(ctx, -1, None) is None
