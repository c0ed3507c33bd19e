"""The notebooks run, and say what they should (examples that run: executed by the test suite).

Each notebook is executed with nbclient in a kernel of this very Python, in a copy of
the project's layout in a temporary folder (``notebooks/`` beside links to ``data/``
and ``models/``), so what it writes (MLflow store, reports) stays there.  Key outputs
are read from the cells tagged ``check-...`` and compared, not just executed.  The
stored notebooks must hold no outputs and import only arrearsrisk, pandas, numpy,
matplotlib and the standard library.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

import arrearsrisk as ar

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # trains models
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_retrain", "02_integrate", "03_manager")
ALLOWED_IMPORTS = {"arrearsrisk", "pandas", "numpy", "matplotlib"}
# The kernel is ipykernel's own spec for this interpreter (sys.executable), whatever
# kernelspecs the user's Jupyter folders hold: no folder is searched.
KERNEL_CONFIG = Config({"KernelSpecManager": {"kernel_dirs": [], "ensure_native_kernel": True}})
WHICH_PYTHON = "import sys; print(sys.executable)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project layout in ``tmp_path``: ``notebooks/`` (the working folder) beside links
    to the real ``data/`` and ``models/``; MLflow points at a store in ``tmp_path``."""
    folder = tmp_path / "project"
    (folder / "notebooks").mkdir(parents=True)
    for name in ("data", "models"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    (tmp_path / "store").mkdir()
    # The kernel inherits this environment when it starts.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return folder


def execute(name: str, project: Path) -> nbformat.NotebookNode:
    """Run notebook ``name`` with ``project/notebooks`` as its working folder."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WHICH_PYTHON))
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
        config=KERNEL_CONFIG,
    )
    client.execute()
    assert text(nb.cells[-1]).strip() == sys.executable, "the kernel ran another Python"
    return nb


def text(cell: nbformat.NotebookNode) -> str:
    """The printed (stdout) and displayed text of a code cell."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def tagged(nb: nbformat.NotebookNode, tag: str) -> str:
    """The text of the one cell tagged ``tag``."""
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return text(cells[0])


def images(nb: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type in ("display_data", "execute_result")
    )


def test_the_notebooks_folder_holds_the_tested_notebooks():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_stored_notebooks_have_no_outputs(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], f"{name}: cell {cell.get('id')} has outputs"
        assert cell.execution_count is None, f"{name}: cell {cell.get('id')} was executed"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_import_only_arrearsrisk_and_plotting(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    imported = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "arrearsrisk" in imported
    assert imported - ALLOWED_IMPORTS <= set(sys.stdlib_module_names), imported
    assert "../data/sample" in "".join(c.source for c in nb.cells)


def test_retrain_notebook_beats_the_baselines_and_promotes_only_a_better_run(project):
    from arrearsrisk.tracking import champion

    first = execute("01_retrain", project)
    metrics = tagged(first, "check-metrics")
    found = re.search(
        r"Grade I AUC: model ([\d.]+), manual rule ([\d.]+), logistic ([\d.]+)", metrics
    )
    assert found, metrics
    model, manual, logistic = map(float, found.groups())
    assert model > manual and model > logistic, metrics
    assert "The model beats both baselines: True" in metrics
    decision = tagged(first, "check-promotion")
    promoted = re.search(
        r"PROMOTED: run ([0-9a-f]{32}) is now arrearsrisk@champion, version 1 ", decision
    )
    assert promoted, decision
    assert images(first) >= 2  # label rates over time; metrics and feature importance

    best = champion("arrearsrisk")
    assert best is not None and (best["version"], best["run_id"]) == (1, promoted[1])
    assert best["metrics"]["model_grade_I_auc"] == pytest.approx(model, abs=5e-4)
    assert not (project / "mlflow.db").exists()  # MLFLOW_TRACKING_URI was used

    # The same data and seed again: an equal model is not better, the champion stays.
    again = tagged(execute("01_retrain", project), "check-promotion")
    assert re.search(r"KEPT: version 1 stays arrearsrisk@champion", again), again
    kept = champion("arrearsrisk")
    assert kept is not None and kept["run_id"] == promoted[1]


def test_integrate_notebook_shows_the_contracts(project):
    nb = execute("02_integrate", project)
    single = tagged(nb, "check-single")
    assert re.search(r"single-account score equals the batch row for C\d+: True", single), single
    output = tagged(nb, "check-output")
    assert "output columns equal ar.SCORE_COLUMNS: True" in output
    assert "single-account columns equal ar.SCORE_COLUMNS: True" in output
    assert "p_I + p_II + p_III == 1: True" in output
    for column in ar.SCORE_COLUMNS:
        assert re.search(rf"^{column}\s", output, re.MULTILINE), column  # the dtypes table
    error = tagged(nb, "check-error")
    assert "LedgerError: table='bills' column='due_date' rule='date_order'" in error
    assert "bills: column 'due_date' must not be before issue_date" in error
    timing = tagged(nb, "check-timing")
    found = re.search(r"single account: median (\d+) ms", timing)
    assert found and int(found[1]) < 5000, timing


def test_manager_notebook_writes_the_station_report(project):
    nb = execute("03_manager", project)
    report = tagged(nb, "check-report")
    plans = re.search(r"plans: (\d+), measures: (\d+)", report)
    assert plans and int(plans[1]) > 0 and int(plans[2]) >= int(plans[1]), report
    page = re.search(r"report: (\S+\.html) \(\d+ KB\)", report)
    book = re.search(r"workbook: (\S+\.xlsx) \(\d+ KB\)", report)
    assert page and book, report
    html, xlsx = Path(page[1]), Path(book[1])
    assert html.is_relative_to(project / "out") and xlsx.is_relative_to(project / "out")
    content = html.read_text(encoding="utf-8")
    assert "Nanhu 电费回收风险报告" in content and "</html>" in content
    assert xlsx.stat().st_size > 0
    assert images(nb) >= 1  # the portfolio by industry
