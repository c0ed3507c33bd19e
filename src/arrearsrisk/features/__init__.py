"""Point-in-time features: one row per customer active at ``as_of``.

Features come in families.  Each family declares, in its own module, a
:class:`FeatureFamily`: its columns (named after what they measure and their
window), its builder, the context the builder needs, the monotone directions of its
features and their reason texts in Chinese and English.  Seven are built in:

============== ===============================================================
family         what it sees
============== ===============================================================
payments       FIFO settlement: late / seriously late bills over 3, 6, 12, 24
               months, arrears, streaks, partial payments, timing, channels
consumption    kWh level, trend, volatility, recent drop, zero months, season
billing        average monthly bill (exposure), swings, corrections
account        category, industry, region, supply, tenure, measures in place,
               extra customer columns
peers          recent arrears rate of the customer's industry and region
quality        estimated readings
trends         lateness drift, year-on-year consumption, consumption drops,
               estimated readings ahead
============== ===============================================================

More can be added with :func:`register_family` once :func:`check_feature_family`
accepts them.  Every family sees the ledger only through
:func:`~arrearsrisk.asof.snapshot.take_snapshot`, so nothing dated after ``as_of``
reaches a feature.  Missing history is explicit: counts are zero, rates and means over
no bills are NaN, and ``billing_history_months`` / ``tenure_months`` say how much
history there is.
"""

from __future__ import annotations

from arrearsrisk.features.build import (
    build_features,
    feature_columns,
    feature_names,
    peer_context,
)
from arrearsrisk.features.checks import check_feature_family
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.peer_context import PeerContext
from arrearsrisk.features.registry import (
    BUILTIN,
    families,
    monotone_constraints,
    register_family,
    registered,
    unregister_family,
)

FAMILIES: tuple[FeatureFamily, ...] = BUILTIN
"""The built-in families, in output order (:func:`families` lists every registered one)."""

__all__ = [
    "FAMILIES",
    "FeatureFamily",
    "PeerContext",
    "build_features",
    "check_feature_family",
    "families",
    "feature_columns",
    "feature_names",
    "monotone_constraints",
    "peer_context",
    "register_family",
    "registered",
    "unregister_family",
]
