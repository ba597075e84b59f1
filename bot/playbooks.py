"""Which playbooks run, and loading them all with the directory (issue 12, point 1).

Every playbook file of `PLAYBOOKS` (paths or globs, comma-separated), or else `PLAYBOOK` alone
when it is set, or else every playbook in PLAYBOOK's folder (the directory file excepted), is
loaded and checked. Exactly one is the crisis playbook (kind: crisis, seed 000): it answers
the group's words («ALERTA ROJA», «estado»); the others are case playbooks (kind: case). The
directory is checked against every playbook's roles together."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from bot.loading import ConfigError, FileProblem, kind_of, load_all, located_directory_problems
from bot.settings import Settings
from flows.directory import Directory
from flows.playbook import Playbook
from flows.texts import t


@dataclass(frozen=True)
class Playbooks:
    """The loaded playbooks: `crisis` (the one of kind crisis) and `cases` by id, with the
    file each came from (`paths`, by playbook id)."""

    crisis: Playbook
    cases: dict[str, Playbook]
    paths: dict[str, Path]
    directory: Directory

    @property
    def all(self) -> dict[str, Playbook]:
        return {self.crisis.id: self.crisis, **self.cases}


def playbook_paths(settings: Settings, lang: str | None = None) -> list[Path]:
    """The playbook files to load, in a stable order (the crisis file first when it is
    PLAYBOOK). ConfigError when a pattern of PLAYBOOKS matches nothing."""
    lang = lang or settings.lang
    if settings.playbooks:
        found: list[Path] = []
        for raw in (part.strip() for part in settings.playbooks.split(",")):
            if not raw:
                continue
            matched = sorted(Path(m) for m in glob.glob(raw)) if glob.has_magic(raw) else [Path(raw)]
            if not matched:
                raise ConfigError([FileProblem(raw, 1, t(lang, "config.playbooks_none", pattern=raw))])
            found += [m for m in matched if m not in found]
    elif "playbook" in settings.model_fields_set:
        return [settings.playbook]
    else:
        folder = settings.playbook.parent
        found = [settings.playbook, *sorted(p for p in folder.glob("*.yaml") if p != settings.playbook)]
    return [p for p in found if p == settings.playbook or not _is_directory(p, lang)]


def _is_directory(path: Path, lang: str) -> bool:
    try:
        return kind_of(path, lang) == "directory"
    except ConfigError:
        return False  # loading it says what is wrong


def load_playbooks(settings: Settings, paths: list[Path] | None = None, lang: str | None = None) -> Playbooks:
    """Load every playbook and the directory; ConfigError with every problem of every file
    (file, line, what is wrong), including two crisis playbooks, none, or a repeated id or prefix."""
    lang = lang or settings.lang
    paths = paths if paths is not None else playbook_paths(settings, lang)
    problems: list[FileProblem] = []
    loaded: list[tuple[Path, Playbook]] = []
    for path in paths:
        try:
            loaded.append((path, load_all(path, None, lang)[0]))
        except ConfigError as exc:
            problems += exc.problems
    directory: Directory | None = None
    if not problems:
        try:
            directory = located_directory_problems(settings.directory, loaded, lang)
        except ConfigError as exc:
            problems += exc.problems
    crises = [(path, pb) for path, pb in loaded if not pb.is_case]
    if not problems and len(crises) != 1:
        where = str(crises[1][0]) if crises else ", ".join(str(p) for p in paths)
        problems.append(FileProblem(where, 1, t(lang, "config.crisis_playbooks", n=len(crises),
                                                   files=", ".join(str(p) for p, _ in crises) or "-")))
    seen: dict[str, Path] = {}
    prefixes: dict[str, Path] = {}
    for path, pb in loaded:
        if pb.id in seen:
            problems.append(FileProblem(str(path), 1, t(lang, "config.playbook_repeated", id=pb.id, other=seen[pb.id])))
        seen.setdefault(pb.id, path)
        if pb.case is not None:
            if pb.case.prefix in prefixes:
                problems.append(FileProblem(str(path), 1, t(lang, "config.prefix_repeated", prefix=pb.case.prefix,
                                                            other=prefixes[pb.case.prefix])))
            prefixes.setdefault(pb.case.prefix, path)
    if problems:
        raise ConfigError(problems)
    assert directory is not None
    crisis = crises[0][1]
    return Playbooks(crisis=crisis, cases={pb.id: pb for _, pb in loaded if pb.is_case},
                     paths={pb.id: path for path, pb in loaded}, directory=directory.scoped_to(crisis.roles))
