"""Reading the playbook and directory files, with every problem located by file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from flows.directory import Directory
from flows.playbook import Playbook
from flows.validation import check_directory, check_playbook

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _line_of(node: yaml.Node | None, path: tuple[str | int, ...]) -> int:
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


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([FileProblem(name, 1, f"no se puede leer: {exc.strerror}")]) from None
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([FileProblem(name, line, f"YAML no válido: {problem}")]) from None


def _model(path: Path, model: type[M]) -> tuple[M, yaml.Node | None]:
    data, node = _read(path)
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = ".".join(map(str, loc)) or "(raíz)"
            problems.append(FileProblem(str(path), _line_of(node, loc), f"{where}: {error['msg']}"))
        raise ConfigError(problems) from None


def load_playbook(path: Path) -> Playbook:
    return load_all(path, None)[0]


def load_all(playbook_path: Path, directory_path: Path | None) -> tuple[Playbook, Directory | None]:
    """Load and cross-check both files; raise ConfigError with every problem found."""
    problems: list[FileProblem] = []
    playbook = directory = None
    pb_node = dir_node = None
    try:
        playbook, pb_node = _model(playbook_path, Playbook)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if directory_path is not None:
        try:
            directory, dir_node = _model(directory_path, Directory)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if playbook is not None:
        found = check_playbook(playbook)
        if directory is not None:
            found += check_directory(directory, playbook)
        for problem in found:
            path, node = (playbook_path, pb_node) if problem.source == "playbook" else (directory_path, dir_node)
            problems.append(FileProblem(str(path), _line_of(node, problem.path), problem.message))
    if problems:
        raise ConfigError(problems)
    assert playbook is not None
    return playbook, directory
