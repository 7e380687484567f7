"""The identifiers of generated code: node names made safe, each used once; numbers as literals."""

from __future__ import annotations

import builtins
import keyword
import math
import re

from . import helpers

# Names the generated module itself uses: a node called "np" or "sigmoid" is renamed.
RESERVED = frozenset(
    {"np", "math", "float64", "dtypes", "unchecked", "self"} | helpers.NAMES | set(dir(builtins))
)
_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]")
_ATOM = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d[\d.e+-]*|\(-[\w.+-]+\)|(np|math)\.\w+")


class Namer:
    """Hands out identifiers: each a valid, unreserved Python name, never the same twice."""

    def __init__(self, reserved: frozenset[str] = RESERVED):
        self.used: set[str] = set(reserved)

        self.counts: dict[str, int] = {}

    def numbered(self, prefix: str) -> str:
        """The next free ``prefix1``, ``prefix2``, ... (the temporaries t1, t2 and constants c1)."""
        k = self.counts.get(prefix, 0)
        while True:
            k += 1
            name = f"{prefix}{k}"
            if name not in self.used:
                self.counts[prefix] = k
                self.used.add(name)
                return name

    def fresh(self, wanted: str) -> str:
        """``wanted`` made a safe identifier ("layers.0.W" -> "layers_0_W"), numbered if taken."""
        base = re.sub("_{2,}", "_", _NOT_IDENTIFIER.sub("_", wanted))[:40] or "v"
        if base[0].isdigit():
            base = "_" + base
        if keyword.iskeyword(base) or keyword.issoftkeyword(base):
            base += "_"
        name, k = base, 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


def literal(value: float, scalar: bool) -> str:
    """A number as source text that reads back to the same float: 0.1, (-0.3), math.inf."""
    number = float(value)
    lib = "math" if scalar else "np"
    if math.isnan(number):
        return f"{lib}.nan"
    if math.isinf(number):
        return f"{lib}.inf" if number > 0 else f"(-{lib}.inf)"
    text = repr(number)
    return f"({text})" if text.startswith("-") else text


def is_atom(text: str) -> bool:
    """True for a name or a number, which needs no parentheses inside a larger expression."""
    return _ATOM.fullmatch(text) is not None


def wrap(text: str) -> str:
    """``text`` in parentheses unless it is a name or a number."""
    return text if is_atom(text) else f"({text})"


def is_call(text: str) -> bool:
    """True when ``text`` is one call, ``name(...)``, whose parentheses close at its end."""
    head = re.match(r"[A-Za-z_][\w.]*\(", text)
    return head is not None and closes_at_end(text[head.end() - 1 :])


def closes_at_end(text: str) -> bool:
    """True when the parenthesis opening ``text`` is the one that closes it."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def one_line(text: str) -> str:
    """Text for a comment: newlines and carriage returns become spaces."""
    return " ".join(str(text).split())
