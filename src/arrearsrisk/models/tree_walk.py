"""LightGBM text models predicted in numpy: raw scores and TreeSHAP contributions
without importing LightGBM.

:class:`TreeEnsemble` parses a LightGBM model text (``Booster.model_to_string()``, the
files of a model bundle) once into flat arrays over every node and leaf of every tree,
then predicts by evaluating every split of every tree at once (one ``numpy`` call per
step, whatever the number of trees) and summing the leaf reached in each tree in tree
order, as LightGBM does: raw scores are LightGBM's to the last bit on the tested models
(within ``1e-12`` is what the tests require).  Scoring one account this way takes tens
of microseconds and needs no LightGBM import, the largest part of a cold start
(``import lightgbm`` imports scikit-learn).

Splits follow LightGBM 4's ``Tree::NumericalDecision`` and ``Tree::CategoricalDecision``
(``include/LightGBM/tree.h``):

* a value of magnitude at most ``kZeroThreshold`` (``1e-35f``) counts as 0 (LightGBM's
  dense rows drop it);
* numerical splits: NaN counts as 0 unless the node's missing type is NaN; a missing
  value (NaN for missing type NaN, zero for missing type Zero) takes the default
  direction; otherwise left when ``value <= threshold``;
* categorical splits: NaN and negative values go right; otherwise the value truncated
  to an integer goes left when its bit is set in the node's category bitset (a category
  never seen in training has no bit: right).

Contributions are exact TreeSHAP (Lundberg et al. 2018, *Consistent individualized
feature attribution for tree ensembles*, Algorithm 2), as LightGBM's ``pred_contrib``:
per-feature log-odds contributions, the last column the expected value (the
cover-weighted mean leaf value, summed over trees).  For a given row every split on a
leaf's path is either followed (*one fraction* 1) or not (0), so a leaf's contributions
depend only on which of its path's distinct features the row follows: they are tabled
once per leaf for each of the ``2 ** d`` patterns of its ``d`` distinct features, with
LightGBM's own ``ExtendPath`` / ``UnwoundPathSum`` arithmetic vectorised over leaves
and patterns; prediction then looks the patterns up.  Models whose tables would be too
large (deep trees, see :data:`MAX_TABLE_ENTRIES`) run the same arithmetic on the row's
own patterns at prediction.  Contributions agree with LightGBM's within ``1e-9`` (the
order of the sums differs).

Examples
--------
>>> from pathlib import Path
>>> trees = TreeEnsemble(Path("models/sample/grade_I.txt").read_text())
>>> trees.n_trees, trees.n_features
(173, 92)
>>> x = np.full((1, trees.n_features), np.nan)
>>> p = trees.predict(x)
>>> phi = trees.contributions(x)
>>> bool(abs(phi.sum() - trees.raw_score(x)[0]) < 1e-9), phi.shape
(True, (1, 93))
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from arrearsrisk.errors import BundleError

__all__ = ["K_ZERO_THRESHOLD", "MAX_TABLE_ENTRIES", "TreeEnsemble", "sigmoid_of"]

K_ZERO_THRESHOLD = float(np.float32(1e-35))
"""LightGBM's ``kZeroThreshold`` (the float ``1e-35f``): smaller magnitudes are zero."""

MAX_TABLE_ENTRIES = 1 << 22
"""Most contribution-table entries (``sum of 2 ** d * d`` over leaves, 8 bytes each: 32
MiB) kept per model; a model needing more computes each row's patterns on the fly."""

_NAN, _ZERO = 2, 1  # LightGBM missing types (decision_type bits 2-3)
_INT_LIMIT = 2.0**31  # static_cast<int> beyond this is undefined; x86 gives INT_MIN: right


@dataclass(frozen=True)
class _Table:
    """Contributions of every (leaf, pattern, path feature), flat, and where each leaf's
    block starts; or ``None`` entries when the model computes them per row."""

    values: np.ndarray | None
    base: np.ndarray | None
    expected: float


def _blocks(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The header's fields, and each tree field's text, one per tree."""
    start = text.find("\nTree=")
    end = text.find("\nend of trees")
    if start < 0 or end < start:
        raise ValueError("it has no 'Tree=' blocks followed by 'end of trees'")
    header = dict(line.split("=", 1) for line in text[:start].split("\n") if "=" in line)
    fields: dict[str, list[str]] = {key: [] for key in _FIELDS}
    for block in text[start + 1 : end].split("\nTree="):
        tree = dict(line.split("=", 1) for line in block.split("\n")[1:] if "=" in line)
        if tree.get("is_linear", "0") != "0":
            raise ValueError("linear trees are not read")
        for key, values in fields.items():
            values.append(tree.get(key, ""))
    return header, fields


def _numbers(values: list[str], counts: list[int], kind: type, zeros: bool = False) -> np.ndarray:
    """One field of every tree as one flat array (``counts`` values per tree); an empty
    field reads as zeros when ``zeros`` (LightGBM's default for the counts)."""
    if zeros:
        values = [
            v if v or not c else " ".join("0" * c) for v, c in zip(values, counts, strict=True)
        ]
    tokens = " ".join(v for v, c in zip(values, counts, strict=True) if c).split()
    if len(tokens) != sum(counts):
        raise ValueError("a field does not hold one value per node or leaf")
    dtype = np.float64 if kind is float else np.int64
    return np.array(list(map(kind, tokens)), dtype=dtype)


class TreeEnsemble:
    """The trees of a LightGBM text model (one output per iteration) as numpy arrays.

    Parameters
    ----------
    text : str
        A LightGBM 4 model text with ``num_tree_per_iteration=1`` and no linear trees
        (a bundle's text checked by :func:`~arrearsrisk.models.booster_text.
        check_model_text`, or any ``Booster.model_to_string()`` of that kind).
    table_limit : int, default :data:`MAX_TABLE_ENTRIES`
        Most contribution-table entries to precompute (0: never table).

    Raises
    ------
    BundleError
        If the text is not such a model (naming the first problem).

    Notes
    -----
    Read-only once built (the contribution table is built on first use, under a lock):
    one ensemble may predict on several threads at once.
    """

    def __init__(self, text: str, *, table_limit: int = MAX_TABLE_ENTRIES) -> None:
        try:
            header, fields = _blocks(text)
            self._header(header)
            self._splits(fields)
            self._paths(fields)
        except (ValueError, KeyError, IndexError) as err:
            raise BundleError(f"not a LightGBM model text this arrearsrisk reads: {err}.") from None
        self._table_limit = int(table_limit)
        self._table: _Table | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_lock"]  # a lock does not pickle; a copy gets its own
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- parsing ---------------------------------------------------------------------

    def _header(self, header: dict[str, str]) -> None:
        if header.get("num_tree_per_iteration", "1") != "1":
            raise ValueError("only models of one tree per iteration are read")
        self.feature_names: tuple[str, ...] = tuple(header["feature_names"].split(" "))
        self.n_features = int(header["max_feature_idx"]) + 1
        if len(self.feature_names) != self.n_features:
            raise ValueError("feature_names does not match max_feature_idx")
        self.sigmoid: float | None = sigmoid_of(header.get("objective", ""))

    def _splits(self, fields: dict[str, list[str]]) -> None:
        """Every split of every tree, flat, tree after tree: feature, threshold, default
        direction, missing type, and category bitsets as a lookup table."""
        leaves = [int(n) for n in fields["num_leaves"]]
        if not leaves or min(leaves) < 1:
            raise ValueError("a tree has no leaf")
        nodes = [n - 1 for n in leaves]
        self.n_trees = len(leaves)
        self.n_nodes = sum(nodes)
        self._leaves, self._nodes = np.array(leaves), np.array(nodes)
        self._leaf_off = np.concatenate(([0], np.cumsum(leaves)))
        self._node_off = np.concatenate(([0], np.cumsum(nodes)))
        self._tree_of_node = np.repeat(np.arange(self.n_trees), nodes)
        self._feature = _numbers(fields["split_feature"], nodes, int)
        self._threshold = _numbers(fields["threshold"], nodes, float)
        decision = _numbers(fields["decision_type"], nodes, int)
        self._leaf_value = _numbers(fields["leaf_value"], leaves, float)
        self._leaf_count = _numbers(fields["leaf_count"], leaves, int, zeros=True)
        self._node_count = _numbers(fields["internal_count"], nodes, int, zeros=True)
        if self._feature.size and not (
            self._feature.min() >= 0 and self._feature.max() < self.n_features
        ):
            raise ValueError("a split names a feature outside the model")
        default_left = (decision & 2) > 0
        missing = (decision >> 2) & 3
        # what a value counted as 0, and a NaN, do at each split (value-independent)
        self._zero_dir = np.where(missing == _ZERO, default_left, self._threshold >= 0.0)
        self._nan_dir = np.where(missing == _NAN, default_left, self._zero_dir)
        self._categorical(fields, np.flatnonzero(decision & 1))

    def _categorical(self, fields: dict[str, list[str]], cat_nodes: np.ndarray) -> None:
        """The categorical splits as one lookup of (split, category code) -> left."""
        rows: list[np.ndarray] = []
        for t in np.unique(self._tree_of_node[cat_nodes]).tolist():
            bounds = np.array(fields["cat_boundaries"][t].split(), dtype=np.int64)
            words = np.array(fields["cat_threshold"][t].split(), dtype=np.int64)
            index = self._threshold[cat_nodes[self._tree_of_node[cat_nodes] == t]].astype(int)
            if int(fields["num_cat"][t]) != len(bounds) - 1 or not (
                index.min() >= 0 and index.max() < len(bounds) - 1
            ):
                raise ValueError(f"tree {t} has categorical splits outside its category sets")
            for i in index.tolist():  # bit k of word j: category 32 j + k goes left
                bits = (words[bounds[i] : bounds[i + 1], None] >> np.arange(32)) & 1
                rows.append(bits.astype(bool).ravel())
        width = max((r.size for r in rows), default=1)
        lut = np.zeros((len(rows), width), dtype=bool)
        for c, r in enumerate(rows):
            lut[c, : r.size] = r
        self._cat_nodes = cat_nodes
        self._cat_feature = self._feature[cat_nodes]
        self._cat_limit = np.array([min(float(r.size), _INT_LIMIT) for r in rows])
        self._cat_base = np.arange(len(rows)) * width
        self._cat_lut = lut.ravel()

    def _paths(self, fields: dict[str, list[str]]) -> None:
        """Each leaf's path as *slots*, its distinct split features (LightGBM's unique
        path), each with the splits (*entries*) it takes on the path and their
        combined zero fraction."""
        nodes, leaves = self._nodes, self._leaves
        left = _numbers(fields["left_child"], nodes.tolist(), int)
        right = _numbers(fields["right_child"], nodes.tolist(), int)
        n_nodes, n_leaves = int(self._node_off[-1]), int(self._leaf_off[-1])
        parent = np.full(n_nodes, -1, dtype=np.int64)
        parent_left = np.zeros(n_nodes, dtype=bool)
        leaf_parent = np.full(n_leaves, -1, dtype=np.int64)
        leaf_left = np.zeros(n_leaves, dtype=bool)
        tree = self._tree_of_node
        for child, is_left in ((left, True), (right, False)):
            inner = child >= 0
            if (child[inner] >= nodes[tree[inner]]).any() or (
                ~child[~inner] >= leaves[tree[~inner]]
            ).any():
                raise ValueError("a child index is outside its tree")
            owner = np.flatnonzero(inner)
            parent[self._node_off[tree[owner]] + child[owner]] = owner
            parent_left[self._node_off[tree[owner]] + child[owner]] = is_left
            owner = np.flatnonzero(~inner)
            leaf_parent[self._leaf_off[tree[owner]] + ~child[owner]] = owner
            leaf_left[self._leaf_off[tree[owner]] + ~child[owner]] = is_left
        count = np.concatenate((self._node_count, self._leaf_count)).astype(np.float64)

        # entries, from each leaf up to its root: (leaf, node, left?, steps up, ratio)
        self._path_leaves = np.flatnonzero(np.repeat(leaves, leaves) > 1)
        leaf = self._path_leaves
        node, went_left, below = leaf_parent[leaf], leaf_left[leaf], n_nodes + leaf
        found: list[tuple[np.ndarray, ...]] = []
        up = 0
        while leaf.size:
            if up > n_nodes:
                raise ValueError("a tree's children form a cycle")
            with np.errstate(divide="ignore", invalid="ignore"):  # no counts: NaN, as LightGBM
                ratio = count[below] / count[node]
            found.append((leaf, node, went_left, np.full(leaf.size, up), ratio))
            below, went_left, node = node, parent_left[node], parent[node]
            keep = node >= 0
            leaf, node, went_left, below = leaf[keep], node[keep], went_left[keep], below[keep]
            up += 1
        if found:
            e_leaf, e_node, e_left, e_up, e_ratio = map(np.concatenate, zip(*found, strict=True))
        else:
            e_leaf = e_node = e_up = np.zeros(0, np.int64)
            e_left, e_ratio = np.zeros(0, bool), np.zeros(0)
        e_feat = self._feature[e_node]
        # a slot per distinct (leaf, feature): its entries root first, its zero fraction
        # their product (LightGBM multiplies in the same order)
        order = np.lexsort((-e_up, e_feat, e_leaf))
        e_leaf, e_node, e_left, e_up, e_feat, e_ratio = (
            a[order] for a in (e_leaf, e_node, e_left, e_up, e_feat, e_ratio)
        )
        first = np.ones(e_leaf.size, dtype=bool)
        first[1:] = (e_leaf[1:] != e_leaf[:-1]) | (e_feat[1:] != e_feat[:-1])
        start = np.flatnonzero(first)
        zero = np.multiply.reduceat(e_ratio, start) if start.size else e_ratio
        last = np.minimum.reduceat(e_up, start) if start.size else e_up
        # slots of a leaf in the order of LightGBM's final unique path: by last split
        slot_order = np.lexsort((-last, e_leaf[start]))
        rank_of = np.empty_like(slot_order)
        rank_of[slot_order] = np.arange(slot_order.size)
        sizes = np.diff(np.append(start, e_leaf.size))
        entry_order = np.argsort(rank_of[np.repeat(np.arange(start.size), sizes)], kind="stable")
        self._entry_node = e_node[entry_order]
        self._entry_left = e_left[entry_order]
        sizes = sizes[slot_order]
        self._slot_start = np.concatenate(([0], np.cumsum(sizes)))[:-1].astype(np.int64)
        self._slot_feature = e_feat[start][slot_order]
        self._slot_zero = zero[slot_order]
        # slots by path leaf: rank of the leaf, position within it
        self._slot_rank = np.searchsorted(self._path_leaves, e_leaf[start][slot_order])
        per_leaf = np.bincount(self._slot_rank, minlength=self._path_leaves.size)
        self._leaf_slot_start = np.concatenate(([0], np.cumsum(per_leaf)))[:-1].astype(np.int64)
        self._slot_pos = np.arange(self._slot_rank.size) - self._leaf_slot_start[self._slot_rank]
        self._leaf_depth = per_leaf  # distinct features on each path leaf's path
        # a slot is followed when its first entry is and each further one (by rank) is
        self._extra = [
            (np.flatnonzero(sizes > k), self._slot_start[sizes > k] + k)
            for k in range(1, int(sizes.max(initial=1)))
        ]
        self._tree_multi = np.flatnonzero(leaves > 1)
        self._tree_const = np.flatnonzero(leaves == 1)
        self._const_value = self._leaf_value[self._leaf_off[self._tree_const]]
        self._path_value = self._leaf_value[self._path_leaves]

    # -- prediction ------------------------------------------------------------------

    def _matrix(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(
                f"expected rows of {self.n_features} features, got shape {np.shape(x)}"
            )
        return x

    def goes_left(self, x: np.ndarray) -> np.ndarray:
        """Whether each row goes left at each split of every tree, ``(n, nodes)``.

        >>> from pathlib import Path
        >>> trees = TreeEnsemble(Path("models/sample/warning.txt").read_text())
        >>> trees.goes_left(np.zeros((2, trees.n_features))).shape[0]
        2
        """
        x = self._matrix(x)
        value = x.take(self._feature, axis=1)
        left = value <= self._threshold  # NaN: False, set below
        left = np.where(np.abs(value) <= K_ZERO_THRESHOLD, self._zero_dir, left)
        left = np.where(np.isnan(value), self._nan_dir, left)
        if self._cat_nodes.size:
            code = x.take(self._cat_feature, axis=1)
            ok = (code > -1.0) & (code < self._cat_limit)  # NaN: False (right)
            at = self._cat_base + np.where(ok, code, 0.0).astype(np.int64)  # truncated
            left[:, self._cat_nodes] = ok & self._cat_lut.take(at)
        return left

    def _follows(self, left: np.ndarray) -> np.ndarray:
        """``(n, slots)``: whether each row follows every split of each slot's feature on
        the slot's leaf's path (LightGBM's one fraction, 0 or 1)."""
        match = left.take(self._entry_node, axis=1) == self._entry_left
        follows = match.take(self._slot_start, axis=1)
        for slots, entries in self._extra:  # features split on more than once
            follows[:, slots] &= match.take(entries, axis=1)
        return follows

    def _per_leaf(self, values: np.ndarray) -> np.ndarray:
        """``(n, path leaves)`` sums of ``(n, slots)`` ``values`` over each leaf's slots."""
        n, leaves = len(values), self._path_leaves.size
        at = (
            (np.arange(n)[:, None] * leaves + self._slot_rank).ravel() if n > 1 else self._slot_rank
        )
        sums = np.bincount(at, weights=values.ravel(), minlength=n * leaves)
        return sums.reshape(n, leaves)

    def _leaf_values(self, follows: np.ndarray) -> np.ndarray:
        """``(n, trees)``: the value of the leaf each row reaches in each tree."""
        n = len(follows)
        out = np.empty((n, self.n_trees))
        if self._tree_const.size:
            out[:, self._tree_const] = self._const_value
        if self._tree_multi.size:
            reached = self._per_leaf(~follows) == 0  # every slot followed
            cols = np.nonzero(reached)[1]  # one leaf per tree and row, in tree order
            out[:, self._tree_multi] = self._path_value.take(cols).reshape(n, -1)
        return out

    def raw_score(self, x: np.ndarray) -> np.ndarray:
        """The raw score (log-odds for a binary model) of each row: LightGBM's
        ``predict(raw_score=True)``, the leaf values summed in tree order.

        Parameters
        ----------
        x : numpy.ndarray
            ``(n, n_features)`` float64 rows (one row may be 1-d).

        Returns
        -------
        numpy.ndarray
            ``(n,)`` float64.

        Examples
        --------
        >>> from pathlib import Path
        >>> trees = TreeEnsemble(Path("models/sample/grade_I.txt").read_text())
        >>> x = np.full((2, trees.n_features), np.nan)
        >>> raw = trees.raw_score(x)
        >>> raw.shape, bool(raw[0] == raw[1])
        ((2,), True)
        """
        values = self.leaf_values(x)
        return np.cumsum(values, axis=1)[:, -1] if values.shape[1] else np.zeros(len(values))

    def leaf_values(self, x: np.ndarray) -> np.ndarray:
        """``(n, trees)``: the value of the leaf each row reaches in each tree.

        >>> from pathlib import Path
        >>> trees = TreeEnsemble(Path("models/sample/warning.txt").read_text())
        >>> trees.leaf_values(np.zeros(trees.n_features)).shape
        (1, 116)
        """
        return self.leaf_values_of(self.goes_left(x))

    def leaf_values_of(self, left: np.ndarray) -> np.ndarray:
        """:meth:`leaf_values` of rows whose :meth:`goes_left` is ``left``."""
        return self._leaf_values(self._follows(left))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of a binary model (LightGBM's ``predict``: ``1 / (1 +
        exp(-sigmoid * raw))``); the raw score of any other objective.

        >>> from pathlib import Path
        >>> trees = TreeEnsemble(Path("models/sample/warning.txt").read_text())
        >>> p = trees.predict(np.zeros(trees.n_features))
        >>> p.shape, bool(0.0 < p[0] < 1.0)
        ((1,), True)
        """
        return self.link(self.raw_score(x), self.sigmoid)

    @staticmethod
    def link(raw: np.ndarray, sigmoid: float | None) -> np.ndarray:
        """Predictions of raw scores: ``1 / (1 + exp(-sigmoid * raw))`` for a binary
        model (as LightGBM computes it, one value at a time), the raw scores otherwise.

        >>> TreeEnsemble.link(np.array([0.0]), 1.0).tolist()
        [0.5]
        >>> TreeEnsemble.link(np.array([2.0]), None).tolist()
        [2.0]
        """
        if sigmoid is None:
            return raw
        return np.array([1.0 / (1.0 + _exp(-sigmoid * r)) for r in raw.tolist()])

    # -- contributions ---------------------------------------------------------------

    def _build_table(self) -> _Table:
        expected = 0.0
        leaves = np.diff(self._leaf_off)
        for t in range(self.n_trees):  # Tree::ExpectedValue, summed in tree order
            lo = int(self._leaf_off[t])
            if leaves[t] == 1:
                expected += float(self._leaf_value[lo])
                continue
            total = float(self._node_count[self._node_off[t]])
            ev = 0.0
            for c, v in zip(
                self._leaf_count[lo : lo + leaves[t]].tolist(),
                self._leaf_value[lo : lo + leaves[t]].tolist(),
                strict=True,
            ):
                ev += (c / total) * v if total else math.nan
            expected += ev
        depth = self._leaf_depth
        entries = int((depth * (1 << depth.astype(np.int64))).sum()) if depth.size else 0
        if entries > self._table_limit or (depth.size and depth.max() > 30):
            return _Table(None, None, expected)
        sizes = depth * (1 << depth)
        base = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        values = np.zeros(int(sizes.sum()))
        for d in np.unique(depth).tolist():
            ranks = np.flatnonzero(depth == d)
            patterns = np.arange(1 << d)
            ones = ((patterns[:, None] >> np.arange(d)) & 1).astype(np.float64)  # (P, d)
            z = self._slot_zero[self._leaf_slot_start[ranks][:, None] + np.arange(d)]  # (L, d)
            zz = np.repeat(z, len(patterns), axis=0)
            oo = np.tile(ones, (len(ranks), 1))
            v = np.repeat(self._path_value[ranks], len(patterns))
            block = _contributions(zz, oo, v)  # (L * P, d)
            at = base[ranks][:, None] + np.arange((1 << d) * d)
            values[at.ravel()] = block.ravel()
        self._slot_table = base[self._slot_rank] + self._slot_pos
        self._slot_depth = depth[self._slot_rank]
        self._slot_bit = (1 << self._slot_pos).astype(np.float64)
        return _Table(values, base, expected)

    def _ensure_table(self) -> _Table:
        table = self._table
        if table is None:
            with self._lock:
                if self._table is None:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        self._table = self._build_table()
                table = self._table
        return table

    def contributions(self, x: np.ndarray, left: np.ndarray | None = None) -> np.ndarray:
        """Per-feature contributions (TreeSHAP) of each row, as LightGBM's
        ``predict(pred_contrib=True)``: ``(n, n_features + 1)``, the last column the
        expected value; each row sums to its raw score.  ``left``: the rows'
        :meth:`goes_left`, when already known (:meth:`~arrearsrisk.models.tree_stack.
        EnsembleStack.walk` gives it).

        >>> from pathlib import Path
        >>> trees = TreeEnsemble(Path("models/sample/warning.txt").read_text())
        >>> x = np.zeros((3, trees.n_features))
        >>> np.allclose(trees.contributions(x).sum(axis=1), trees.raw_score(x))
        True
        """
        x = self._matrix(x)
        table = self._ensure_table()
        n, width = len(x), self.n_features + 1
        follows = self._follows(self.goes_left(x) if left is None else left)
        if table.values is not None and table.base is not None:
            pattern = self._per_leaf(follows * self._slot_bit).astype(np.int64)
            at = self._slot_table + pattern.take(self._slot_rank, axis=1) * self._slot_depth
            values = table.values.take(at)
        else:
            values = np.zeros((n, self._slot_rank.size))
            depth = self._leaf_depth
            with np.errstate(divide="ignore", invalid="ignore"):
                for d in np.unique(depth).tolist():
                    ranks = np.flatnonzero(depth == d)
                    slots = (self._leaf_slot_start[ranks][:, None] + np.arange(d)).ravel()
                    z = np.tile(self._slot_zero[slots].reshape(-1, d), (n, 1))
                    o = follows[:, slots].reshape(-1, d).astype(np.float64)
                    v = np.tile(self._path_value[ranks], n)
                    values[:, slots] = _contributions(z, o, v).reshape(n, -1)
        out: np.ndarray = np.zeros((n, width))
        if values.size:
            flat = self._slot_feature
            if n > 1:
                flat = (np.arange(n)[:, None] * width + flat).ravel()
            out = np.bincount(flat, weights=values.ravel(), minlength=n * width).reshape(n, width)
        out[:, -1] += table.expected
        return out


def sigmoid_of(objective: str) -> float | None:
    """The sigmoid parameter of a model text's ``objective=`` value; None unless binary.

    >>> sigmoid_of("binary sigmoid:1"), sigmoid_of("regression")
    (1.0, None)
    """
    kind, _, sigmoid = objective.partition(" sigmoid:")
    return float(sigmoid.split(" ")[0]) if kind == "binary" else None


def _exp(v: float) -> float:
    """``std::exp`` as LightGBM's sigmoid calls it (the C library's, as ``math.exp``),
    infinite on overflow."""
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _contributions(z: np.ndarray, o: np.ndarray, v: np.ndarray) -> np.ndarray:
    """TreeSHAP at leaves: ``(rows, d)`` contributions of each of the ``d`` distinct
    features of a leaf's path, given their zero fractions ``z`` (share of the training
    cover down the path), one fractions ``o`` (0 or 1: the row follows the path) and the
    leaf values ``v``.

    LightGBM's ``ExtendPath`` (once per feature, after the root's dummy element) and
    ``UnwoundPathSum`` (``src/io/tree.cpp``), vectorised over rows and, for the unwound
    sums, over features, in the same floating-point operations.

    >>> _contributions(np.array([[0.25]]), np.array([[1.0]]), np.array([2.0])).tolist()
    [[1.5]]
    """
    rows, d = z.shape
    u = d  # unique_depth at the leaf (element 0 is the root's dummy)
    pw = np.zeros((rows, d + 1))
    pw[:, 0] = 1.0
    for k in range(1, d + 1):  # ExtendPath(unique_path, k, z_k, o_k)
        i = np.arange(k, dtype=np.float64)
        old = pw[:, :k].copy()
        zk, ok = z[:, k - 1 : k], o[:, k - 1 : k]
        pw[:, :k] = zk * old * (k - i) / (k + 1)
        pw[:, k] = 0.0
        pw[:, 1 : k + 1] += ok * old * (i + 1) / (k + 1)
    one, zero = o, z  # the element unwound: each feature in turn, (rows, d)
    nxt = np.repeat(pw[:, u : u + 1], d, axis=1)
    total = np.zeros((rows, d))
    hot = one != 0
    for j in range(u - 1, -1, -1):
        pj = pw[:, j : j + 1]
        tmp = nxt * (u + 1) / ((j + 1) * one)
        cold = (pj / zero) / ((u - j) / (u + 1))
        total += np.where(hot, tmp, cold)
        nxt = np.where(hot, pj - tmp * zero * ((u - j) / (u + 1)), nxt)
    return total * (one - zero) * v[:, None]


_FIELDS = (
    "num_leaves",
    "num_cat",
    "split_feature",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "leaf_value",
    "leaf_count",
    "internal_count",
    "cat_boundaries",
    "cat_threshold",
)
