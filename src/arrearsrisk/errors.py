"""The exception family of arrearsrisk.

Every error a user can cause derives from :class:`ArrearsRiskError`, itself a
``ValueError``, so ``except ValueError`` keeps working in callers that do not know
this library.  Messages say what was expected, what came, and what to do.
"""

from __future__ import annotations

__all__ = [
    "ArrearsRiskError",
    "BundleError",
    "FeatureFamilyError",
    "LedgerError",
    "LedgerWarning",
    "PeerContextWarning",
    "PolicyError",
    "StaffWarning",
    "TrackingError",
]


class ArrearsRiskError(ValueError):
    """Base class of every error raised by arrearsrisk on bad input."""


class LedgerError(ArrearsRiskError):
    """A ledger table breaks a rule of the schema.

    The message names the table, the column, the rule broken and up to five
    offending rows.

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> try:
    ...     ar.Ledger(customers=pd.DataFrame({"customer_id": ["a"]}),
    ...               bills=pd.DataFrame(), payments=pd.DataFrame())
    ... except ar.LedgerError as err:
    ...     print(str(err).splitlines()[0])
    customers: column 'category' is required but missing.
    """

    def __init__(self, message: str, *, table: str, column: str | None, rule: str) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.rule = rule


class FeatureFamilyError(ArrearsRiskError):
    """A feature family breaks its contract: a declaration is missing or wrong (names,
    builder, context, monotone directions, reason texts) or its builder does not do
    what the family declares (columns, lengths, dtypes, determinism, no leakage).

    Raised by :func:`arrearsrisk.features.register_family` and
    :func:`arrearsrisk.features.check_feature_family`; the message names the family
    and what is missing.
    """

    def __init__(self, message: str, *, family: str) -> None:
        super().__init__(message)
        self.family = family


class LedgerWarning(UserWarning):
    """Data a utility really has but that deserves a look (e.g. payments before any bill)."""


class PeerContextWarning(LedgerWarning):
    """A peer context serves features at a date after its own (within the tolerance of
    :func:`arrearsrisk.features.peers.check_peer_date`): its peer rates lag.  A
    :class:`LedgerWarning`, so filters and ``python -W error`` treat it alike."""


class StaffWarning(LedgerWarning):
    """A staff table leaves plans without someone responsible: an area nobody covers,
    an area without officers, or more plans than the officers' caps.  A
    :class:`LedgerWarning`, so ``python -W error`` (and ``--strict-staff``) refuse it."""


class BundleError(ArrearsRiskError):
    """A saved model bundle is missing, tampered with, truncated or incompatible."""


class PolicyError(ArrearsRiskError):
    """A policy table breaks a rule; the message names the entry and the field.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> from arrearsrisk.plans.policy import parse_policy
    >>> bad = '''
    ... [[measure]]
    ... code = "deposit"
    ... name_zh = "保证金"
    ... name_en = "Deposit"
    ... explain_zh = "收取保证金"
    ... explain_en = "Collect a deposit"
    ...   [[measure.when]]
    ...   exposure_above = "abc"
    ... '''
    >>> try:
    ...     parse_policy(bad)
    ... except ar.PolicyError as err:
    ...     print(str(err).splitlines()[0])
    policy: measure 'deposit': when #1: condition 'exposure_above' must be a number, got 'abc'.
    """

    def __init__(self, message: str, *, measure: str | None = None, key: str | None = None):
        super().__init__(message)
        self.measure = measure
        self.key = key


class TrackingError(ArrearsRiskError):
    """The MLflow store cannot be reached or does not hold what was asked for
    (an unknown run, registered model, version or alias)."""
