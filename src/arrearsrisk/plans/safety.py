"""What the ledger lacks that a policy or the law needs, checked when planning.

Two checks run before any measure is proposed (:func:`check_columns`) and one while the
disconnection procedure is proposed (:func:`unknown_flags`, :func:`hold_measure`):

* a ``flags`` condition (or a flag condition on a column outside the ledger schema,
  e.g. ``high_hazard``) naming a column the ledger does not have: a
  :class:`~arrearsrisk.errors.PolicyError` when every ``when`` block of the measure
  needs it (the measure could never apply), else a
  :class:`~arrearsrisk.errors.LedgerWarning` naming the measure and the blocks that
  never apply, unless the measure lists the column in ``optional_columns`` (the
  shipped ``pre_purchase`` does so for ``capacity_increase``); a ``reasons_any`` word
  that matches no reason text must name an extra customer column
  (:mod:`arrearsrisk.plans.keywords`), or it is a ``PolicyError``;
* the **safety flags**: a measure of kind ``disconnection`` is never proposed to a
  customer whose ``high_hazard`` flag is unknown (the column is missing, or the
  customer's cell is empty), nor when a yes/no column its conditions test is unknown
  for that customer (the shipped policy tests ``budget_funded = false``): an unknown
  flag counts as *no* for the other measures, but never lets the procedure go ahead.
  In its place the plan gets a measure ``<code>_hold`` that says why, in the plan's
  language ("台账缺少高危用户标识，停电程序须人工核实"), and one
  ``LedgerWarning`` per call counts the customers held.

Examples
--------
>>> hold_text("high_hazard", missing=True, lang="zh")
'台账缺少高危用户标识，停电程序须人工核实'
>>> hold_text("budget_funded", missing=False, lang="en")
"this customer's budget-funded flag is empty in the ledger: verify by hand before any suspension"
>>> hold_text("medical_equipment", missing=True, lang="en")
"the ledger has no 'medical_equipment' flag: verify by hand before any suspension"
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from arrearsrisk.errors import LedgerWarning, PolicyError
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.plans.conditions import CONDITIONS, KeywordsCondition
from arrearsrisk.plans.facts import Facts, find_column, is_known
from arrearsrisk.plans.policy import Measure

__all__ = [
    "HOLD_SUFFIX",
    "SAFETY_FLAGS",
    "check_columns",
    "hold_text",
    "unknown_flags",
    "warn_held",
]

SAFETY_FLAGS: dict[str, dict[str, str]] = {
    "high_hazard": {"zh": "高危用户标识", "en": "high-hazard flag"},
    "budget_funded": {"zh": "财政拨款标识", "en": "budget-funded flag"},
}
"""Flags that decide whether the disconnection procedure may go ahead, with their names
in the plan texts.  ``high_hazard`` is checked for every disconnection measure, whatever
its conditions; the others (and any other flag) when a condition tests them."""

HOLD_SUFFIX = "_hold"
"""The code of the measure that stands in for a held disconnection measure."""

HOLD_NAME = {
    "zh": "停电程序暂缓：人工核实客户标识",
    "en": "Disconnection procedure on hold: verify the customer's flags by hand",
}
HOLD_EXPLANATION = {
    "zh": "依法停电程序的条件已满足，但台账中客户标识不明，暂不提出停电；"
    "人工核实（是否高危用户、是否财政拨款单位等）后再按程序办理。",
    "en": "The conditions of the lawful disconnection procedure hold, but the ledger "
    "does not say whether the customer may be disconnected, so no suspension is "
    "proposed; verify by hand (high-hazard customer, budget-funded unit, ...) before "
    "following the procedure.",
}
_MISSING = {
    "zh": "台账缺少{flag}，停电程序须人工核实",
    "en": "the ledger has no {flag}: verify by hand before any suspension",
}
_EMPTY = {
    "zh": "台账中该户{flag}为空，停电程序须人工核实",
    "en": "this customer's {flag} is empty in the ledger: verify by hand before any suspension",
}


def hold_text(column: str, *, missing: bool, lang: str) -> str:
    """Why the procedure is held for one unknown flag, in ``lang``.

    Parameters
    ----------
    column : str
        The flag's column.
    missing : bool
        The ledger has no such column (else the customer's cell is empty).
    lang : {"zh", "en"}
    """
    name = SAFETY_FLAGS.get(column)
    if name is not None:
        flag = name[lang]
    else:
        flag = f"“{column}”标识" if lang == "zh" else f"'{column}' flag"
    return (_MISSING if missing else _EMPTY)[lang].format(flag=flag)


def _schema_columns() -> frozenset[str]:
    return frozenset(SCHEMA["customers"].names)


def check_columns(measures: Sequence[Measure], ledger: Ledger) -> None:
    """Refuse or warn about conditions on customer columns the ledger lacks.

    Raises
    ------
    PolicyError
        A measure every ``when`` block of which tests a column the ledger lacks (it
        could never apply), or a ``reasons_any`` word that matches no reason text and
        no customer column; the error names the measure and the condition.

    Warns
    -----
    LedgerWarning
        A measure some of whose blocks test a column the ledger lacks (those blocks
        never apply), naming the measure, the blocks and the columns.
    """
    customers = ledger.customers
    schema = _schema_columns()
    notes: list[str] = []
    for measure in measures:
        lacking: dict[int, list[tuple[str, str]]] = {}
        for j, block in enumerate(measure.when, start=1):
            for name, value in block.conditions:
                cond = CONDITIONS[name]
                if isinstance(cond, KeywordsCondition):
                    words = tuple(str(w) for w in value) if isinstance(value, tuple) else ()
                    _check_keywords(measure, j, cond, words, customers.columns)
                for column in cond.columns(value):
                    if column in schema or find_column(customers, column) is not None:
                        continue
                    if measure.kind == "disconnection" and column in SAFETY_FLAGS:
                        continue  # held per customer, with a note (unknown_flags)
                    lacking.setdefault(j, []).append((name, column))
        lacking = {
            j: kept
            for j, pairs in lacking.items()
            if (kept := [(n, c) for n, c in pairs if c not in measure.optional_columns])
        }
        if not lacking:
            continue
        columns = sorted({c for pairs in lacking.values() for _, c in pairs})
        if len(lacking) == len(measure.when):
            name, column = next(iter(lacking.values()))[0]
            raise PolicyError(
                f"policy: measure '{measure.code}': condition '{name}' tests the customer "
                f"column '{column}', which the ledger does not have, in every when block, "
                "so the measure could never apply."
                f"\n  hint: add the column {columns} to the customers table, or take the "
                "condition out of the policy.",
                measure=measure.code,
                key=name,
            )
        blocks = ", ".join(f"#{j}" for j in sorted(lacking))
        notes.append(
            f"measure '{measure.code}': when {blocks} test(s) {columns}, which the ledger "
            "does not have, so those blocks never apply"
        )
    if notes:
        warnings.warn(
            "policy: " + "; ".join(notes) + ".\n  hint: add the column(s) to the customers "
            "table, or edit the policy.",
            LedgerWarning,
            stacklevel=4,
        )


def _check_keywords(
    measure: Measure, block: int, cond: KeywordsCondition, value: tuple[str, ...], columns: object
) -> None:
    names = [str(c).strip().casefold() for c in columns]  # type: ignore[attr-defined]
    for word in cond.unmatched(value):
        folded = word.casefold()
        if not any(folded in n for n in names):
            raise PolicyError(
                f"policy: measure '{measure.code}': when #{block}: condition '{cond.name}' "
                f"has {word!r}, which no reason text contains and no customer column is "
                "named like, so it would never match."
                "\n  hint: use a word of the reasons (e.g. 'late', '逾期'), or the name of "
                "an extra customer column of this ledger.",
                measure=measure.code,
                key=cond.name,
            )


def unknown_flags(
    conditions: Sequence[tuple[str, object]], facts: Facts
) -> dict[str, tuple[np.ndarray, bool]]:
    """The flags a disconnection block depends on that are unknown for some customers.

    ``high_hazard`` always, plus every yes/no column the block's conditions test.

    Returns
    -------
    dict of str to (numpy.ndarray of bool, bool)
        By column: which customers' value is unknown, and whether the ledger lacks the
        column altogether; only columns unknown for someone.
    """
    columns = ["high_hazard"]
    for name, value in conditions:
        for column in CONDITIONS[name].columns(value):
            if column not in columns:
                columns.append(column)
    out: dict[str, tuple[np.ndarray, bool]] = {}
    frame = facts.frame
    for column in columns:
        if f"known_{column}" in frame.columns:
            known = frame[f"known_{column}"].to_numpy(dtype=bool)
        else:
            found = find_column(facts.customers, column)
            known = (
                np.zeros(len(frame), dtype=bool)
                if found is None
                else is_known(facts.customers[found])
            )
        missing = not known.any()  # no planned customer has it: as good as no column
        if not known.all():
            out[column] = (~known, missing)
    return out


def warn_held(measure: Measure, held: int, columns: dict[str, bool]) -> None:
    """One :class:`~arrearsrisk.errors.LedgerWarning` for a disconnection measure held
    for ``held`` customers, naming the flags (``columns``: flag -> the ledger lacks it)."""
    parts = [
        f"the ledger has no '{c}' column" if missing else f"'{c}' is empty for some customers"
        for c, missing in columns.items()
    ]
    warnings.warn(
        f"customers: {'; '.join(parts)}: measure '{measure.code}' (the lawful disconnection "
        f"procedure) is held for {held} customer(s) and their plans say so; verify by hand "
        "before any suspension.\n  hint: add the column(s) to the customers table "
        "(yes/no).",
        LedgerWarning,
        stacklevel=4,
    )
