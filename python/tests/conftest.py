import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))


@pytest.fixture(scope="session")
def sparq_opt():
    build = pathlib.Path(os.environ.get("SPARQ_BUILD_DIR", ROOT / "build"))
    tool = build / "bin" / "sparq-opt"
    if not tool.exists():
        pytest.fail(f"{tool} is missing: build sparq first (scripts/test)")
    return str(tool)
