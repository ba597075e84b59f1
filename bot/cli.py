"""The `crisisbot` command: run (terminal chat), serve (web), check (files), doctor (the live
setup), informe."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.loading import ConfigError, FileProblem, kind_of, load_all, located_directory_problems
from bot.playbooks import load_playbooks
from bot.settings import Settings
from bot.settings_errors import EXIT_SETTINGS, SettingsError, load_settings
from flows.playbook import Playbook
from flows.texts import t
from persistence.database import DatabaseProblem


def _refuse(exc: ConfigError, lang: str) -> int:
    """Every problem as `file:line: reason`, then how many: what `check`, `run` and `serve`
    print for broken files, with the same exit code (1)."""
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(t(lang, "config.summary", count=len(exc.problems)), file=sys.stderr)
    return 1


def _check(settings: Settings, files: list[Path]) -> int:
    """Check the configured files, or those given (told apart by content: a playbook has
    `steps:`, a directory `people:`); a kind not given is the configured one."""
    lang = settings.lang
    problems: list[FileProblem] = []
    given: dict[str, list[Path]] = {"playbook": [], "directory": [], "drill": []}
    for path in files:
        try:
            given[kind_of(path, lang)].append(path)
        except ConfigError as exc:
            problems += exc.problems
    checked: list[tuple[Path, Path, int, int]] = []
    for directory_path in given["directory"] or [settings.directory]:
        try:  # every loaded playbook (PLAYBOOKS), or the files given, with the directory checked against them together
            loaded = _check_playbooks(settings, given["playbook"], directory_path, lang)
        except ConfigError as exc:
            problems += [p for p in exc.problems if p not in problems]
            continue
        checked += [(path, directory_path, len(playbook.steps), people) for path, playbook, people in loaded]
    drills = _check_drill_files(settings, given["drill"], lang, problems) if given["drill"] else []
    if problems:
        return _refuse(ConfigError(problems), lang)
    for playbook_path, directory_path, steps, people in checked:
        print(t(lang, "config.ok", playbook=playbook_path, steps=steps, directory=directory_path, people=people))
    for line in drills:
        print(line)
    return 0


def _check_drill_files(settings: Settings, files: list[Path], lang: str, problems: list[FileProblem]) -> list[str]:
    """Drill files (`injects:`) checked as `crisisbot simulacro --guion` would take them,
    against the crisis playbook and the directory configured: one OK line each, or their
    problems added to `problems` (file, line, what is wrong)."""
    from bot.drill_script import ScriptProblem, check_script

    try:
        loaded = load_playbooks(settings, lang=lang)
    except ConfigError:
        return []  # the configured files' own problems are said by the check above
    lines = []
    for path in files:
        try:
            injects = check_script(path.read_text(encoding="utf-8-sig"), str(path), loaded.crisis, loaded.directory, lang=lang)
        except ScriptProblem as problem:
            problems += [FileProblem(str(path), line, text) for line, text in problem.problems]
            continue
        lines.append(t(lang, "config.ok_drill", file=path, injects=len(injects), playbook=loaded.crisis.name))
    return lines


def _check_playbooks(settings: Settings, files: list[Path], directory_path: Path, lang: str) -> list[tuple[Path, Playbook, int]]:
    """(file, playbook, people in the directory) for every playbook checked; ConfigError with
    every problem. No files: the configured playbooks, as `run` loads them (bot/playbooks.py)."""
    if not files:
        found = load_playbooks(settings.model_copy(update={"directory": directory_path}), lang=lang)
        return [(found.paths[pb.id], pb, len(found.directory.people)) for pb in found.all.values()]
    problems: list[FileProblem] = []
    loaded: list[tuple[Path, Playbook]] = []
    for path in files:
        try:
            loaded.append((path, load_all(path, None, lang)[0]))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    directory = located_directory_problems(directory_path, loaded, lang)
    return [(path, pb, len(directory.people)) for path, pb in loaded]


async def _run_terminal(settings: Settings) -> int:
    from bot.clock import SystemClock
    from handlers.terminal.start import open_session

    if "log_level" not in settings.model_fields_set:
        # The terminal is the chat: the log (on the same screen) shows only what needs a
        # person's attention, unless LOG_LEVEL asks for more.
        logging.getLogger().setLevel(logging.WARNING)
    session = await open_session(settings, SystemClock(), sys.stdout, echo=not sys.stdin.isatty())
    try:
        await session.run(sys.stdin, interactive=sys.stdin.isatty(), welcome=False)
    finally:
        await session.rt.stop()
    return 0


async def _report(settings: Settings, crisis_id: str | None, html: Path | None = None, csv: Path | None = None) -> int:
    """The report in Markdown on stdout (its bitácora whole), or as HTML and CSV files."""
    from bot.clock import SystemClock
    from bot.report import crisis_listing, csv_report, drill_listing, html_report, load_report, markdown_report
    from persistence.startup import open_database

    directory = load_playbooks(settings).directory
    db = await open_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                             retry_seconds=settings.database_startup_retry_seconds, lang=settings.lang)
    try:
        if crisis_id is None:
            listing = await crisis_listing(db, settings.lang)
            print("\n".join(listing) if listing else t(settings.lang, "list_none"))
            drills = await drill_listing(db, load_playbooks(settings).crisis.id, directory, SystemClock().now(), settings.lang)
            if drills:  # apart from the crises (issue 14): never counted as one
                print("\n" + t(settings.lang, "drill_score.list_head") + "\n" + "\n".join(drills))
            return 0
        report = await load_report(db, crisis_id, directory, SystemClock().now())
    finally:
        await db.dispose()
    if report is None:
        print(f"No existe la crisis {crisis_id}.", file=sys.stderr)
        return 1
    if html is not None:
        html.write_text(html_report(report, directory, settings.lang), encoding="utf-8")
        print(f"Informe HTML: {html}", file=sys.stderr)
    if csv is not None:
        csv.write_text(csv_report(report, directory, settings.lang), encoding="utf-8")
        print(f"Bitácora CSV: {csv}", file=sys.stderr)
    if html is None and csv is None:
        print(markdown_report(report, directory, settings.lang))
    return 0


async def _whatsapp_templates(settings: Settings, list_only: bool) -> int:
    from handlers.whatsapp.config import twilio_configured
    from handlers.whatsapp.templates import sync_templates

    if not twilio_configured(settings):
        print("Configura TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN y TWILIO_WHATSAPP_FROM.", file=sys.stderr)
        return 1
    from twilio.base.exceptions import TwilioException

    from bot.outbox import TransientError

    try:
        states = await sync_templates(settings, create=not list_only)
    except (TwilioException, TransientError) as exc:
        print(f"Twilio no respondió como se esperaba: {exc}", file=sys.stderr)
        return 1
    for state in states:
        if state.created:
            note = "creada" + (", enviada a aprobación de WhatsApp" if state.spec.approval else "")
        else:
            note = "ya existe" if state.sid else "no existe (ejecuta sin --listar para crearla)"
        print(f"{state.spec.setting}={state.sid or ''}  # {state.spec.name}: {note}")
    return 0 if all(state.sid for state in states) else 1


def _doctor(timeout: float | None) -> int:
    from bot.doctor import DEFAULT_TIMEOUT, doctor

    logging.disable(logging.CRITICAL)  # the lines say it all: the libraries' own logs stay quiet meanwhile
    try:
        return asyncio.run(doctor(sys.stdout, timeout or DEFAULT_TIMEOUT))
    except KeyboardInterrupt:
        return 130
    finally:
        logging.disable(logging.NOTSET)


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: the system picks a free one); argparse's usage error otherwise."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» no es un número de puerto") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"«{text}» está fuera de rango (0 a 65535)")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crisisbot", description="Coordina una crisis: ALERTA ROJA → FIN DE LA CRISIS.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="chat de terminal (o Slack/WhatsApp si están configurados)")
    serve_parser = sub.add_parser("serve", help="servidor web (Procfile web:)")
    serve_parser.add_argument("--port", type=_port, default=None, help="puerto TCP (PORT, 8000); 0: uno libre")
    serve_parser.add_argument("--host", default=None, help="dirección en la que escucha (HOST, 0.0.0.0)")
    check = sub.add_parser("check", help="valida el playbook y el directorio (los configurados, o los archivos dados)")
    check.add_argument("files", nargs="*", type=Path, metavar="ARCHIVO",
                       help="playbooks y directorios a validar (se distinguen por su contenido)")
    doctor = sub.add_parser("doctor", help="comprueba la instalación en vivo: base de datos, Slack, Twilio")
    doctor.add_argument("--timeout", type=float, default=None, metavar="SEGUNDOS",
                        help="tiempo máximo de cada comprobación (10 s)")
    recorrer = sub.add_parser("recorrer", help="recorre un playbook de casos: cada camino del inicio a un final")
    recorrer.add_argument("playbook", metavar="PLAYBOOK", help="id del playbook o su archivo")
    informe = sub.add_parser("informe", help="informe y bitácora de una crisis (sin id: lista las crisis)")
    informe.add_argument("crisis_id", nargs="?")
    informe.add_argument("--html", type=Path, metavar="ARCHIVO", help="escribe el informe en HTML (con el gráfico)")
    informe.add_argument("--csv", type=Path, metavar="ARCHIVO", help="escribe la bitácora en CSV")
    simulacro = sub.add_parser("simulacro", help="inicia un simulacro del plan de crisis (ahora, o programado con --el)")
    simulacro.add_argument("playbook", metavar="PLAYBOOK", help="id del playbook de crisis o su archivo")
    simulacro.add_argument("texto", nargs="*", help="el escenario, que todos leen (opcional)")
    simulacro.add_argument("--como", required=True, metavar="ID", help="id en el directorio de quien lo inicia (un declarante)")
    simulacro.add_argument("--el", metavar="\"AAAA-MM-DD HH:MM\"",
                           help="programarlo para esa fecha y hora (hora del playbook); se avisa a todos ahora")
    simulacro.add_argument("--sorpresa", action="store_true", help="con --el: solo se le avisa a quien lo inicia")
    simulacro.add_argument("--guion", type=Path, metavar="ARCHIVO", help="archivo YAML con las inyecciones del simulacro")
    whatsapp = sub.add_parser("whatsapp", help="WhatsApp por Twilio")
    whatsapp_sub = whatsapp.add_subparsers(dest="whatsapp_command")
    plantillas = whatsapp_sub.add_parser("plantillas", help="crea (o lista) las plantillas de contenido que usa el bot")
    plantillas.add_argument("--listar", action="store_true", help="solo lista, no crea nada")
    args, extra = parser.parse_known_args(argv)
    # argparse gives a `nargs="*"` positional nothing once an option follows the one before
    # it: `simulacro PLAYBOOK --como ID se cae la web` leaves the words over; they are the text.
    if extra and (args.command != "simulacro" or any(word.startswith("-") for word in extra)):
        parser.error("argumentos no reconocidos: " + " ".join(extra))
    if extra:
        args.texto = [*args.texto, *extra]
    if args.command == "doctor":  # before loading the settings: doctor reports their errors itself
        return _doctor(args.timeout)
    try:
        settings = load_settings()
    except SettingsError as exc:  # one line per variable, never pydantic's dump
        for line in exc.lines:
            print(line, file=sys.stderr)
        return EXIT_SETTINGS
    logging.basicConfig(level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    command = args.command or "run"
    try:
        if command == "check":
            return _check(settings, args.files)
        if command in ("run", "serve"):  # refuse broken files as `check` does, before any server starts
            load_playbooks(settings)
        if command == "run" and settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from:
            from bot.app import serve  # WhatsApp configured: the web app, which receives Twilio's webhooks

            return serve(settings, None)
        if command == "run" and settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token):
            from bot.app import serve  # Slack configured: the web app (POST /slack/events, or Socket Mode)

            return serve(settings, None)
        if command == "whatsapp" and args.whatsapp_command == "plantillas":
            return asyncio.run(_whatsapp_templates(settings, args.listar))
        if command == "run":
            return asyncio.run(_run_terminal(settings))
        if command == "serve":
            from bot.app import serve

            return serve(settings, args.port, args.host)
        if command == "recorrer":
            from bot.walk import recorrer as walk_playbook

            return walk_playbook(settings, args.playbook)
        if command == "informe":
            return asyncio.run(_report(settings, args.crisis_id, args.html, args.csv))
        if command == "simulacro":
            from bot.drill_cli import simulacro as drill

            return asyncio.run(drill(settings, args.playbook, args.como, " ".join(args.texto), args.el, args.sorpresa,
                                     args.guion))
    except ConfigError as exc:
        return _refuse(exc, settings.lang)
    except DatabaseProblem as exc:  # one line: what is wrong with DATABASE_URL and what to do
        print(exc.text(settings.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
