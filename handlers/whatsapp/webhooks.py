"""POST /twilio/whatsapp and POST /twilio/status: check Twilio's signature against
PUBLIC_BASE_URL + path, hand the work to the engine and the outbox, answer at once."""

from __future__ import annotations

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
from handlers.whatsapp.config import INBOUND_PATH, STATUS_PATH
from handlers.whatsapp.inbound import Incoming, MalformedWebhook, handle_incoming
from handlers.whatsapp.render import Renderer
from handlers.whatsapp.status import StatusUpdate, handle_status

EMPTY_TWIML = str(MessagingResponse())


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class Webhooks:
    def __init__(self, settings: Settings, renderer: Renderer) -> None:
        assert settings.twilio_auth_token is not None
        self.validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
        self.base_url = settings.public_base_url.rstrip("/")
        self.renderer = renderer

    def routes(self) -> list[BaseRoute]:
        return [
            Route(INBOUND_PATH, self._guarded(self.inbound), methods=["POST"], name="twilio_whatsapp"),
            Route(STATUS_PATH, self._guarded(self.status), methods=["POST"], name="twilio_status"),
        ]

    async def verified_form(self, request: Request) -> FormData:
        """The form, if Twilio signed it. The URL Twilio called is PUBLIC_BASE_URL plus the
        path: behind a proxy the request's own host and scheme are not the ones it signed."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise Rejected(403, "missing signature")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise Rejected(400, "expected a form")
        try:
            pairs: list[tuple[str, str | UploadFile]] = list(
                parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
            form = FormData(pairs)
        except (UnicodeDecodeError, ValueError) as exc:
            raise Rejected(400, "malformed form") from exc
        url = self.base_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if not self.validator.validate(url, form, signature, algorithm):
            raise Rejected(403, "bad signature")
        return form

    def _guarded(self, endpoint: Callable[[Request, FormData], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            try:
                async with runtime.service.inbound.request():  # answered before deliveries go on
                    form = await self.verified_form(request)
                    return await endpoint(request, form)
            except Rejected as exc:
                return PlainTextResponse(str(exc), status_code=exc.status)
            except MalformedWebhook as exc:
                return PlainTextResponse(str(exc), status_code=400)

        return guarded

    async def inbound(self, request: Request, form: FormData) -> Response:
        runtime: Runtime = request.app.state.runtime
        await handle_incoming(runtime, Incoming.from_form(form))  # type: ignore[arg-type]
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def status(self, request: Request, form: FormData) -> Response:
        runtime: Runtime = request.app.state.runtime
        await handle_status(runtime, self.renderer, StatusUpdate.from_form(form))  # type: ignore[arg-type]
        return Response(status_code=200)
