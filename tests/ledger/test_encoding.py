"""Text decoding: explicit encoding, BOM, NUL bytes (UTF-16 without BOM), strict UTF-8
then GB18030, and errors that name the file, the encodings tried and the bad byte."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.encoding import (
    ENCODINGS_TRIED,
    decode_bytes,
    detect_file_encoding,
    open_text,
    read_text,
    sniff_delimiter,
)

TEXT = "customer_id,region\nC1,东城区\nC2,𠀀河西\n"  # 𠀀 is outside GBK, inside GB18030


def test_the_order_tried_is_utf8_then_gb18030():
    assert ENCODINGS_TRIED == ("utf-8", "gb18030")


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("gb18030"), "gb18030"),
        ("customer_id,region\nC1,东城区\n".encode("gbk"), "gb18030"),
        ("a\tb\n1\t2\n".encode("utf-16-le"), "utf-16-le"),  # no BOM: NULs on odd bytes
        ("a\tb\n1\t2\n".encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_detected_codec_and_text(tmp_path, data, codec):
    f = tmp_path / "t.csv"
    f.write_bytes(data)
    assert detect_file_encoding(f) == codec
    expected = data.decode(codec).removeprefix("\ufeff")
    assert read_text(f) == expected
    assert decode_bytes(data) == expected


def test_gbk_text_decodes_to_the_chinese_it_holds():
    assert decode_bytes("区域,东城区".encode("gbk")) == "区域,东城区"


def test_explicit_encoding_is_used_and_checked(tmp_path):
    f = tmp_path / "customers.csv"
    f.write_bytes("region\n臺北\n".encode("big5"))
    assert read_text(f, encoding="big5") == "region\n臺北\n"
    assert detect_file_encoding(f, "BIG5") == "big5"
    with pytest.raises(LedgerError, match=r"^customers.csv: is not valid utf-8: byte 0xbb"):
        read_text(f, encoding="utf-8")


def test_explicit_utf8_on_a_bom_file_drops_the_bom(tmp_path):
    f = tmp_path / "p.toml"
    f.write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert detect_file_encoding(f, "utf-8") == "utf-8-sig"
    assert read_text(f, encoding="utf-8") == "a = 1\n"


def test_explicit_encoding_against_the_bom_is_refused(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_bytes(b"\xef\xbb\xbfa = 1\n")
    with pytest.raises(LedgerError, match="UTF-8 byte-order mark, but encoding='gbk'") as err:
        read_text(f, encoding="gbk")
    assert err.value.rule == "encoding"


def test_unknown_encoding_is_refused(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"a\n")
    with pytest.raises(LedgerError, match=r"x.csv: unknown encoding 'klingon'"):
        read_text(f, encoding="klingon")


def test_undecodable_text_names_every_encoding_tried_with_byte_and_line(tmp_path):
    f = tmp_path / "customers.csv"
    f.write_bytes(b"customer_id,region\nC1,ok\nC2,caf\xe9,\n")  # Latin-1 e-acute
    with pytest.raises(LedgerError) as err:
        detect_file_encoding(f)
    assert str(err.value) == (
        "customers.csv: cannot be decoded as text; tried UTF-8 (byte 0xe9 at offset 31, "
        "line 3); GB18030 (byte 0xe9 at offset 31, line 3).\n"
        '  hint: pass encoding= with the file\'s encoding (e.g. encoding="big5"), or save '
        "the file as UTF-8."
    )
    assert (err.value.table, err.value.rule) == ("customers", "encoding")


def test_the_whole_file_is_checked_not_only_its_start(tmp_path):
    f = tmp_path / "big.csv"
    f.write_bytes(b"a,b\n" + b"x,y\n" * 600_000 + "区,域\n".encode("gbk"))  # past 2 MiB
    assert detect_file_encoding(f) == "gb18030"


def test_a_bom_file_that_breaks_its_own_encoding_is_refused(tmp_path):
    f = tmp_path / "u.csv"
    f.write_bytes(b"\xef\xbb\xbfa\n\xff\n")
    with pytest.raises(LedgerError, match="UTF-8 byte-order mark but is not valid UTF-8: byte"):
        detect_file_encoding(f)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PAR1\x00\x00\x15\x04", "looks like a Parquet file"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"looks like a zip archive or an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", r"looks like an old Excel workbook"),
        (b"a\x00\x00b,c\n", "holds NUL bytes"),
    ],
)
def test_binary_files_are_not_text(tmp_path, data, what):
    f = tmp_path / "customers.csv"
    f.write_bytes(data)
    with pytest.raises(LedgerError, match=rf"^customers.csv: is not a text file: it {what}"):
        detect_file_encoding(f)


def test_gzip_is_decompressed_and_a_broken_gzip_is_refused(tmp_path):
    f = tmp_path / "bills.csv.gz"
    f.write_bytes(gzip.compress(TEXT.encode("gb18030")))
    assert detect_file_encoding(f) == "gb18030"
    assert read_text(f) == TEXT
    bad = tmp_path / "payments.csv.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(LedgerError, match=r"^payments.csv.gz: cannot be read: Not a gzipped"):
        detect_file_encoding(bad)
    with pytest.raises(LedgerError, match=r"^payments.csv.gz: cannot be read"):
        read_text(bad)


def test_an_empty_file_is_empty_text(tmp_path):
    f = tmp_path / "e.csv"
    f.write_bytes(b"")
    assert detect_file_encoding(f) == "utf-8"
    assert read_text(f) == ""


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.toml"):
        read_text(tmp_path / "nope.toml")


def test_open_text_hands_pandas_decoded_text(tmp_path):
    f = tmp_path / "staff.csv"
    f.write_bytes("name\tregion\n王芳\t东城\n".encode("utf-16"))
    with open_text(f) as handle:
        frame = pd.read_csv(handle, sep="\t", dtype=str)
    pd.testing.assert_frame_equal(
        frame, pd.DataFrame({"name": ["王芳"], "region": ["东城"]}, dtype=str)
    )


@pytest.mark.parametrize(
    ("line", "sep"),
    [("a\tb\tc", "\t"), ("a,b,c", ","), ("a", ","), ("a,b\tc,d", ","), ("a\tb,c\td", "\t")],
)
def test_delimiter(line, sep):
    assert sniff_delimiter(line) == sep


_TEXTS = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@given(_TEXTS.filter(lambda t: not t.startswith("\ufeff")))
def test_utf8_and_utf16_with_bom_round_trip(text):
    assert decode_bytes(text.encode("utf-8")) == text
    assert decode_bytes(text.encode("utf-16")) == text
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


# None of these characters is, in GBK, a byte sequence that is also valid UTF-8.
@given(st.text(st.sampled_from("区域东城河西南湖乔北供电所,\n ")).filter(lambda t: t.strip()))
def test_gbk_chinese_round_trips(text):
    assert decode_bytes(text.encode("gbk")) == text


def test_known_limit_gbk_bytes_that_are_also_utf8_need_encoding():
    """GBK "石头" is the bytes CA AF CD B7, which are valid UTF-8 ("ʯͷ"): strict UTF-8
    comes first, so a file whose only Chinese is such characters needs ``encoding=``.
    Real exports hold enough Chinese for UTF-8 to fail (each GBK character passes as
    UTF-8 with a chance of about one in seven)."""
    data = "region\n石头\n".encode("gbk")
    assert decode_bytes(data) == "region\nʯͷ\n"
    assert decode_bytes(data, encoding="gbk") == "region\n石头\n"


def test_decode_bytes_names_its_source():
    with pytest.raises(LedgerError, match=r"^policy.toml: cannot be decoded as text; tried UTF-8"):
        decode_bytes(b"a = '\x80'\n", source="policy.toml")


def test_paths_may_be_strings(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes(TEXT.encode("gb18030"))
    assert read_text(str(f)) == TEXT
