"""One real web app with Slack, WhatsApp and SMS, on the fakes (local fake Slack Web API,
local fake Twilio), shared by the fuzz tests of a module: `Edge` posts a generated request
and reports what it left behind (status, log records, rows written)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.app import create_app
from bot.loading import load_all
from bot.runtime import Runtime
from flows.clock import ManualClock
from handlers.slack.feature import SlackFeature
from handlers.sms.feature import SmsFeature
from handlers.whatsapp.feature import WhatsAppFeature
from persistence import tables as T
from tests.fuzz.generators import FuzzRequest
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack.harness import CHANNEL, OTHER_CHANNEL, everyone
from tests.support import DIRECTORY, PLAYBOOK, START
from tests.whatsapp.fake_twilio import SMS_SENDER, FakeTwilio
from tests.whatsapp.harness import whatsapp_settings

WRITTEN = ("log", "outbox", "processed_events", "contacts")  # what processing a request leaves in the database


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "hpack")):  # the test client's own requests
            self.records.append(record)


@dataclass
class Answer:
    status: int
    records: list[logging.LogRecord]  # logged while the request was handled and settled
    written: dict[str, int]  # rows added per table


class Edge:
    def __init__(self, client: TestClient, feature: SlackFeature, records: Records) -> None:
        self.client = client
        self.feature = feature
        self.records = records

    @property
    def rt(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime

    def counts(self) -> dict[str, int]:
        async def read() -> dict[str, int]:
            async with self.rt.db.connect() as conn:
                return {name: int((await conn.execute(select(func.count()).select_from(getattr(T, name)))).scalar_one())
                        for name in WRITTEN}

        assert self.client.portal is not None
        return self.client.portal.call(read)

    def settle(self) -> None:
        async def settle() -> None:
            while True:
                await self.feature.ctx.idle()
                if not await self.rt.outbox.drain() and not self.feature.ctx.busy():
                    return

        assert self.client.portal is not None
        self.client.portal.call(settle)

    def send(self, request: FuzzRequest) -> Answer:
        before = self.counts()
        self.records.records.clear()
        response: httpx.Response = self.client.post(request.path, content=request.body, headers=request.headers)
        self.settle()
        after = self.counts()
        return Answer(response.status_code, list(self.records.records), {k: after[k] - before[k] for k in WRITTEN})

    def healthz(self) -> int:
        status: int = self.client.get("/healthz").status_code
        return status


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    tmp_path: Path = tmp_path_factory.mktemp("fuzz")
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    slack = FakeSlack(users=everyone(directory.people)).start()
    slack.add_channel(CHANNEL, "crisis")
    slack.add_channel(OTHER_CHANNEL, "general")
    twilio = FakeTwilio().start()
    settings = whatsapp_settings(tmp_path, twilio, twilio_sms_from=SMS_SENDER, slack_bot_token=BOT_TOKEN,
                                 slack_signing_secret=SIGNING_SECRET, slack_crisis_channel=CHANNEL,
                                 slack_api_url=slack.api_url)
    feature = SlackFeature(settings)
    app = create_app(settings, features=[feature, WhatsAppFeature(settings), SmsFeature(settings)],
                     clock=ManualClock(START))
    records = Records()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)  # the refusals are logged at INFO and WARNING
    root.addHandler(records)
    client = TestClient(app)
    client.__enter__()
    try:
        yield Edge(client, feature, records)
    finally:
        client.__exit__(None, None, None)
        root.removeHandler(records)
        root.setLevel(level)
        twilio.stop()
        slack.stop()
