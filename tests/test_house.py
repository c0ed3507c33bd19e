"""The shape of the package stays as the README's layout describes it."""

from __future__ import annotations

import importlib
from pathlib import Path

import grimp
import pytest

from tools.import_cycles import circles

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "arrearsrisk"
MAX_LINES = 800
STAGES = (
    "ledger",
    "asof",
    "features",
    "models",
    "evaluation",
    "scoring",
    "plans",
    "reports",
    "tracking",
    "engines",
    "sample",
    "pipeline",
)


def test_no_module_is_over_800_lines():
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 40
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_there_is_no_import_circle():
    graph = grimp.build_graph("arrearsrisk", cache_dir=None)
    assert circles(graph, set(graph.modules)) == []


def test_the_circle_finder_finds_a_circle():
    """The check above can fail: two modules importing each other are one circle."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert circles(graph, set(graph.modules)) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_a_subpackage_that_declares_its_public_names(stage):
    module = importlib.import_module(f"arrearsrisk.{stage}")
    assert module.__doc__ and len(module.__doc__.strip()) > 40
    exported = getattr(module, "__all__", None)
    assert exported, f"arrearsrisk.{stage} has no __all__"
    for name in exported:
        assert getattr(module, name, None) is not None, f"arrearsrisk.{stage}.{name}"
