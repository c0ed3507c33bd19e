"""Reading a ledger folder: encodings, delimiters, broken files and two files for one
table, each ending in the right Ledger or a LedgerError that names the file."""

from __future__ import annotations

import gzip
import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from tests.conftest import SAMPLE, SAMPLE_MODEL, tiny_tables

CHINESE_REGIONS = {
    "Beishan": "北区",
    "Dongcheng": "东城区",
    "Hexi": "河西",
    "Longquan": "龙泉镇",
    "Nanhu": "南湖",
    "Qiaotou": "桥头",
    "Shilipu": "十里铺",
    "Xiguan": "西关供电所",
}


def write_tiny(folder: Path, *, encoding: str = "utf-8", sep: str = ",") -> Path:
    """The tiny literal ledger as CSV files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tiny_tables().items():
        text = frame.to_csv(index=False, sep=sep, lineterminator="\n")
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


def tables_of(ledger: ar.Ledger) -> dict[str, pd.DataFrame]:
    return {"customers": ledger.customers, "bills": ledger.bills, "payments": ledger.payments}


def assert_same_ledger(a: ar.Ledger, b: ar.Ledger) -> None:
    for name, frame in tables_of(a).items():
        pd.testing.assert_frame_equal(frame, tables_of(b)[name])


@pytest.fixture(scope="module")
def chinese_samples(tmp_path_factory) -> dict[str, Path]:
    """data/sample with Chinese region names, as UTF-8, GBK, GB18030 and UTF-16 (tab)."""
    text = (SAMPLE / "customers.csv").read_text("utf-8")
    for latin, chinese in CHINESE_REGIONS.items():
        text = text.replace(f",{latin},", f",{chinese},")
    assert "东城区" in text and "Dongcheng" not in text
    out = {}
    for label, encoding, sep in [
        ("utf-8", "utf-8", ","),
        ("utf-8-sig", "utf-8-sig", ","),
        ("gbk", "gbk", ","),
        ("gb18030", "gb18030", ","),
        ("utf-16-tab", "utf-16", "\t"),
    ]:
        folder = tmp_path_factory.mktemp(label)
        (folder / "customers.csv").write_bytes(text.replace(",", sep).encode(encoding))
        for name in ("bills", "payments"):
            shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
        out[label] = folder
    return out


@pytest.fixture(scope="module")
def chinese_ledger(chinese_samples) -> ar.Ledger:
    return ar.read_ledger(chinese_samples["utf-8"])


@pytest.mark.parametrize("label", ["utf-8-sig", "gbk", "gb18030", "utf-16-tab"])
def test_a_re_encoded_sample_reads_to_the_identical_ledger(chinese_samples, chinese_ledger, label):
    ledger = ar.read_ledger(chinese_samples[label])
    assert_same_ledger(ledger, chinese_ledger)
    assert (ledger.customers["region"] == "东城区").sum() == 556


def test_the_gbk_sample_scores_as_the_utf8_one(chinese_samples, chinese_ledger):
    model = ar.load_model(SAMPLE_MODEL)
    gbk = ar.score(ar.read_ledger(chinese_samples["gbk"]), "2025-06-30", model, reasons="none")
    utf8 = ar.score(chinese_ledger, "2025-06-30", model, reasons="none")
    pd.testing.assert_frame_equal(gbk, utf8)
    assert len(gbk) > 2_000


def test_explicit_encoding_reads_what_detection_cannot(tmp_path):
    folder = write_tiny(tmp_path / "big5")
    text = (folder / "customers.csv").read_text().replace("East", "臺北")
    (folder / "customers.csv").write_bytes(text.encode("big5"))
    ledger = ar.read_ledger(folder, encoding="big5")
    assert ledger.customers["region"].tolist() == ["臺北", "West"]


def test_undecodable_csv_is_refused_naming_file_and_encodings(tmp_path):
    folder = write_tiny(tmp_path / "latin")
    text = (folder / "customers.csv").read_text().replace("East", "Café")  # é then a comma
    (folder / "customers.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(
        ar.LedgerError,
        match=r"^customers.csv: cannot be decoded as text; tried UTF-8 \(byte 0xe9 at offset \d+,"
        r" line 2\); GB18030 .*\n  hint: pass encoding=",
    ) as err:
        ar.read_ledger(folder)
    assert (err.value.table, err.value.rule) == ("customers", "encoding")


def test_utf16_without_bom_tab_separated_reads(tmp_path):
    utf8 = ar.read_ledger(write_tiny(tmp_path / "u8"))
    ledger = ar.read_ledger(write_tiny(tmp_path / "u16", encoding="utf-16-le", sep="\t"))
    assert_same_ledger(ledger, utf8)


def test_gzip_csv_reads_like_the_plain_csv(tmp_path):
    plain = write_tiny(tmp_path / "plain")
    zipped = write_tiny(tmp_path / "gz", encoding="gb18030")
    data = (zipped / "bills.csv").read_bytes()
    (zipped / "bills.csv").unlink()
    (zipped / "bills.csv.gz").write_bytes(gzip.compress(data))
    assert_same_ledger(ar.read_ledger(zipped), ar.read_ledger(plain))


def test_a_text_ledger_keeps_leading_zeros_and_quoted_fields(tmp_path):
    folder = write_tiny(tmp_path / "q")
    (folder / "customers.csv").write_text(
        "customer_id,category,region,note\n"
        '007,residential,"East, upper",\n'
        '008,commercial,"West\nside","he said ""hi"""\n'
    )
    (folder / "bills.csv").write_text("customer_id,period,issue_date,due_date,kwh,amount\n")
    (folder / "payments.csv").write_text("customer_id,paid_date,amount\n")
    ledger = ar.read_ledger(folder)
    assert ledger.customers["customer_id"].tolist() == ["007", "008"]
    assert ledger.customers["region"].tolist() == ["East, upper", "West\nside"]
    assert ledger.customers["note"].tolist()[1] == 'he said "hi"'
    assert pd.isna(ledger.customers["note"].tolist()[0])
    assert len(ledger.bills) == 0


# -- broken files -----------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \r\n", b"\xef\xbb\xbf"])
def test_an_empty_csv_is_refused_by_name(tmp_path, content):
    folder = write_tiny(tmp_path / "e")
    (folder / "payments.csv").write_bytes(content)
    with pytest.raises(ar.LedgerError, match=r"^payments.csv: is empty: not even a header") as err:
        ar.read_ledger(folder)
    assert (err.value.table, err.value.rule) == ("payments", "empty_file")


def test_a_header_only_csv_is_a_table_of_no_rows(tmp_path):
    folder = write_tiny(tmp_path / "h")
    (folder / "payments.csv").write_text("customer_id,paid_date,amount,channel\n")
    assert len(ar.read_ledger(folder).payments) == 0
    (folder / "customers.csv").write_text("customer_id,category\n")
    with pytest.raises(ar.LedgerError, match=r"^customers: table is empty"):
        ar.read_ledger(folder)


def test_ragged_rows_are_refused_naming_the_rows(tmp_path):
    folder = write_tiny(tmp_path / "r")
    lines = (folder / "bills.csv").read_text().splitlines()
    lines[2] += ",stray"  # row 3 (the header is row 1)
    lines[5] = lines[5][: lines[5].rindex(",")]  # row 6 is one field short
    (folder / "bills.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ar.LedgerError) as err:
        ar.read_ledger(folder)
    assert str(err.value) == (
        "bills.csv: 2 rows do not have the header's 7 fields (row 3 has 8, row 6 has 6; "
        "the header is row 1).\n"
        "  hint: a field holding the separator must be quoted; remove stray separators or "
        "export the file again."
    )
    assert (err.value.table, err.value.rule) == ("bills", "ragged_row")


def test_one_ragged_row_in_a_tab_file(tmp_path):
    folder = write_tiny(tmp_path / "t", encoding="utf-16", sep="\t")
    text = (folder / "payments.csv").read_text("utf-16") + "C1\t2024-05-01\t5\tonline\textra\n"
    (folder / "payments.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(ar.LedgerError, match=r"^payments.csv: 1 row does not have the header's 4 "):
        ar.read_ledger(folder)


def test_a_trailing_separator_column_without_header_or_values_is_dropped(tmp_path):
    folder = write_tiny(tmp_path / "s")
    lines = (folder / "payments.csv").read_text().splitlines()
    (folder / "payments.csv").write_text("\n".join(f"{line}," for line in lines) + "\n")
    assert ar.read_ledger(folder).payments.columns.tolist() == [
        "customer_id",
        "paid_date",
        "amount",
        "channel",
    ]


def test_a_headerless_column_with_values_is_refused(tmp_path):
    folder = write_tiny(tmp_path / "n")
    lines = (folder / "payments.csv").read_text().splitlines()
    lines[0] += ","
    lines[1:] = [f"{line},x" for line in lines[1:]]
    (folder / "payments.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ar.LedgerError, match=r"^payments.csv: column 5 has no header but holds"):
        ar.read_ledger(folder)


def test_a_duplicate_csv_header_is_refused_not_renamed(tmp_path):
    folder = write_tiny(tmp_path / "d")
    text = (folder / "customers.csv").read_text().replace("industry", "Region", 1)
    (folder / "customers.csv").write_text(text)
    with pytest.raises(
        ar.LedgerError,
        match=r"^customers.csv: column 'region' appears more than once \(headers 'Region', 're",
    ):
        ar.read_ledger(folder)


def test_a_near_miss_csv_header_is_refused_naming_the_file(tmp_path):
    folder = write_tiny(tmp_path / "m")
    text = (folder / "customers.csv").read_text()
    (folder / "customers.csv").write_text(
        text.replace("tenant\n", "tenant,high-hazard\n").replace("True\n", "True,true,x\n")
    )  # the header is checked before the rows (the second row is ragged)
    with pytest.raises(
        ar.LedgerError, match=r"^customers.csv: column 'high-hazard' .*\n  hint: did you mean "
    ):
        ar.read_ledger(folder)


def test_header_spellings_are_read_under_the_schema_name(tmp_path):
    folder = write_tiny(tmp_path / "c")
    text = (folder / "customers.csv").read_text()
    text = text.replace("region", " Region ").replace("tenant\n", "tenant,HIGH_HAZARD\u3000\n")
    text = text.replace("False\n", "False,false\n").replace("True\n", "True,true\n")
    (folder / "customers.csv").write_text(text)
    ledger = ar.read_ledger(folder)
    assert ledger.customers["region"].tolist() == ["East", "West"]
    assert ledger.customers["high_hazard"].tolist() == [False, True]
    assert ledger.attribute_columns == ["high_hazard"]


def test_a_binary_file_named_csv_is_refused(tmp_path):
    folder = write_tiny(tmp_path / "b")
    pq.write_table(pa.Table.from_pandas(tiny_tables()["bills"]), folder / "bills.csv")
    with pytest.raises(
        ar.LedgerError, match=r"^bills.csv: is not a text file: it looks like a Parq"
    ):
        ar.read_ledger(folder)


def test_a_broken_gzip_is_refused(tmp_path):
    folder = write_tiny(tmp_path / "g")
    (folder / "bills.csv").unlink()
    (folder / "bills.csv.gz").write_bytes(gzip.compress(b"customer_id,period\n")[:12])
    with pytest.raises(ar.LedgerError, match=r"^bills.csv.gz: cannot be read"):
        ar.read_ledger(folder)


# -- Parquet -----------------------------------------------------------------------------


def write_parquet(folder: Path, name: str, table: pa.Table) -> Path:
    (folder / f"{name}.csv").unlink(missing_ok=True)
    pq.write_table(table, folder / f"{name}.parquet")
    return folder / f"{name}.parquet"


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"PAR1" + b"\x00" * 40 + b"PAR1", "half"],
    ids=["zero-bytes", "not-parquet", "empty-footer", "truncated"],
)
def test_an_unreadable_parquet_is_refused_by_name(tmp_path, content):
    folder = write_tiny(tmp_path / "p")
    file = write_parquet(folder, "customers", pa.Table.from_pandas(tiny_tables()["customers"]))
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2] if content == "half" else content)
    with pytest.raises(ar.LedgerError, match=r"^customers.parquet: is not a readable Parquet") as e:
        ar.read_ledger(folder)
    assert (e.value.table, e.value.rule) == ("customers", "file")


def _with_pandas_metadata(table: pa.Table, change) -> pa.Table:
    meta = json.loads(table.schema.metadata[b"pandas"])
    change(meta)
    return table.replace_schema_metadata({b"pandas": json.dumps(meta).encode()})


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(index_columns=["__index_level_0__"]),  # an index that is not there
        lambda m: m.update(columns="garbage"),
        lambda m: [
            c.update(pandas_type="datetimetz", metadata={"timezone": "Asia/Shanghai"})
            for c in m["columns"]
            if c["name"] == "opened"
        ],
        lambda m: [c.update(pandas_type="bool", numpy_type="bool") for c in m["columns"]],
    ],
    ids=["missing-index", "garbage", "timezone", "bool"],
)
def test_pandas_metadata_that_disagrees_with_arrow_is_ignored(tmp_path, change):
    folder = write_tiny(tmp_path / "m")
    expected = ar.read_ledger(folder)
    customers = tiny_tables()["customers"].assign(opened=lambda f: pd.to_datetime(f["opened"]))
    table = _with_pandas_metadata(pa.Table.from_pandas(customers, preserve_index=False), change)
    write_parquet(folder, "customers", table)
    ledger = ar.read_ledger(folder)
    pd.testing.assert_frame_equal(
        ledger.customers.astype({"customer_id": "str"}),
        expected.customers.astype({"customer_id": "str"}),
    )


def test_an_index_written_by_pandas_is_not_an_attribute(tmp_path):
    folder = write_tiny(tmp_path / "i")
    customers = tiny_tables()["customers"]
    write_parquet(folder, "customers", pa.Table.from_pandas(customers.set_index("customer_id")))
    write_parquet(folder, "bills", pa.Table.from_pandas(tiny_tables()["bills"].iloc[::-1]))
    ledger = ar.read_ledger(folder)
    assert ledger.customers["customer_id"].astype("str").tolist() == ["C1", "C2"]
    assert "__index_level_0__" not in ledger.bills.columns
    assert ledger.attribute_columns == []


# -- which file holds a table -------------------------------------------------------------


@pytest.mark.parametrize("other", ["customers.parquet", "customers.csv.gz", "Customers.CSV"])
def test_two_files_for_one_table_are_refused_naming_both(tmp_path, other):
    folder = write_tiny(tmp_path / "two")
    (folder / other).write_bytes(b"stale")
    if (folder / "customers.csv").samefile(folder / other):  # a case-insensitive file system
        pytest.skip("the file system does not tell the names apart")
    with pytest.raises(ar.LedgerError) as err:
        ar.read_ledger(folder)
    first, second = sorted(["customers.csv", other])
    assert str(err.value).startswith(
        f"customers: two files could hold this table: {first} and {second} in {folder}.\n"
        "  hint: keep one"
    )
    assert (err.value.table, err.value.rule) == ("customers", "ambiguous")


def test_file_names_are_matched_case_insensitively(tmp_path):
    folder = write_tiny(tmp_path / "case")
    (folder / "bills.csv").rename(folder / "Bills.CSV")
    assert len(ar.read_ledger(folder).bills) == 5


def test_a_missing_table_names_files_of_the_same_stem(tmp_path):
    folder = write_tiny(tmp_path / "txt")
    (folder / "payments.csv").rename(folder / "payments.txt")
    with pytest.raises(
        ar.LedgerError, match=r"payments\.csv \(or \.csv\.gz\) in .*; found payments\.txt\."
    ) as e:
        ar.read_ledger(folder)
    assert "is read too when named payments.csv" in str(e.value)
    assert e.value.rule == "missing_table"


# -- no foreign exception: truncated and corrupted copies of a valid file ----------------

_TINY_CSV = {name: frame.to_csv(index=False).encode() for name, frame in tiny_tables().items()}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(sorted(_TINY_CSV)),
    cut=st.integers(0, 400),
    junk=st.binary(max_size=6),
    at=st.integers(0, 400),
)
def test_a_damaged_csv_gives_a_ledger_or_a_ledger_error(tmp_path_factory, name, cut, junk, at):
    folder = tmp_path_factory.mktemp("damaged")
    for table, data in _TINY_CSV.items():
        if table == name:
            data = data[:cut]
            data = data[:at] + junk + data[at:]
        (folder / f"{table}.csv").write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        try:
            ledger = ar.read_ledger(folder)
        except ar.LedgerError as err:
            assert str(err).startswith((f"{name}", "customers", "bills", "payments")), str(err)
            return
    assert len(ledger.customers) >= 1  # a ledger read from a damaged file is still valid


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), byte=st.integers(0, 255))
def test_a_damaged_parquet_gives_a_ledger_or_a_ledger_error(tmp_path_factory, cut, flip, byte):
    folder = write_tiny(tmp_path_factory.mktemp("pq"))
    file = write_parquet(folder, "bills", pa.Table.from_pandas(tiny_tables()["bills"]))
    data = bytearray(file.read_bytes())
    if flip < len(data):
        data[flip] = byte
    file.write_bytes(bytes(data[: max(cut, 0)] if cut < len(data) else data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        try:
            ar.read_ledger(folder)
        except ar.LedgerError as err:
            assert err.table in ("customers", "bills", "payments")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_read_the_same(tmp_path, newline):
    plain = ar.read_ledger(write_tiny(tmp_path / "lf"))
    folder = write_tiny(tmp_path / "other")
    for file in folder.iterdir():
        file.write_bytes(file.read_bytes().replace(b"\n", newline.encode()))
    assert_same_ledger(ar.read_ledger(folder), plain)
