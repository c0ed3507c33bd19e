"""Decoding text files: one rule for every text file the library reads.

Ledger CSVs, and through :func:`read_text` / :func:`open_text` any other text file
(policy TOML, staff tables, user labels), are decoded the same way:

1. an explicit ``encoding=`` (any Python codec name, e.g. ``"gbk"``) is used as given
   and checked strictly; a byte-order mark (BOM) of another encoding is refused;
2. otherwise a BOM decides: UTF-8 (``EF BB BF``), UTF-16 (``FF FE`` / ``FE FF``,
   what Excel saves as "Unicode text") or UTF-32; the BOM is removed;
3. otherwise a file with NUL bytes is UTF-16 without BOM when every NUL byte sits on
   the same side of the 2-byte units (ASCII text in UTF-16), and is refused as not a
   text file otherwise (a Parquet or Excel file named ``.csv``);
4. otherwise strict UTF-8, then strict GB18030 (a superset of GBK and GB2312): the
   first that decodes the *whole* file wins.

Nothing is guessed from letter frequencies: a strict try-in-order gives the same answer
on every run and never accepts a byte it cannot decode.  (``charset-normalizer`` is not
a dependency of this library and guesses from samples; it can take short GBK text for
Big5 or a Latin code page.)  A file in another encoding (Big5, Shift-JIS, Latin-1...)
needs ``encoding=``.  When nothing decodes, :class:`~arrearsrisk.errors.LedgerError`
(rule ``encoding``) names the file, each encoding tried with the first bad byte and
line, and says to pass ``encoding=``.  Files ending in ``.gz`` are decompressed first.

Examples
--------
>>> decode_bytes("区域,金额\\n".encode("gbk"), source="x.csv")
'区域,金额\\n'
>>> decode_bytes("\\ufeffa\\tb\\n".encode("utf-16"), source="x.csv")
'a\\tb\\n'
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO, cast

from arrearsrisk.errors import LedgerError

__all__ = [
    "ENCODINGS_TRIED",
    "decode_bytes",
    "detect_file_encoding",
    "open_text",
    "read_text",
    "sniff_delimiter",
]

ENCODINGS_TRIED: tuple[str, ...] = ("utf-8", "gb18030")
"""Encodings tried in order on a file without BOM and without ``encoding=``."""

_CHUNK = 1 << 20
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_BOM_COMPATIBLE = {
    "UTF-8": {"utf-8", "utf-8-sig"},
    "UTF-16": {"utf-16", "utf-16-le", "utf-16-be"},
    "UTF-32": {"utf-32", "utf-32-le", "utf-32-be"},
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
)
_HINT = (
    'hint: pass encoding= with the file\'s encoding (e.g. encoding="big5"), or save '
    "the file as UTF-8."
)


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when its name ends in ``.gz``."""
    if _is_gzip(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _chunks(path: Path) -> Generator[bytes, None, None]:
    try:
        with _open_bytes(path) as handle:
            while chunk := handle.read(_CHUNK):
                yield chunk
    except (OSError, EOFError) as err:  # a truncated or damaged .gz
        raise _error(path, f"cannot be read: {err}.", "hint: export the file again.") from err


def _error(source: str | Path, what: str, hint: str = _HINT) -> LedgerError:
    name = source.name if isinstance(source, Path) else source
    stem = name.split(".")[0] if isinstance(source, Path) else name
    return LedgerError(f"{name}: {what}\n  {hint}", table=stem, column=None, rule="encoding")


def _codec(name: str, source: str | Path) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise _error(
            source,
            f"unknown encoding {name!r}.",
            "hint: use a Python codec name such as 'utf-8', 'gb18030', 'gbk' or 'utf-16'.",
        ) from None


def _bom(head: bytes) -> tuple[str, str] | None:
    """(codec, family) of the byte-order mark ``head`` starts with, if any."""
    for mark, codec, family in _BOMS:
        if head.startswith(mark):
            return codec, family
    return None


def _nul_codec(head: bytes, source: str | Path) -> str:
    """UTF-16 without BOM (every NUL byte at odd or every at even offsets), else refuse."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _error(
                source,
                f"is not a text file: it looks like {what}.",
                "hint: export the table as CSV (or name a Parquet file .parquet).",
            )
    odd = head[1::2].count(0)
    even = head[0::2].count(0)
    if odd and not even and len(head) % 2 == 0:
        return "utf-16-le"
    if even and not odd and len(head) % 2 == 0:
        return "utf-16-be"
    raise _error(
        source,
        "is not a text file: it holds NUL bytes.",
        "hint: export the table as CSV text (UTF-8, GB18030 or UTF-16 with BOM).",
    )


def _first_bad(chunks: Iterator[bytes], codec: str) -> str | None:
    """Where ``codec`` first fails on the stream ("byte N, line L"), or None if it decodes."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    lines = 0
    for chunk in chunks:
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as err:
            at = offset + max(err.start, 0)
            lines += chunk.count(b"\n", 0, max(err.start, 0))
            return f"byte 0x{chunk[max(err.start, 0)]:02x} at offset {at:,}, line {lines + 1:,}"
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"the file ends inside a character (offset {offset:,})"
    return None


def _detect(
    head: bytes, stream: Callable[[], Iterator[bytes]], source: str | Path, enc: str | None
) -> str:
    """The codec for a text: ``head`` is its start, ``stream()`` yields it from the start."""
    bom = _bom(head)
    if enc is not None:
        codec = _codec(enc, source)
        if bom is not None and codec not in _BOM_COMPATIBLE[bom[1]]:
            raise _error(
                source,
                f"starts with a {bom[1]} byte-order mark, but encoding={enc!r} was given.",
                f"hint: drop encoding= (the mark says {bom[1]}) or remove the mark.",
            )
        if codec == "utf-8" and bom is not None:
            codec = "utf-8-sig"
        bad = _first_bad(stream(), codec)
        if bad is not None:
            raise _error(source, f"is not valid {enc}: {bad}.")
        return codec
    if bom is not None:
        codec, family = bom
        bad = _first_bad(stream(), codec)
        if bad is not None:
            raise _error(
                source,
                f"starts with a {family} byte-order mark but is not valid {family}: {bad}.",
            )
        return codec
    if b"\x00" in head:
        codec = _nul_codec(head, source)
        bad = _first_bad(stream(), codec)
        if bad is not None:
            raise _error(source, f"is not a text file: it holds NUL bytes ({bad} as {codec}).")
        return codec
    failures = []
    for codec in ENCODINGS_TRIED:
        bad = _first_bad(stream(), codec)
        if bad is None:
            return codec
        failures.append(f"{codec.upper()} ({bad})")
    raise _error(source, "cannot be decoded as text; tried " + "; ".join(failures) + ".")


def detect_file_encoding(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The Python codec that decodes a text file, checked over the whole file.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` is decompressed).
    encoding : str, optional
        The encoding to use and check instead of detecting one.

    Returns
    -------
    str
        A codec name: ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 with BOM), ``"utf-16"``,
        ``"utf-16-le"``, ``"utf-16-be"``, ``"utf-32"``, ``"gb18030"`` or the
        normalised name of ``encoding``.

    Raises
    ------
    LedgerError
        (rule ``encoding``) if the file does not decode strictly, is not text, or
        ``encoding`` is unknown or contradicts the file's byte-order mark.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "customers.csv"
    >>> _ = f.write_bytes("customer_id,region\\nC1,东城\\n".encode("gb18030"))
    >>> detect_file_encoding(f)
    'gb18030'
    >>> detect_file_encoding(f, "utf-8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.LedgerError: customers.csv: is not valid utf-8: byte 0xb6 at ...
    """
    file = Path(path)
    chunks = _chunks(file)
    head = next(chunks, b"")
    chunks.close()
    return _detect(head, lambda: _chunks(file), file, encoding)


def decode_bytes(data: bytes, *, source: str = "<text>", encoding: str | None = None) -> str:
    """Decode ``data`` by the rule of this module; a leading BOM is removed.

    Parameters
    ----------
    data : bytes
        The raw text.
    source : str
        The name used in errors (e.g. the file name).
    encoding : str, optional
        The encoding to use instead of detecting one.

    Returns
    -------
    str

    Examples
    --------
    >>> decode_bytes(b"\\xef\\xbb\\xbfkey = 1\\n")
    'key = 1\\n'
    >>> decode_bytes(b"\\xff\\xfe\\x00", source="policy.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.LedgerError: policy.toml: starts with a UTF-16 byte-order mark but ...
    """
    codec = _detect(data[:_CHUNK], lambda: iter((data,)), source, encoding)
    return data.decode(codec).removeprefix("\ufeff")


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The text of a file, decoded by the rule of this module (BOM removed).

    For small text files: policy TOML, staff tables, user labels.  Callers may catch
    the :class:`~arrearsrisk.errors.LedgerError` and raise their own error from it.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` is decompressed).
    encoding : str, optional
        The encoding to use instead of detecting one.

    Returns
    -------
    str

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    LedgerError
        (rule ``encoding``) as :func:`detect_file_encoding`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "policy.toml"
    >>> _ = f.write_bytes('name_zh = "停电"\\n'.encode("gbk"))
    >>> read_text(f)
    'name_zh = "停电"\\n'
    """
    file = Path(path)
    try:
        with _open_bytes(file) as handle:
            data = handle.read()
    except FileNotFoundError:
        raise
    except (OSError, EOFError) as err:
        raise _error(file, f"cannot be read: {err}.", "hint: export the file again.") from err
    codec = _detect(data[:_CHUNK], lambda: iter((data,)), file, encoding)
    return data.decode(codec).removeprefix("\ufeff")


def open_text(path: str | os.PathLike[str], encoding: str | None = None) -> io.TextIOWrapper:
    """The file opened as text in its detected encoding (checked over the whole file).

    Hand it to ``pandas.read_csv`` or the ``csv`` module; close it when done (or use
    ``with``).  A UTF-8 or UTF-16 BOM is consumed; universal newlines are off (``csv``
    and pandas handle ``\\r\\n`` themselves).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "staff.csv"
    >>> _ = f.write_bytes("name,region\\n王,东城\\n".encode("gbk"))
    >>> with open_text(f) as handle:
    ...     pd.read_csv(handle)
      name region
    0    王     东城
    """
    file = Path(path)
    codec = detect_file_encoding(file, encoding)
    return io.TextIOWrapper(_open_bytes(file), encoding=codec, errors="strict", newline="")


def sniff_delimiter(first_line: str) -> str:
    """The field separator of a CSV from its header line: tab or comma.

    A tab when the line holds more tabs than commas (Excel's "Unicode text" is
    tab-separated), else a comma.

    Examples
    --------
    >>> sniff_delimiter("customer_id\\tcategory\\tregion")
    '\\t'
    >>> sniff_delimiter("customer_id,category")
    ','
    """
    return "\t" if first_line.count("\t") > first_line.count(",") else ","
