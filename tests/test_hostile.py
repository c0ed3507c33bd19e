"""The hostile suite across the whole path: malformed ledgers, generated here from a
valid one (no committed blobs), go through ``read_ledger`` -> ``score`` ->
``risk_plans`` and through the CLI's ``score``; each ends in a result or in the
library's own error, never a foreign exception (pandas, pyarrow, numpy, LightGBM,
UnicodeDecodeError, KeyError, ...), and the CLI never says "internal error".

The valid ledger is the sample's first 40 customers, written as CSV.  Mutations, each
applied to one table: headers renamed (case, spaces, separators, one letter off,
twice), files re-encoded (GBK, UTF-16, UTF-8 with BOM, bytes no encoding reads),
cells re-typed (text in amounts, huge or float amounts, partial and far dates, empty
ids), files truncated at any byte, rows duplicated, a second file for one table.  A
fixed corpus plus hypothesis draws.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.cli import main

AS_OF = "2025-12-31"
TABLES = ("customers", "bills", "payments")


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory, sample_ledger: ar.Ledger) -> Path:
    folder = tmp_path_factory.mktemp("valid")
    ids = sorted(sample_ledger.customers["customer_id"])[:40]
    small = sample_ledger.subset(ids)
    for name in TABLES:
        table = getattr(small, name).copy()
        for col in table.columns:
            if pd.api.types.is_datetime64_any_dtype(table[col]):
                table[col] = table[col].dt.strftime("%Y-%m-%d")
        table.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        (dst / f"{name}.csv").write_bytes((src / f"{name}.csv").read_bytes())
    return dst


def _through(folder: Path, model: ar.RiskModel) -> str:
    """Run the library path; the outcome's name, or raise a foreign exception."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings are answers too
        try:
            ledger = ar.read_ledger(folder)
            scores = ar.score(ledger, AS_OF, model, reasons="none")
            ar.risk_plans(scores, ledger)
        except ar.ArrearsRiskError as err:
            return type(err).__name__
    return "scored"


def _cli(folder: Path, out: Path) -> int:
    result = CliRunner().invoke(
        main,
        ["score", "--data", str(folder), "--as-of", AS_OF, "--out", str(out / "scores.csv")],
    )
    assert "internal error" not in result.output, result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output  # one line
    return int(result.exit_code)


def _rewrite(folder: Path, name: str, change: Callable[[str], str]) -> None:
    path = folder / f"{name}.csv"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _header(folder: Path, name: str, old: str, new: str) -> None:
    def change(text: str) -> str:
        head, rest = text.split("\n", 1)
        cells = [new if c == old else c for c in head.split(",")]
        return ",".join(cells) + "\n" + rest

    _rewrite(folder, name, change)


def _cell(folder: Path, name: str, column: str, row: int, value: str) -> None:
    path = folder / f"{name}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[table.index[row % len(table)], column] = value
    table.to_csv(path, index=False)


def _encode(folder: Path, name: str, encoding: str, sep: str = ",") -> None:
    path = folder / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Dongcheng", "东城区").replace("Xicheng", "西城区")
    if sep != ",":
        text = "\n".join(line.replace(",", sep) for line in text.split("\n"))
    path.write_bytes(text.encode(encoding))


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "header upper case": lambda f: _header(f, "customers", "region", "REGION"),
    "header trailing space": lambda f: _header(f, "customers", "budget_funded", "budget_funded "),
    "header hyphen": lambda f: _header(f, "customers", "budget_funded", "budget-funded"),
    "header one letter off": lambda f: _header(f, "bills", "due_date", "due_dat"),
    "header twice": lambda f: _header(f, "payments", "channel", "amount"),
    "header of a safety flag, misspelt": lambda f: _rewrite(
        f, "customers", lambda t: t.replace("contact_ok", "contact_ok,high_hazrd", 1)
    ),
    "GBK": lambda f: _encode(f, "customers", "gbk"),
    "GB18030": lambda f: _encode(f, "customers", "gb18030"),
    "UTF-8 with BOM": lambda f: _encode(f, "bills", "utf-8-sig"),
    "UTF-16 tab-separated": lambda f: _encode(f, "payments", "utf-16", "\t"),
    "bytes no encoding reads": lambda f: (f / "customers.csv").write_bytes(
        (f / "customers.csv").read_bytes() + b"\xff\xfe\x00\x81\n"
    ),
    "text in an amount": lambda f: _cell(f, "bills", "amount", 3, "unknown"),
    "amount 1e17": lambda f: _cell(f, "bills", "amount", 5, "1e17"),
    "amount with a thousands comma": lambda f: _cell(f, "payments", "amount", 2, "1,234.50"),
    "a year as a date": lambda f: _cell(f, "bills", "issue_date", 7, "2024"),
    "a month as a date": lambda f: _cell(f, "payments", "paid_date", 1, "2023-08"),
    "a null date 1900-01-01": lambda f: _cell(f, "customers", "opened", 0, "1900-01-01"),
    "a due date in 2200": lambda f: _cell(f, "bills", "due_date", 9, "2200-01-01"),
    "an empty id": lambda f: _cell(f, "payments", "customer_id", 4, ""),
    "an unknown customer": lambda f: _cell(f, "bills", "customer_id", 4, "NOBODY"),
    "a formula as an id": lambda f: _cell(f, "customers", "region", 2, "=HYPERLINK(1)"),
    "a duplicated bill": lambda f: _rewrite(f, "bills", lambda t: t + t.split("\n")[1] + "\n"),
    "a ragged row": lambda f: _rewrite(f, "payments", lambda t: t + "C0001,2025-01-01,1,x,y,z\n"),
    "an empty file": lambda f: (f / "bills.csv").write_bytes(b""),
    "a header only": lambda f: _rewrite(f, "payments", lambda t: t.split("\n")[0] + "\n"),
    "a second file for a table": lambda f: (f / "customers.csv.gz").write_bytes(b"\x1f\x8b"),
    "a missing table": lambda f: (f / "payments.csv").unlink(),
    "a folder for a table": lambda f: ((f / "bills.csv").unlink(), (f / "bills.csv").mkdir()),
}


@pytest.mark.parametrize("what", list(MUTATIONS))
def test_a_malformed_ledger_gives_a_result_or_the_librarys_error(
    what, valid, sample_model, tmp_path
):
    folder = _copy(valid, tmp_path / "ledger")
    MUTATIONS[what](folder)
    _through(folder, sample_model)  # a foreign exception fails the test
    _cli(folder, tmp_path / "out")


def test_what_the_reader_must_read_is_read_and_what_it_must_refuse_is_refused(
    valid, sample_model, tmp_path
):
    read = ["header upper case", "header trailing space", "GBK", "GB18030", "UTF-8 with BOM"]
    read += ["UTF-16 tab-separated", "a header only"]
    refused = ["header hyphen", "header one letter off", "header twice", "text in an amount"]
    refused += ["amount 1e17", "a year as a date", "a month as a date", "an empty id"]
    refused += ["bytes no encoding reads", "a ragged row", "an empty file", "a missing table"]
    refused += ["a second file for a table", "header of a safety flag, misspelt"]
    refused += ["amount with a thousands comma"]  # refused with a hint: no guessing
    for what in read + refused:
        folder = _copy(valid, tmp_path / what.replace(" ", "_"))
        MUTATIONS[what](folder)
        outcome = _through(folder, sample_model)
        assert (outcome == "scored") == (what in read), (what, outcome)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(TABLES),
    cut=st.integers(min_value=0, max_value=6000),
    junk=st.binary(max_size=8),
)
def test_a_truncated_or_spliced_file_gives_a_result_or_the_librarys_error(
    valid, sample_model, tmp_path_factory, name, cut, junk
):
    folder = _copy(valid, tmp_path_factory.mktemp("cut"))
    path = folder / f"{name}.csv"
    data = path.read_bytes()
    path.write_bytes(data[:cut] + junk)
    _through(folder, sample_model)  # a foreign exception fails the test
