"""Slack's failures in the outbox's terms: worth retrying later, or not."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.outbox import PermanentError, TransientError
from handlers.slack.config import retry_after

CONNECTION_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
TRANSIENT_CODES = frozenset({"ratelimited", "service_unavailable", "internal_error", "fatal_error", "request_timeout"})


def slack_error_code(exc: SlackApiError) -> str:
    data = exc.response.data if exc.response is not None else None
    return str(data.get("error", "")) if isinstance(data, dict) else ""


def as_delivery_error(exc: Exception) -> TransientError | PermanentError:
    """What the retry handlers gave up on (429, 5xx, connection) is transient; an API
    error such as `channel_not_found` or `invalid_auth` is permanent."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code if exc.response is not None else 0
        code = slack_error_code(exc)
        if status == 429 or status >= 500 or code in TRANSIENT_CODES:
            wait = retry_after(exc.response.headers if exc.response is not None else None)
            return TransientError(f"Slack answered {status} {code}".strip(), retry_after=wait)
        return PermanentError(f"Slack refused the call: {code or status}")
    if isinstance(exc, CONNECTION_ERRORS):
        return TransientError(f"Slack unreachable: {type(exc).__name__}")
    raise exc
