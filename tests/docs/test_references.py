"""Every Markdown file and repository path the project's text refers to exists.

Docstrings, comments, tests, notebooks and docs point readers at Markdown pages
(``README.md``, ``docs/contract.md``) and at files of the repository
(``src/arrearsrisk/ledger/schema.py``, ``tests/models/test_fit.py``, ``data/sample/...``).
A page that lives only outside the repository, or a file that was moved, leaves the
reader with a dead end; this test lists every such reference, with file and line.

What counts as a reference:

* a Markdown file name, ``NAME.md`` or ``folder/NAME.md``: a bare name must be the name
  of some Markdown file of the repository; one starting with ``./`` or ``../`` must
  exist relative to the file that mentions it; another with a folder must exist
  relative to the repository root (or to the mentioning file's folder, as a Markdown
  link would resolve it); an absolute path is always reported (it names a file of one
  machine);
* a repository path: ``src/arrearsrisk/...`` ending in ``.py``, ``.toml`` or ``.css``;
  ``tests/``, ``benchmarks/`` or ``tools/`` ending in ``.py``; ``notebooks/...ipynb``;
  ``docs/...md``; ``data/sample`` and anything under it.  It must exist relative to the
  repository root (a ``*`` pattern must match at least one file).

Addresses on the web (``https://...``) are not references to this repository and are
skipped.  Notebooks are read as JSON and only their cells' sources are scanned.  This
file is not scanned: the references in its examples are wrong on purpose.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SELF = Path(__file__).resolve()

SCANNED_FOLDERS = ("src", "tests", "notebooks", "docs", "benchmarks")
SCANNED_FILES = ("README.md", "data/sample/README.md")
TEXT_SUFFIXES = frozenset(
    {".py", ".md", ".toml", ".css", ".txt", ".cfg", ".ini", ".json", ".yaml", ".yml", ".html"}
)
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "build", "dist", "mlruns"})
"""Folders never scanned or searched for Markdown files (besides hidden ones, such as
``.venv`` and ``.git``, and ``*.egg-info``)."""

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*", re.IGNORECASE)
_BEFORE = r"(?<![\w/.-])"  # a reference starts a token: not inside a longer path or word
_MARKDOWN = re.compile(_BEFORE + r"(/?(?:\.\.?/)*(?:[\w.-]+/)*[\w-][\w.*-]*\.md)(?![\w/-])")
_PATH = re.compile(
    _BEFORE
    + r"""(
        src/arrearsrisk/[\w/.*-]*\.(?:py|toml|css)
      | (?:tests|benchmarks|tools)/[\w/.*-]*\.py
      | notebooks/[\w/.*-]*\.ipynb
      | docs/[\w/.*-]*\.md
      | data/sample(?:/[\w.*-]+)*/?
    )(?![\w/-])""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Reference:
    """One reference found in a text: where it is and what it names."""

    where: str
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.target}"


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_FOLDERS or name.endswith(".egg-info")


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, skipping hidden, cache and build folders."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _skipped(d))
        for name in sorted(files):
            yield Path(current) / name


def markdown_names(root: Path = ROOT) -> frozenset[str]:
    """Names of the Markdown files anywhere in the repository."""
    return frozenset(p.name for p in _walk(root) if p.suffix == ".md")


def find_references(text: str, where: str = "<text>") -> list[Reference]:
    """Every Markdown file name and repository path mentioned in ``text``, by line."""
    found: list[Reference] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = _URL.sub(" ", line)
        matches = sorted(
            (m.start(1), m.group(1).rstrip("."))
            for p in (_PATH, _MARKDOWN)
            for m in p.finditer(line)
        )
        targets = dict.fromkeys(target for _, target in matches)  # in order, once each
        found.extend(Reference(where, number, t) for t in targets)
    return found


def _exists(pattern: str, base: Path) -> bool:
    if "*" in pattern:
        return any(True for _ in base.glob(pattern))
    return (base / pattern).exists()


def resolves(ref: Reference, source: Path | None, root: Path, md_names: frozenset[str]) -> bool:
    """Whether ``ref``, found in the file ``source``, names something in ``root``."""
    target = ref.target
    here = source.parent if source is not None else root
    if target.startswith("/"):
        return False  # an absolute path names a file of one machine, not of the repository
    if target.startswith(("./", "../")):
        path = (here / target).resolve()
        return path.is_relative_to(root.resolve()) and _exists(path.name, path.parent)
    if _PATH.fullmatch(target):
        return _exists(target, root)
    if "/" not in target:
        if "*" in target:
            return any(Path(name).match(target) for name in md_names)
        return target in md_names
    return _exists(target, root) or _exists(target, here)


def missing_references(
    text: str,
    where: str,
    source: Path | None = None,
    root: Path = ROOT,
    md_names: frozenset[str] | None = None,
) -> list[Reference]:
    """The references of ``text`` that name nothing in the repository ``root``."""
    names = markdown_names(root) if md_names is None else md_names
    return [r for r in find_references(text, where) if not resolves(r, source, root, names)]


def notebook_sources(path: Path) -> Iterator[tuple[str, str]]:
    """``(label, source)`` of each cell of a notebook, the label naming the cell."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        yield f"cell {number}", "".join(source) if isinstance(source, list) else str(source)


def scanned_files(root: Path = ROOT) -> list[Path]:
    """The files whose text is scanned."""
    files = [root / name for name in SCANNED_FILES if (root / name).is_file()]
    for folder in SCANNED_FOLDERS:
        for path in _walk(root / folder):
            if path.resolve() == SELF:
                continue
            if path.suffix in TEXT_SUFFIXES or path.suffix == ".ipynb":
                files.append(path)
    return files


def repository_offenders(root: Path = ROOT) -> list[Reference]:
    """Every reference in the scanned files of ``root`` that names nothing there."""
    names = markdown_names(root)
    offenders: list[Reference] = []
    for path in scanned_files(root):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".ipynb":
            for label, source in notebook_sources(path):
                offenders += missing_references(source, f"{rel} ({label})", path, root, names)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += missing_references(text, rel, path, root, names)
    return offenders


# -- the repository ---------------------------------------------------------------------


def test_every_reference_names_a_file_of_the_repository() -> None:
    offenders = repository_offenders()
    listing = "\n".join(f"  {r}" for r in offenders)
    assert not offenders, (
        f"{len(offenders)} references name no file of the repository "
        f"(a Markdown page outside it, or a path that moved):\n{listing}"
    )


# -- the scanner itself: it can fail -----------------------------------------------------

# Built from parts, so that this file itself holds no dead reference.
UPSTREAM_PAGE = "CONTRACT" + ".md"
NO_SUCH_TEST = "tests/" + "ledger/test_no_such_thing.py"
NO_SUCH_DOC = "docs/" + "no_such_page.md"
ABSOLUTE_PAGE = "/work/shared/" + UPSTREAM_PAGE


def test_a_missing_markdown_page_and_a_missing_path_are_reported() -> None:
    text = (
        "Columns as in README.md; this test is tests/docs/test_references.py.\n"
        f"See ``{UPSTREAM_PAGE}`` section 3 and {NO_SUCH_TEST}.\n"
        f"Read ledger from data/sample/; recipes in [{NO_SUCH_DOC}]({NO_SUCH_DOC}#x).\n"
        f"The upstream page is {ABSOLUTE_PAGE}.\n"
    )
    names = frozenset({"README.md"})
    found = missing_references(text, "doc.py", ROOT / "src" / "doc.py", ROOT, names)
    assert [(r.line, r.target) for r in found] == [
        (2, UPSTREAM_PAGE),
        (2, NO_SUCH_TEST),
        (3, NO_SUCH_DOC),
        (4, ABSOLUTE_PAGE),
    ]
    assert str(found[0]) == f"doc.py:2: {UPSTREAM_PAGE}"


def test_references_are_found_in_their_forms() -> None:
    text = (
        "``src/arrearsrisk/ledger/schema.py`` and src/arrearsrisk/plans/policy.toml,\n"
        "[the README](../README.md#the-ledger-schema), tests/features/test_*.py.\n"
        "Not references: https://example.org/" + UPSTREAM_PAGE + ", arrearsrisk.ledger.schema,\n"
        "my_src/arrearsrisk/x.py, src/arrearsrisk/x.pyc, notes.mdx.\n"
    )
    assert [(r.line, r.target) for r in find_references(text)] == [
        (1, "src/arrearsrisk/ledger/schema.py"),
        (1, "src/arrearsrisk/plans/policy.toml"),
        (2, "../README.md"),
        (2, "tests/features/test_*.py"),
    ]


def test_relative_links_resolve_from_the_mentioning_file() -> None:
    docs_page = ROOT / "docs" / "page.md"
    names = markdown_names()
    ok = Reference("docs/page.md", 1, "../README.md")
    outside = Reference("docs/page.md", 1, "../../README.md")
    assert resolves(ok, docs_page, ROOT, names)
    assert not resolves(outside, docs_page, ROOT, names)
    assert resolves(Reference("x.py", 1, "tests/docs/test_*.py"), None, ROOT, names)
    assert not resolves(Reference("x.py", 1, "tests/docs/zz_*.py"), None, ROOT, names)


def test_notebook_cells_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "README.md").write_text("# demo\n", encoding="utf-8")
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "See README.md\n"]},
        {"cell_type": "code", "metadata": {}, "source": f"# as in {UPSTREAM_PAGE}\nx = 1\n"},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "demo.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    offenders = repository_offenders(tmp_path)
    assert [str(r) for r in offenders] == [f"notebooks/demo.ipynb (cell 2):1: {UPSTREAM_PAGE}"]
