"""The quantization report (`sparqc --report=file.json`) as data.

The JSON is written by lib/Quantization/QuantReport.cpp
(writeQuantReportJson); docs/quantization.md says what each figure means.
A figure that was not measured, or an SQNR that is infinite (no error at
all), is null in the JSON and None here.
"""

import dataclasses
import json
import math
import os
from typing import List, Optional


def _ratio(before, after):
    return before / after if after > 0 else math.nan


def _db(value):
    return "n/a" if value is None else f"{value:.2f} dB"


@dataclasses.dataclass(frozen=True)
class LayerReport:
    """One quantized weight matmul."""
    layer: str
    scheme: str
    bytes_before: int
    bytes_after: int
    weight_sqnr_db: Optional[float]
    # The layer on the fp32 model's input activations (its own error).
    output_sqnr_db: Optional[float]
    # The layer inside the quantized model (upstream error included).
    in_model_sqnr_db: Optional[float]

    @property
    def compression(self) -> float:
        return _ratio(self.bytes_before, self.bytes_after)


@dataclasses.dataclass(frozen=True)
class ModelError:
    """The quantized model's float outputs against the fp32 model's."""
    samples: int
    sqnr_db: Optional[float]
    max_abs_error: float
    # max |y_q - y| / max |y|.
    max_rel_error: float


@dataclasses.dataclass(frozen=True)
class Report:
    layers: List[LayerReport]
    fp32_layers: int
    fp32_layer_bytes: int
    total_bytes_before: int
    total_bytes_after: int
    # None unless calibration samples were given.
    model: Optional[ModelError]

    @property
    def compression(self) -> float:
        return _ratio(self.total_bytes_before, self.total_bytes_after)

    def layer(self, name: str) -> LayerReport:
        for layer in self.layers:
            if layer.layer == name:
                return layer
        raise KeyError(f"no quantized layer named '{name}'; the report has "
                       f"{', '.join(l.layer for l in self.layers) or 'none'}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        try:
            model = data.get("model")
            return cls(
                layers=[LayerReport(**layer) for layer in data["layers"]],
                fp32_layers=data["fp32_layers"],
                fp32_layer_bytes=data["fp32_layer_bytes"],
                total_bytes_before=data["total_bytes_before"],
                total_bytes_after=data["total_bytes_after"],
                model=ModelError(**model) if model else None)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a sparq quantization report: {error}") \
                from None

    @classmethod
    def from_json(cls, source) -> "Report":
        """From a JSON file written by `sparqc --report=file.json`, or from
        its text."""
        if isinstance(source, (bytes, str)) and source.lstrip()[:1] in (
                "{", b"{"):
            text = source
        else:
            with open(os.fspath(source)) as file:
                text = file.read()
        return cls.from_dict(json.loads(text))

    def __str__(self):
        rows = [("layer", "scheme", "fp32 bytes", "quant bytes", "ratio",
                 "weight SQNR", "output SQNR", "in-model SQNR")]
        for l in self.layers:
            rows.append((l.layer, l.scheme, str(l.bytes_before),
                         str(l.bytes_after), f"{l.compression:.2f}x",
                         _db(l.weight_sqnr_db), _db(l.output_sqnr_db),
                         _db(l.in_model_sqnr_db)))
        rows.append(("total", "", str(self.total_bytes_before),
                     str(self.total_bytes_after), f"{self.compression:.2f}x",
                     "", "", ""))
        widths = [max(len(row[i]) for row in rows) for i in range(8)]
        lines = ["  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                           for i, (cell, width) in enumerate(zip(row, widths)))
                 .rstrip() for row in rows]
        if self.model:
            m = self.model
            lines.append(f"model output vs fp32 on {m.samples} samples: SQNR "
                         f"{_db(m.sqnr_db)}, max abs err "
                         f"{m.max_abs_error:.3e}, max rel err "
                         f"{m.max_rel_error:.3e}")
        return "\n".join(lines)
