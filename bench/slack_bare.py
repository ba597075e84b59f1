"""The baseline of bench/slack_fanout.py: a Bolt app over Starlette that only acks button
presses, configured like crisisbot's (same adapter, signature check, process_before_response,
client at SLACK_API_URL). Run: uvicorn bench.slack_bare:app --port 8001"""

from __future__ import annotations

import os
import re

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

bolt = AsyncApp(
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=True,
)


@bolt.action(re.compile(r".*"))
async def only_ack(ack: AsyncAck) -> None:
    await ack()


handler = AsyncSlackRequestHandler(bolt)


async def events(request: Request) -> Response:
    return await handler.handle(request)


async def healthz(request: Request) -> Response:
    return Response("ok")


app = Starlette(routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)])
