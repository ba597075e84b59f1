"""People Slack could not look up at start-up (503, 429 with Retry-After) are looked up
again in the background, and recognised on first contact by their profile's e-mail; a
person Slack does not know is not looked up again."""

from __future__ import annotations

import asyncio
import time

from tests.slack.conftest import OpenWorkspace
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import Workspace

LOOKUP = "users.lookupByEmail"


class Gate:
    """The background lookups' sleep: records each wait (seconds) and returns when open."""

    def __init__(self, open_: bool) -> None:
        self.open = open_
        self.delays: list[float] = []
        self.lookups_before: list[int] = []
        self.fake: FakeSlack | None = None

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.fake is not None:
            self.lookups_before.append(len([c for c in self.fake.calls if c.method == LOOKUP]))
        while not self.open:
            await asyncio.sleep(0.01)


def _wait_until_looked_up(slack: Workspace) -> None:
    deadline = time.monotonic() + 10
    while slack.feature.lookups is not None and not slack.feature.lookups.done():
        assert time.monotonic() < deadline, "the background lookups did not end"
        time.sleep(0.02)


def _outage(fake: FakeSlack, status: int, retry_after: str | None) -> None:
    error = "ratelimited" if status == 429 else "service_unavailable"
    fake.fail_next(LOOKUP, status=status, error=error, retry_after=retry_after, times=1000)


def _over(fake: FakeSlack) -> None:
    with fake.lock:
        fake.failures.clear()


def test_after_a_lookup_outage_at_start_up_alerta_roja_works_and_everybody_is_found_later(
        fake: FakeSlack, open_slack: OpenWorkspace) -> None:
    _outage(fake, 503, None)
    gate = Gate(open_=False)
    slack = open_slack(sleep=gate)
    _over(fake)  # Slack is back two seconds later
    assert slack.feature.people.retrying and not fake.called(LOOKUP)
    slack.dm("Jaime", "ALERTA ROJA: sin sistema")
    assert not slack.ephemeral_to("Jaime")  # not «no te encuentro en el directorio»
    assert "Decretada por Jaime" in slack.announcement().shown
    assert [c.args["user"] for c in fake.called("users.info")] == [slack.user("Jaime")]
    assert not slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")  # not looked up yet: her card waits
    gate.open = True
    _wait_until_looked_up(slack)
    assert not slack.feature.people.retrying and slack.feature.people.unresolved == []
    slack.advance("1m")
    assert slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")  # delivered once she was found
    assert slack.got("Marcelo", "📋 Paso 6 · Desactivar Timify")


def test_a_429_with_retry_after_is_honoured(fake: FakeSlack, open_slack: OpenWorkspace) -> None:
    _outage(fake, 429, "30")
    gate = Gate(open_=False)
    gate.fake = fake
    started = time.monotonic()
    slack = open_slack(sleep=gate)
    assert time.monotonic() - started < 5  # not slept at start-up
    _over(fake)
    gate.open = True
    _wait_until_looked_up(slack)
    assert gate.delays[0] >= 30  # Slack said 30 seconds
    assert gate.lookups_before[0] == len([c for c in fake.calls if c.method == LOOKUP and c.status == 429])
    assert slack.feature.people.unresolved == [] and len(fake.called(LOOKUP)) == 9  # each once more, then found


def test_somebody_slack_does_not_know_is_not_looked_up_again(fake: FakeSlack, open_slack: OpenWorkspace) -> None:
    del fake.users["marcelo@fullpyme.example"]
    _outage(fake, 503, None)
    gate = Gate(open_=False)
    slack = open_slack(sleep=gate)
    _over(fake)
    gate.open = True
    _wait_until_looked_up(slack)
    people = slack.feature.people
    assert people.unresolved == ["marcelo"] and not people.retrying
    marcelo = [c for c in fake.calls if c.method == LOOKUP and c.args["email"] == "marcelo@fullpyme.example"
               and c.status == 200]
    assert [c.error for c in marcelo] == ["users_not_found"]  # asked once Slack answered, never again
    assert len(gate.delays) == 1
    slack.dm("Jaime", "ALERTA ROJA")
    assert not slack.got("Marcelo", "Desactivar Timify")
