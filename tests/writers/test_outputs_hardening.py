"""Outputs that cannot hurt: CSV cells a spreadsheet would run as formulas are quoted
(ids and texts, never numbers) and read back as they were; the workbook holds no
formula; no output lands on an input; user tables read in any encoding a utility
saves."""

from __future__ import annotations

import os
import zipfile

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.writers import (
    FORMULA_STARTS,
    check_output,
    neutralise,
    read_table,
    restore,
    write_plans,
    write_table,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=x"]


def test_formula_cells_get_a_leading_quote_in_the_csv_bytes(tmp_path):
    table = pd.DataFrame(
        {
            "customer_id": ["=cmd|' /C calc'!A0", "C2", "-7"],
            "reasons": ["+逾期", "@x", "late"],
            "arrears": [-12.5, 0.0, 3.0],  # numbers are never quoted
            "grade": pd.Categorical(["I", "=II", "III"]),
        }
    )
    path = write_table(table, tmp_path / "t.csv")
    text = path.read_bytes().decode("utf-8-sig").splitlines()
    assert text == [
        "customer_id,reasons,arrears,grade",
        "'=cmd|' /C calc'!A0,'+逾期,-12.5,I",
        "C2,'@x,0.0,'=II",
        "'-7,late,3.0,III",
    ]
    back = read_table(path)
    assert back["customer_id"].tolist() == ["=cmd|' /C calc'!A0", "C2", "-7"]
    assert back["reasons"].tolist() == ["+逾期", "@x", "late"]
    assert back["arrears"].tolist() == [-12.5, 0.0, 3.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.sampled_from(HOSTILE)), min_size=1, max_size=8))
def test_neutralise_then_restore_is_the_identity_and_leaves_no_formula(values):
    series = pd.Series(values, dtype=object)
    safe = neutralise(series)
    assert not any(isinstance(v, str) and v[:1] in FORMULA_STARTS for v in safe)
    assert restore(safe).tolist() == values


def test_the_parquet_output_is_left_as_it_is(tmp_path):
    table = pd.DataFrame({"customer_id": ["=1"]})
    assert read_table(write_table(table, tmp_path / "t.parquet"))["customer_id"].tolist() == ["=1"]


def test_the_workbook_stores_formula_looking_text_as_text(sample_ledger, tmp_path):
    scores = pd.DataFrame(
        {
            "customer_id": ["C0013"],
            "as_of": "2025-09-30",
            "grade": ["I"],
            "p_I": [0.7],
            "a_warning": [False],
            "exposure": [600.0],
            "arrears": [0.0],
            "reasons": [['=HYPERLINK("http://evil")']],
        }
    )
    plans = ar.risk_plans(scores, sample_ledger, "en")
    book = write_plans(plans, tmp_path / "plans.xlsx", lang="en")
    with zipfile.ZipFile(book) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)  # no cell is a formula
    # the text is an inline string (XlsxWriter's constant-memory mode), shown as text
    assert any('t="inlineStr"><is><t>=HYPERLINK(' in s for s in sheets)
    read = pd.read_excel(book, sheet_name="Worklist")
    assert read.loc[0, "Top reasons"] == '=HYPERLINK("http://evil")'


# -- no output over an input ----------------------------------------------------------


def test_check_output_refuses_inputs_and_outputs_inside_input_folders(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    scores = tmp_path / "scores.csv"
    scores.write_text("customer_id\nC1\n")
    with pytest.raises(
        ArrearsRiskError, match=r"--out .*customers\.csv: is inside the input folder"
    ):
        check_output(data / "customers.csv", [data], option="--out")
    with pytest.raises(ArrearsRiskError, match=r"scores\.csv: is also an input of this command"):
        check_output(tmp_path / "." / "scores.csv", [data, scores])
    with pytest.raises(ArrearsRiskError, match=r"is a folder holding the input"):
        check_output(tmp_path, [scores])
    with pytest.raises(ArrearsRiskError, match=r"is inside the input folder"):
        check_output(data / "sub" / "deep.csv", [data])
    assert check_output(tmp_path / "out" / "scores.csv", [data, scores, None, "models:/m@champion"])


def test_check_output_refuses_a_parent_that_is_a_file_or_not_writable(tmp_path, monkeypatch):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(ArrearsRiskError, match=r"file\.txt is a file, not a folder"):
        check_output(blocker / "scores.csv")
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(ArrearsRiskError, match=r"cannot write in .* \(permission denied\)"):
        check_output(tmp_path / "scores.csv")


def test_symlinks_to_an_input_are_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "link").symlink_to(data)
    with pytest.raises(ArrearsRiskError, match=r"is inside the input folder"):
        check_output(tmp_path / "link" / "customers.csv", [data])


def test_write_table_and_write_plans_refuse_to_write_over_their_inputs(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id,category\nC1,residential\n")
    before = (data / "customers.csv").read_bytes()
    table = pd.DataFrame({"customer_id": ["C1"]})
    with pytest.raises(ArrearsRiskError, match=r"is inside the input folder"):
        write_table(table, data / "customers.csv", inputs=[data])
    with pytest.raises(ArrearsRiskError, match=r"is inside the input folder"):
        write_plans(pd.DataFrame(), data / "plans.xlsx", inputs=[data])
    assert (data / "customers.csv").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == ["customers.csv"]


# -- reading user tables --------------------------------------------------------------

STAFF = "region,head,manager,officer\n城东供电所,李明,赵强,孙丽\n*,王伟,钱进,周敏\n"


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("utf-8", STAFF),
        ("utf-8-sig", STAFF),
        ("gbk", STAFF),
        ("gb18030", STAFF),
        ("utf-16", STAFF.replace(",", "\t")),  # Excel's "Unicode text"
    ],
)
def test_a_staff_table_reads_in_the_encodings_a_utility_saves(tmp_path, codec, text):
    file = tmp_path / "staff.csv"
    file.write_bytes(text.encode(codec))
    staff = read_table(file)
    assert staff.columns.tolist() == ["region", "head", "manager", "officer"]
    assert staff["officer"].tolist() == ["孙丽", "周敏"]


def test_an_explicit_encoding_is_used(tmp_path):
    file = tmp_path / "staff.csv"
    file.write_bytes(STAFF.encode("gbk"))
    assert read_table(file, encoding="gbk")["head"].tolist() == ["李明", "王伟"]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"t\.csv: not a readable CSV table"),
        (b"a,b\n1,2,3,4\n", r"t\.csv: not a readable CSV table"),
        (b"customer_id,as_of\nC1,not a date\n", r"t\.csv: column 'as_of' must hold dates"),
    ],
)
def test_a_broken_csv_is_refused_by_name(tmp_path, content, match):
    file = tmp_path / "t.csv"
    file.write_bytes(content)
    with pytest.raises(ArrearsRiskError, match=match):
        read_table(file)


def test_a_folder_or_corrupt_parquet_is_refused_by_name(tmp_path):
    (tmp_path / "scores.csv").mkdir()
    with pytest.raises(ArrearsRiskError, match=r"scores\.csv: is a folder, not a \.csv file"):
        read_table(tmp_path / "scores.csv")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ArrearsRiskError, match=r"bad\.parquet: cannot be read as Parquet"):
        read_table(tmp_path / "bad.parquet")
