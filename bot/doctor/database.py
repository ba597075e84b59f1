"""Doctor's database check: reachable, and migrated to the newest Alembic revision.

It never migrates (that is `crisisbot serve`'s start-up) and never creates a SQLite file
that is not there: it opens the database, reads `alembic_version`, and compares it with
the heads of persistence/migrations."""

from __future__ import annotations

from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.doctor.lines import Line, fail, ok
from flows.texts import t
from persistence.database import MIGRATIONS, async_url, make_engine, reading
from persistence.startup import database_problem, url_problem


def shown_url(url: str) -> str:
    """DATABASE_URL as printed: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # an unparsable URL is shown as its scheme only
        return url.split("://", 1)[0] + "://…"


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and for :memory:)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def check_database(url: str, lang: str) -> list[Line]:
    """One line: ✅ migrated to head, or ❌ missing / not migrated / unknown revision.
    Connection errors propagate (the caller turns them into a ❌ line with the reason)."""
    shown = shown_url(url)
    problem = url_problem(url)  # not a URL, not SQLite/PostgreSQL, in memory: the start-up's own line
    if problem is not None:
        return [fail(problem.text(lang))]
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return [fail(t(lang, "doctor.db.missing_file", url=shown), t(lang, "doctor.db.migrate"))]
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    head = ", ".join(sorted(heads))
    # SQLite: a plain engine, without make_engine's pragmas (WAL would write to the file)
    engine = create_async_engine(async_url(url)) if path is not None else make_engine(url)
    try:
        async with reading(engine) as conn:
            current = await conn.run_sync(_current)
    except Exception as exc:  # no such database / role, no rights: the start-up's line; unreachable: the caller's
        problem = database_problem(exc, url)
        if problem.retryable or problem.key == "failed":
            raise
        return [fail(problem.text(lang))]
    finally:
        await engine.dispose()
    if current == heads:
        return [ok(t(lang, "doctor.db.ok", url=shown, revision=head))]
    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    shown_current = ", ".join(sorted(current)) or t(lang, "doctor.db.no_revision")
    if current - known:
        return [fail(t(lang, "doctor.db.unknown", url=shown, current=shown_current, head=head),
                     t(lang, "doctor.db.unknown_fix"))]
    return [fail(t(lang, "doctor.db.behind", url=shown, current=shown_current, head=head), t(lang, "doctor.db.migrate"))]
