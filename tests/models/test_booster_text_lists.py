"""The model text's number lists checked in one regular expression, against the plain
token-by-token check it replaced (a slow twin)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.models import booster_text as bt


def slow_tokens(value: str, pattern) -> list[str] | None:
    """Split on single spaces; every token a number of ``pattern``, at most 40 long."""
    tokens = value.split(" ") if value else []
    if not all(len(t) <= bt._TOKEN and pattern.fullmatch(t) for t in tokens):
        return None
    return tokens


def fast_tokens(value: str, pattern) -> list[str] | None:
    try:
        return bt._tokens(value, "field", pattern, "numbers")
    except bt._Bad:
        return None


numbers = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=False).map(repr),
    st.text(alphabet="0123456789.-+eEinf ", max_size=50),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(numbers, max_size=8), st.sampled_from([" ", "  ", ""]), st.booleans())
def test_the_list_check_equals_the_token_check(parts, sep, pad):
    value = sep.join(parts) + (" " if pad else "")
    for pattern in (bt._INT, bt._FLOAT, bt._THRESHOLD):
        assert fast_tokens(value, pattern) == slow_tokens(value, pattern)


@pytest.mark.parametrize(
    ("value", "pattern", "ok"),
    [
        ("1 2 -3", bt._INT, True),
        ("1 2.5", bt._INT, False),
        ("0.5 -1e-05 .25", bt._FLOAT, True),
        ("inf -inf 1", bt._THRESHOLD, True),
        ("inf", bt._FLOAT, False),
        ("1" * 41, bt._FLOAT, False),  # a number longer than LightGBM writes
        ("1 ", bt._INT, False),
    ],
)
def test_literal_lists(value, pattern, ok):
    assert (fast_tokens(value, pattern) is not None) is ok
    refused = pytest.raises(bt._Bad, match="field is not a list of numbers")
    with contextlib.nullcontext() if ok else refused:
        bt._tokens(value, "field", pattern, "numbers")
