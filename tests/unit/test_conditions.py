"""The condition language of playbook transitions (issue 12, flows/conditions.py): the `when:`
of `next:` routes a case by its fields as a person would read it, a typo in a playbook is
told with its column, and nothing a playbook says is ever run as Python."""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import conditions
from flows.condition_grammar import parser
from flows.conditions import MAX_LENGTH, ConditionError, parse

# (condition, fields, expected): what a case with these fields does at this transition
EVALUATIONS: list[tuple[str, dict[str, object], bool]] = [
    # seed-like transitions (001 daños reiterados, 004 direccionamiento)
    ("estado_orden == 'cerrada'", {"estado_orden": "cerrada"}, True),
    ("estado_orden == 'cerrada'", {"estado_orden": "abierta"}, False),
    ("estado_orden == 'cerrada'", {}, False),
    ("vulnerabilidad in [1, 2]", {"vulnerabilidad": 2}, True),
    ("vulnerabilidad in [1, 2]", {"vulnerabilidad": "1"}, True),  # typed in chat
    ("vulnerabilidad in [1, 2]", {"vulnerabilidad": 3}, False),
    ("vulnerabilidad in [1, 2]", {}, False),
    ("vulnerabilidad not in [1, 2]", {"vulnerabilidad": 4}, True),
    ("vulnerabilidad not in [1, 2]", {}, True),
    ("reiterado and canal == 'call_center'", {"reiterado": True, "canal": "call_center"}, True),
    ("reiterado and canal == 'call_center'", {"reiterado": False, "canal": "call_center"}, False),
    ("reiterado and canal == 'call_center'", {"reiterado": True, "canal": "help_desk"}, False),
    ("not resuelto", {"resuelto": False}, True),
    ("not resuelto", {"resuelto": True}, False),
    ("not resuelto", {}, True),  # never answered: not solved
    ("previos >= 1", {"previos": 0}, False),
    ("previos >= 1", {"previos": 3}, True),
    ("previos >= 1", {"previos": "2"}, True),
    ("previos >= 1", {}, False),
    # numbers typed in chat compare as numbers
    ("horas == 2", {"horas": "2"}, True),
    ("horas == 2.5", {"horas": "2.50"}, True),
    ("horas == 2.5", {"horas": 2.5}, True),
    ("horas < 10", {"horas": "9"}, True),  # as text «9» > «10»
    ("horas == 2", {"horas": "dos"}, False),
    ("horas < 10", {"horas": "dos"}, False),
    # text ignores case, accents and surrounding spaces
    ("estado == 'atendido'", {"estado": "Atendido"}, True),
    ("area == 'Área Técnica'", {"area": " area tecnica "}, True),
    ("estado != 'atendido'", {"estado": "ATENDIDO"}, False),
    ("tramite in ['pago', \"reclamo\"]", {"tramite": "Reclamo"}, True),
    ("nombre < 'b'", {"nombre": "Ánlisis"}, True),
    # a field never set
    ("telefono == null", {}, True),
    ("telefono == null", {"telefono": None}, True),
    ("telefono == null", {"telefono": "4455"}, False),
    ("telefono != null", {"telefono": "4455"}, True),
    ("telefono == ''", {}, False),
    ("telefono < 5", {}, False),
    ("telefono >= 5", {}, False),
    ("telefono > null", {}, False),
    # booleans are not numbers
    ("reiterado == true", {"reiterado": True}, True),
    ("reiterado == 1", {"reiterado": True}, False),
    ("reiterado > 0", {"reiterado": True}, False),
    # bare names: missing, false, zero and blank are false
    ("reiterado", {"reiterado": "0"}, False),
    ("reiterado", {"reiterado": "  "}, False),
    ("reiterado", {"reiterado": "sí"}, True),
    ("reiterado", {"reiterado": 0.0}, False),
    # precedence: comparison, not, and, or
    ("a or b and c", {"a": True}, True),
    ("(a or b) and c", {"a": True}, False),
    ("not a == 1", {"a": 2}, True),
    ("not a and b", {"a": False, "b": True}, True),
    ("not (a and b)", {"a": True, "b": False}, True),
    ("true", {}, True),
    ("false or x == 1", {"x": 1}, True),
]


@pytest.mark.parametrize(("source", "fields", "expected"), EVALUATIONS)
def test_a_case_takes_the_transition_its_fields_say(source: str, fields: dict[str, object], expected: bool) -> None:
    assert parse(source).evaluate(fields) is expected


# (condition, catalogue key, 0-based position): where a playbook author is sent to fix it
ERRORS: list[tuple[str, str, int]] = [
    ("estado_orden == ", "conditions.value_after", 16),
    ("estado_orden = 'cerrada'", "conditions.use_instead", 13),
    ("Estado == 'x'", "conditions.name_char", 0),
    ("año > 1", "conditions.name_char", 1),
    ("a == 'cerrada", "conditions.unclosed_string", 5),
    ("a == «cerrada»", "conditions.smart_quote", 5),
    ("(a == 1 or b", "conditions.unclosed_paren", 12),
    ("x in [1, 2", "conditions.unclosed_list", 10),
    ("x == [1, 2]", "conditions.list_needs_in", 5),
    ("x in y", "conditions.list_after_in", 5),
    ("x in [y]", "conditions.list_item", 6),
    ("1 < a < 3", "conditions.chained", 6),
    ("a and", "conditions.condition_after", 5),
    ("or a", "conditions.condition_first", 0),
    ("a not == 1", "conditions.in_after_not", 6),
    ("a b", "conditions.unexpected", 2),
    ("a == 1)", "conditions.unexpected", 6),
    ("12", "conditions.incomplete", 2),
    ("a && b", "conditions.use_instead", 2),
    ("a == 1 \x00", "conditions.bad_char", 7),
    ("   ", "conditions.empty", 0),
    ("", "conditions.empty", 0),
    ("x" * (MAX_LENGTH + 1), "conditions.too_long", MAX_LENGTH),
    ("(" * 40 + "a" + ")" * 40, "conditions.too_deep", 32),
    ("__import__('os')", "conditions.no_calls", 10),
]


@pytest.mark.parametrize(("source", "key", "position"), ERRORS)
def test_a_broken_condition_says_what_and_where(source: str, key: str, position: int) -> None:
    with pytest.raises(ConditionError) as caught:
        parse(source)
    assert (caught.value.key, caught.value.position) == (key, position)
    assert isinstance(caught.value, ValueError)


def test_the_message_reads_in_spanish_and_english_with_a_human_column() -> None:
    with pytest.raises(ConditionError) as caught:
        parse("estado_orden == ")
    error = caught.value
    assert str(error) == "condición no válida en la columna 17: se esperaba un valor tras «==»"
    assert error.render("es") == str(error)
    assert error.message_en == "invalid condition at column 17: expected a value after «==»"
    with pytest.raises(ConditionError) as caught:
        parse("x" * 600)
    assert "500" in str(caught.value) and "600" in str(caught.value)


def test_a_yaml_value_that_is_not_text_is_a_condition_error() -> None:
    with pytest.raises(ConditionError) as caught:
        parse(True)  # type: ignore[arg-type]  # `when: true` unquoted in YAML
    assert caught.value.key == "conditions.not_text"


def test_names_are_every_field_read_and_literals_what_a_field_is_compared_with() -> None:
    condition = parse("(canal == 'call_center' or canal in ['help_desk', 'retencion']) and not reiterado and previos >= 1 and a == b")
    assert condition.names == frozenset({"canal", "reiterado", "previos", "a", "b"})
    assert condition.literals("canal") == frozenset({"call_center", "help_desk", "retencion"})
    assert condition.literals("previos") == frozenset({1})
    assert condition.literals("reiterado") == frozenset()
    assert condition.literals("a") == frozenset()
    assert parse("horas < 2.5").literals("horas") == frozenset({Decimal("2.5")})


def test_the_text_is_kept_and_printed_canonically() -> None:
    condition = parse("(a==1 and (b)) or not(c in [1,'x',])")
    assert condition.source == "(a==1 and (b)) or not(c in [1,'x',])"
    assert str(condition) == "a == 1 and b or not c in [1, 'x']"
    assert parse(str(condition)) == condition


def test_parsing_is_cached() -> None:
    assert parse("canal == 'pex'") is parse("canal == 'pex'")


def test_nothing_is_run_as_python(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    parser.cache_clear()
    conditions._parse.cache_clear()
    assert parse("estado_orden == 'cerrada' and x in [1, 2]").evaluate({"estado_orden": "Cerrada", "x": 2})
    for attack in ("__import__('os').system('true')", "open('/etc/passwd')", "x.__class__", "a == (lambda: 1)()", "[c for c in ()]"):
        with pytest.raises(ConditionError):
            parse(attack)


# --- properties -------------------------------------------------------------------------------

KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
spaces = st.sampled_from(["", " ", "  ", "\n", "\t"])


@st.composite
def strings(draw: st.DrawFn) -> str:
    text = draw(st.text(max_size=8))
    quote = draw(st.sampled_from(["'", '"']))
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


literals = st.one_of(strings(), st.integers(-10**6, 10**6).map(str), st.from_regex(r"-?[0-9]{1,4}\.[0-9]{1,3}", fullmatch=True),
                     st.sampled_from(["true", "false", "null"]))
operands = st.one_of(names, literals)


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["cmp", "in", "truth"]))
    if kind == "truth":
        return draw(st.one_of(names, st.sampled_from(["true", "false"])))
    left = draw(operands)
    if kind == "cmp":
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        return f"{left}{draw(spaces)}{op}{draw(spaces)}{draw(operands)}"
    items = draw(st.lists(literals, max_size=3))
    op = draw(st.sampled_from(["in", "not in"]))
    return f"{left} {op} [{','.join(items)}]"


expressions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} and {b}", inner, inner),
        st.builds(lambda a, b: f"{a} or {b}", inner, inner),
        st.builds(lambda a: f"not {a}", inner),
        st.builds(lambda a, s: f"({s}{a}{s})", inner, spaces),
    ),
    max_leaves=8,
).filter(lambda text: len(text) <= MAX_LENGTH)

field_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
                         st.sampled_from(["2", " 2.50 ", "Cerrada", "-0", ".5", "nan", "inf"]))

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.one_of(st.text(max_size=600), st.text(alphabet="()[]'\"=<>!notandri_ ,.0123456789abc", max_size=120)))
def test_any_text_is_a_condition_or_a_condition_error(text: str) -> None:
    try:
        condition = parse(text)
    except ConditionError as error:
        assert 0 <= error.position <= len(text)
        assert error.render("en") and str(error)
    else:
        assert parse(str(condition)) == condition


@PROPERTY
@given(expressions, st.dictionaries(names, field_values, max_size=4))
def test_a_valid_condition_round_trips_and_evaluates_without_raising(text: str, fields: dict[str, object]) -> None:
    condition = parse(text)
    again = parse(str(condition))
    assert again == condition
    assert str(again) == str(condition)
    assert condition.evaluate(fields) is again.evaluate(fields)
    assert condition.evaluate({name: object() for name in condition.names}) in (True, False)
