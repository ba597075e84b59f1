"""Doctor's Slack checks: the token (`auth.test`), its scopes against slack/manifest.yml,
the bot's membership of SLACK_CRISIS_CHANNEL (`conversations.info`), and every directory
person found in Slack (`users.info` for a slack_id, `users.lookupByEmail` for an email).

Sources: Slack reports a token's granted scopes in the `x-oauth-scopes` header of every
Web API answer (https://api.slack.com/authentication/oauth-v2, "Checking scopes"), and a
call refused for a scope answers `missing_scope` with the scope `needed`
(https://api.slack.com/methods/conversations.info)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor.lines import Line, fail, ok, warn
from bot.settings import Settings
from flows.directory import Directory, Person
from flows.texts import t
from handlers.slack.config import ShortRateLimitRetryHandler, secret
from handlers.slack.errors import slack_error_code

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"
LOOKUPS_AT_ONCE = 4  # users.lookupByEmail is Slack's rate-limit tier 3 (about 50 a minute)


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes the app manifest asks for (what the bot needs)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(scope) for scope in data["oauth_config"]["scopes"]["bot"]]


def granted_scopes(headers: Mapping[str, Any] | None) -> set[str] | None:
    """The scopes in an answer's `x-oauth-scopes` header (None when it is absent)."""
    for name, value in (headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) else value
            return {scope.strip() for scope in str(raw).split(",") if scope.strip()}
    return None


class SlackDoctor:
    """One client, the checks in order; `token()` first (the others need its answer)."""

    def __init__(self, settings: Settings, lang: str, timeout: float) -> None:
        self.settings = settings
        self.lang = lang
        base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
        self.client = AsyncWebClient(token=secret(settings.slack_bot_token), base_url=base_url, timeout=int(timeout) or 1,
                                     retry_handlers=[ShortRateLimitRetryHandler(max_retry_count=2, max_wait=2.0)])
        self.bot = "crisisbot"
        self.scopes: set[str] | None = None
        self.resolved: set[str] = set()  # ids of directory people found in Slack

    def unreachable(self, why: str) -> Line:
        return fail(t(self.lang, "doctor.slack.unreachable", url=self.settings.slack_api_url, reason=why),
                    t(self.lang, "doctor.slack.unreachable_fix"))

    async def token(self) -> list[Line]:
        """✅ valid token, or ❌ refused. Remembers the bot's name and the granted scopes."""
        try:
            answer = await self.client.auth_test()
        except SlackApiError as exc:
            if exc.response is not None and (exc.response.status_code >= 500 or exc.response.status_code == 429):
                return [self.unreachable(f"HTTP {exc.response.status_code}")]
            return [fail(t(self.lang, "doctor.slack.token_refused", error=slack_error_code(exc) or "?"),
                         t(self.lang, "doctor.slack.token_fix"))]
        self.bot = str(answer.get("user") or self.bot)
        self.scopes = granted_scopes(answer.headers)
        return [ok(t(self.lang, "doctor.slack.token_ok", user=self.bot, team=answer.get("team") or "?"))]

    async def app_token(self) -> list[Line]:
        """Socket Mode's SLACK_APP_TOKEN, when set: `apps.connections.open` answers with a
        WebSocket URL (nothing connects to it) or refuses the token."""
        if not self.settings.slack_app_token:
            return []
        try:
            await self.client.apps_connections_open(app_token=str(secret(self.settings.slack_app_token)))
        except SlackApiError as exc:
            return [fail(t(self.lang, "doctor.slack.app_token_refused", error=slack_error_code(exc) or exc.response.status_code),
                         t(self.lang, "doctor.slack.app_token_fix"))]
        return [ok(t(self.lang, "doctor.slack.app_token_ok"))]

    def scope_lines(self, needed: list[str]) -> list[Line]:
        if self.scopes is None:
            return [warn(t(self.lang, "doctor.slack.scopes_unknown"))]
        missing = [scope for scope in needed if scope not in self.scopes]
        if missing:
            return [fail(t(self.lang, "doctor.slack.scopes_missing", scopes=", ".join(missing)),
                         t(self.lang, "doctor.slack.scopes_fix"))]
        return [ok(t(self.lang, "doctor.slack.scopes_ok", count=len(needed)))]

    async def channel(self) -> list[Line]:
        """The bot's membership of the crisis channel."""
        channel = self.settings.slack_crisis_channel
        if not channel:
            return [warn(t(self.lang, "doctor.slack.channel_unset"), t(self.lang, "doctor.slack.channel_unset_fix", bot=self.bot))]
        try:
            answer = await self.client.conversations_info(channel=channel)
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code == "channel_not_found":
                return [fail(t(self.lang, "doctor.slack.channel_not_found", channel=channel),
                             t(self.lang, "doctor.slack.channel_not_found_fix", bot=self.bot))]
            if code == "missing_scope":
                needed = str((exc.response.data or {}).get("needed", "")) if isinstance(exc.response.data, dict) else ""
                return [fail(t(self.lang, "doctor.slack.channel_scope", channel=channel, needed=needed or "?"),
                             t(self.lang, "doctor.slack.scopes_fix"))]
            return [fail(t(self.lang, "doctor.slack.channel_error", channel=channel, error=code or exc.response.status_code))]
        info = answer.get("channel") or {}
        name = str(info.get("name") or channel)
        if info.get("is_archived"):
            return [fail(t(self.lang, "doctor.slack.channel_archived", name=name, channel=channel),
                         t(self.lang, "doctor.slack.channel_not_found_fix", bot=self.bot))]
        if not info.get("is_member"):
            return [fail(t(self.lang, "doctor.slack.channel_not_member", name=name, channel=channel),
                         t(self.lang, "doctor.slack.invite_fix", bot=self.bot, name=name))]
        return [ok(t(self.lang, "doctor.slack.channel_ok", name=name, channel=channel))]

    async def _why_not_found(self, person: Person) -> str | None:
        """None when Slack knows the person (and binds them), else the reason."""
        try:
            if person.slack_id:
                answer = await self.client.users_info(user=person.slack_id)
            else:
                answer = await self.client.users_lookupByEmail(email=str(person.email))
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code == "users_not_found":
                return t(self.lang, "doctor.slack.reason.not_found", email=person.email)
            if code == "user_not_found":
                return t(self.lang, "doctor.slack.reason.bad_id", slack_id=person.slack_id)
            if code == "missing_scope" and isinstance(exc.response.data, dict) and exc.response.data.get("needed"):
                code += f" {exc.response.data['needed']}"
            return t(self.lang, "doctor.slack.reason.error", error=code or exc.response.status_code)
        user = answer.get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return t(self.lang, "doctor.slack.reason.inactive")
        self.resolved.add(person.id)
        return None

    async def people(self, directory: Directory) -> list[Line]:
        """Everyone with a slack_id or an email found in Slack, or ⚠️ naming the others
        (whether another channel reaches them is the reach line's verdict)."""
        wanted = [p for p in directory.people if p.slack_id or p.email]
        semaphore = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def one(person: Person) -> str | None:
            async with semaphore:
                return await self._why_not_found(person)

        reasons = await asyncio.gather(*(one(p) for p in wanted))
        missing = [(p, why) for p, why in zip(wanted, reasons, strict=True) if why is not None]
        if not missing:
            return [ok(t(self.lang, "doctor.slack.people_ok", count=len(wanted)))]
        by_reason: dict[str, list[str]] = {}  # one reason (a missing scope...) shared by many is said once
        for person, why in missing:
            by_reason.setdefault(why, []).append(person.name)
        names = "; ".join(f"{', '.join(people)} ({why})" for why, people in by_reason.items())
        return [warn(t(self.lang, "doctor.slack.people_missing", count=len(missing), names=names),
                     t(self.lang, "doctor.slack.people_fix"))]

    async def aclose(self) -> None:
        session = getattr(self.client, "session", None)
        if session is not None:
            await session.close()
