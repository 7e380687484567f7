"""Formulas as small expression trees: composed from the ops' templates, lightly simplified.

The pictures write derivatives in the graph's names: ``dz/dw1 = x1``, ``da/dz = a(1-a)``.
A derivative through several ops is a sum over paths of products of the ops' local
derivatives; written as text that would read ``1*1*x1``. Here each template is parsed into a
tree, the trees are combined, and ``simplify`` applies light algebra: factors of 1 dropped,
signs folded (``a + -b`` is ``a - b``, ``-x*-y`` is ``x*y``), numbers combined (``2-1`` is 1,
``x^1`` is x). Printing puts parentheses only where precedence needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ATOM = 9  # precedence of names, numbers and calls: never wrapped


class Expr:
    """A formula. ``precedence``: 1 sums, 2 products and quotients, 3 powers, 9 atoms."""

    precedence = ATOM

    def wrapped(self, below: float) -> str:
        """This formula as text, in parentheses when it binds looser than ``below``."""
        text = str(self)
        return f"({text})" if self.precedence < below else text


@dataclass(frozen=True)
class Num(Expr):
    value: float

    @property
    def precedence(self) -> float:  # type: ignore[override]
        return 1.5 if self.value < 0 else ATOM  # -2 reads like a negation

    def __str__(self) -> str:
        text = format(self.value, ".4g")
        return "0" if text == "-0" else text


@dataclass(frozen=True)
class Sym(Expr):
    """A name (``x1``) or any text taken as one unit; text with spaces or operators is wrapped."""

    text: str
    unit: bool = False  # one unit whatever its text (a gradient's name, dL/dz)

    @property
    def precedence(self) -> float:  # type: ignore[override]
        return ATOM if self.unit or _is_unit(self.text) else 1

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr
    precedence = 1.5

    def __str__(self) -> str:
        return "-" + self.operand.wrapped(2)


@dataclass(frozen=True)
class Sum(Expr):
    terms: tuple[Expr, ...]
    spaced: bool = True  # "a + b", or "1-a" as the templates write it inside a product
    precedence = 1

    def __str__(self) -> str:
        plus, minus = (" + ", " - ") if self.spaced else ("+", "-")
        parts = [self.terms[0].wrapped(1)]
        for term in self.terms[1:]:
            if isinstance(term, Neg):
                parts.append(minus + term.operand.wrapped(1.6))
            elif isinstance(term, Num) and term.value < 0:
                parts.append(minus + str(Num(-term.value)))
            else:
                parts.append(plus + term.wrapped(1.6))
        return "".join(parts)


@dataclass(frozen=True)
class Prod(Expr):
    factors: tuple[Expr, ...]
    implicit: bool = False  # written side by side, as in a(1-a)
    symbol: str = "*"  # "@" for a matrix product
    precedence = 2

    def __str__(self) -> str:
        if self.implicit:  # side by side only before a parenthesis: a(1-a), never aa or a2
            text = self.factors[0].wrapped(2)
            for factor in self.factors[1:]:
                part = factor.wrapped(ATOM)
                text += part if part.startswith("(") else "*" + factor.wrapped(2)
            return text
        first, *rest = self.factors
        return self.symbol.join([first.wrapped(1.6 if self.symbol == "*" else 2),
                                 *(f.wrapped(2) for f in rest)])


@dataclass(frozen=True)
class Quot(Expr):
    numerator: Expr
    denominator: Expr
    precedence = 2

    def __str__(self) -> str:
        return f"{self.numerator.wrapped(2)}/{self.denominator.wrapped(3)}"


@dataclass(frozen=True)
class Pow(Expr):
    base: Expr
    exponent: Expr
    symbol: str = "^"  # "**" as Python code writes it
    precedence = 3

    def __str__(self) -> str:
        return f"{self.base.wrapped(ATOM)}{self.symbol}{self.exponent.wrapped(ATOM)}"


@dataclass(frozen=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]

    def __str__(self) -> str:
        return f"{self.function}({', '.join(str(a) for a in self.args)})"


def _is_unit(text: str) -> bool:
    """True when text reads as one unit: ``x1``, ``-2`` aside, ``f(x)``, ``[x>0]``, ``X^T``."""
    if not text or re.fullmatch(r"[\w.]+(\^T)?", text):
        return bool(text)
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and i < len(text) - 1 and (ch.isspace() or ch in "+-*/@^<>=,"):
            return False
    return True


# -- light algebra ---------------------------------------------------------------------------------
def simplify(expr: Expr) -> Expr:
    """The same formula with factors of 1 and terms of 0 dropped, signs and numbers folded."""
    if isinstance(expr, Neg):
        return negate(simplify(expr.operand))
    if isinstance(expr, Sum):
        return plus(*(simplify(t) for t in expr.terms), spaced=expr.spaced)
    if isinstance(expr, Prod):
        factors = tuple(simplify(f) for f in expr.factors)
        if expr.symbol == "@" and any(isinstance(f, Num) for f in factors):
            return times(*factors)  # a number times a matrix: no matrix product to write
        if expr.implicit or expr.symbol != "*":
            if any(f == Num(0) for f in factors):
                return Num(0)
            kept = tuple(f for f in factors if f != Num(1))
            if len(kept) == 1:
                return kept[0]
            return Prod(kept, expr.implicit, expr.symbol) if kept else Num(1)
        return times(*factors)
    if isinstance(expr, Quot):
        return divide(simplify(expr.numerator), simplify(expr.denominator))
    if isinstance(expr, Pow):
        return power(simplify(expr.base), simplify(expr.exponent), expr.symbol)
    if isinstance(expr, Call):
        return Call(expr.function, tuple(simplify(a) for a in expr.args))
    return expr


def negate(x: Expr) -> Expr:
    if isinstance(x, Num):
        return Num(-x.value)
    if isinstance(x, Neg):
        return x.operand
    return Neg(x)


def plus(*terms: Expr, spaced: bool = True) -> Expr:
    """A sum: nested sums merged (a minus sign shared out over them), zeros dropped, numbers
    added together at the end."""
    flat: list[Expr] = []
    stack = list(reversed(terms))
    while stack:
        term = stack.pop()
        if isinstance(term, Sum):
            stack.extend(reversed(term.terms))
        elif isinstance(term, Neg) and isinstance(term.operand, Sum):
            stack.extend(reversed([negate(t) for t in term.operand.terms]))
        else:
            flat.append(term)
    numbers = [i for i, t in enumerate(flat) if isinstance(t, Num)]
    total = sum(flat[i].value for i in numbers)  # type: ignore[attr-defined]
    kept = [t for i, t in enumerate(flat) if i not in numbers[1:]]  # the numbers, where the first
    if numbers:                                                      # one stood (1-a stays 1-a)
        kept[numbers[0]] = Num(total)
        if total == 0 and len(kept) > 1:
            del kept[numbers[0]]
    if not kept:
        return Num(0)
    return kept[0] if len(kept) == 1 else Sum(tuple(kept), spaced)


def times(*factors: Expr) -> Expr:
    """A product: nested products merged, signs pulled out in front, numbers multiplied into
    one coefficient (first), factors of 1 dropped; 0 if any factor is 0."""
    sign, coefficient, kept, below = 1, 1.0, [], []
    stack = list(reversed(factors))
    while stack:
        factor = stack.pop()
        if isinstance(factor, Prod) and factor.symbol == "*" and not factor.implicit:
            stack.extend(reversed(factor.factors))
        elif isinstance(factor, Quot) and factors != (factor,):  # a * b/c is a*b / c
            stack.append(factor.numerator)
            below.append(factor.denominator)
        elif isinstance(factor, Neg):
            sign, factor = -sign, factor.operand
            stack.append(factor)
        elif isinstance(factor, Num):
            coefficient *= factor.value
        else:
            kept.append(factor)
    if coefficient == 0:
        return Num(0)
    if coefficient < 0:
        sign, coefficient = -sign, -coefficient
    if coefficient != 1 or not kept:
        kept.insert(0, Num(coefficient))
    product = kept[0] if len(kept) == 1 else Prod(tuple(kept))
    if below:
        product = divide(product, below[0] if len(below) == 1 else times(*below))
    return product if sign > 0 else negate(product)


def _plain_factors(x: Expr) -> list[Expr]:
    return list(x.factors) if isinstance(x, Prod) and x.symbol == "*" and not x.implicit else [x]


def divide(numerator: Expr, denominator: Expr) -> Expr:
    above, below = _plain_factors(numerator), _plain_factors(denominator)
    cancelled = False
    for factor in list(below):  # a factor above and below the line cancels: a*b/a is b
        if factor in above and not isinstance(factor, Num):
            above.remove(factor)
            below.remove(factor)
            cancelled = True
    if cancelled:
        return divide(times(*above) if above else Num(1), times(*below) if below else Num(1))
    if denominator == Num(1):
        return numerator
    if numerator == Num(0):
        return Num(0)
    if isinstance(numerator, Neg):
        return negate(divide(numerator.operand, denominator))
    if isinstance(numerator, Num) and isinstance(denominator, Num) and denominator.value:
        return Num(numerator.value / denominator.value)
    return Quot(numerator, denominator)


def power(base: Expr, exponent: Expr, symbol: str = "^") -> Expr:
    if exponent == Num(1):
        return base
    if exponent == Num(0):
        return Num(1)
    if isinstance(base, Num) and isinstance(exponent, Num):
        try:
            return Num(base.value**exponent.value)
        except (OverflowError, ZeroDivisionError):
            pass
    return Pow(base, exponent, symbol)


# -- parsing the ops' templates ------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<hole>\{\w+\})|(?P<num>\d+(?:\.\d*)?(?:e-?\d+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<bracket>\[[^\]]*\])|(?P<op>\*\*|[-+*/^@()]))"
)


class TemplateError(ValueError):
    """A template this small parser does not read; the caller shows the template as text."""


def parse(template: str, holes: dict[str, Expr]) -> Expr:
    """An op's formula template (``"{out}(1-{out})"``) as a formula, each ``{hole}`` replaced.

    Reads + - * / ^ (and **), parentheses, calls ``log(x)``, juxtaposition before a parenthesis
    ``a(1-a)`` and ``[x>0]`` brackets (kept as one unit). Anything else (prose such as
    ``1 at [key]``) is a TemplateError: the caller shows the template's text as it is.
    """
    return _Parser(template, holes).parse()


class _Parser:
    def __init__(self, template: str, holes: dict[str, Expr]):
        self.tokens: list[tuple[str, str, bool]] = []  # (kind, text, space before it)
        self.holes = holes
        position = 0
        while position < len(template.rstrip()):
            match = _TOKEN.match(template, position)
            if match is None or match.end() == position:
                raise TemplateError(f"cannot read {template!r} at {position}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind) > position))
            position = match.end()
        self.at = 0
        self.template = template

    def peek(self) -> tuple[str, str, bool]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "", False)

    def take(self, text: str | None = None) -> tuple[str, str, bool]:
        token = self.peek()
        if text is not None and token[1] != text:
            raise TemplateError(f"expected {text!r} in {self.template!r}")
        self.at += 1
        return token

    def parse(self) -> Expr:
        expr = self.sum()
        if self.peek()[0] != "end":
            raise TemplateError(f"cannot read {self.template!r} past {self.peek()[1]!r}")
        return expr

    def sum(self) -> Expr:
        terms = [self.product()]
        spaced = False
        while self.peek()[1] in ("+", "-"):
            _, op, space = self.take()
            spaced = spaced or space
            term = self.product()
            terms.append(term if op == "+" else Neg(term))
        return terms[0] if len(terms) == 1 else Sum(tuple(terms), spaced)

    def product(self) -> Expr:
        if self.peek()[1] == "-":  # -y/a is -(y/a), as written in maths
            self.take()
            return Neg(self.product())
        expr = self.power()
        while True:
            kind, text, _ = self.peek()
            if text in ("*", "/", "@"):
                self.take()
                right = self.power_or_negative()
                expr = (Quot(expr, right) if text == "/" else
                        Prod((expr, right), symbol=text))
            elif text == "(":  # side by side only before a parenthesis: a(1-a)
                expr = Prod((expr, self.power()), implicit=True)
            else:
                return expr

    def power_or_negative(self) -> Expr:
        if self.peek()[1] == "-":
            self.take()
            return Neg(self.power())
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            symbol = self.take()[1]
            return Pow(base, self.unary_atom(), symbol)
        return base

    def unary_atom(self) -> Expr:
        if self.peek()[1] == "-":
            self.take()
            return Neg(self.atom())
        return self.atom()

    def atom(self) -> Expr:
        kind, text, _ = self.take()
        if kind == "hole":
            key = text[1:-1]
            if key not in self.holes:
                raise TemplateError(f"{self.template!r}: no value for {text}")
            return self.holes[key]
        if kind == "num":
            return Num(float(text))
        if kind == "bracket":  # an Iverson bracket [x>0]: its holes filled in, kept whole
            return Sym(re.sub(r"\{(\w+)\}", lambda m: self._hole_text(m.group(1)), text))
        if kind == "name":
            if self.peek()[1] == "(":
                self.take("(")
                args = [self.sum()]
                self.take(")")
                return Call(text, tuple(args))
            return Sym(text)
        if text == "(":
            inner = self.sum()
            self.take(")")
            return inner
        raise TemplateError(f"cannot read {self.template!r} at {text!r}")

    def _hole_text(self, key: str) -> str:
        if key not in self.holes:
            raise TemplateError(f"{self.template!r}: no value for {{{key}}}")
        return self.holes[key].wrapped(ATOM)


def spaced(expr: Expr) -> str:
    """The formula with spaces around its outermost products, as the lesson writes a chain
    rule: ``x1 * dz``, ``da * a(1-a)``, ``X^T @ dZ``, ``x * dout + x * dout``."""
    if isinstance(expr, Sum) and expr.spaced:
        parts = [spaced(expr.terms[0])]
        for term in expr.terms[1:]:
            negative = isinstance(term, Neg)
            inner = term.operand if negative else term
            text = spaced(inner) if isinstance(inner, Prod) else inner.wrapped(1.6)
            parts.append((" - " if negative else " + ") + text)
        return "".join(parts)
    if isinstance(expr, Neg) and isinstance(expr.operand, Prod):
        return "-" + spaced(expr.operand)
    if isinstance(expr, Prod) and not expr.implicit:
        first, *rest = expr.factors
        return f" {expr.symbol} ".join([first.wrapped(1.6), *(f.wrapped(2) for f in rest)])
    return str(expr)
