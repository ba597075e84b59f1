"""The Starlette app served by `crisisbot serve`: health check now; Slack, WhatsApp and
the dashboard mount their routes here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.outbox import TransientError
from bot.runtime import Runtime
from bot.settings import Settings
from flows.messages import OutMessage


class NoTransport:
    """Until a chat transport is configured, messages wait in the outbox (nothing is lost)."""

    name = "none"

    async def deliver(self, message: OutMessage) -> None:
        raise TransientError("no chat transport configured", retry_after=300)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        transport = NoTransport()
        runtime = await Runtime.build(settings, route=lambda _m: transport)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    async def healthz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        return JSONResponse({"ok": True, "playbook": runtime.playbook.id})

    return Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)


def serve(settings: Settings, port: int | None) -> int:
    uvicorn.run(create_app(settings), host="0.0.0.0", port=port or settings.port, log_level=settings.log_level.lower())
    return 0
