"""Rules of the house that a reviewer would otherwise check by hand."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import ROOT

FORBIDDEN = re.compile(r"^\s*(from|import)\s+(slack_bolt|slack_sdk|twilio|sqlalchemy|aiosqlite|asyncpg|apscheduler|"
                       r"starlette|handlers|bot|persistence)\b", re.MULTILINE)


def test_flows_imports_no_platform_storage_or_scheduler() -> None:
    leaks = [f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
             for path in (ROOT / "flows").rglob("*.py") for m in FORBIDDEN.finditer(path.read_text(encoding="utf-8"))]
    assert leaks == []


def test_flows_never_reads_the_clock() -> None:
    calls = [str(path.relative_to(ROOT)) for path in (ROOT / "flows").rglob("*.py")
             if re.search(r"datetime\.now|date\.today|time\.time\(", path.read_text(encoding="utf-8"))]
    assert calls == []


def test_flows_is_mypy_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "flows"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_language_has_the_same_texts_and_placeholders() -> None:
    from string import Formatter

    from flows.texts import CATALOGS

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    spanish = CATALOGS["es"]
    for lang, catalog in CATALOGS.items():
        assert set(catalog) == set(spanish), lang
        for key, template in catalog.items():
            assert fields(template) == fields(spanish[key]), (lang, key)
