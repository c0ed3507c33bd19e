"""Grade migration, the one implementation the monitoring and the report share: exact
counts on a literal pair of scorings, a slow per-customer twin on generated ones, and
refusals."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.monitoring.migration import align, migration_counts, moves

STATES = ("I", "II", "III", "warned")
RISK = {"I": 0, "II": 1, "III": 2, "warned": -1}


def test_a_literal_pair_of_scorings():
    before = pd.Series(["I", "II", "III", "warned", "II"], index=["a", "b", "c", "d", "e"])
    now = pd.Series(["I", "II", "warned", "III", "I"], index=["b", "a", "c", "f", "d"])
    aligned = align(before, now, STATES)
    assert aligned.ids.tolist() == ["a", "b", "c", "d", "e", "f"]
    assert aligned.before.tolist() == [0, 1, 2, 3, 1, 4]  # f new
    assert aligned.now.tolist() == [1, 0, 3, 0, 4, 2]  # e closed
    counts = migration_counts(aligned.before, aligned.now, 4)[0]
    assert counts[0, 1] == 1 and counts[1, 0] == 1 and counts[2, 3] == 1 and counts[3, 0] == 1
    assert counts[1, 4] == 1 and counts[4, 2] == 1 and counts.sum() == 6
    up, down, both = moves(counts[None], [RISK[s] for s in STATES])
    # a: I->II down; b: II->I up; c: III->warned up; d: warned->I down
    assert (up.tolist(), down.tolist(), both.tolist()) == ([2], [2], [4])


def test_groups_split_the_counts_and_negative_groups_are_left_out():
    b = np.array([0, 0, 1, 2])
    a = np.array([1, 1, 1, 0])
    counts = migration_counts(b, a, 3, np.array([1, 0, -1, 1]), 2)
    assert counts.shape == (2, 4, 4)
    assert counts[0, 0, 1] == 1 and counts[1, 0, 1] == 1 and counts[1, 2, 0] == 1
    assert counts.sum() == 3


def _slow(before: dict, now: dict, group: dict) -> tuple[Counter, Counter]:
    """Per customer, with dictionaries: (group, before, now) counts and moves."""
    pairs: Counter = Counter()
    moved: Counter = Counter()
    for cid in set(before) | set(now):
        b, a = before.get(cid, "new"), now.get(cid, "closed")
        g = group[cid]
        pairs[g, b, a] += 1
        if b in RISK and a in RISK:
            moved[g, "both"] += 1
            if RISK[a] < RISK[b]:
                moved[g, "up"] += 1
            elif RISK[a] > RISK[b]:
                moved[g, "down"] += 1
    return pairs, moved


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    seed=st.integers(0, 10_000),
    p_before=st.floats(0.0, 1.0),
    p_now=st.floats(0.0, 1.0),
)
def test_counts_and_moves_equal_a_per_customer_twin(n, seed, p_before, p_now):
    rng = np.random.default_rng(seed)
    ids = [f"c{i}" for i in rng.permutation(n)]
    in_before = rng.random(n) < p_before
    in_now = rng.random(n) < p_now
    before = {c: STATES[rng.integers(4)] for c, k in zip(ids, in_before, strict=True) if k}
    now = {c: STATES[rng.integers(4)] for c, k in zip(ids, in_now, strict=True) if k}
    group = {c: int(rng.integers(3)) for c in ids}
    aligned = align(pd.Series(before, dtype=object), pd.Series(now, dtype=object), STATES)
    g = np.array([group[c] for c in aligned.ids], dtype=np.int64)
    counts = migration_counts(aligned.before, aligned.now, 4, g, 3)
    up, down, both = moves(counts, [RISK[s] for s in STATES])
    pairs, moved = _slow(before, now, group)
    names_b, names_a = [*STATES, "new"], [*STATES, "closed"]
    for j in range(3):
        for i, sb in enumerate(names_b):
            for k, sa in enumerate(names_a):
                assert counts[j, i, k] == pairs[j, sb, sa]
        assert (up[j], down[j], both[j]) == (moved[j, "up"], moved[j, "down"], moved[j, "both"])


def test_bad_scorings_are_refused():
    with pytest.raises(ArrearsRiskError, match=r"now: grade 'IV' of customer b is not one of"):
        align(pd.Series(["I"], index=["a"]), pd.Series(["IV"], index=["b"]), STATES)
    with pytest.raises(ArrearsRiskError, match=r"before: customer a is given more than once"):
        align(pd.Series(["I", "II"], index=["a", "a"]), pd.Series(["I"], index=["b"]), STATES)
