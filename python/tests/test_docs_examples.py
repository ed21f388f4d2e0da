"""The code excerpts of docs/research-example.md are the tree's code: each
block marked `<!-- from: path -->` must appear verbatim in that file, so the
page cannot drift from what is compiled and tested."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXCERPT = re.compile(r"<!-- from: (\S+) -->\n```\w*\n(.*?)```", re.S)


def excerpts(page):
    return EXCERPT.findall((ROOT / "docs" / page).read_text())


def test_research_example_has_excerpts():
    files = {path for path, _ in excerpts("research-example.md")}
    assert files == {"include/sparq/Dialect/Sparq/Transforms/Passes.td",
                     "lib/Dialect/Sparq/Transforms/ClipWeights.cpp",
                     "test/Dialect/Sparq/Transforms/clip-weights.mlir"}


@pytest.mark.parametrize("path,code", excerpts("research-example.md"))
def test_excerpt_is_in_the_tree(path, code):
    assert code in (ROOT / path).read_text(), \
        f"docs/research-example.md quotes {path} with code it does not have"


def test_linked_pages_exist():
    """Every relative link of the user-facing pages points at a file."""
    for page in ("README.md", "docs/user-guide.md", "docs/c-abi.md",
                 "docs/research-example.md"):
        path = ROOT / page
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)",
                                 path.read_text()):
            assert (path.parent / target).exists(), f"{page}: {target}"


def test_error_table_points_at_tests():
    """Each row of docs/errors.md names the test that checks it: a lit file
    with that check prefix, or a pytest function that exists."""
    rows = [line for line in (ROOT / "docs" / "errors.md").read_text()
            .splitlines() if line.startswith("| ") and "`" in line]
    checked = 0
    for row in rows:
        test = row.strip().strip("|").split("|")[-1].strip()
        match = re.match(r"`([^`]+)`\s*([A-Z0-9-]+)?", test)
        if not match:
            continue
        path, prefix = match.groups()
        path, _, function = path.partition("::")
        source = ROOT / path
        assert source.exists(), f"docs/errors.md: {path} does not exist"
        text = source.read_text()
        if function:
            assert f"def {function}(" in text, f"{path} has no {function}"
        if prefix:
            assert f"{prefix}:" in text, f"{path} checks no prefix {prefix}"
        checked += 1
    assert checked >= 60, checked
