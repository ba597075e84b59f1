"""Delivery through the outbox: 429 with Retry-After, 5xx, messages gone, nothing lost and
nothing sent twice; people resolved at start-up, never at alert time."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import yaml

from tests.slack.conftest import OpenWorkspace
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CHANNEL, Workspace, user_id
from tests.support import DIRECTORY


def _cards(slack: Workspace) -> Counter[tuple[str, str]]:
    """(channel, first line) of every card posted: each must appear once."""
    posts = slack.fake.called("chat.postMessage")
    return Counter((c.args["channel"], str(c.args["text"]).split("\n")[0]) for c in posts if str(c.args["text"]).startswith("📋"))


def test_a_429_storm_delivers_everything_exactly_once(slack: Workspace) -> None:
    slack.fake.fail_next("chat.postMessage", status=429, retry_after="0", times=25)
    slack.write("Jaime", "ALERTA ROJA: caída total")
    assert len([c for c in slack.fake.calls if c.status == 429]) == 25
    # A call the retry handlers gave up on goes back to the outbox, which retries it (and the
    # recipient's later rows, leased meanwhile) within its two-minute lease.
    slack.advance("3m")
    cards = _cards(slack)
    assert cards and set(cards.values()) == {1}
    # everybody got every card of theirs: 5 crisis steps for Jaime (1 is his and asks instead), 1 for Marcelo...
    assert {line for (channel, line) in cards if channel == "DJAIME"} == {
        "📋 Paso 2 · Contacto con Entel", "📋 Paso 3 · Atención al cliente, todas las áreas",
        "📋 Paso 4 · Banner de emergencia en fullpyme.cl", "📋 Paso 5 · Email masivo", "📋 Paso 6 · Desactivar Timify"}
    assert sum(cards.values()) == 5 + 9 + 6 + 6 + 6  # steps 2 to 6, one card per responsible
    assert len([m for m in slack.channel() if m.thread_ts is None]) == 1
    assert "Situación: caída total" in slack.announcement().shown
    slack.fake.fail_next("chat.update", status=429, retry_after="0", times=6)
    slack.press("Luis", "Lo tomo", containing="Contacto con Entel")
    assert len([c for c in slack.fake.calls if c.status == 429]) == 31
    for name in ("Juan Pablo", "Cecilia", "Catalina", "Jaime"):
        [card] = slack.got(name, "📋 Paso 2 · Contacto con Entel")
        assert "🟡 La tomó Luis a las 09:03." in card.shown and card.buttons() == {}
    assert "🟡 2 Contacto con Entel — Luis" in slack.announcement().shown
    assert set(_cards(slack).values()) == {1}  # updated in place, not posted again


def test_a_long_retry_after_goes_back_to_the_outbox_and_is_delivered_later(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.fake.fail_next("chat.postMessage", status=429, retry_after="120", times=1)
    started = time.monotonic()
    slack.dm("Luis", "estado")
    assert time.monotonic() - started < 5  # not slept in place
    assert not slack.got("Luis", "📊 Estado de la crisis")
    slack.advance("1m")
    assert not slack.got("Luis", "📊 Estado de la crisis")  # Slack said two minutes
    slack.advance("1m")
    assert len(slack.got("Luis", "📊 Estado de la crisis")) == 1
    [refused] = [c for c in slack.fake.calls if c.status == 429]
    assert refused.args["channel"] == "DLUIS"


def test_server_errors_are_retried(slack: Workspace) -> None:
    slack.fake.fail_next("chat.postMessage", status=503, error="service_unavailable", retry_after=None, times=2)
    slack.write("Jaime", "ALERTA ROJA")
    assert len([c for c in slack.fake.calls if c.status == 503]) == 2
    assert "🚨 ALERTA ROJA" in slack.announcement().shown
    assert set(_cards(slack).values()) == {1}


def test_an_api_error_is_permanent_and_recorded_in_the_bitacora(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.fake.fail_next("chat.postMessage", status=200, error="is_archived", retry_after=None)
    slack.dm("Luis", "estado")
    slack.dm("Jaime", "bitácora")
    [log] = slack.got("Jaime", "📒 Bitácora de la crisis")
    assert "No se pudo entregar un mensaje a Luis por slack: Slack refused the call: is_archived" in log.shown


def test_a_message_deleted_in_slack_is_posted_again(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    live = slack.announcement()
    with slack.fake.lock:
        slack.fake.messages.remove(live)  # somebody deleted the announcement
    slack.press("Valeria", "Lo tomo", containing="Banner")
    assert "🟡 4 Banner de emergencia en fullpyme.cl — Valeria" in slack.announcement().shown
    assert slack.announcement().ts != live.ts


def test_people_are_resolved_at_start_up_never_at_alert_time(tmp_path: Path, fake: FakeSlack,
                                                            open_slack: OpenWorkspace) -> None:
    people = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))["people"]
    for person in people:
        if person["id"] == "jaime":
            person["slack_id"] = "U0JAIMEDIRECT"  # the directory's id wins, no lookup
            del person["email"]
    directory = tmp_path / "directory.yaml"
    directory.write_text(yaml.safe_dump({"people": people}, allow_unicode=True), encoding="utf-8")
    del fake.users["marcelo@fullpyme.example"]  # Marcelo has no Slack account

    slack = open_slack(directory=directory)
    lookups = [c.args["email"] for c in fake.called("users.lookupByEmail")]
    assert len(lookups) == 8 and "jaime@fullpyme.example" not in lookups
    assert slack.feature.people.unresolved == ["marcelo"]
    slack.post(slack.event_body({**slack.message_event("Cecilia", "x", CHANNEL), "user": "U0JAIMEDIRECT",
                                 "text": "ALERTA ROJA"}), "application/json")
    assert "Decretada por Jaime" in slack.announcement().shown
    assert fake.in_channel("D0JAIMEDIRECT")  # his cards went to his own id's channel
    assert len(fake.called("users.lookupByEmail")) == 8  # nothing looked up at alert time
    assert not fake.dms(user_id("marcelo"))
    slack.post(slack.event_body({**slack.message_event("Cecilia", "x", None), "user": "U0JAIMEDIRECT",
                                 "channel": "D0JAIMEDIRECT", "text": "bitácora"}), "application/json")
    [log] = [m.shown for m in fake.in_channel("D0JAIMEDIRECT") if "📒 Bitácora" in m.shown]
    assert "No se pudo entregar un mensaje a Marcelo por -: no channel reaches them" in log


def test_without_a_crisis_channel_the_group_reaches_everyone_by_direct_message(open_slack: OpenWorkspace) -> None:
    slack = open_slack(slack_crisis_channel=None)
    slack.dm("Jaime", "ALERTA ROJA: sin correo")
    assert slack.got("Luis", "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.")
    assert slack.fake.in_channel(CHANNEL) == []


def test_a_slack_compatible_api_without_auth_test_or_conversations_open_still_works(
        fake: FakeSlack, open_slack: OpenWorkspace) -> None:
    fake.fail_next("auth.test", status=200, error="unknown_method", retry_after=None)
    fake.fail_next("conversations.open", status=200, error="unknown_method", retry_after=None, times=100)
    slack = open_slack()
    slack.write("Jaime", "ALERTA ROJA: sin luz")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert card.channel == "DCECILIA"  # posted to her user id: Slack's answer names the DM
    slack.press("Luis", "Lo tomo", containing="Contacto con Entel")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert "🟡 La tomó Luis" in card.shown and card.buttons() == {}  # updated in place
    assert len(fake.called("auth.test")) == 1  # the failed one at start-up; Bolt never needed it
