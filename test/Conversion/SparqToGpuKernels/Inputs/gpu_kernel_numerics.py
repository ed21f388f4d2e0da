"""Numerics of sparq's generated CUDA kernels against a NumPy reference.

For each case (a kernel family and variant), writes a function with one
sparq.qmatmul, sparq.lut_matmul or sparq.int_matmul (W8A8) on random data, compiles it with sparq-opt
(convert-sparq-to-gpu-kernels, one-shot-bufferize,
generate-sparq-gpu-kernels, sparq-gpu-module-to-binary{format=bin}), takes
the cubin and the launch configuration from the output, and, unless
--compile-only, runs the kernel through the CUDA driver API (ctypes on
libcuda.so.1) and compares y with the reference computed here from the
dialect's definitions (sparq.reference for packing and dequantization).

Kernels take memref descriptors: for each buffer, the allocated and aligned
pointers, the offset, the sizes and the strides.
"""

import argparse
import ctypes
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np

from sparq import reference

# name, op, bits, signed, m, n, k, group, zero points, bias, outliers,
# activation, residual[, gated]. N and K are picked so that the last block
# of rows, a ragged chunk loop or clamped GEMM tiles are exercised. A gated
# case has 2N weight rows (gate, then up) and N outputs.
CASES = [
    ("gemv_s4_g128_bias", "qmatmul", 4, True, 1, 203, 512, 128, False, True, False, None, False),
    ("gemv_s4_g32_unrolled_ragged", "qmatmul", 4, True, 1, 37, 2560, 32, False, False, True, "gelu_tanh", False),
    ("gemv_u4_g64_zp_m3", "qmatmul", 4, False, 3, 64, 384, 64, True, False, False, None, False),
    ("gemv_s8_channel_silu_res", "qmatmul", 8, True, 2, 131, 1024, 1024, False, False, False, "silu", True),
    ("gemv_u8_g32_zp_csr", "qmatmul", 8, False, 8, 72, 256, 32, True, True, True, None, False),
    ("gemv_lut3_csr", "lut", 3, False, 1, 100, 640, 0, False, False, True, None, False),
    ("gemv_lut4_bias_csr_gelu", "lut", 4, False, 4, 64, 288, 0, False, True, True, "gelu", False),
    # Split-K (small N, long K, no activation): 2 or more grid rows add
    # their parts of K into y with atomics after a zero-fill launch.
    ("gemv_s4_g128_split_k_bias_res", "qmatmul", 4, True, 1, 45, 8192, 128, False, True, False, None, True),
    ("gemv_u8_g64_zp_split_k_m2", "qmatmul", 8, False, 2, 70, 4096, 64, True, False, False, None, False),
    ("gemv_lut3_split_k_csr", "lut", 3, False, 1, 30, 12288, 0, False, False, True, None, False),
    ("gemv_lut4_split_k_bias_n33", "lut", 4, False, 1, 33, 3072, 0, False, True, False, None, False),
    ("gemm_s4_g128", "qmatmul", 4, True, 40, 200, 256, 128, False, True, False, None, False),
    ("gemm_u4_g32_zp_csr_relu", "qmatmul", 4, False, 16, 136, 384, 32, True, False, True, "relu", True),
    ("gemm_s8_channel", "qmatmul", 8, True, 33, 72, 192, 192, False, False, False, None, False),
    ("gemm_lut4_csr", "lut", 4, False, 20, 129, 128, 0, False, True, True, None, False),
    # Gated GEMVs: each warp pairs gate row j with up row N + j.
    ("gemv_s4_g128_gated_silu_bias", "qmatmul", 4, True, 1, 203, 512, 128, False, True, False, "silu", False, True),
    ("gemv_u8_g64_zp_gated_gelu_res_m3", "qmatmul", 8, False, 3, 70, 256, 64, True, False, False, "gelu", True, True),
    ("gemv_lut3_gated_silu_csr_m2", "lut", 3, False, 2, 45, 640, 0, False, False, True, "silu", False, True),
]

# W8A8 sparq.int_matmul: name, m, n, k, input scales (None: an i32 result,
# "tensor" or "token"), weight scales ("tensor" or "channel"), bias, the
# float result type. The accumulation is exact; only the f32 rescale (and
# the rounding to f16) rounds.
INT8_CASES = [
    ("gemv_w8a8_token_channel_bias", 3, 77, 1040, "token", "channel", True, "f32"),
    ("gemv_w8a8_tensor_m1", 1, 203, 512, "tensor", "tensor", False, "f32"),
    ("gemv_w8a8_i32", 2, 50, 256, None, None, False, None),
    # Split-K: rescaled parts (bias from split 0) and exact i32 parts are
    # added into y with atomics.
    ("gemv_w8a8_split_k_token_channel_bias", 2, 40, 4096, "token", "channel", True, "f32"),
    ("gemv_w8a8_split_k_i32", 1, 20, 2048, None, None, False, None),
    ("gemm_w8a8_tensor", 40, 200, 256, "tensor", "tensor", False, "f32"),
    ("gemm_w8a8_token_channel_bias", 33, 72, 192, "token", "channel", True, "f32"),
    ("gemm_w8a8_i32", 20, 129, 128, None, None, False, None),
    ("gemm_w8a8_f16_result", 24, 64, 320, "token", "channel", True, "f16"),
]


def tensor_type(shape, element):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + element + ">"


def make_case(case, rng):
    (name, op, bits, signed, m, columns, k, group, has_zp, has_bias, has_csr,
     activation, has_res) = case[:13]
    gated = case[13] if len(case) > 13 else False
    # Weight rows: 2 * columns when gated (gate rows, then up rows).
    n = 2 * columns if gated else columns
    data = {"x": rng.standard_normal((m, k)).astype(np.float32)}
    if op == "qmatmul":
        qmin, qmax = reference.storage_range(bits, signed)
        q = rng.integers(qmin, qmax + 1, size=(n, k))
        data["weights"] = reference.pack_rows(q, bits).view(np.int8)
        data["params"] = (rng.random((n, k // group)) * 0.05 + 0.01).astype(np.float32)
        zeros = np.zeros((n, k // group), dtype=np.int64)
        if has_zp:
            zeros = rng.integers(0, qmax + 1, size=(n, k // group))
            data["zero_points"] = zeros.astype(np.uint8).view(np.int8)
        w = reference.dequantize(q, data["params"], zeros).astype(np.float64)
    else:
        codes = rng.integers(0, 1 << bits, size=(n, k))
        data["weights"] = reference.pack_rows(codes, bits).view(np.int8)
        data["params"] = rng.standard_normal((n, 1 << bits)).astype(np.float32)
        w = np.take_along_axis(data["params"].astype(np.float64), codes, axis=1)
    if has_bias:
        data["bias"] = rng.standard_normal(n).astype(np.float32)
    dense_outliers = np.zeros((n, k))
    if has_csr:
        counts = rng.integers(0, 4, size=n)
        row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        col_ind = np.concatenate(
            [np.sort(rng.choice(k, size=c, replace=False)) for c in counts]
        ).astype(np.int32)
        values = rng.standard_normal(len(col_ind)).astype(np.float32)
        for r in range(n):
            for i in range(row_ptr[r], row_ptr[r + 1]):
                dense_outliers[r, col_ind[i]] += values[i]
        data["row_ptr"], data["col_ind"], data["values"] = row_ptr, col_ind, values
    if has_res:
        data["residual"] = rng.standard_normal((m, columns)).astype(np.float32)

    y = data["x"].astype(np.float64) @ (w + dense_outliers).T
    if has_bias:
        y = y + data["bias"]
    up = None
    if gated:
        y, up = y[:, :columns], y[:, columns:]
    if activation == "relu":
        y = np.maximum(y, 0)
    elif activation == "silu":
        y = y / (1 + np.exp(-y))
    elif activation == "gelu_tanh":
        y = 0.5 * y * (1 + np.tanh(np.sqrt(2 / np.pi) * (y + 0.044715 * y**3)))
    elif activation == "gelu":
        from math import erf
        y = 0.5 * y * (1 + np.vectorize(erf)(y / np.sqrt(2)))
    if gated:
        y = y * up
    if has_res:
        y = y + data["residual"]
    return data, y


MLIR_TYPES = {np.float32: "f32", np.int8: "i8", np.int32: "i32"}


def make_int8_case(case, rng):
    name, m, n, k, input_scales, weight_scales, has_bias, _ = case
    data = {"x": rng.integers(-128, 128, size=(m, k)).astype(np.int8),
            "weights": rng.integers(-127, 128, size=(n, k)).astype(np.int8)}
    acc = data["x"].astype(np.int64) @ data["weights"].astype(np.int64).T
    if input_scales is None:
        return data, acc
    rows = m if input_scales == "token" else 1
    channels = n if weight_scales == "channel" else 1
    data["input_scales"] = (rng.random((rows, 1)) * 0.02 + 0.001).astype(np.float32)
    data["weight_scales"] = (rng.random((channels, 1)) * 0.02 + 0.001).astype(np.float32)
    y = acc.astype(np.float64) * data["input_scales"] * data["weight_scales"].T
    if has_bias:
        data["bias"] = rng.standard_normal(n).astype(np.float32)
        y = y + data["bias"]
    return data, y


def int8_case_mlir(case, data):
    name, m, n, k, input_scales, weight_scales, has_bias, result_type = case
    names = [key for key in ["x", "weights", "input_scales", "weight_scales",
                             "bias"] if key in data]
    types = [tensor_type(data[key].shape, MLIR_TYPES[data[key].dtype.type])
             for key in names]
    args = ", ".join(f"%{key}: {t}" for key, t in zip(names, types))
    result = tensor_type((m, n), result_type or "i32")
    parts = ["%x, %weights"]
    if input_scales:
        parts.append("scales(%input_scales, %weight_scales)")
    if has_bias:
        parts.append("bias(%bias)")
    return (f"func.func @{name}({args}) -> {result} {{\n"
            f"  %y = sparq.int_matmul {' '.join(parts)}\n"
            f"      : ({', '.join(types)}) -> {result}\n"
            f"  return %y : {result}\n}}\n"), names


def all_cases(rng):
    """(case, data, reference y, MLIR source, argument names) of every case,
    in order; the data of each case depends only on the ones before it."""
    for case in CASES:
        data, y = make_case(case, rng)
        yield (case[0], case[4], case[5], data, y) + case_mlir(case, data)
    for case in INT8_CASES:
        data, y = make_int8_case(case, rng)
        yield (case[0], case[1], case[2], data, y) + int8_case_mlir(case, data)


def case_mlir(case, data):
    (name, op, bits, signed, m, n, k, group, has_zp, has_bias, has_csr,
     activation, has_res) = case[:13]
    gated = case[13] if len(case) > 13 else False
    order = ["x", "weights", "params", "zero_points", "bias", "row_ptr",
             "col_ind", "values", "residual"]
    names = [key for key in order if key in data]
    types = [tensor_type(data[key].shape, MLIR_TYPES[data[key].dtype.type])
             for key in names]
    args = ", ".join(f"%{key}: {t}" for key, t in zip(names, types))
    result = tensor_type((m, n), "f32")
    parts = [f"%x, %weights, %params"]
    if has_zp:
        parts.append("zero_points(%zero_points)")
    if has_bias:
        parts.append("bias(%bias)")
    if has_csr:
        parts.append("outliers(%row_ptr, %col_ind, %values)")
    if op == "qmatmul":
        parts.append(f"storage({'s' if signed else 'u'}i{bits})")
    else:
        parts.append(f"bits({bits})")
    if activation:
        parts.append(f"activation({activation})")
    if gated:
        parts.append("gated")
    if has_res:
        parts.append("residual(%residual)")
    opname = "sparq.qmatmul" if op == "qmatmul" else "sparq.lut_matmul"
    return (f"func.func @{name}({args}) -> {result} {{\n"
            f"  %y = {opname} {' '.join(parts)}\n"
            f"      : ({', '.join(types)}) -> {result}\n"
            f"  return %y : {result}\n}}\n"), names


def unescape_mlir_string(text):
    """MLIR prints bytes that are not printable as \\XX (hex) and a
    backslash or quote as \\\\ or \\"."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] != "\\":
            out += text[i].encode("latin-1")
            i += 1
        elif text[i + 1] in "\\\"":
            out += text[i + 1].encode("latin-1")
            i += 2
        else:
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
    return bytes(out)


def compile_case(sparq_opt, source, arch, workdir, name):
    path = os.path.join(workdir, name + ".mlir")
    with open(path, "w") as f:
        f.write(source)
    pipeline = [
        f"--convert-sparq-to-gpu-kernels=gpu-arch={arch}",
        "--one-shot-bufferize=bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map",
        "--generate-sparq-gpu-kernels",
        "--sparq-gpu-module-to-binary=format=bin",
    ]
    out = subprocess.run([sparq_opt, path] + pipeline, capture_output=True,
                         text=True, check=True).stdout
    # In launcher order: a split-K GEMV's launcher zero-fills y first.
    launches = list(re.finditer(
        r"gpu\.launch_func\s+@\w+::@(\w+)\s+blocks in \((%\w+), "
        r"(%\w+), (%\w+)\) threads in \((%\w+), (%\w+), (%\w+)\)", out))
    if not launches:
        raise RuntimeError(f"{name}: no gpu.launch_func in the output")
    constants = dict(re.findall(r"(%\w+) = arith\.constant (\d+) : index", out))
    binary = re.search(r'bin = "((?:[^"\\]|\\.)*)"', out, re.S)
    if not binary:
        raise RuntimeError(f"{name}: no cubin in the output")
    cubin = unescape_mlir_string(binary.group(1))
    # An ELF file whose headers account for every byte: a wrong unescaping
    # would shift them.
    if not cubin.startswith(b"\x7fELF\x02"):
        raise RuntimeError(f"{name}: the binary is not a 64-bit ELF cubin")
    phoff, shoff = struct.unpack_from("<QQ", cubin, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", cubin, 0x36)
    if len(cubin) != max(phoff + phnum * phentsize, shoff + shnum * shentsize):
        raise RuntimeError(f"{name}: the cubin's size does not match its headers")
    result = []
    for launch in launches:
        dims = [int(constants[v]) for v in launch.groups()[1:]]
        result.append((launch.group(1), dims[:3], dims[3:]))
    return result, cubin


class Cuda:
    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")
        self.check(self.lib.cuInit(0), "cuInit")
        device = ctypes.c_int()
        self.check(self.lib.cuDeviceGet(ctypes.byref(device), 0), "cuDeviceGet")
        self.context = ctypes.c_void_p()
        self.check(self.lib.cuDevicePrimaryCtxRetain(ctypes.byref(self.context),
                                                     device), "cuDevicePrimaryCtxRetain")
        self.check(self.lib.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        major, minor = ctypes.c_int(), ctypes.c_int()
        # CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR
        self.check(self.lib.cuDeviceGetAttribute(ctypes.byref(major), 75, device), "cuDeviceGetAttribute")
        self.check(self.lib.cuDeviceGetAttribute(ctypes.byref(minor), 76, device), "cuDeviceGetAttribute")
        self.capability = major.value * 10 + minor.value

    def check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what} failed with CUDA error {status}")

    def upload(self, array):
        array = np.ascontiguousarray(array)
        pointer = ctypes.c_uint64()
        self.check(self.lib.cuMemAlloc_v2(ctypes.byref(pointer),
                                          ctypes.c_size_t(max(array.nbytes, 1))),
                   "cuMemAlloc")
        self.check(self.lib.cuMemcpyHtoD_v2(pointer, array.ctypes.data_as(ctypes.c_void_p),
                                            ctypes.c_size_t(array.nbytes)), "cuMemcpyHtoD")
        return pointer

    def run(self, cubin, launches, buffers):
        """Runs `launches` ((kernel, grid, block), in order) on the
        buffers; a zero-fill kernel takes y (the last buffer) alone."""
        module = ctypes.c_void_p()
        self.check(self.lib.cuModuleLoadData(ctypes.byref(module), cubin), "cuModuleLoadData")
        pointers = [self.upload(array) for array in buffers]

        def descriptor(array, pointer):
            fields = [ctypes.c_uint64(pointer.value), ctypes.c_uint64(pointer.value),
                      ctypes.c_int64(0)]
            fields += [ctypes.c_int64(d) for d in array.shape]
            strides = np.cumprod((list(array.shape[1:]) + [1])[::-1])[::-1]
            fields += [ctypes.c_int64(int(s)) for s in strides]
            return fields

        for kernel, grid, block in launches:
            function = ctypes.c_void_p()
            self.check(self.lib.cuModuleGetFunction(ctypes.byref(function), module,
                                                    kernel.encode()), "cuModuleGetFunction")
            arguments = (list(zip(buffers, pointers))[-1:]
                         if kernel.endswith("_zero_fill") else zip(buffers, pointers))
            params = [field for array, pointer in arguments
                      for field in descriptor(array, pointer)]
            param_pointers = (ctypes.c_void_p * len(params))(
                *[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in params])
            self.check(self.lib.cuLaunchKernel(function, *[ctypes.c_uint(v) for v in grid],
                                               *[ctypes.c_uint(v) for v in block],
                                               ctypes.c_uint(0), None, param_pointers, None),
                       "cuLaunchKernel")
        self.check(self.lib.cuCtxSynchronize(), "cuCtxSynchronize")
        y = np.empty_like(buffers[-1])
        self.check(self.lib.cuMemcpyDtoH_v2(y.ctypes.data_as(ctypes.c_void_p), pointers[-1],
                                            ctypes.c_size_t(y.nbytes)), "cuMemcpyDtoH")
        for pointer in pointers:
            self.lib.cuMemFree_v2(pointer)
        self.lib.cuModuleUnload(module)
        return y


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sparq-opt")
    parser.add_argument("--arch", help="sm_XX[a]; default: the GPU's")
    parser.add_argument("--compile-only", action="store_true",
                        help="compile every case and check the cubins, "
                             "without a GPU")
    parser.add_argument("--write-cases", metavar="FILE",
                        help="only write every case's function into one "
                             "MLIR module")
    args = parser.parse_args()
    if args.write_cases:
        rng = np.random.default_rng(8)
        with open(args.write_cases, "w") as f:
            for case in all_cases(rng):
                f.write(case[5] + "\n")
        return 0
    if not args.sparq_opt:
        parser.error("--sparq-opt is required")
    cuda = None if args.compile_only else Cuda()
    arch = args.arch
    if not arch:
        if cuda is None:
            parser.error("--compile-only needs --arch")
        arch = f"sm_{cuda.capability}" + ("a" if cuda.capability == 90 else "")
    rng = np.random.default_rng(8)
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        for name, m, n, data, expected, source, names in all_cases(rng):
            launches, cubin = compile_case(args.sparq_opt, source, arch,
                                           workdir, name)
            if cuda is None:
                # The matmul kernel (last), then any zero fill before it.
                kernel, grid, block = launches[-1]
                print(f"COMPILED {name}: {kernel} grid {grid} block {block}, "
                      f"{len(cubin)} bytes of cubin")
                for kernel, grid, block in launches[:-1]:
                    print(f"  BEFORE IT: {kernel} grid {grid} block {block}")
                continue
            is_i32 = expected.dtype == np.int64
            is_f16 = "f16_result" in name
            # NaN (float) or garbage (i32) in y: every element must be
            # written, or zeroed first where split-K adds into it.
            out = (np.full((m, n), 0x7eadbeef, np.int32) if is_i32 else
                   np.full((m, n), np.nan, np.float16 if is_f16 else np.float32))
            buffers = [data[key] for key in names] + [out]
            y = cuda.run(cubin, launches, buffers).astype(
                np.float64 if not is_i32 else np.int64)
            # GEMV kernels compute in f32; GEMM kernels round activations
            # and dequantized weights to f16. W8A8 kernels accumulate
            # exactly: an i32 result must match, a rescaled one rounds
            # twice in f32.
            if is_i32:
                tolerance = 0.0
            elif is_f16:
                tolerance = 1e-3
            elif "w8a8" in name:
                tolerance = 1e-5
            else:
                tolerance = 1e-4 if name.startswith("gemv") else 1e-2
            error = np.abs(y - expected).max() / max(np.abs(expected).max(), 1e-6)
            status = "PASS" if error <= tolerance else "FAIL"
            failures += status == "FAIL"
            print(f"{status} {name}: max |y - ref| / max |ref| = {error:.2e} "
                  f"(tolerance {tolerance:.0e})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
