"""The `crisisbot` command: run (terminal chat), serve (web), check (files), informe."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from zoneinfo import ZoneInfo

from bot.loading import ConfigError, load_all
from bot.settings import Settings


def _check(settings: Settings) -> int:
    try:
        playbook, directory = load_all(settings.playbook, settings.directory)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problema(s).", file=sys.stderr)
        return 1
    assert directory is not None
    print(f"OK: {settings.playbook} ({len(playbook.steps)} pasos) y {settings.directory} ({len(directory.people)} personas).")
    return 0


async def _run_terminal(settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.runtime import Runtime
    from handlers.terminal.session import TerminalSession
    from handlers.terminal.transport import TerminalTransport

    clock = SystemClock()
    playbook, directory = load_all(settings.playbook, settings.directory)
    assert directory is not None
    transport = TerminalTransport(sys.stdout, directory, clock, ZoneInfo(playbook.timezone), settings.lang)
    runtime = await Runtime.build(settings, transports={"terminal": transport}, clock=clock)
    session = TerminalSession(runtime, sys.stdout, echo=not sys.stdin.isatty())
    try:
        await runtime.start()
        await session.run(sys.stdin, interactive=sys.stdin.isatty())
    finally:
        await runtime.stop()
    return 0


async def _report(settings: Settings, crisis_id: str | None) -> int:
    from bot.report import crisis_ids, text_report
    from persistence.database import make_engine, migrate

    playbook, directory = load_all(settings.playbook, settings.directory)
    assert directory is not None
    db = make_engine(settings.database_url)
    try:
        await migrate(db)
        if crisis_id is None:
            ids = await crisis_ids(db)
            print("\n".join(ids) if ids else "No hay crisis registradas.")
            return 0
        report = await text_report(db, crisis_id, directory, settings.lang)
    finally:
        await db.dispose()
    if report is None:
        print(f"No existe la crisis {crisis_id}.", file=sys.stderr)
        return 1
    print(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crisisbot", description="Coordina una crisis: ALERTA ROJA → FIN DE LA CRISIS.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="chat de terminal (o Slack/WhatsApp si están configurados)")
    serve_parser = sub.add_parser("serve", help="servidor web (Procfile web:)")
    serve_parser.add_argument("--port", type=int, default=None)
    sub.add_parser("check", help="valida el playbook y el directorio")
    informe = sub.add_parser("informe", help="informe y bitácora de una crisis (sin id: lista las crisis)")
    informe.add_argument("crisis_id", nargs="?")
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    command = args.command or "run"
    try:
        if command == "check":
            return _check(settings)
        if command == "run":
            return asyncio.run(_run_terminal(settings))
        if command == "serve":
            from bot.app import serve

            return serve(settings, args.port)
        if command == "informe":
            return asyncio.run(_report(settings, args.crisis_id))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
