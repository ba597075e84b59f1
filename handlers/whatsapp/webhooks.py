"""POST /twilio/whatsapp and POST /twilio/status: check Twilio's signature against
PUBLIC_BASE_URL + path, hand the work to the engine and the outbox, answer at once.
`TwilioGuard` is shared with the SMS webhook (handlers/sms)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from bot.runtime import Runtime
from bot.settings import Settings
from handlers.body import TooLarge, read_body
from handlers.whatsapp.config import INBOUND_PATH, STATUS_PATH
from handlers.whatsapp.fields import MAX_FORM_BYTES, MalformedWebhook
from handlers.whatsapp.inbound import Incoming, handle_incoming
from handlers.whatsapp.render import Renderer
from handlers.whatsapp.status import StatusUpdate, handle_status

EMPTY_TWIML = str(MessagingResponse())
HINT_EVERY = 600.0  # seconds between two hints about failing signatures
SIGNATURE = re.compile(r"[A-Za-z0-9+/]{20,100}={0,2}")  # base64 of an HMAC-SHA1 (28) or -SHA256 (44)
ALGORITHMS = frozenset({"HMAC_SHA1", "HMAC_SHA256"})  # what twilio's RequestValidator computes

log = logging.getLogger(__name__)


class SignatureHint:
    """Says once in a while (not once per request) that Twilio's signatures do not match:
    Twilio signs the URL it calls, and we check against PUBLIC_BASE_URL + path, so the
    usual cause is a PUBLIC_BASE_URL that is not that URL (http vs https, another host, a
    missing path prefix behind a proxy). Names the configured URL, never the token."""

    def __init__(self, base_url: str, every: float = HINT_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.base_url = base_url
        self.every = every
        self.clock = clock
        self._last: float | None = None
        self.failures = 0  # since the last hint

    def bad_signature(self, path: str) -> None:
        self.failures += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        log.warning("Twilio webhook signatures do not match (%d since the last notice, latest on %s): "
                    "PUBLIC_BASE_URL=%s probably is not the URL Twilio calls; set it to the exact public "
                    "https address configured in Twilio's console", self.failures, path, self.base_url)
        self.failures = 0


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class TwilioGuard:
    """Twilio's signature on a webhook, checked against PUBLIC_BASE_URL + path (behind a
    proxy the request's own host and scheme are not the ones Twilio signed); a bad one is
    refused with 403 and hinted at in the log (`SignatureHint`)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.twilio_auth_token is not None
        self.validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
        self.base_url = settings.public_base_url.rstrip("/")
        self.hint = SignatureHint(self.base_url)

    async def verified_form(self, request: Request) -> FormData:
        """The form, if Twilio signed it. Raises Rejected: 403 for a missing, malformed or
        wrong signature (and an algorithm the validator does not know), 413 for a body over
        MAX_FORM_BYTES, 400 for a body that is not a UTF-8 form or repeats a field. Nothing but the form is
        parsed before the signature is checked (the validator signs the form's fields)."""
        signature = request.headers.get(SIGNATURE_HEADER) or ""
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if not SIGNATURE.fullmatch(signature) or algorithm.upper() not in ALGORITHMS:
            raise Rejected(403, "missing signature" if not signature else "bad signature")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise Rejected(400, "expected a form")
        try:
            raw = await read_body(request, MAX_FORM_BYTES)
            pairs: list[tuple[str, str | UploadFile]] = list(
                parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
            form = FormData(pairs)
        except TooLarge as exc:
            raise Rejected(413, "too large") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise Rejected(400, "malformed form") from exc
        url = self.base_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not self.validator.validate(url, form, signature, algorithm):
            self.hint.bad_signature(request.url.path)
            raise Rejected(403, "bad signature")
        repeated = sorted({name for name, _ in pairs if len(form.getlist(name)) > 1})
        if repeated:  # Twilio sends each field once (media are MediaUrl0, MediaUrl1...): which one would count?
            raise Rejected(400, f"field {repeated[0][:40]!r} repeated")
        return form

    def guarded(self, endpoint: Callable[[Request, FormData], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """Refusals get at most one log line: none for an unsigned request (only the
        occasional hint), one warning naming the path and the field (never its value) for a
        signed form Twilio would never send."""

        async def guarded(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            try:
                async with runtime.service.inbound.request():  # answered before deliveries go on
                    form = await self.verified_form(request)
                    return await endpoint(request, form)
            except Rejected as exc:
                if exc.status != 403:  # a bad signature is only hinted at (SignatureHint)
                    log.info("Twilio webhook %s refused with %d: %s", request.url.path, exc.status, exc)
                return PlainTextResponse(str(exc), status_code=exc.status)
            except MalformedWebhook as exc:
                log.warning("Twilio webhook %s refused with 400: %s", request.url.path, exc)
                return PlainTextResponse(str(exc), status_code=400)

        return guarded


class Webhooks:
    def __init__(self, settings: Settings, renderer: Renderer) -> None:
        self.guard = TwilioGuard(settings)
        self.renderer = renderer

    def routes(self) -> list[BaseRoute]:
        return [
            Route(INBOUND_PATH, self.guard.guarded(self.inbound), methods=["POST"], name="twilio_whatsapp"),
            Route(STATUS_PATH, self.guard.guarded(self.status), methods=["POST"], name="twilio_status"),
        ]

    async def inbound(self, request: Request, form: FormData) -> Response:
        runtime: Runtime = request.app.state.runtime
        reply = await handle_incoming(runtime, Incoming.from_form(form))
        if reply is None:
            return Response(EMPTY_TWIML, media_type="text/xml")
        twiml = MessagingResponse()
        twiml.message(reply)  # answered in the webhook's own reply: the database could not take it in time
        return Response(str(twiml), media_type="text/xml")

    async def status(self, request: Request, form: FormData) -> Response:
        runtime: Runtime = request.app.state.runtime
        await handle_status(runtime, self.renderer, StatusUpdate.from_form(form))
        return Response(status_code=200)
