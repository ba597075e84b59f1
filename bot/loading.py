"""Reading the playbook and directory files, with every problem located by file and line.

A problem is one line, `file:line: reason`, in the reader's language (flows/texts/*/config.py)
and in the playbook's terms: «paso 2», not `steps.1`. Nothing here raises anything but
`ConfigError`: a file that is not UTF-8, not YAML, empty, with a repeated key, or that the
models refuse, is a list of `FileProblem`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from flows.directory import Directory
from flows.playbook import Playbook
from flows.texts import t
from flows.validation import Problem, check_directory, check_playbook

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key repeated in one mapping is noted (PyYAML keeps the
    last silently, and a person's second `roles:` would erase the first)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []  # key, first line, second line (1-based)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                self.duplicates.append((key_node.value, seen[key_node.value], line))
            else:
                seen[key_node.value] = line
        return super().construct_mapping(node, deep=deep)


_YAML_PROBLEMS = [  # PyYAML's words -> ours
    ("'\\t'", "config.yaml.tab"),
    ("mapping values are not allowed", "config.yaml.colon"),
    ("could not find expected ':'", "config.yaml.no_colon"),
    ("while scanning a quoted scalar", "config.yaml.unclosed_quote"),
    ("expected ',' or ']'", "config.yaml.unclosed_bracket"),
    ("expected ',' or '}'", "config.yaml.unclosed_bracket"),
    ("expected <block end>", "config.yaml.indent"),
]


def _decode(path: Path, lang: str) -> str:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([FileProblem(name, 1, t(lang, "config.unreadable", reason=exc.strerror or exc))]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = f"0x{raw[exc.start]:02X}"
        raise ConfigError([FileProblem(name, line, t(lang, "config.not_utf8", byte=byte))]) from None


def _read(path: Path, lang: str) -> tuple[Any, yaml.Node | None]:
    """The file's data and its YAML node tree (for the lines). A file read before and not
    changed since (same size and modification time) is not parsed again: several playbooks
    and the directory are each read by more than one check at start-up. ConfigError as below."""
    try:
        stat = path.stat()
    except OSError:
        return _parse(path, lang)  # says why it cannot be read
    return _parsed(path, lang, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed(path: Path, lang: str, mtime_ns: int, size: int) -> tuple[Any, yaml.Node | None]:
    return _parse(path, lang)


def _parse(path: Path, lang: str) -> tuple[Any, yaml.Node | None]:
    return parse_text(_decode(path, lang), str(path), lang)


def parse_text(text: str, name: str, lang: str = "es") -> tuple[Any, yaml.Node | None]:
    """YAML `text` (a playbook, the directory, a drill file) as data and its node tree (for
    line numbers, `line_of`); `name` names the file in the problems. Raises ConfigError
    (file, line, what is wrong, in `lang`): a character YAML refuses, nesting too deep,
    a YAML mistake in our words, a key repeated in one mapping."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, most control characters)
        line = text[: exc.position].count("\n") + 1
        raise ConfigError([FileProblem(name, line, t(lang, "config.yaml.character", code=f"U+{exc.character:04X}"))]) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:  # PyYAML composes recursively: thousands of nested «[» or indents
        line = loader.get_mark().line + 1
        raise ConfigError([FileProblem(name, line, t(lang, "config.yaml.too_deep"))]) from None
    except yaml.YAMLError as exc:
        words = f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or exc}"
        key = next((k for fragment, k in _YAML_PROBLEMS if fragment in words), "config.yaml.other")
        # what is left open is shown where it was opened; anything else where it went wrong
        opened = key in ("config.yaml.unclosed_quote", "config.yaml.unclosed_bracket")
        marks = ("context_mark", "problem_mark") if opened else ("problem_mark", "context_mark")
        mark = getattr(exc, marks[0], None) or getattr(exc, marks[1], None)
        line = mark.line + 1 if mark else 1
        problem = str(getattr(exc, "problem", None) or exc)
        raise ConfigError([FileProblem(name, line, t(lang, key, problem=problem))]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ConfigError([FileProblem(name, second, t(lang, "config.duplicate_key", name=key, first=first, second=second))
                           for key, first, second in loader.duplicates])
    if data is None:
        raise ConfigError([FileProblem(name, 1, t(lang, "config.empty"))])
    if not isinstance(data, dict):
        raise ConfigError([FileProblem(name, 1, t(lang, "config.not_mapping"))])
    return data, node


def line_of(node: yaml.Node | None, path: Loc) -> int:
    """1-based line of the value at `path`, or of the deepest part of it that exists."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            return line
        node, line = child, child.start_mark.line + 1
    return line


def _where(data: Any, loc: Loc, lang: str) -> str:
    """`("steps", 1, "policy", "deadline")` -> «paso 2, policy.deadline»: steps by their
    number, people by their name, reminders by their id; list positions left out."""
    said: list[str] = []
    fields: list[str] = []
    cursor = data
    for i, part in enumerate(loc):
        item = cursor[part] if isinstance(cursor, dict) and part in cursor else (
            cursor[part] if isinstance(cursor, list) and isinstance(part, int) and part < len(cursor) else None)
        parent = loc[i - 1] if i else None
        if isinstance(part, int) and parent in ("steps", "people", "recurring") and len(fields) == 1:
            entry = item if isinstance(item, dict) else {}
            fields.clear()
            if parent == "steps":
                said.append(t(lang, "config.where.step", number=entry.get("number") or part + 1))
            elif parent == "people":
                said.append(t(lang, "config.where.person", name=entry.get("name") or entry.get("id") or part + 1))
            else:
                said.append(t(lang, "config.where.recurring", id=entry.get("id") or part + 1))
        elif isinstance(part, str):
            fields.append(part)
        cursor = item
    if fields:
        said.append(".".join(fields))
    return ", ".join(said)


_TYPES = {
    "string_type": "config.type.string", "list_type": "config.type.list", "dict_type": "config.type.mapping",
    "model_type": "config.type.mapping", "model_attributes_type": "config.type.mapping",
    "bool_parsing": "config.type.bool", "bool_type": "config.type.bool", "int_parsing": "config.type.int",
    "int_type": "config.type.int",
}

_PATTERNS = {r"^[A-Z]{1,3}$": "check_review.prefix", r"^[a-z_][a-z0-9_]*$": "check_review.field_id",
             r"^open$": "check_review.unique"}  # flows/playbook.py: case.prefix, a field's id, case.key.unique


def _schema_problem(error: ErrorDetails, data: Any, lang: str) -> tuple[Loc, str]:
    """The location (in the file) and the words of one pydantic error, without pydantic's
    technical prefixes («Value error,»)."""
    loc: Loc = tuple(error["loc"])
    said = loc
    kind, ctx, value = error["type"], dict(error.get("ctx") or {}), error.get("input")
    if kind.startswith("config."):
        message = t(lang, kind, **ctx)
    elif kind in ("missing", "extra_forbidden") and loc:
        message = t(lang, "config.missing" if kind == "missing" else "config.extra", field=loc[-1])
        said = loc[:-1]  # the field is in the message; an unknown one has its own line, a missing one its parent's
        loc = loc if kind == "extra_forbidden" else said
    elif kind == "string_type" and isinstance(value, bool):  # «value: no» unquoted: YAML read a yes/no
        message = t(lang, "check_review.yaml_bool")
    elif kind in _TYPES:
        message = t(lang, _TYPES[kind])
    elif kind == "too_short":
        message = t(lang, "config.too_short", min=ctx.get("min_length", 1))
    elif kind == "string_too_long":
        message = t(lang, "config.too_long", length=len(value) if isinstance(value, str) else "?", max=ctx.get("max_length"))
    elif kind == "string_pattern_mismatch":  # each rule in its own words (an id's by default)
        message = t(lang, _PATTERNS.get(str(ctx.get("pattern")), "config.pattern"), value=value)
    elif kind in ("enum", "literal_error"):
        message = t(lang, "config.choice", value=value, expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    else:
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    where = _where(data, said, lang)
    return loc, f"{where}: {message}" if where else message


def _model(path: Path, model: type[M], lang: str) -> tuple[M, yaml.Node | None]:
    data, node = _read(path, lang)
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc, message = _schema_problem(error, data, lang)
            problems.append(FileProblem(str(path), line_of(node, loc), message))
        raise ConfigError(problems) from None


def kind_of(path: Path, lang: str = "es") -> str:
    """"playbook" (it has `steps:`), "directory" (it has `people:`) or "drill" (a drill file,
    `injects:`, bot/drill_script.py), told by content, for `crisisbot check FILE...`;
    ConfigError when it is none of them or cannot be read."""
    data, _ = _read(path, lang)
    if "steps" in data:
        return "playbook"
    if "people" in data:
        return "directory"
    if "injects" in data:
        return "drill"
    raise ConfigError([FileProblem(str(path), 1, t(lang, "config.unknown_kind"))])


def load_playbook(path: Path, lang: str = "es") -> Playbook:
    return load_all(path, None, lang)[0]


def _locate(found: list[Problem], where: dict[str, tuple[Path | None, yaml.Node | None]], lang: str) -> list[FileProblem]:
    problems = []
    for problem in found:
        path, node = where[problem.source]
        values = dict(problem.values)
        if problem.other is not None:
            values["other"] = line_of(node, problem.other)
        problems.append(FileProblem(str(path), line_of(node, problem.path), t(lang, problem.key, **values)))
    return problems


def load_all(playbook_path: Path, directory_path: Path | None, lang: str = "es") -> tuple[Playbook, Directory | None]:
    """Load and cross-check both files; raise ConfigError with every problem found, each
    said in `lang`."""
    problems: list[FileProblem] = []
    playbook = directory = None
    pb_node = dir_node = None
    try:
        playbook, pb_node = _model(playbook_path, Playbook, lang)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if directory_path is not None:
        try:
            directory, dir_node = _model(directory_path, Directory, lang)
            directory = directory.with_default_lang(lang)  # who says no `lang` reads CRISISBOT_LANG
        except ConfigError as exc:
            problems.extend(exc.problems)
    if playbook is not None:
        found = check_playbook(playbook)
        if directory is not None:
            found += _directory_problems(directory, playbook, sibling_roles([playbook_path, *([directory_path] if directory_path else [])], lang))
        problems += _locate(found, {"playbook": (playbook_path, pb_node), "directory": (directory_path, dir_node)}, lang)
    if problems:
        raise ConfigError(problems)
    assert playbook is not None
    return playbook, directory


def sibling_roles(paths: Sequence[Path], lang: str = "es") -> dict[str, str]:
    """The roles of every playbook in the folders of `paths` (the playbooks' and the
    directory's; issue 12: one directory serves the playbooks of its folder, so a role of a
    playbook not running now is not a typo). Files
    that cannot be read are left to their own loading."""
    roles: dict[str, str] = {}
    for folder in dict.fromkeys(path.parent for path in paths):
        for candidate in sorted(folder.glob("*.yaml")):
            try:
                data, _ = _read(candidate, lang)
            except ConfigError:
                continue
            if isinstance(data, dict) and "steps" in data and isinstance(data.get("roles"), dict):
                roles.update({str(k): str(v) for k, v in data["roles"].items()})
    return roles


def _directory_problems(directory: Directory, playbook: Playbook, known: dict[str, str]) -> list[Problem]:
    """`check_directory` with the roles of `known` accepted in the directory; only the
    playbook's own roles must be held by someone; a drill's injects name people of the
    directory or roles (issue 14 point 3)."""
    merged = playbook.model_copy(update={"roles": {**known, **playbook.roles}})
    return [p for p in check_directory(directory, merged) if p.source == "directory" or p.values.get("role") in playbook.roles
            or p.key.startswith("drill_injects.")]


def load_directory(path: Path, playbook: Playbook, playbook_path: Path, lang: str = "es",
                   others: Sequence[tuple[Path, Playbook]] = ()) -> Directory:
    """The directory at `path`, checked against the running playbook and `others` (the case
    playbooks running beside it; a reload: no playbook is read again). ConfigError as `load_all`."""
    return located_directory_problems(path, [(playbook_path, playbook), *others], lang, read_playbooks=False)


def located_directory_problems(path: Path, loaded: Sequence[tuple[Path, Playbook]], lang: str = "es",
                               read_playbooks: bool = True) -> Directory:
    """The directory at `path`, checked against every playbook of `loaded` together (issue 12:
    several playbooks at once): a person's role must be a role of some playbook, and each
    playbook's roles held by someone, reported at that playbook's file and line
    (`read_playbooks`: read each playbook file again to find the line). ConfigError as `load_all`."""
    directory, node = _model(path, Directory, lang)
    directory = directory.with_default_lang(lang)  # who says no `lang` reads CRISISBOT_LANG
    union = sibling_roles([path, *(p for p, _ in loaded)], lang)
    for _, playbook in loaded:
        union.update(playbook.roles)
    problems: list[FileProblem] = []
    for playbook_path, playbook in loaded:
        found = _directory_problems(directory, playbook, union)
        pb_node = _read(playbook_path, lang)[1] if read_playbooks else None
        problems += [p for p in _locate(found, {"playbook": (playbook_path, pb_node), "directory": (path, node)}, lang)
                     if p not in problems]
    if problems:
        raise ConfigError(problems)
    return directory
