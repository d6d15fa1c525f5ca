"""Validation rule expressions, parsed by a small grammar and never evaluated as code.

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := NUMBER | "#{" element ("." option)* "}" | "@{" figure "}" | "(" expression ")" | "-" factor

``@{key}`` (indicators only) names a built-in figure of ``lib.indicators``.
``#{tuyen_truyen_buoi}`` is the element's total over its option combos; ``#{tuyen_truyen_buoi.tieng_dtts}`` the
sum of the cells holding that option (several options: the cells holding all of them). Evaluation gets a
function that answers a reference with a number, or ``None`` when nothing was entered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9]+(?:\.[0-9]+)?)"
                    r"|#\{(?P<ref>[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)\}|@\{(?P<figure>[a-z0-9_.-]+)\}|(?P<op>[-+*/()]))")
MAX_LENGTH = 500
FIGURE_PREFIX = "@"  # a Ref naming a built-in figure: ``@{key}`` parses to Ref("@key")


class ExpressionError(ValueError):
    """An expression that does not parse; the message is Vietnamese."""


@dataclass(frozen=True)
class Ref:
    element: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Ref | Num | Neg | BinOp


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(gettext("Biểu thức dài quá %(n)s ký tự.") % {"n": MAX_LENGTH})
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(gettext("Biểu thức không hợp lệ ở vị trí %(pos)s: “%(text)s”.")
                                  % {"pos": pos + 1, "text": text[pos:pos + 20]})
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse(text: str) -> Node:
    tokens = _tokens(text)
    if not tokens:
        raise ExpressionError(gettext("Biểu thức trống."))
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise ExpressionError(gettext("Biểu thức kết thúc giữa chừng."))
        pos += 1
        return tokens[pos - 1]

    def expression(depth: int) -> Node:
        if depth > 50:
            raise ExpressionError(gettext("Biểu thức lồng quá sâu."))
        node = term(depth)
        while (t := peek()) is not None and t[0] == "op" and t[1] in "+-":
            take()
            node = BinOp(t[1], node, term(depth))
        return node

    def term(depth: int) -> Node:
        node = factor(depth)
        while (t := peek()) is not None and t[0] == "op" and t[1] in "*/":
            take()
            node = BinOp(t[1], node, factor(depth))
        return node

    def factor(depth: int) -> Node:
        kind, value = take()
        if kind == "number":
            return Num(Decimal(value))
        if kind == "ref":
            element, *options = value.split(".")
            return Ref(element, tuple(options))
        if kind == "figure":  # a built-in figure of lib.indicators (an indicator's formula)
            return Ref(FIGURE_PREFIX + value)
        if value == "-":
            return Neg(factor(depth + 1))
        if value == "(":
            node = expression(depth + 1)
            if take() != ("op", ")"):
                raise ExpressionError(gettext("Thiếu dấu đóng ngoặc."))
            return node
        raise ExpressionError(gettext("Biểu thức không hợp lệ: không chờ “%(token)s” ở đây.") % {"token": value})

    node = expression(0)
    if pos != len(tokens):
        raise ExpressionError(gettext("Biểu thức không hợp lệ: thừa “%(token)s”.") % {"token": tokens[pos][1]})
    return node


def references(node: Node) -> list[Ref]:
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, BinOp):
        return references(node.left) + references(node.right)
    return []


Lookup = Callable[[Ref], Decimal | None]


def evaluate(node: Node, lookup: Lookup) -> Decimal | None:
    """The value, with missing references counted as 0; ``None`` when a division by zero leaves no value."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return lookup(node) or Decimal(0)
    if isinstance(node, Neg):
        inner = evaluate(node.operand, lookup)
        return None if inner is None else -inner
    left, right = evaluate(node.left, lookup), evaluate(node.right, lookup)
    if left is None or right is None:
        return None
    try:
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        return left / right if right else None
    except InvalidOperation:
        return None


COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
