"""A drill file (issue 14 point 3): the injects of one drill, given with `crisisbot
simulacro --guion file.yaml` (docs/drills.md). Read like a playbook (bot/loading.py
`parse_text`: our words for YAML mistakes, repeated keys, nesting too deep), checked against
the `Inject` model and, with `check_script`, against the playbook's steps and the directory."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.loading import ConfigError, line_of, parse_text
from flows.directory import Directory
from flows.drill_injects import check_people, check_steps
from flows.playbook import Inject, Playbook
from flows.texts import t


class ScriptProblem(Exception):
    """A drill file that cannot be used. Its message is one line per problem,
    «file:line: what is wrong», in the reader's language; `problems` holds them as
    (line, text)."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}:{line}: {text}" for line, text in problems))


class DrillScript(BaseModel):
    """A drill file: `injects:`, the list of events (docs/drills.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    injects: list[Inject] = Field(min_length=1)


def parse_script(text: str, source: str, *, lang: str = "es") -> tuple[Inject, ...]:
    """The injects of a drill file (YAML: `injects: [{at: 5m, to_step: "2", text: …}, …]`).
    `source` names the file in the messages. Raises `ScriptProblem` (file, line, what is
    wrong, in `lang`) for a file that is not YAML, has no `injects:`, or an inject the model
    refuses; references to steps and people are `check_script`'s (they need the playbook)."""
    return _parse(text, source, lang)[0]


def check_script(text: str, source: str, playbook: Playbook, directory: Directory, *,
                 lang: str = "es") -> tuple[Inject, ...]:
    """`parse_script`, and every `to_step`, `to` and `unavailable` found in `playbook` and
    `directory`: what `crisisbot simulacro --guion` calls before starting the drill."""
    injects, node = _parse(text, source, lang)
    bad = check_steps(playbook, injects) + check_people(playbook, directory, injects)
    if bad:
        raise ScriptProblem(source, [(line_of(node, ("injects", b.index, b.field)), t(lang, b.key, **b.values))
                                     for b in sorted(bad, key=lambda b: b.index)])
    return injects


def _parse(text: str, source: str, lang: str) -> tuple[tuple[Inject, ...], yaml.Node | None]:
    try:
        data, node = parse_text(text, source, lang)
    except ConfigError as error:
        if any(p.message == t(lang, "config.empty") for p in error.problems):
            raise ScriptProblem(source, [(1, t(lang, "drill_injects.script.empty"))]) from None
        raise ScriptProblem(source, [(p.line, p.message) for p in error.problems]) from None
    if "injects" not in data:
        raise ScriptProblem(source, [(1, t(lang, "drill_injects.script.no_injects"))])
    try:
        script = DrillScript.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(dict(error), node, lang) for error in exc.errors()]
        raise ScriptProblem(source, sorted(problems)) from None
    return tuple(script.injects), node


def _schema_problem(error: dict[str, Any], node: yaml.Node | None, lang: str) -> tuple[int, str]:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind, ctx = str(error["type"]), dict(error.get("ctx") or {})
    if kind == "missing" and loc:
        message, loc = t(lang, "config.missing", field=loc[-1]), loc[:-1]
    elif kind == "extra_forbidden" and loc:
        message = t(lang, "config.extra", field=loc[-1])
    elif kind == "string_type" and loc:
        message = t(lang, "drill_injects.script.not_text", field=loc[-1])
    elif kind == "too_short":
        message = t(lang, "drill_injects.script.none")
    elif kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        message = t(lang, "drill_injects.script.shape")
    else:
        try:
            message = t(lang, kind, **ctx)
        except KeyError:
            message = str(error["msg"]).removeprefix("Value error, ")
    index = loc[1] if len(loc) > 1 and loc[0] == "injects" and isinstance(loc[1], int) else None
    field = next((str(part) for part in loc[2:] if isinstance(part, str)), "")
    if index is not None:
        where = t(lang, "drill_injects.where", n=index + 1, field=field) if field else t(
            lang, "drill_injects.where_inject", n=index + 1)
        message = where + message
    return line_of(node, loc), message
