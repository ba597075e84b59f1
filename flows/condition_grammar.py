"""The grammar of the condition language (flows/conditions.py), for lark's LALR parser.

Keywords (`and`, `or`, `not`, `in`, `true`, `false`, `null`) are reserved: lark's lexer
tells them from names (`android` is a name). Spaces, tabs, newlines and no-break spaces
separate tokens.
"""

from __future__ import annotations

from functools import cache

from lark import Lark

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (OR and_expr)*
?and_expr: not_expr (AND not_expr)*
?not_expr: NOT not_expr
         | atom
?atom: compare
     | in_list
     | not_in_list
     | truth
     | LPAR or_expr RPAR
compare: operand CMP operand
in_list: operand IN list
not_in_list: operand NOT IN list
?truth: NAME | TRUE | FALSE
?operand: NAME | literal
?literal: STRING | NUMBER | TRUE | FALSE | NULL
list: LSQB [literal (COMMA literal)* COMMA?] RSQB

OR: "or"
AND: "and"
NOT: "not"
IN: "in"
TRUE: "true"
FALSE: "false"
NULL: "null"
LPAR: "("
RPAR: ")"
LSQB: "["
RSQB: "]"
COMMA: ","
CMP: "==" | "!=" | "<=" | ">=" | "<" | ">"
NAME: /[a-z_][a-z0-9_]*/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
STRING: /'(?:[^'\\]|\\.)*'/s | /"(?:[^"\\]|\\.)*"/s
%ignore /[ \t\r\n\u00a0]+/
"""


@cache
def parser() -> Lark:
    """The LALR parser, built on first use (not at import: most of the bot never needs it).
    Punctuation and keywords are kept as tokens so errors can say what came before."""
    return Lark(GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)
