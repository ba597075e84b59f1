"""Slack settings and the one Web API client the transport and the Bolt app share."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

VIA = "slack"  # the transport's name: outbox rows, message refs, the bitácora's channel
COMMAND = "/crisis"
REDRAW = "slack_redraw"  # outbox kind: a card drawn from the crisis as it is when delivered
MAX_WAIT_IN_PLACE = 5.0
"""Longest Retry-After (seconds) waited inside a call; a longer one goes back to the outbox,
which retries the row at that time without holding a sender."""


def slack_configured(settings: Settings) -> bool:
    return bool(settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token))


def secret(value: Any) -> str | None:
    """The plain value of a SecretStr setting (never logged)."""
    return value.get_secret_value() if value is not None else None


def retry_after(headers: Any) -> float | None:
    """Retry-After in seconds from a response's headers, if Slack sent one."""
    if not headers:
        return None
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class ShortRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (it sleeps Retry-After, then retries), for short waits only."""

    def __init__(self, max_retry_count: int, max_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        wait = retry_after(response.headers if response is not None else None)
        return wait is None or wait <= self.max_wait


class ConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """slack_sdk's connection-error handler, except for chat.postMessage: a connection cut
    after the request was sent may have posted it, and a repeat in place would show it
    twice. That error goes to the outbox, which looks in the conversation before posting
    again (handlers/slack/dedupe.py)."""

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.rstrip("/").endswith("/chat.postMessage"):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_handlers(max_wait: float = MAX_WAIT_IN_PLACE) -> list[AsyncRetryHandler]:
    return [
        ShortRateLimitRetryHandler(max_retry_count=3, max_wait=max_wait),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        ConnectionRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings) -> AsyncWebClient:
    """The bot's Web API client at SLACK_API_URL, with slack_sdk's retry handlers."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(token=secret(settings.slack_bot_token), base_url=base_url, timeout=30,
                          retry_handlers=retry_handlers())
