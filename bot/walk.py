"""`crisisbot recorrer <playbook id or file>`: print every path of a case playbook (flows/walk.py).

The playbook is named by its file, or by its `id` among the configured playbooks (PLAYBOOKS,
bot/playbooks.py). It is loaded as `check` loads it (its graph proved: flows/graph.py); a
playbook with problems prints them, `file:line: reason`, and the exit code is 1."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.loading import load_all
from bot.playbooks import playbook_paths
from bot.settings import Settings
from flows.texts import t
from flows.walk import walk_lines


def find_playbook(settings: Settings, wanted: str, lang: str) -> Path | None:
    """The file `wanted` names: itself when it is a file, else the configured playbook whose
    `id` it is; None when neither."""
    if Path(wanted).is_file():
        return Path(wanted)
    for path in playbook_paths(settings, lang):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("id") == wanted:
            return path
    return None


def recorrer(settings: Settings, wanted: str) -> int:
    """Print the paths (stdout) and return 0; problems (stderr) return 1. ConfigError from
    PLAYBOOKS (a pattern that matches nothing) goes to the caller, as for every command."""
    lang = settings.lang
    path = find_playbook(settings, wanted, lang)
    if path is None:
        known = ", ".join(str(p) for p in playbook_paths(settings, lang)) or "-"
        print(t(lang, "walk.not_found", wanted=wanted, known=known), file=sys.stderr)
        return 1
    playbook = load_all(path, None, lang)[0]  # ConfigError: the caller prints it as `check` does
    if not playbook.is_case:
        print(t(lang, "walk.not_case", id=playbook.id), file=sys.stderr)
        return 1
    for line in walk_lines(playbook, lang):
        print(line)
    return 0
