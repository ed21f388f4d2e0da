"""NumPy reference of sparq's packed storage and uniform quantization.

Written from the dialect's documented definitions, independently of the C++
reference library, so that each checks the other.
"""

import numpy as np


def packed_row_bytes(k: int, bits: int) -> int:
    return (k * bits + 7) // 8


def pack_rows(values: np.ndarray, bits: int) -> np.ndarray:
    """Packs the last axis of an integer array: element j of a row occupies
    bits [j*bits, j*bits + bits) of the row's little-endian bitstream."""
    values = np.asarray(values, dtype=np.int64)
    k = values.shape[-1]
    rows = values.reshape(-1, k) & ((1 << bits) - 1)
    # Bitstream of each row, least significant bit of each element first.
    bitstream = ((rows[:, :, None] >> np.arange(bits)) & 1).reshape(len(rows), -1)
    padded = np.zeros((len(rows), packed_row_bytes(k, bits) * 8), dtype=np.uint8)
    padded[:, : k * bits] = bitstream
    packed = np.packbits(padded.reshape(len(rows), -1, 8), axis=-1,
                         bitorder="little")
    return packed.reshape(values.shape[:-1] + (packed_row_bytes(k, bits),))


def unpack_rows(packed: np.ndarray, k: int, bits: int, signed: bool) -> np.ndarray:
    """Inverse of pack_rows for rows of k elements."""
    packed = np.asarray(packed, dtype=np.uint8)
    rows = packed.reshape(-1, packed.shape[-1])
    bitstream = np.unpackbits(rows, axis=-1, bitorder="little")[:, : k * bits]
    weights = 1 << np.arange(bits, dtype=np.int64)
    values = (bitstream.reshape(len(rows), k, bits) * weights).sum(-1)
    if signed:
        values = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
    return values.reshape(packed.shape[:-1] + (k,))


def storage_range(bits: int, signed: bool):
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def rtn_params(w: np.ndarray, bits: int, symmetric: bool, group_size: int = 0):
    """Round-to-nearest scales and zero points of a [rows, cols] matrix, per
    row (group_size 0) or per group of group_size columns; [rows, cols / G]."""
    rows, cols = w.shape
    g = cols if group_size == 0 else group_size
    if cols % g:
        raise ValueError(f"group size {g} does not divide {cols}")
    blocks = w.reshape(rows, cols // g, g).astype(np.float32)
    if symmetric:
        qmax = (1 << (bits - 1)) - 1
        scales = np.abs(blocks).max(-1) / np.float32(qmax)
        zeros = np.zeros_like(scales, dtype=np.int32)
        scales[scales == 0] = 1
    else:
        lo = np.minimum(blocks.min(-1), 0)
        hi = np.maximum(blocks.max(-1), 0)
        scales = (hi - lo) / np.float32((1 << bits) - 1)
        zero_range = scales == 0
        scales[zero_range] = 1
        zeros = np.clip(np.rint(-lo / scales), 0, (1 << bits) - 1).astype(np.int32)
        zeros[zero_range] = 0
    return scales.astype(np.float32), zeros


def quantize(w, scales, zeros, bits: int, signed: bool) -> np.ndarray:
    """q = clamp(round_half_even(w / s) + z, qmin, qmax), block-wise: each
    parameter dimension divides the matching dimension of w."""
    reps = [d // s for d, s in zip(w.shape, scales.shape)]
    s = np.kron(scales, np.ones(reps, dtype=np.float32))
    z = np.kron(zeros, np.ones(reps, dtype=np.int64))
    qmin, qmax = storage_range(bits, signed)
    return np.clip(np.rint(w.astype(np.float32) / s) + z, qmin, qmax).astype(np.int32)


def dequantize(q, scales, zeros) -> np.ndarray:
    reps = [d // s for d, s in zip(q.shape, scales.shape)]
    s = np.kron(scales, np.ones(reps, dtype=np.float32))
    z = np.kron(zeros, np.ones(reps, dtype=np.int64))
    return ((q - z) * s).astype(np.float32)
