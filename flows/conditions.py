"""The condition language of playbook transitions: `next: [{when: "<condition>", goto: <step>}]`.

A condition is parsed (lark, LALR) into an immutable tree of the classes below and evaluated
over a case's fields; it is never `eval`'d, so `__import__('os')` is only a syntax error.

Language (issue 12; examples from seeds 001 «daños reiterados» and 004 «direccionamiento»):

- names: a case's field, `[a-z_][a-z0-9_]*` (ASCII lower case): `estado_orden`, `canal`.
  A field never set reads as `null`.
- literals: numbers `12`, `2.5`, `-1`; strings in single or double quotes `'cerrada'`,
  `"pex"` (a backslash keeps the next character as is: `'l\\'eau'`); `true`, `false`,
  `null`; lists of literals `[1, 2, 'x']` (only after `in` / `not in`).
- comparisons: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, one per comparison
  (`1 < a < 3` is an error: write `a > 1 and a < 3`); a bare name (or `true`/`false`)
  tests the field: false when missing, false, 0 or blank.
- logic: `not`, `and`, `or` and parentheses. Binding, tightest first: comparison, `not`,
  `and`, `or`, as in Python and SQL: `not estado == 'cerrada'` is
  `not (estado == 'cerrada')`.

    estado_orden == 'cerrada'                 # 001 step 13: «si la orden está cerrada»
    vulnerabilidad in [1, 2]                  # 001 Anexo 2: vulnerability «muy alta», «alta»
    reiterado and canal == 'call_center'      # 001 step 1: who received the complaint
    not resuelto                              # 001 step 10: «caso contrario» of «si el problema ha sido solucionado»
    previos >= 1                              # 001: earlier cases on the same contract
    tipo_tramite in ['venta', "post_venta"]   # 004 step 5: «tipo de trámite a realizar»
    cobertura or instalacion == null          # any field; `null`: never set

How values compare (numbers typed in chat, accents, missing fields): flows/condition_values.py.
Limits: 500 characters and 32 nested parentheses, said as a ConditionError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError

from flows import condition_values as cv
from flows.condition_errors import MAX_DEPTH, MAX_LENGTH, ConditionError, error_from_lark, first_too_deep
from flows.condition_grammar import parser

Literal = str | int | bool | Decimal | None

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "And", "Compare", "Condition", "ConditionError", "Const", "Expr", "Field", "Not", "Or", "Truthy",
           "parse"]

# binding strength, used to print a tree with just the parentheses it needs
_OR, _AND, _NOT, _ATOM = 1, 2, 3, 4


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal_text(value: Literal) -> str:
    """How a literal is written in the language: `'x'`, `12`, `2.5`, `true`, `null`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass(frozen=True)
class Field:
    """A case's field, read from the fields mapping (None when missing)."""
    name: str

    def read(self, fields: Mapping[str, object]) -> cv.Value:
        return cv.normalize(fields.get(self.name))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Const:
    """A literal in the condition's text."""
    value: Literal

    def read(self, fields: Mapping[str, object]) -> cv.Value:
        return self.value

    def __str__(self) -> str:
        return literal_text(self.value)


Operand = Field | Const


@dataclass(frozen=True)
class Compare:
    """`left op right`; for `in` / `not in` the right side is the tuple `options`."""
    op: str
    left: Operand
    right: Operand | None = None
    options: tuple[Const, ...] = ()
    precedence = _ATOM

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        a = self.left.read(fields)
        if self.op in ("in", "not in"):
            found = any(cv.equals(a, option.value) for option in self.options)
            return found if self.op == "in" else not found
        assert self.right is not None
        b = self.right.read(fields)
        if self.op == "==":
            return cv.equals(a, b)
        if self.op == "!=":
            return not cv.equals(a, b)
        return cv.ordered(self.op, a, b)

    def operands(self) -> tuple[Operand, ...]:
        return (self.left, self.right) if self.right is not None else (self.left, *self.options)

    def __str__(self) -> str:
        if self.right is None:
            return f"{self.left} {self.op} [{', '.join(map(str, self.options))}]"
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Truthy:
    """A bare name (or `true` / `false`): whether the field is set to something not false."""
    operand: Operand
    precedence = _ATOM

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        return cv.truthy(self.operand.read(fields))

    def operands(self) -> tuple[Operand, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return str(self.operand)


@dataclass(frozen=True)
class Not:
    operand: Expr
    precedence = _NOT

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        return not self.operand.evaluate(fields)

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"not {_wrap(self.operand, _NOT)}"


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]
    precedence = _AND

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        return all(operand.evaluate(fields) for operand in self.operands)

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def __str__(self) -> str:
        return " and ".join(_wrap(operand, _AND + 1) for operand in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]
    precedence = _OR

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        return any(operand.evaluate(fields) for operand in self.operands)

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def __str__(self) -> str:
        return " or ".join(_wrap(operand, _OR + 1) for operand in self.operands)


Expr = Compare | Truthy | Not | And | Or


def _wrap(expr: Expr, at_least: int) -> str:
    return str(expr) if expr.precedence >= at_least else f"({expr})"


def _comparisons(expr: Expr) -> list[Compare | Truthy]:
    found: list[Compare | Truthy] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Compare | Truthy):
            found.append(node)
        else:
            stack.extend(node.children())
    return found


@dataclass(frozen=True)
class Condition:
    """A parsed condition. Equal to another when their trees are (whatever the spacing of the
    text); `str()` is the canonical text, `source` the text as written in the playbook."""
    expr: Expr
    source: str = field(compare=False)

    def evaluate(self, fields: Mapping[str, object]) -> bool:
        """Whether the case with these field values takes this transition. Never raises;
        a field missing from `fields` is null."""
        return self.expr.evaluate(fields)

    @property
    def names(self) -> frozenset[str]:
        """Every field the condition reads (`crisisbot check`: each must be defined)."""
        return frozenset(op.name for node in _comparisons(self.expr) for op in node.operands() if isinstance(op, Field))

    def literals(self, name: str) -> frozenset[Literal]:
        """The literals field `name` is compared with (`==`, `!=`, `in`...), e.g. to report a
        choice field compared with a value that is not among its options."""
        values: set[Literal] = set()
        for node in _comparisons(self.expr):
            ops = node.operands()
            if isinstance(node, Compare) and Field(name) in ops:
                values.update(op.value for op in ops if isinstance(op, Const))
        return frozenset(values)

    def __str__(self) -> str:
        return str(self.expr)


def parse(source: str) -> Condition:
    """The condition written in `source` (at most MAX_LENGTH = 500 characters).

    Raises ConditionError (a ValueError with `.position`, the 0-based column, and
    `.render(lang)`) for anything that is not a condition; never another exception.
    Parsed conditions are cached: parsing the same text again is a dictionary look-up."""
    if not isinstance(source, str):
        raise ConditionError("conditions.not_text", 0)
    return _parse(source)


@lru_cache(maxsize=2048)
def _parse(source: str) -> Condition:
    if not source.strip():
        raise ConditionError("conditions.empty", 0)
    if len(source) > MAX_LENGTH:
        raise ConditionError("conditions.too_long", MAX_LENGTH, length=len(source), max=MAX_LENGTH)
    too_deep = first_too_deep(source)
    if too_deep is not None:
        raise ConditionError("conditions.too_deep", too_deep, max=MAX_DEPTH)
    try:
        tree = parser().parse(source)
    except LarkError as error:
        raise error_from_lark(source, error) from None
    return Condition(expr=_build(tree), source=source)


_PUNCTUATION = frozenset({"OR", "AND", "NOT", "IN", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA"})
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _const(token: Any) -> Const:
    kind, text = token.type, str(token)
    if kind == "STRING":
        return Const(_ESCAPE.sub(r"\1", text[1:-1]))
    if kind == "NUMBER":
        return Const(Decimal(text) if "." in text else int(text))
    return Const({"TRUE": True, "FALSE": False, "NULL": None}[kind])


def _operand(token: Any) -> Operand:
    return Field(str(token)) if token.type == "NAME" else _const(token)


def _build(tree: Any) -> Expr:
    """The tree of our classes for lark's parse tree (its depth is bounded by MAX_DEPTH and
    MAX_LENGTH, so plain recursion is safe)."""
    if not isinstance(tree, Tree):  # a lone token: `reiterado`, `true`
        return Truthy(_operand(tree))
    kind, kids = tree.data, [kid for kid in tree.children if isinstance(kid, Tree) or kid.type not in _PUNCTUATION]
    if kind == "or_expr" or kind == "and_expr":
        flat: list[Expr] = []
        cls = Or if kind == "or_expr" else And
        for kid in map(_build, kids):
            flat.extend(kid.operands if isinstance(kid, cls) else (kid,))
        return cls(tuple(flat))
    if kind == "atom":  # ( ... )
        return _build(kids[0])
    if kind == "not_expr":
        return Not(_build(kids[0]))
    if kind == "compare":
        return Compare(str(kids[1]), _operand(kids[0]), _operand(kids[2]))
    if kind in ("in_list", "not_in_list"):
        options = tuple(_const(token) for token in kids[1].children if isinstance(token, Token) and token.type not in _PUNCTUATION)
        return Compare("in" if kind == "in_list" else "not in", _operand(kids[0]), options=options)
    raise AssertionError(f"unknown rule {kind}")  # pragma: no cover - the grammar has no other
