"""LightGBM text models checked before LightGBM parses them.

LightGBM 4's text parser trusts its input: an edited model file can make it abort the
whole process (``terminate called without an active exception``: a wrong
``num_leaves``, a value that is not a number, a missing field), crash it (a child
index out of range, ``num_cat`` disagreeing with the categorical splits, a missing
``end of parameters``), divide by zero (``num_tree_per_iteration=0``) or loop forever
(a node that is its own child) -- none of which a ``try`` can catch.  So a bundle's
model text is checked here first, in pure Python, against the shape LightGBM 4 writes
for a binary model of this package:

* the header: ``tree``, ``version=v4``, ``num_class=1``, ``num_tree_per_iteration=1``,
  ``label_index=0``, ``objective=binary sigmoid:...``, ``max_feature_idx`` one less than
  the features, ``feature_names`` (the model's own, when given), ``feature_infos`` and
  ``monotone_constraints`` of one entry per feature, ``tree_sizes`` one per tree;
* each ``Tree=i`` block (numbered from 0, exactly ``tree_sizes[i]`` bytes long): only
  known fields, each once; arrays of ``num_leaves - 1`` (nodes) and ``num_leaves``
  (leaves) numbers; numbers finite; split features in range; decision types valid;
  categorical splits only on categorical features, indexing ``cat_boundaries`` within
  ``num_cat``; children in range, forming one tree rooted at node 0 (no cycle, every
  node and leaf reached once); no linear trees;
* one ``end of trees``; then feature importances, ``parameters:`` ... ``end of
  parameters`` and ``pandas_categorical:null``, and nothing else.

Checking costs about 0.1 s for the sample bundle's three files (parsing them in a
child process first, the other way to survive an abort, costs a Python start and a
LightGBM import, 1-4 s, and would not catch the crashes that only come at prediction).

Examples
--------
>>> from pathlib import Path
>>> text = Path("models/sample/warning.txt").read_text()
>>> check_model_text(text, source="warning.txt")  # its number of trees
116
>>> try:
...     check_model_text(text.replace("num_leaves=7", "num_leaves=9", 1), source="w.txt")
... except BundleError as err:
...     print(str(err).split(": ", 1)[1].splitlines()[0])
Tree=0: split_feature has 6 values; num_leaves=9 needs 8.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Sequence

from arrearsrisk.errors import BundleError

__all__ = ["MAX_LEAVES", "MAX_TREES", "check_model_text"]

MAX_TREES = 1_000_000
"""Most trees a model text may hold."""

MAX_LEAVES = 1 << 17
"""Most leaves a tree may have (LightGBM's ``num_leaves`` limit)."""

_INT32 = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_TOKEN = 40  # longest number LightGBM writes is about 25 characters
_INT = re.compile(r"-?\d{1,19}")
_FLOAT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,4})?")
_THRESHOLD = re.compile(rf"{_FLOAT.pattern}|-?inf")
_INFINITIES = (math.inf, -math.inf)
_RANGE = re.compile(r"\[(-?[0-9.eE+-]{1,30}):(-?[0-9.eE+-]{1,30})\]")
_PARAMETER = re.compile(r"\[[a-z0-9_]+: [^\[\]]*\]")
_HEADER_REQUIRED = (
    "version",
    "num_class",
    "num_tree_per_iteration",
    "label_index",
    "max_feature_idx",
    "objective",
    "feature_names",
    "feature_infos",
    "tree_sizes",
)
_HEADER_FIXED = {
    "version": "v4",
    "num_class": "1",
    "num_tree_per_iteration": "1",
    "label_index": "0",
}
_NODE_INTS = ("split_feature", "decision_type", "left_child", "right_child", "internal_count")
_NODE_FLOATS = ("split_gain", "threshold", "internal_value", "internal_weight")
_LEAF_FLOATS = ("leaf_value", "leaf_weight")
_TREE_FIELDS = frozenset(
    {
        "num_leaves",
        "num_cat",
        *_NODE_INTS,
        *_NODE_FLOATS,
        *_LEAF_FLOATS,
        "leaf_count",
        "cat_boundaries",
        "cat_threshold",
        "is_linear",
        "shrinkage",
    }
)


class _Bad(Exception):
    """One thing wrong with the text (turned into a BundleError naming the file)."""


def check_model_text(
    text: str,
    *,
    source: str,
    names: Sequence[str] | None = None,
    categorical: Collection[str] = (),
) -> int:
    """Check that ``text`` is a LightGBM 4 binary model that is safe to parse.

    Parameters
    ----------
    text : str
        The model text (``Booster.model_to_string()``).
    source : str
        The file it came from, for the message.
    names : sequence of str, optional
        The features the model must have, in order (``FeatureSpec.names``).
    categorical : collection of str
        The features that may have categorical splits; without ``names``, any may.

    Returns
    -------
    int
        The number of trees.

    Raises
    ------
    BundleError
        Naming ``source`` and the first thing wrong, if the text is not in the shape
        described in this module.
    """
    try:
        return _check(text, names, categorical)
    except _Bad as err:
        raise BundleError(
            f"{source} is not a LightGBM model this arrearsrisk reads: {err}.\n"
            "  hint: the model file was edited or damaged after saving; restore the bundle "
            "from where it was saved, or retrain."
        ) from None


def _check(text: str, names: Sequence[str] | None, categorical: Collection[str]) -> int:
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise _Bad(f"line {line} holds the control character {bad.group()!r}")
    start = text.find("\nTree=")
    end = text.find("\nend of trees\n")
    if start < 0 or end < start:
        raise _Bad("it has no 'Tree=' blocks followed by 'end of trees'")
    header = _header(text[: start + 1])
    n, features, cats = _features(header, names, categorical)
    sizes = [int(s) for s in _ints(header["tree_sizes"], "tree_sizes", 0, _INT32)]
    if not 1 <= len(sizes) <= MAX_TREES:
        raise _Bad(f"tree_sizes lists {len(sizes):,} trees; expected 1 to {MAX_TREES:,}")
    position = start + 1
    for index, size in enumerate(sizes):
        block = text[position : position + size]
        if not block.startswith(f"Tree={index}\n"):
            raise _Bad(f"tree {index} does not start at byte {position:,} (tree_sizes is wrong)")
        if not block.isascii() or not block.endswith("\n\n\n") or "\n\n\n" in block[:-3]:
            raise _Bad(f"Tree={index}: tree_sizes says {size:,} bytes, the block has another size")
        try:
            _tree(block[:-3].split("\n")[1:], n, cats)
        except _Bad as err:
            raise _Bad(f"Tree={index}: {err}") from None
        position += size
    if position != end + 1:
        raise _Bad("'end of trees' does not follow the last tree of tree_sizes")
    _tail(text[end + len("\nend of trees\n") :], set(features))
    return len(sizes)


def _header(text: str) -> dict[str, str]:
    lines = text.split("\n")
    if lines[0] != "tree":
        raise _Bad(f"it starts with {lines[0][:40]!r}, not 'tree'")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        key, eq, value = line.partition("=")
        if not eq or key not in (*_HEADER_REQUIRED, "monotone_constraints"):
            raise _Bad(f"the header has an unknown line {line[:40]!r}")
        if key in fields:
            raise _Bad(f"the header has {key} twice")
        fields[key] = value
    missing = [k for k in _HEADER_REQUIRED if k not in fields]
    if missing:
        raise _Bad(f"the header lacks {', '.join(missing)}")
    for key, value in _HEADER_FIXED.items():
        if fields[key] != value:
            raise _Bad(f"the header has {key}={fields[key][:20]}; expected {key}={value}")
    kind, _, sigmoid = fields["objective"].partition(" sigmoid:")
    if kind != "binary" or not _number(sigmoid, _FLOAT):
        raise _Bad(f"objective={fields['objective'][:40]} is not a binary objective")
    return fields


def _features(
    header: dict[str, str], names: Sequence[str] | None, categorical: Collection[str]
) -> tuple[int, list[str], frozenset[int]]:
    features = header["feature_names"].split(" ")
    n = len(features)
    if names is not None and tuple(features) != tuple(names):
        raise _Bad(
            f"its feature_names ({n} features) are not the manifest's ({len(names)} features)"
        )
    if header["max_feature_idx"] != str(n - 1):
        raise _Bad(f"max_feature_idx={header['max_feature_idx'][:20]} but it names {n} features")
    infos = header["feature_infos"].split(" ")
    if len(infos) != n or not all(map(_info, infos)):
        raise _Bad(f"feature_infos does not hold one valid entry for each of the {n} features")
    if "monotone_constraints" in header:
        signs = header["monotone_constraints"].split(" ")
        if len(signs) != n or not set(signs) <= {"-1", "0", "1"}:
            raise _Bad(f"monotone_constraints does not hold -1, 0 or 1 for each of {n} features")
    allowed = range(n) if names is None else [i for i, f in enumerate(features) if f in categorical]
    return n, features, frozenset(allowed)


def _number(token: str, pattern: re.Pattern[str]) -> bool:
    return len(token) <= _TOKEN and pattern.fullmatch(token) is not None


def _info(token: str) -> bool:
    """A feature_infos entry: ``none``, ``[low:high]`` or categories ``a:b:c``."""
    bounds = _RANGE.fullmatch(token) if len(token) <= 2 * _TOKEN else None
    if bounds:
        return _number(bounds[1], _FLOAT) and _number(bounds[2], _FLOAT)
    return token == "none" or all(_number(t, _INT) for t in token.split(":"))


_LISTS = {
    p: re.compile(rf"(?:{p.pattern})(?: (?:{p.pattern}))*") for p in (_INT, _FLOAT, _THRESHOLD)
}
"""Each number pattern as a list of numbers separated by one space: a field is checked
in one regular-expression call (a token at a time made the check most of a cold load)."""


def _tokens(value: str, field: str, pattern: re.Pattern[str], what: str) -> list[str]:
    """``value`` split on single spaces, each token a number of ``pattern`` of at most
    ``_TOKEN`` characters (as :func:`_number` checks one).

    >>> _tokens("1 -2 3", "f", _INT, "integers"), _tokens("", "f", _INT, "integers")
    (['1', '-2', '3'], [])
    >>> _tokens("1  2", "f", _INT, "integers")
    Traceback (most recent call last):
    ...
    arrearsrisk.models.booster_text._Bad: f is not a list of integers
    """
    if not value:
        return []
    tokens = value.split(" ")
    if _LISTS[pattern].fullmatch(value) is None or max(map(len, tokens)) > _TOKEN:
        raise _Bad(f"{field} is not a list of {what}")
    return tokens


def _ints(value: str, field: str, low: int, high: int) -> list[int]:
    out = [int(v) for v in _tokens(value, field, _INT, "integers")]
    if out and not (low <= min(out) and max(out) <= high):
        raise _Bad(f"{field} holds a value outside [{low}, {high}]")
    return out


def _floats(value: str, field: str) -> list[float]:
    """Finite numbers; a threshold may also be ``inf`` or ``-inf`` (as LightGBM writes)."""
    pattern = _THRESHOLD if field == "threshold" else _FLOAT
    out = [float(v) for v in _tokens(value, field, pattern, "numbers")]
    if not all(math.isfinite(v) or (v in _INFINITIES and pattern is _THRESHOLD) for v in out):
        raise _Bad(f"{field} holds a number too large to be finite")
    return out


def _tree(lines: list[str], n_features: int, categorical: frozenset[int]) -> None:
    fields: dict[str, str] = {}
    for line in lines:
        key, eq, value = line.partition("=")
        if not eq or key not in _TREE_FIELDS:
            raise _Bad(f"unknown line {line[:40]!r}")
        if key in fields:
            raise _Bad(f"{key} twice")
        fields[key] = value
    for key in ("num_leaves", "num_cat"):
        if key not in fields or not _number(fields[key], _INT):
            raise _Bad(f"{key} is missing or not one integer")
    n_leaves, n_cat = int(fields["num_leaves"]), int(fields["num_cat"])
    if not 1 <= n_leaves <= MAX_LEAVES or not 0 <= n_cat < n_leaves:
        raise _Bad(f"num_leaves={n_leaves}, num_cat={n_cat}: out of range")
    expected = {k for k in _TREE_FIELDS if n_cat or not k.startswith("cat_")}
    if set(fields) != expected:
        wrong = sorted(expected - set(fields)) or sorted(set(fields) - expected)
        raise _Bad(f"fields {', '.join(wrong)} missing or unexpected for num_cat={n_cat}")
    if fields["is_linear"] != "0":
        raise _Bad("it is a linear tree (is_linear must be 0)")
    if len(_floats(fields["shrinkage"], "shrinkage")) != 1:
        raise _Bad("shrinkage is not one number")
    nodes = n_leaves - 1
    ints = {
        k: _ints(fields[k], k, -MAX_LEAVES if k.endswith("child") else 0, _INT32)
        for k in _NODE_INTS
    }
    for key in (*_NODE_INTS, *_NODE_FLOATS):
        values = ints[key] if key in ints else _floats(fields[key], key)
        if len(values) != nodes:
            raise _Bad(f"{key} has {len(values)} values; num_leaves={n_leaves} needs {nodes}")
    leaf_values = _floats(fields["leaf_value"], "leaf_value")
    if len(leaf_values) != n_leaves:
        raise _Bad(f"leaf_value has {len(leaf_values)} values; num_leaves={n_leaves}")
    weights = len(_floats(fields["leaf_weight"], "leaf_weight"))
    counts = len(_ints(fields["leaf_count"], "leaf_count", 0, _INT32))
    if weights not in (0, n_leaves) or counts not in (0, n_leaves):
        raise _Bad(f"leaf_weight or leaf_count does not have num_leaves={n_leaves} values")
    thresholds = _floats(fields["threshold"], "threshold")
    _splits(ints, thresholds, n_features, categorical, n_cat)
    if n_cat:
        _categories(fields, n_cat)
    _shape(ints["left_child"], ints["right_child"], n_leaves)


def _splits(
    ints: dict[str, list[int]],
    thresholds: list[float],
    n_features: int,
    categorical: frozenset[int],
    n_cat: int,
) -> None:
    used = 0
    for node, (feature, kind, threshold) in enumerate(
        zip(ints["split_feature"], ints["decision_type"], thresholds, strict=True)
    ):
        if feature >= n_features:
            raise _Bad(f"node {node} splits on feature {feature}; the model has {n_features}")
        if kind > 11:  # bit 0 categorical, bit 1 default left, bits 2-3 missing type 0-2
            raise _Bad(f"node {node} has decision_type {kind}, not a LightGBM decision type")
        if kind & 1:
            if feature not in categorical:
                raise _Bad(f"node {node} has a categorical split on numeric feature {feature}")
            if threshold != int(threshold) or not 0 <= threshold < n_cat:
                raise _Bad(f"node {node} points at category set {threshold}; num_cat={n_cat}")
            used += 1
    if used != n_cat:
        raise _Bad(f"num_cat={n_cat} but {used} nodes split on categories")


def _categories(fields: dict[str, str], n_cat: int) -> None:
    bounds = _ints(fields["cat_boundaries"], "cat_boundaries", 0, _INT32)
    words = _ints(fields["cat_threshold"], "cat_threshold", 0, 2**32 - 1)
    if (
        len(bounds) != n_cat + 1
        or bounds[0] != 0
        or bounds[-1] != len(words)
        or any(a > b for a, b in itertools.pairwise(bounds))
    ):
        raise _Bad(
            f"cat_boundaries must be {n_cat + 1} rising offsets from 0 to the "
            f"{len(words)} cat_threshold words"
        )


def _shape(left: list[int], right: list[int], n_leaves: int) -> None:
    """Children in range and one tree rooted at node 0: each node and leaf once."""
    if n_leaves == 1:
        return
    seen_nodes = [False] * (n_leaves - 1)
    seen_leaves = [False] * n_leaves
    seen_nodes[0] = True
    stack = [0]
    while stack:
        node = stack.pop()
        for child in (left[node], right[node]):
            if child >= 0:
                if child >= n_leaves - 1 or seen_nodes[child]:
                    raise _Bad(f"node {node} has child node {child}: out of range or reached twice")
                seen_nodes[child] = True
                stack.append(child)
            else:
                leaf = ~child
                if leaf >= n_leaves or seen_leaves[leaf]:
                    raise _Bad(f"node {node} has child leaf {leaf}: out of range or reached twice")
                seen_leaves[leaf] = True
    if not (all(seen_nodes) and all(seen_leaves)):
        raise _Bad("some nodes or leaves are not reached from the root")


def _tail(text: str, features: set[str]) -> None:
    """Feature importances, parameters and ``pandas_categorical:null``, nothing else."""
    lines = [line for line in text.split("\n") if line]
    i = 0
    if lines[:1] == ["feature_importances:"]:
        i = 1
        while i < len(lines) and lines[i] != "parameters:":
            name, eq, value = lines[i].rpartition("=")
            if not eq or name not in features or not value.isdigit():
                raise _Bad(f"feature_importances has a bad line {lines[i][:40]!r}")
            i += 1
    if lines[i : i + 1] != ["parameters:"]:
        raise _Bad("'parameters:' does not follow 'end of trees'")
    i += 1
    while i < len(lines) and lines[i] != "end of parameters":
        if not _PARAMETER.fullmatch(lines[i]):
            raise _Bad(f"parameters has a bad line {lines[i][:40]!r}")
        i += 1
    if lines[i:] != ["end of parameters", "pandas_categorical:null"]:
        raise _Bad("the text does not end with 'end of parameters' and 'pandas_categorical:null'")
