"""Several text models over the same features walked as one: the three boosters of a
bundle predicted in one pass.

:class:`~arrearsrisk.models.tree_walk.TreeEnsemble` evaluates every split of every tree
in one numpy call per step, so for a single row its time is mostly the cost of each
call, paid once per booster.  :class:`EnsembleStack` joins the trees of several models
into one ensemble, reaches every tree's leaf in one pass, and sums each model's leaves
in its own tree order: the same additions as each model alone, so the same raw scores
to the last bit (tested).  :func:`arrearsrisk.score_account` uses it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from arrearsrisk.errors import BundleError
from arrearsrisk.models.tree_walk import TreeEnsemble, sigmoid_of

__all__ = ["EnsembleStack"]

_TREES, _END = "\nTree=", "\nend of trees"


def _parts(name: str, text: str) -> tuple[str, str, str]:
    """A model text as (header, tree blocks, trailer)."""
    start, end = text.find(_TREES), text.find(_END)
    if start < 0 or end < start:
        raise BundleError(f"{name}: not a LightGBM model text (no trees).")
    return text[: start + 1], text[start + 1 : end + 1], text[end:]


def _header_field(header: str, key: str) -> str | None:
    for line in header.split("\n"):
        if line.startswith(key + "="):
            return line[len(key) + 1 :]
    return None


class EnsembleStack:
    """The text models of ``texts`` (same features), predicted together.

    Parameters
    ----------
    texts : mapping of str to str
        Name to LightGBM model text (as :class:`~arrearsrisk.models.tree_walk.
        TreeEnsemble` reads it), in the order predictions are returned.

    Raises
    ------
    BundleError
        If a text is not a model, or the models do not share their features.

    Examples
    --------
    >>> from pathlib import Path
    >>> texts = {n: Path(f"models/sample/{n}.txt").read_text() for n in ("grade_I", "warning")}
    >>> stack = EnsembleStack(texts)
    >>> x = np.zeros((1, stack.n_features))
    >>> p = stack.predict(x)
    >>> bool(p["warning"][0] == TreeEnsemble(texts["warning"]).predict(x)[0])
    True
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        if not texts:
            raise BundleError("an ensemble stack needs at least one model text.")
        parts = {name: _parts(name, text) for name, text in texts.items()}
        headers = [header for header, _, _ in parts.values()]
        features = {_header_field(h, "feature_names") for h in headers}
        if len(features) != 1:
            raise BundleError("the models of a stack must share their features.")
        self.names: tuple[str, ...] = tuple(texts)
        self.sigmoids = {
            name: sigmoid_of(_header_field(h, "objective") or "")
            for name, (h, _, _) in parts.items()
        }
        first = next(iter(parts.values()))
        joined = first[0] + "".join(trees for _, trees, _ in parts.values()) + first[2]
        self._all = TreeEnsemble(joined, table_limit=0)
        sizes = [trees.count(_TREES) + 1 for _, trees, _ in parts.values()]
        if sum(sizes) != self._all.n_trees:
            raise BundleError("a model text holds a tree block the stack cannot count.")
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        self._slices = {
            name: slice(int(a), int(b))
            for name, a, b in zip(self.names, bounds[:-1], bounds[1:], strict=True)
        }
        self.n_features = self._all.n_features
        node_bounds = self._all._node_off[bounds]  # each model's splits, in tree order
        self._nodes = {
            name: slice(int(a), int(b))
            for name, a, b in zip(self.names, node_bounds[:-1], node_bounds[1:], strict=True)
        }

    def walk(self, x: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Each model's predictions of each row, and the rows' splits in each model's
        trees (its :meth:`~arrearsrisk.models.tree_walk.TreeEnsemble.goes_left`, for
        its ``contributions``).

        >>> from pathlib import Path
        >>> stack = EnsembleStack({"w": Path("models/sample/warning.txt").read_text()})
        >>> p, left = stack.walk(np.zeros((2, stack.n_features)))
        >>> p["w"].shape, left["w"].shape
        ((2,), (2, 696))
        """
        left = self._all.goes_left(x)
        raw = self._raw(self._all.leaf_values_of(left))
        p = {name: TreeEnsemble.link(r, self.sigmoids[name]) for name, r in raw.items()}
        return p, {name: left[:, part] for name, part in self._nodes.items()}

    def raw_scores(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each model's raw score of each row (as its own
        :meth:`~arrearsrisk.models.tree_walk.TreeEnsemble.raw_score`)."""
        return self._raw(self._all.leaf_values(x))

    def _raw(self, values: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for name, part in self._slices.items():
            block = values[:, part]
            out[name] = np.cumsum(block, axis=1)[:, -1] if block.shape[1] else np.zeros(len(block))
        return out

    def predict(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each model's prediction of each row (as its own
        :meth:`~arrearsrisk.models.tree_walk.TreeEnsemble.predict`)."""
        return self.walk(x)[0]
