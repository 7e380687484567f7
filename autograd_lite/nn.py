"""Layers, as PyTorch's torch.nn has them, built on Node and the ops and nothing else.

    model = ag.nn.MLP([2, 16, 16, 1], activation="relu", seed=0)
    score = model(X)                 # X (m, 2) -> (m, 1)
    model.parameters()               # [layers.0.W, layers.0.b, layers.2.W, ...], named Nodes

A Module keeps, in the order they were set, the parameter Nodes and the sub-modules assigned to
its attributes. Each parameter Node is named by its path from the outermost module it was put
into (``layers.0.W``), so that pictures of the graph label it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .node import ArrayLike, Node, as_array
from .ops import relu, sigmoid, tanh
from .params import zero_grad

Seed = int | np.random.Generator | None


class Module:
    """The base of every layer: ``forward`` computes, ``__call__`` calls it.

    Assigning a Node that requires a gradient to an attribute makes it a parameter; assigning a
    Module makes it a sub-module (its parameters are this module's too, named ``attr.name``).
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if "_modules" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning {name!r}"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Node) and value.requires_grad:
            self._parameters[name] = value
            value.name = name
        elif isinstance(value, Module):
            self._modules[name] = value
            for inner, parameter in value.named_parameters():
                parameter.name = f"{name}.{inner}"
        object.__setattr__(self, name, value)

    def forward(self, *inputs: Any) -> Node:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *inputs: Any) -> Node:
        return self.forward(*inputs)

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) for this module's parameters, then each sub-module's."""
        seen: set[int] = set()  # a parameter shared by two layers is listed once, as PyTorch
        for name, parameter in self._named_parameters(""):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _named_parameters(self, prefix: str) -> Iterator[tuple[str, Node]]:
        for name, parameter in self._parameters.items():
            yield prefix + name, parameter
        for name, module in self._modules.items():
            yield from module._named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Node]:
        """The parameter Nodes, in the order of named_parameters()."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (PyTorch's default, set_to_none=True)."""
        zero_grad(self.parameters())

    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        """As PyTorch prints a module: each sub-module on its own line, indented."""
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not self._modules:
            return head + ")"
        lines = [
            f"  ({name}): " + repr(module).replace("\n", "\n  ")
            for name, module in self._modules.items()
        ]
        return "\n".join([head, *lines, ")"])


class Linear(Module):
    """y = x @ W + b, with W of shape (n_in, n_out) and b of shape (n_out,).

    dL/dW = x^T dL/dy, dL/db = dL/dy summed over the examples, dL/dx = dL/dy W^T.
    Initialised as PyTorch's Linear: W and b uniform in [-1/sqrt(n_in), 1/sqrt(n_in)], drawn
    (W first, then b) from ``np.random.default_rng(seed)``; a Generator is used as it is.
    """

    def __init__(self, n_in: int, n_out: int, bias: bool = True, seed: Seed = None) -> None:
        super().__init__()
        for what, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {what} must be a positive integer, got {n!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(self.n_in)
        self.W = Node(rng.uniform(-bound, bound, (self.n_in, self.n_out)), requires_grad=True)
        if bias:
            self.b = Node(rng.uniform(-bound, bound, self.n_out), requires_grad=True)
        else:
            self.b = None

    def forward(self, x: Node | ArrayLike) -> Node:
        if not isinstance(x, Node):
            x = Node(as_array(x, f"Linear({self.n_in}, {self.n_out})"))
        shape = x.value.shape
        if not shape or shape[-1] != self.n_in:
            raise ValueError(
                f"Linear({self.n_in}, {self.n_out}): input of shape {shape}; its last axis must "
                f"have {self.n_in} features"
            )
        y = x @ self.W
        return y if self.b is None else y + self.b

    def extra_repr(self) -> str:
        return f"in_features={self.n_in}, out_features={self.n_out}, bias={self.b is not None}"


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Node | ArrayLike) -> Node:
        return relu(x)


class Tanh(Module):
    """tanh x, elementwise."""

    def forward(self, x: Node | ArrayLike) -> Node:
        return tanh(x)


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise."""

    def forward(self, x: Node | ArrayLike) -> Node:
        return sigmoid(x)


class Sequential(Module):
    """The modules applied one after the other; they are named "0", "1", ... as in PyTorch."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {i} is a {type(module).__name__}, not a Module"
                )
            setattr(self, str(i), module)

    def forward(self, x: Node | ArrayLike) -> Node:
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Module):
    """Linear layers of the given sizes with an activation between them (none after the last,
    as micrograd's MLP): ``MLP([2, 16, 16, 1])`` is Linear(2, 16), ReLU, Linear(16, 16), ReLU,
    Linear(16, 1). One Generator from ``seed`` initialises the layers in order."""

    def __init__(self, sizes: list[int] | tuple[int, ...], activation: str = "relu",
                 seed: Seed = None) -> None:
        super().__init__()
        if isinstance(sizes, (int, np.integer, str)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP: sizes must be a list of layer widths ([2, 16, 16, 1]: inputs, "
                            f"hidden layers, outputs), got {sizes!r}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs an input and an output size at least, got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        self.sizes, self.activation = sizes, activation
        rng = np.random.default_rng(seed)
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(Linear(n_in, n_out, seed=rng))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        self.layers = Sequential(*layers)

    def forward(self, x: Node | ArrayLike) -> Node:
        return self.layers(x)
