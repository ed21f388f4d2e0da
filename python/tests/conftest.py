import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))


def _tool(name):
    build = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR", ROOT / "build"))
    tool = build / "bin" / name
    if not tool.exists():
        pytest.fail(f"{tool} is missing: build sparq first (scripts/test)")
    return str(tool)


@pytest.fixture(scope="session")
def sparq_opt():
    return _tool("sparq-opt")


@pytest.fixture(scope="session")
def sparq_import_onnx():
    return _tool("sparq-import-onnx")
