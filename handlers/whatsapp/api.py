"""Twilio's REST API through the twilio library, with an httpx HTTP client that aims it at
TWILIO_API_URL (a gateway or a local fake), turns 429/5xx/connection failures into the
outbox's TransientError (with Retry-After), and paces sends to the sender's throughput."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.outbox import TransientError
from bot.settings import Settings
from handlers.whatsapp.config import PREFIX, STATUS_PATH, TWILIO_API, api_base
from handlers.whatsapp.render import Outgoing

log = logging.getLogger(__name__)


def retry_after(raw: str | None) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date."""
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class TwilioHttpClient(AsyncHttpClient):  # type: ignore[misc]
    """The library builds https://api.twilio.com/... and https://content.twilio.com/... URLs;
    with a custom TWILIO_API_URL both go there, same paths."""

    def __init__(self, api_url: str = TWILIO_API, timeout: float = 15.0) -> None:
        super().__init__(logger=log, is_async=True, timeout=timeout)
        self.base = api_base(api_url)
        self._client = httpx.AsyncClient(timeout=timeout)

    def target(self, url: str) -> str:
        if self.base == TWILIO_API:
            return url
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("twilio.com"):
            return url
        return self.base + parts.path + (f"?{parts.query}" if parts.query else "")

    async def request(
        self, method: str, uri: str, params: dict[str, object] | None = None, data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None, timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        body: dict[str, Any] = {}
        if headers and headers.get("Content-Type") == "application/json":
            body["json"] = data
        elif data:
            body["data"] = data
        try:
            response = await self._client.request(
                method.upper(), self.target(uri), params=params, headers=headers, auth=auth,  # type: ignore[arg-type]
                timeout=timeout or self.timeout, follow_redirects=allow_redirects, **body,
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"Twilio unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"Twilio answered {response.status_code}",
                                 retry_after=retry_after(response.headers.get("Retry-After")))
        return Response(response.status_code, response.text, response.headers)

    async def aclose(self) -> None:
        await self._client.aclose()


class Pacer:
    """At most `per_second` sends per second from this process (Twilio queues the excess
    but answers 429 past the sender's limit; pacing avoids asking for it)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


class TwilioApi:
    def __init__(self, settings: Settings) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from
        self.http = TwilioHttpClient(settings.twilio_api_url)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                             http_client=self.http)
        sender = settings.twilio_whatsapp_from
        self.sender = sender if sender.startswith(PREFIX) else PREFIX + sender
        self.status_callback = settings.public_base_url.rstrip("/") + STATUS_PATH
        self.pacer = Pacer(settings.twilio_messages_per_second)

    async def send(self, to: str, out: Outgoing) -> str:
        """One Messages API call; returns the MessageSid. Raises TransientError (retry) or
        the library's TwilioRestException (a 4xx with Twilio's error code)."""
        await self.pacer.wait()
        fields: dict[str, Any] = {"to": to, "from_": self.sender, "status_callback": self.status_callback}
        if out.content_sid:
            fields["content_sid"] = out.content_sid
            fields["content_variables"] = json.dumps(out.variables, ensure_ascii=False)
        else:
            fields["body"] = out.body
        message = await self.client.messages.create_async(**fields)
        return str(message.sid)

    async def aclose(self) -> None:
        await self.http.aclose()
