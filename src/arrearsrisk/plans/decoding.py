"""Text files a manager edits (the policy TOML, a staff table): bytes to text.

A file is decoded with the explicit ``encoding`` when given; otherwise by its byte-order
mark (UTF-8, UTF-16 LE/BE; the mark is dropped), else as strict UTF-8, else as strict
GB18030 (a superset of GBK and GB2312, what Chinese Windows and WPS save as "ANSI").
A file that none of these decode is refused by name, with the encodings tried.

The ledger's own decoder (``arrearsrisk.ledger.encoding.read_text``) is used when it
exists, so every file of the library is read by the same rule.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "policy.toml"
>>> _ = path.write_bytes("[policy]\\nname = '默认'\\n".encode("gbk"))
>>> read_text(path)
"[policy]\\nname = '默认'\\n"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfx = 1\\n")
>>> read_text(path)
'x = 1\\n'
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["TRIED", "read_text"]

TRIED: tuple[str, ...] = ("utf-8", "gb18030")
"""Encodings tried in order when the file has no byte-order mark."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _ledger_decoder() -> object | None:
    # TODO(lead): engineer A's arrearsrisk.ledger.encoding.read_text replaces the local
    # rule below once it exists; keep one decoder for every file the library reads.
    try:
        from arrearsrisk.ledger import encoding
    except ImportError:
        return None
    return getattr(encoding, "read_text", None)


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The text of ``path``, decoded as the module docstring says.

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str, optional
        Decode with this codec (strictly) instead of detecting it.

    Raises
    ------
    ArrearsRiskError
        If the file does not decode, naming the file and the encoding(s) tried, or the
        encoding is not a known codec.
    FileNotFoundError
        If the file does not exist.
    """
    file = Path(path)
    decoder = _ledger_decoder()
    if callable(decoder):
        try:
            return str(decoder(file, encoding=encoding))
        except ArrearsRiskError as err:  # a LedgerError for a file that is no ledger
            raise ArrearsRiskError(str(err)) from None
    data = file.read_bytes()
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ArrearsRiskError(
                f"{file}: unknown encoding {encoding!r}.\n  hint: e.g. 'utf-8' or 'gb18030'."
            ) from None
        return _decode(file, data, encoding, (encoding,)).removeprefix("\ufeff")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(file, data[len(bom) :], codec, (codec,))
    for codec in TRIED:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return _decode(file, data, TRIED[-1], TRIED)


def _decode(file: Path, data: bytes, codec: str, tried: tuple[str, ...]) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        raise ArrearsRiskError(
            f"{file}: cannot be decoded as {' or '.join(tried)} (byte {err.start}: "
            f"{data[err.start : err.start + 4]!r}).\n  hint: save it as UTF-8, or pass "
            "encoding= (e.g. 'gb18030')."
        ) from None
