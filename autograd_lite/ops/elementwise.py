"""Elementwise functions: exp, log, sigmoid, tanh, relu, sqrt."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import user_stacklevel
from ..node import ArrayLike, Node
from ..op import Op


class Exp(Op):
    """out = e^x;  dout/dx = e^x = out."""

    name, symbol, formulas = "exp", "exp", ("exp({x})",)
    source, grad_sources = "{lib}.exp({x})", ("{g} * {out}",)

    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Log(Op):
    """out = ln x;  dout/dx = 1/x."""

    name, symbol, formulas = "log", "log", ("1/{x}",)
    source, grad_sources = "{lib}.log({x})", ("{g} / {x}",)

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return (g / self.x,)


class Sigmoid(Op):
    """out = a = 1 / (1 + e^-z);  da/dz = a(1 - a) = e^-|z| / (1 + e^-|z|)^2.

    Keeps z (and e = e^-|z|) so that binary_cross_entropy can be exact from z (identities.py):
    that loss leaves in ``exact`` the pair (the gradient it gave a, the exact dL/dz for it).
    Backward returns that dL/dz when the gradient it receives is that very object (the loss is
    a's only user); otherwise it applies the chain rule, with a(1 - a) computed from z, which
    stays accurate where 1 - a would round to 0.
    """

    name, symbol, formulas = "sigmoid", "sigmoid", ("{out}(1-{out})",)
    # (the slope from z, as backward computes it: {out} * (1 - {out}) is 0 where a rounds to 1)
    source, grad_sources = "sigmoid({x})", ("{g} * sigmoid_slope({x})",)
    z = None  # the input, kept by forward
    exact: tuple | None = None  # set by binary_cross_entropy's backward (see above)

    def forward(self, z):
        if type(z) is np.float64:  # a scalar graph's hot path: Python floats, no numpy overhead
            self.z = z = float(z)
            self.e = e = math.exp(-abs(z))  # never overflows; sigmoid(-|z|) = e / (1 + e)
            return np.float64(1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e))
        self.z = z
        self.e = e = np.exp(-np.abs(z))  # e <= 1: no overflow, so no warning, for any z
        return np.where(z >= 0.0, 1.0, e) / (1.0 + e)

    def backward(self, g):
        exact, self.exact = self.exact, None
        if exact is not None and g is exact[0]:
            return (exact[1],)
        e = self.e
        one_plus_e = 1.0 + e
        grad = g * (e / (one_plus_e * one_plus_e))  # (a float on the scalar path: one product)
        if exact is not None and not np.all(np.isfinite(grad)):  # (a loss and another user)
            warnings.warn(
                "sigmoid: dz is not finite where |z| > ~709: binary_cross_entropy's dL/da "
                "overflows there and a has other users, so the chain rule cannot give a - y "
                "exactly; compute the loss with binary_cross_entropy_with_logits(z, y) instead",
                RuntimeWarning,
                stacklevel=user_stacklevel(),
            )
        return (grad,)


class Tanh(Op):
    """out = tanh x;  dout/dx = 1 - out^2."""

    name, symbol, formulas = "tanh", "tanh", ("1-{out}^2",)
    source, grad_sources = "{lib}.tanh({x})", ("{g} * (1.0 - {out} * {out})",)

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):
        return (g * (1.0 - self.out * self.out),)


class ReLU(Op):
    """out = max(x, 0);  dout/dx = 1 where x > 0, else 0."""

    name, symbol, formulas = "relu", "relu", ("[{x}>0]",)
    source, grad_sources = "np.maximum({x}, 0)", ("{g} * ({x} > 0)",)
    scalar_source, scalar_grad_sources = "max({x}, 0.0)", ("{g} if {x} > 0.0 else 0.0",)

    def forward(self, x):
        self.x = x
        if type(x) is np.ndarray:  # numpy's maximum has a vector loop for two arrays, none for
            return np.maximum(x, np.zeros(x.shape, x.dtype))  # an array and a scalar (4x slower)
        return np.maximum(x, 0)

    def backward(self, g):
        return (g * (self.x > 0),)


class Sqrt(Op):
    """out = sqrt(x);  dout/dx = 1 / (2 sqrt(x)) = 1 / (2 out) (inf at x = 0, as PyTorch)."""

    name, symbol, formulas = "sqrt", "sqrt", ("1/(2*{out})",)
    source, grad_sources = "{lib}.sqrt({x})", ("{g} / (2.0 * {out})",)

    def forward(self, x):
        self.out = np.sqrt(x)
        return self.out

    def backward(self, g):
        with np.errstate(divide="ignore"):  # sqrt's slope at 0 is infinite
            return (g / (2.0 * self.out),)


def sqrt(x: Node | ArrayLike) -> Node:
    """Square root, elementwise."""
    return Sqrt()(x)


def exp(x: Node | ArrayLike) -> Node:
    """e^x, elementwise."""
    return Exp()(x)


def log(x: Node | ArrayLike) -> Node:
    """Natural logarithm, elementwise."""
    return Log()(x)


def sigmoid(z: Node | ArrayLike) -> Node:
    """1 / (1 + e^-z), elementwise; no overflow warning for large |z|."""
    return Sigmoid()(z)


def tanh(x: Node | ArrayLike) -> Node:
    """tanh x, elementwise."""
    return Tanh()(x)


def relu(x: Node | ArrayLike) -> Node:
    """max(x, 0), elementwise."""
    return ReLU()(x)
