"""Why a condition (flows/conditions.py) does not parse, said shortly in the reader's language.

A ConditionError keeps a catalogue key (flows/texts/*/conditions.py) and its parameters, so
`crisisbot check` can say it in `CRISISBOT_LANG` and a test can check the key; `str()` is
the Spanish text. Positions are 0-based offsets in the condition's text (its column when it
is one line); the message shows them 1-based, as editors do.
"""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from flows.texts import t

MAX_LENGTH = 500  # characters: a transition's condition is one short line
MAX_DEPTH = 32  # nested parentheses or brackets

_VALUES = frozenset({"NAME", "STRING", "NUMBER", "TRUE", "FALSE", "NULL"})
_HINTS = {"=": "==", "&": "and", "|": "or", "!": "not"}
_SMART_QUOTES = "«»“”‘’„‚‹›´`"


class ConditionError(ValueError):
    """A condition that does not parse: `key` into the catalogues, `params` for it, and
    `position`, 0-based. `render(lang)` says it; `str(error)` is the Spanish text."""

    def __init__(self, key: str, position: int, **params: Any) -> None:
        self.key = key
        self.position = position
        self.params = params
        super().__init__(self.render("es"))

    def render(self, lang: str) -> str:
        reason = t(lang, self.key, **self.params)
        if self.key in ("conditions.empty", "conditions.not_text", "conditions.too_long"):
            return reason
        return t(lang, "conditions.at", col=self.position + 1, reason=reason)

    @property
    def message_en(self) -> str:
        return self.render("en")


def first_too_deep(source: str) -> int | None:
    """The position of the first `(` or `[` nested deeper than MAX_DEPTH (quoted text
    skipped), None when there is none."""
    depth, quote, escaped = 0, "", False
    for pos, char in enumerate(source):
        if quote:
            escaped, quote = (False, quote) if escaped else (char == "\\", "" if char == quote else quote)
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
            if depth > MAX_DEPTH:
                return pos
        elif char in ")]":
            depth = max(depth - 1, 0)
    return None


def _shown(char: str) -> str:
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def _bad_char(source: str, pos: int) -> ConditionError:
    char = source[pos]
    if char in _HINTS and source[pos:pos + 2] not in ("==", "!="):
        return ConditionError("conditions.use_instead", pos, wrong=char, right=_HINTS[char])
    if char in "'\"":
        return ConditionError("conditions.unclosed_string", pos)
    if char in _SMART_QUOTES:
        return ConditionError("conditions.smart_quote", pos, char=char)
    if char.isalpha():
        return ConditionError("conditions.name_char", pos, char=char)
    return ConditionError("conditions.bad_char", pos, char=_shown(char))


def _tokens_before(source: str, pos: int) -> list[Token]:
    from flows.condition_grammar import parser

    found: list[Token] = []
    try:
        for token in parser().lex(source):
            if token.start_pos is None or token.start_pos >= pos:
                break
            found.append(token)
    except LarkError:
        pass  # the tokens up to the bad character are enough
    return found


def _unclosed(tokens: list[Token], opening: str, closing: str) -> int | None:
    """Where the innermost `opening` token still open is, None if all are closed."""
    stack: list[int] = []
    for token in tokens:
        if token.type == opening:
            stack.append(token.start_pos or 0)
        elif token.type == closing and stack:
            stack.pop()
    return stack[-1] if stack else None


def _bad_token(source: str, token: Token, expected: set[str]) -> ConditionError:
    at_end = token.type == "$END"
    pos = len(source) if at_end else (token.start_pos or 0)
    before = _tokens_before(source, pos)
    prev = before[-1] if before else None
    shown = str(token) if len(str(token)) <= 20 else str(token)[:20] + "…"
    if prev is None and at_end:
        return ConditionError("conditions.empty", 0)
    if at_end and "RSQB" in expected and (opened := _unclosed(before, "LSQB", "RSQB")) is not None:
        return ConditionError("conditions.unclosed_list", pos, opened=opened + 1)
    if at_end and "RPAR" in expected and (opened := _unclosed(before, "LPAR", "RPAR")) is not None:
        return ConditionError("conditions.unclosed_paren", pos, opened=opened + 1)
    if token.type == "LSQB" and prev is not None and prev.type == "CMP":
        return ConditionError("conditions.list_needs_in", pos, op=str(prev))
    if prev is not None and prev.type in ("LSQB", "COMMA") and token.type == "NAME":
        return ConditionError("conditions.list_item", pos, name=shown)
    if prev is not None and prev.type == "IN" and token.type != "LSQB":
        return ConditionError("conditions.list_after_in", pos)
    if token.type == "CMP" and prev is not None and prev.type in _VALUES:
        return ConditionError("conditions.chained", pos, op=shown)
    if token.type == "LPAR" and prev is not None and prev.type == "NAME":
        return ConditionError("conditions.no_calls", pos, name=str(prev))
    if prev is not None and prev.type == "CMP":
        return ConditionError("conditions.value_after", pos, after=str(prev))
    if prev is not None and prev.type == "NOT" and len(before) > 1 and before[-2].type in _VALUES:
        return ConditionError("conditions.in_after_not", pos)
    if prev is None or prev.type in ("AND", "OR", "NOT", "LPAR"):
        if prev is None:
            return ConditionError("conditions.condition_first", pos, token=shown)
        return ConditionError("conditions.condition_after", pos, after=str(prev))
    if at_end:
        return ConditionError("conditions.incomplete", pos, after=str(prev))
    return ConditionError("conditions.unexpected", pos, token=shown)


def error_from_lark(source: str, error: LarkError) -> ConditionError:
    """The ConditionError that says what lark found wrong in `source`."""
    if isinstance(error, UnexpectedCharacters):
        return _bad_char(source, error.pos_in_stream or 0)
    if isinstance(error, UnexpectedToken):
        return _bad_token(source, error.token, set(error.expected))
    if isinstance(error, UnexpectedEOF):
        return _bad_token(source, Token("$END", ""), set(error.expected))
    return ConditionError("conditions.unexpected", 0, token=source[:20])
