"""The Starlette app served by `crisisbot serve`: the health check plus the routes of
every enabled feature (Slack, WhatsApp, dashboard)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.features import Feature, enabled_features
from bot.health import Thresholds, check
from bot.outbox import Transport
from bot.runtime import Runtime
from bot.settings import Settings
from flows.clock import Clock
from persistence.startup import open_database


def create_app(
    settings: Settings, features: list[Feature] | None = None, clock: Clock | None = None, freeze: bool = False,
) -> Starlette:
    """`freeze`: once started, keep what start-up built out of the garbage collector's
    full collections (gc.freeze), so that one never pauses a burst of presses for ~100 ms
    walking the libraries' objects. For the long-running process only."""
    features = enabled_features(settings) if features is None else features
    transports: dict[str, Transport] = {}
    for feature in features:
        transports.update(feature.transports())
    # No chat transport (a web-only `serve` beside `crisisbot run`): this process fires no
    # timer and writes no message (bot/scheduler.py, bot/service.py); /healthz says so.

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await Runtime.build(settings, transports=transports, clock=clock,
                                       concurrency=settings.outbox_concurrency)
        app.state.runtime = runtime
        for feature in features:
            await feature.start(runtime)
        await runtime.start()
        if freeze:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await runtime.contact.stop()  # no new «sin contacto» reports while transports close
            for feature in reversed(features):
                await feature.stop()
            await runtime.stop()

    thresholds = Thresholds.from_settings(settings)

    async def healthz(request: Request) -> JSONResponse:
        """200 or 503 with what is wrong (bot/health.py, docs/monitoring.md)."""
        runtime: Runtime = request.app.state.runtime
        healthy, body = await check(runtime, thresholds)
        return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    routes: list[BaseRoute] = [Route("/healthz", healthz)]
    for feature in features:
        routes.extend(feature.routes())
    app = Starlette(routes=routes, lifespan=lifespan)
    # what ends open responses that never finish by themselves (the dashboard's live streams)
    app.state.closing = [f.closing for f in features if hasattr(f, "closing")]
    return app


class Server(uvicorn.Server):
    """uvicorn lets every open response finish before it runs the app's shutdown, and a
    dashboard's live stream only ends when its lifetime is over (about a minute): stopping
    `serve` with a dashboard open waited that long. The features' `closing()` end them first."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for closing in getattr(getattr(self.config.app, "state", None), "closing", []):
            await closing()
        await super().shutdown(sockets)


async def _database_ready(settings: Settings) -> None:
    """Open and migrate the database once before the server starts, so a database that is
    wrong stops `serve` with its one line (DatabaseProblem), not a lifespan traceback."""
    db = await open_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                             retry_seconds=settings.database_startup_retry_seconds, lang=settings.lang)
    await db.dispose()


def serve(settings: Settings, port: int | None, host: str | None = None) -> int:
    """Run the web app on `host` (HOST, default 0.0.0.0) and `port` (PORT) until stopped.
    Raises DatabaseProblem before listening when the database cannot be opened or migrated."""
    asyncio.run(_database_ready(settings))
    run_server(create_app(settings, freeze=True), host=host or settings.host, port=settings.port if port is None else port,
               log_level=settings.log_level.lower())
    return 0


def run_server(app: Starlette, host: str, port: int, log_level: str) -> None:
    """uvicorn.run, with the Server above."""
    Server(uvicorn.Config(app, host=host, port=port, log_level=log_level)).run()
