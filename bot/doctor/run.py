"""`crisisbot doctor`: the checks in order, each bounded in time, printed as they finish.

Order: settings, playbook and directory, database, Slack, Twilio, and who no configured
channel reaches. Exit code 1 when any line is ❌ (something a crisis needs is missing),
0 when there are only warnings."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.doctor.database import check_database, shown_url
from bot.doctor.lines import Line, Report, Verdict, bounded, fail, off, ok, warn
from bot.doctor.slack import SlackDoctor, manifest_scopes
from bot.doctor.twilio import TwilioDoctor, public_url_lines, sender_lines, sms_lines
from bot.loading import ConfigError
from bot.playbooks import load_playbooks
from bot.settings import Settings
from flows.directory import Directory, Person
from flows.texts import CATALOGS, DEFAULT_LANG, t
from handlers.sms.feature import INBOUND_PATH as SMS_INBOUND
from handlers.whatsapp.config import INBOUND_PATH as WHATSAPP_INBOUND

DEFAULT_TIMEOUT = 10.0  # seconds per check (one network round, or the people lookups together)
PEOPLE_PER_TIMEOUT = 25  # Slack lookups given one timeout; a bigger directory gets more

SECRET_SETTINGS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "twilio_auth_token", "secret_key")
TWILIO_CREDENTIALS = ("twilio_account_sid", "twilio_auth_token")


def _secrets(settings: Settings) -> list[str]:
    values = []
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, None)
        if value is not None:
            values.append(value.get_secret_value())
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        values.append(str(password))
    return [v for v in values if len(v) >= 4]  # a one-letter "secret" would blank out everything


def _settings_lines(exc: ValidationError, lang: str) -> list[Line]:
    """One ❌ per pydantic error, named as the environment variable (never its value)."""
    lines = []
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]).upper() or "?"
        lines.append(fail(t(lang, "doctor.settings.error", name=name, message=error["msg"]),
                          t(lang, "doctor.settings.fix", name=name)))
    return lines


async def doctor(out: TextIO = sys.stdout, timeout: float = DEFAULT_TIMEOUT) -> int:
    """Run every check and print one line each; return the exit code."""
    env_lang = os.environ.get("CRISISBOT_LANG", DEFAULT_LANG)
    lang = env_lang if env_lang in CATALOGS else DEFAULT_LANG
    try:
        settings = Settings()
    except ValidationError as exc:
        report = Report(out, lang)
        print(t(lang, "doctor.title"), file=out)
        report.add(_settings_lines(exc, lang))
        return report.finish()
    except UnicodeDecodeError as exc:  # a .env that is not UTF-8
        from bot.settings_errors import env_not_utf8

        report = Report(out, lang)
        print(t(lang, "doctor.title"), file=out)
        report.add([fail(env_not_utf8(exc, lang))])  # the line says what to do
        return report.finish()
    lang = settings.lang
    report = Report(out, lang, secrets=_secrets(settings))
    print(t(lang, "doctor.title"), file=out)
    report.add([ok(t(lang, "doctor.settings.ok"))])
    directory = _files(settings, report)
    shown = shown_url(settings.database_url)
    report.add(await bounded(lambda: check_database(settings.database_url, lang), timeout,
                             lambda why: fail(t(lang, "doctor.db.unreachable", url=shown, reason=why),
                                              t(lang, "doctor.db.unreachable_fix")), lang))
    slack_resolved = await _slack(settings, directory, report, timeout)
    phones_ok = await _twilio(settings, report, timeout, directory)
    _reach(settings, directory, report, slack_resolved, phones_ok)
    return report.finish()


def _files(settings: Settings, report: Report) -> Directory | None:
    lang = report.lang
    try:
        loaded = load_playbooks(settings, lang=lang)  # `lang`: who says none reads it
        playbook, directory = loaded.crisis, loaded.directory
    except ConfigError as exc:
        report.add(fail(t(lang, "doctor.files.error", problem=str(p)), t(lang, "doctor.files.fix")) for p in exc.problems)
        return None
    assert directory is not None
    report.add([ok(t(lang, "doctor.files.ok", playbook=settings.playbook, steps=len(playbook.steps),
                     directory=settings.directory, people=len(directory.people)))])
    return directory


async def _slack(settings: Settings, directory: Directory | None, report: Report, timeout: float) -> set[str] | None:
    """The Slack lines; the ids of the people found in Slack (None: Slack not in use)."""
    lang = report.lang
    if not settings.slack_bot_token:
        report.add([off(t(lang, "doctor.slack.off"))])
        return None
    if not (settings.slack_signing_secret or settings.slack_app_token):
        report.add([fail(t(lang, "doctor.slack.no_secret"), t(lang, "doctor.slack.no_secret_fix"))])
    slack = SlackDoctor(settings, lang, timeout)
    try:
        token_lines = await bounded(slack.token, timeout, slack.unreachable, lang)
        report.add(token_lines)
        if any(line.verdict is Verdict.FAIL for line in token_lines):
            return set()
        report.add(await bounded(slack.app_token, timeout, slack.unreachable, lang))
        report.add(slack.scope_lines(manifest_scopes()))
        report.add(await bounded(slack.channel, timeout, slack.unreachable, lang))
        if directory is not None:  # the lookups, four at a time, get more time in a big directory
            people_timeout = timeout * max(1.0, len(directory.people) / PEOPLE_PER_TIMEOUT)
            report.add(await bounded(lambda: slack.people(directory), people_timeout, slack.unreachable, lang))
        return slack.resolved
    finally:
        await slack.aclose()


async def _twilio(settings: Settings, report: Report, timeout: float, directory: Directory | None = None) -> bool:
    """The Twilio lines (WhatsApp and SMS share the account); whether phones are reached:
    the credentials work and a well-formed WhatsApp or SMS sender is set."""
    lang = report.lang
    whatsapp_from, sms_from = settings.twilio_whatsapp_from, settings.twilio_sms_from
    if not (settings.twilio_account_sid or settings.twilio_auth_token or whatsapp_from or sms_from):
        report.add([off(t(lang, "doctor.twilio.off"))])
        return False
    missing = [name.upper() for name in TWILIO_CREDENTIALS if not getattr(settings, name)]
    if not (whatsapp_from or sms_from):
        missing.append("TWILIO_WHATSAPP_FROM")
    if missing:
        report.add([fail(t(lang, "doctor.twilio.partial", names=", ".join(missing)), t(lang, "doctor.twilio.credentials_fix"))])
        return False
    twilio = TwilioDoctor(settings, lang, timeout)
    try:
        account = await bounded(twilio.account, timeout, twilio.unreachable, lang)
        report.add(account)
        account_ok = not any(line.verdict is Verdict.FAIL for line in account)
        senders_ok = []
        if whatsapp_from:
            sender = sender_lines(whatsapp_from, lang)
            report.add(sender)
            senders_ok.append(not any(line.verdict is Verdict.FAIL for line in sender))
            if account_ok:  # else every template check would fail the same way
                langs = {p.lang for p in directory.people if p.whatsapp} if directory is not None else set()
                report.add(await bounded(lambda: twilio.templates(langs), timeout, twilio.unreachable, lang))
        else:
            report.add([off(t(lang, "doctor.twilio.whatsapp_off"))])
        if sms_from:
            sms = sms_lines(settings, lang)
            report.add(sms)
            senders_ok.append(not any(line.verdict is Verdict.FAIL for line in sms))
        paths = ([WHATSAPP_INBOUND] if whatsapp_from else []) + ([SMS_INBOUND] if sms_from else [])
        report.add(public_url_lines(settings.public_base_url, paths, lang))
        return account_ok and any(senders_ok)
    finally:
        await twilio.aclose()


def _reach(settings: Settings, directory: Directory | None, report: Report, slack_resolved: set[str] | None,
           phones_ok: bool) -> None:
    """Who no configured channel reaches (the terminal reaches everyone, so this only
    matters once Slack or Twilio is configured). A phone number is reached when WhatsApp
    or SMS works (both use the directory's `whatsapp` number)."""
    lang = report.lang
    twilio_on = bool(settings.twilio_account_sid or settings.twilio_whatsapp_from or settings.twilio_sms_from)
    if slack_resolved is None and not twilio_on:
        report.add([warn(t(lang, "doctor.reach.no_chat"), t(lang, "doctor.reach.no_chat_fix"))])
        return
    if directory is None:
        return

    def reached(person: Person) -> bool:
        return (slack_resolved is not None and person.id in slack_resolved) or (phones_ok and bool(person.whatsapp))

    lost = [p.name for p in directory.people if not reached(p)]
    if lost:
        report.add([fail(t(lang, "doctor.reach.missing", names=", ".join(lost)), t(lang, "doctor.reach.fix"))])
    else:
        report.add([ok(t(lang, "doctor.reach.ok", count=len(directory.people)))])
