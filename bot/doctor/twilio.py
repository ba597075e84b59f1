"""Doctor's Twilio checks: the credentials (fetching the account), the WhatsApp sender,
each Content template the settings name (present, and approved by WhatsApp when it is
sent outside the 24-hour window), PUBLIC_BASE_URL and the URLs Twilio calls, and the SMS
sender when one is set.

Sources: fetch an account, GET /2010-04-01/Accounts/{Sid}.json
(https://www.twilio.com/docs/iam/api/account); a template's WhatsApp approval, GET
https://content.twilio.com/v1/Content/{Sid}/ApprovalRequests, `whatsapp.status` is
`approved` once WhatsApp accepted it (https://www.twilio.com/docs/content/content-api-resources);
Twilio calls webhooks only at public URLs and signs the exact URL it calls
(https://www.twilio.com/docs/usage/security#validating-requests)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.doctor.lines import Line, fail, ok, warn
from bot.outbox import TransientError
from bot.settings import Settings
from flows.texts import CATALOGS, t
from handlers.whatsapp.api import TwilioHttpClient
from handlers.whatsapp.config import PREFIX, STATUS_PATH, template_lang
from handlers.whatsapp.templates import TemplateSpec, approved_specs, configured, drill_specs, specs

E164 = re.compile(r"^\+[1-9]\d{6,14}$")  # ITU-T E.164: a country code and at most 15 digits
SANDBOX = "+14155238886"  # Twilio's shared WhatsApp sandbox number


def public_url_lines(base_url: str, paths: list[str], lang: str) -> list[Line]:
    """❌ unless PUBLIC_BASE_URL is a public https address; the URLs Twilio must call
    (`paths`: the incoming-message webhooks in use) either way."""
    base = base_url.rstrip("/")
    parts = urlsplit(base)
    host = parts.hostname or ""
    if _is_local(host):
        wanted = " / ".join("https://…" + path for path in paths)
        return [fail(t(lang, "doctor.twilio.url_local", url=base_url, host=host or "?"),
                     t(lang, "doctor.twilio.url_fix", inbound=wanted))]
    if parts.scheme != "https":
        wanted = " / ".join(parts._replace(scheme="https").geturl() + path for path in paths)
        return [fail(t(lang, "doctor.twilio.url_not_https", url=base_url), t(lang, "doctor.twilio.url_fix", inbound=wanted))]
    inbound = " / ".join(base + path for path in paths)
    return [ok(t(lang, "doctor.twilio.url_ok", inbound=inbound, status=base + STATUS_PATH))]


def _is_local(host: str) -> bool:
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare machine name
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def sender_lines(sender: str, lang: str) -> list[Line]:
    number = sender.removeprefix(PREFIX)
    if not E164.match(number):
        return [fail(t(lang, "doctor.twilio.sender_bad", sender=sender), t(lang, "doctor.twilio.sender_fix"))]
    shown = PREFIX + number
    if number == SANDBOX:
        return [warn(t(lang, "doctor.twilio.sender_sandbox", sender=shown), t(lang, "doctor.twilio.sender_sandbox_fix"))]
    return [ok(t(lang, "doctor.twilio.sender_ok", sender=shown))]


def sms_lines(settings: Settings, lang: str) -> list[Line]:
    """TWILIO_SMS_FROM, when set: the account's SMS number, in E.164 form."""
    sender = settings.twilio_sms_from
    if not sender:
        return []
    if E164.match(sender):
        return [ok(t(lang, "doctor.twilio.sms_ok", sender=sender))]
    return [fail(t(lang, "doctor.twilio.sms_bad", sender=sender), t(lang, "doctor.twilio.sms_fix"))]


class TwilioDoctor:
    def __init__(self, settings: Settings, lang: str, timeout: float) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token
        self.settings = settings
        self.lang = lang
        self.sid = settings.twilio_account_sid
        self.http = TwilioHttpClient(settings.twilio_api_url, timeout=timeout)
        self.client = Client(self.sid, settings.twilio_auth_token.get_secret_value(), http_client=self.http)

    def unreachable(self, why: str) -> Line:
        return fail(t(self.lang, "doctor.twilio.unreachable", url=self.settings.twilio_api_url, reason=why),
                    t(self.lang, "doctor.twilio.unreachable_fix"))

    async def account(self) -> list[Line]:
        """✅ the credentials fetch an active account; ❌ refused, inactive or unreachable."""
        try:
            account = await self.client.api.v2010.accounts(self.sid).fetch_async()
        except TransientError as exc:
            return [self.unreachable(str(exc))]
        except TwilioRestException as exc:
            return [fail(t(self.lang, "doctor.twilio.account_refused", status=exc.status, code=exc.code or "-"),
                         t(self.lang, "doctor.twilio.credentials_fix"))]
        name, status = account.friendly_name or self.sid, account.status or "?"
        if status != "active":
            return [fail(t(self.lang, "doctor.twilio.account_inactive", name=name, status=status),
                         t(self.lang, "doctor.twilio.account_inactive_fix"))]
        return [ok(t(self.lang, "doctor.twilio.account_ok", name=name, status=status))]

    async def templates(self, langs: Iterable[str] = ()) -> list[Line]:
        """One line per template the bot uses (handlers/whatsapp/templates.py's specs), then
        the approved ones of each other language that the directory's phones read (`langs`)
        or that the settings name: a missing one is a warning (those readers get the group
        language's), one named but absent or not approved fails."""
        group = template_lang(self.settings.lang)
        lines = [await self._template(spec) for spec in specs(group)]
        for lang in sorted(set(CATALOGS) - {group}):
            for spec in approved_specs(lang, group):
                if configured(self.settings, spec):
                    lines.append(await self._template(spec))
                elif lang in {template_lang(code) for code in langs}:
                    lines.append(warn(t(self.lang, "whatsapp.doctor.template_unset_lang", setting=spec.setting,
                                        name=spec.name, reads=lang, group=group), t(self.lang, "doctor.twilio.templates_fix")))
        return lines + await self._drill_templates(group)

    async def _drill_templates(self, group: str) -> list[Line]:
        """The drill templates (issue 14): each one the settings name is checked like the
        others; the group language's missing is a warning, not a failure (a drill message
        outside the window then goes as the normal template with «🧪 SIMULACRO · » leading
        its first line, handlers/whatsapp/render.py `Renderer.approved`)."""
        lines = []
        missing = []
        for lang in [group, *sorted(set(CATALOGS) - {group})]:
            for spec in drill_specs(lang, group):
                if configured(self.settings, spec):
                    lines.append(await self._template(spec))
                elif lang == group:
                    missing.append(spec.setting)
        if missing:
            lines.append(warn(t(self.lang, "whatsapp.drill.doctor_unset", settings=", ".join(missing)),
                              t(self.lang, "doctor.twilio.templates_fix")))
        return lines

    async def _template(self, spec: TemplateSpec) -> Line:
        sid = configured(self.settings, spec)
        fix = t(self.lang, "doctor.twilio.templates_fix")
        if not sid:
            if spec.approval:
                return fail(t(self.lang, "doctor.twilio.template_unset_needed", setting=spec.setting, name=spec.name), fix)
            return warn(t(self.lang, "doctor.twilio.template_unset_optional", setting=spec.setting, name=spec.name), fix)
        content = self.client.content.v1.contents(sid)
        try:
            await content.fetch_async()
            if not spec.approval:
                return ok(t(self.lang, "doctor.twilio.template_ok", name=spec.name, setting=spec.setting))
            approval = await content.approval_fetch().fetch_async()
        except TransientError as exc:
            return self.unreachable(str(exc))
        except TwilioRestException as exc:
            if exc.status == 404:
                return fail(t(self.lang, "doctor.twilio.template_missing", setting=spec.setting, sid=sid), fix)
            return fail(t(self.lang, "doctor.twilio.template_error", setting=spec.setting,
                          reason=f"HTTP {exc.status}, error {exc.code or '-'}"))
        whatsapp = approval.whatsapp if isinstance(approval.whatsapp, dict) else {}
        status = str(whatsapp.get("status") or "")
        if status == "approved":
            return ok(t(self.lang, "doctor.twilio.template_approved", name=spec.name, setting=spec.setting))
        shown = status or t(self.lang, "doctor.twilio.unsubmitted")
        rejection = str(whatsapp.get("rejection_reason") or "")
        if rejection:
            shown += f": {rejection}"
        return fail(t(self.lang, "doctor.twilio.template_not_approved", name=spec.name, setting=spec.setting, status=shown),
                    t(self.lang, "doctor.twilio.approval_fix"))

    async def aclose(self) -> None:
        await self.http.aclose()
