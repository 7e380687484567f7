"""Indexing: x[key] with numpy's basic and advanced indexing, differentiable."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..node import Node
from ..op import Op

_BASIC = (int, np.integer, slice, type(Ellipsis), type(None))


class Index(Op):
    """out = x[key];  dL/dx = g scattered back to the positions it was taken from, zero elsewhere.

    A position taken twice (``x[[0, 0]]``) gets the sum of both gradients (np.add.at).
    """

    name, symbol, formulas = "index", "[]", ("1 at [key]",)  # (summed where taken twice)

    @property
    def grad_formulas(self) -> tuple[str, ...]:
        return ("{g} at [" + _show(self.key).replace("{", "{{").replace("}", "}}")
                + "], 0 elsewhere",)
    broadcasts = False

    def __init__(self, key: Any):
        self.key = _array_key(key)
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        # basic indexing (ints, slices, ..., None) takes each position at most once
        self.basic = all(isinstance(k, _BASIC) and not isinstance(k, bool) for k in parts)

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        try:
            return x[self.key]
        except IndexError as err:
            where = f"a Node of shape {x.shape}[{_show(self.key)}]"
            raise IndexError(f"index: {where}: {err}") from None

    def backward(self, g):
        gx = np.zeros(self.shape, dtype=self.dtype)
        if self.basic:
            gx[self.key] = g
        else:
            np.add.at(gx, self.key, g)
        return (gx,)


def _array_key(key: Any) -> Any:
    """A Node in the key stands for its value; a Node of whole numbers indexes by them. A Node
    made from a boolean mask holds 0.0 and 1.0 (a Node's values are floats), which would take
    positions 0 and 1 rather than select: an error that says to index with the mask itself."""
    if isinstance(key, tuple):
        return tuple(_array_key(k) for k in key)
    if isinstance(key, Node):
        if key._made_from_bools:
            raise IndexError(
                f"index: a Node made from a boolean array ({key!r}) holds 0.0 and 1.0, which "
                "would take positions 0 and 1, not select; index with the boolean array itself "
                "(x[mask], x[x > 0]) or with integer positions"
            )
        value = np.asarray(key.value)
        if value.size and np.all(value == np.round(value)):
            return value.astype(np.intp)
        raise IndexError(f"index: a Node used as an index must hold whole numbers, got {key!r}")
    return key


def _show(key: Any) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return ", ".join(_show_one(k) for k in parts)


def _show_one(k: Any) -> str:
    if isinstance(k, slice):
        text = ":".join("" if v is None else str(v) for v in (k.start, k.stop, k.step))
        return text.rstrip(":") or ":"
    if isinstance(k, (np.ndarray, list)):
        return f"array of shape {np.shape(k)}"
    return repr(k)
