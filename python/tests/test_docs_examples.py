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
