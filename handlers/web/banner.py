"""The public emergency banner: GET /banner.json says whether a crisis is active and its
public message (nothing else); GET /banner.js is the snippet a website embeds with one
<script> tag. Both are public, readable from any origin, and briefly cacheable."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.runtime import Runtime
from flows.banner import is_up, public_message
from flows.playbook import Playbook
from handlers.web.live import LiveUpdates
from persistence import repository as repo
from persistence.database import reading

SNIPPET = (Path(__file__).parent / "static" / "banner.js").read_text(encoding="utf-8")
PUBLIC = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}


class Banner:
    def __init__(self, updates: LiveUpdates, max_age: int = 30, snippet_max_age: int = 300, memo_seconds: float = 5.0) -> None:
        self.updates = updates
        self.max_age = max_age
        self.snippet_max_age = snippet_max_age
        self.memo_seconds = memo_seconds  # every visitor of the website asks: answer from memory for a moment
        self._memo: tuple[int, float, dict[str, object]] | None = None

    def routes(self) -> list[BaseRoute]:
        return [Route("/banner.json", self.state), Route("/banner.js", self.snippet)]

    async def current(self, runtime: Runtime) -> dict[str, object]:
        memo = self._memo
        if memo is not None and memo[0] == self.updates.version and time.monotonic() - memo[1] < self.memo_seconds:
            return memo[2]
        version = self.updates.version
        async with reading(runtime.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, runtime.playbook.id)
            crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
            entries = await repo.crisis_log(conn, crisis_id, with_deliveries=False) if crisis_id else []
        if crisis is not None and is_up(crisis):
            state: dict[str, object] = {"active": True,
                                        "message": public_message(Playbook.from_frozen(crisis.playbook_json), entries)}
        else:
            state = {"active": False, "message": ""}
        self._memo = (version, time.monotonic(), state)
        return state

    async def state(self, request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        headers = {**PUBLIC, "Cache-Control": f"public, max-age={self.max_age}"}
        return JSONResponse(await self.current(runtime), headers=headers)

    async def snippet(self, request: Request) -> Response:
        headers = {**PUBLIC, "Cache-Control": f"public, max-age={self.snippet_max_age}"}
        return Response(SNIPPET, media_type="application/javascript; charset=utf-8", headers=headers)
