"""The registry of feature families: the built-in seven, in output order, then the
families users register.

Everything that depends on the set of families is derived from the registry here:
the reserved names, the monotone constraints, the reason text of a feature.

Examples
--------
>>> [f.name for f in families()]
['payments', 'consumption', 'billing', 'account', 'peers', 'quality', 'trends']
>>> monotone_constraints(["late_streak", "on_time_streak", "kwh_mean_3m", "substation"])
[1, -1, 0, 0]
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features.account import FAMILY as ACCOUNT
from arrearsrisk.features.billing import FAMILY as BILLING
from arrearsrisk.features.consumption import FAMILY as CONSUMPTION
from arrearsrisk.features.family import ID_AND_LABEL_COLUMNS, FeatureFamily, check_declarations
from arrearsrisk.features.payments import FAMILY as PAYMENTS
from arrearsrisk.features.peers import FAMILY as PEERS
from arrearsrisk.features.quality import FAMILY as QUALITY
from arrearsrisk.features.texts import NameAndValue, ReasonText, resolve
from arrearsrisk.features.trends import FAMILY as TRENDS

__all__ = [
    "BUILTIN",
    "families",
    "monotone_constraints",
    "reason_text",
    "register_family",
    "registered",
    "reserved_names",
    "unregister_family",
]

BUILTIN: tuple[FeatureFamily, ...] = (
    PAYMENTS,
    CONSUMPTION,
    BILLING,
    ACCOUNT,
    PEERS,
    QUALITY,
    TRENDS,
)
"""The families of the library, in output order."""

_NAME_AND_VALUE = NameAndValue()


@dataclass(frozen=True)
class _State:
    """The registered families and what is derived from them, replaced as a whole
    (readers on other threads see one state or the next, never half of one)."""

    families: tuple[FeatureFamily, ...]
    owner: dict[str, FeatureFamily] = field(init=False)
    monotone: dict[str, int] = field(init=False)
    reserved: frozenset[str] = field(init=False)
    texts: dict[str, ReasonText] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        owner = {n: fam for fam in self.families for n in fam.names}
        object.__setattr__(self, "owner", owner)
        object.__setattr__(
            self, "monotone", {n: s for fam in self.families for n, s in fam.monotone.items()}
        )
        object.__setattr__(self, "reserved", frozenset(owner) | frozenset(ID_AND_LABEL_COLUMNS))


_lock = threading.Lock()
# The built-in families are checked by the tests (``check_declarations`` reads every
# reason text back, about 0.13 s), not at every import: a cold scoring process skips it.
_state = _State(BUILTIN)


def families() -> tuple[FeatureFamily, ...]:
    """The registered families, in output order."""
    return _state.families


def register_family(family: FeatureFamily) -> FeatureFamily:
    """Add ``family`` after the registered ones: :func:`~arrearsrisk.features.
    build_features` then builds its columns, :func:`~arrearsrisk.features.feature_names`
    lists them, training uses its monotone directions and scoring its reason texts.

    Raises
    ------
    FeatureFamilyError
        If a declaration is missing or wrong (see :func:`~arrearsrisk.features.family.
        check_declarations`), or the family or one of its features has the name of a
        registered one.
    """
    global _state
    check_declarations(family)
    with _lock:
        taken = {f.name for f in _state.families}
        problems = [f"a family named '{family.name}' is registered already"] * (
            family.name in taken
        )
        problems += [
            f"feature '{n}' belongs to family '{_state.owner[n].name}' already"
            for n in family.names
            if n in _state.owner
        ]
        if problems:
            lines = "\n".join(f"  - {p}" for p in problems)
            raise FeatureFamilyError(
                f"feature family '{family.name}' cannot be registered:\n{lines}",
                family=family.name,
            )
        _state = _State((*_state.families, family))
    return family


def unregister_family(name: str) -> FeatureFamily:
    """Remove the registered family ``name`` (not a built-in one) and return it.

    Raises
    ------
    FeatureFamilyError
        If no such family is registered, or it is built in.
    """
    global _state
    with _lock:
        found = [f for f in _state.families if f.name == name]
        if not found:
            raise FeatureFamilyError(f"no feature family '{name}' is registered", family=name)
        if found[0] in BUILTIN:
            raise FeatureFamilyError(
                f"feature family '{name}' is built in and cannot be unregistered", family=name
            )
        _state = _State(tuple(f for f in _state.families if f.name != name))
    return found[0]


@contextmanager
def registered(family: FeatureFamily) -> Iterator[FeatureFamily]:
    """Register ``family`` for the ``with`` block only (e.g. in a test).

    >>> from arrearsrisk.features.texts import NumberText, zh_en
    >>> toy = FeatureFamily("toy", ("toy_a",), lambda s: {"toy_a": s.exposure}, monotone={},
    ...                     reasons={"toy_a": NumberText(zh_en("玩具{v}", "toy {v}"))})
    >>> with registered(toy):
    ...     [f.name for f in families()][-2:]
    ['trends', 'toy']
    >>> "toy" in [f.name for f in families()]
    False
    """
    register_family(family)
    try:
        yield family
    finally:
        unregister_family(family.name)


def reserved_names() -> frozenset[str]:
    """Names no extra customer column may take: every registered feature and
    ``customer_id``, ``as_of``, ``grade``, ``a_warning``."""
    return _state.reserved


def monotone_constraints(names: Sequence[str]) -> list[int]:
    """LightGBM's ``monotone_constraints`` for features ``names``: the direction the
    owning family declares, 0 for the others (e.g. extra customer columns).

    >>> monotone_constraints(["arrears_amount", "bill_amount_mean_12m"])
    [1, 0]
    """
    monotone = _state.monotone
    return [monotone.get(n, 0) for n in names]


def reason_text(name: str) -> ReasonText:
    """The reason text of feature ``name``: its family's entry (or the family's default),
    else, for a name no family declares (an extra customer column), the entry of any
    family serving it (``kwh_mean_6m`` reads like ``kwh_mean_3m``), else ``name: value``.
    """
    state = _state
    found = state.texts.get(name)
    if found is None:
        owner = state.owner.get(name)
        entry = owner.reason(name) if owner is not None else None
        if entry is None:
            entry = resolve(name, [f.reasons for f in state.families])
        found = entry if entry is not None else _NAME_AND_VALUE
        if len(state.texts) < 10_000:  # names come from models and ledgers: bounded
            state.texts[name] = found
    return found
