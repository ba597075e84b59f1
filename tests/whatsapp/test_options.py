"""A case question's options on WhatsApp (issue 12): up to 3 short ones as quick replies,
else a list picker (twilio/list-picker) when one with that many items is configured, else
numbered text; the fake Twilio refuses what Twilio refuses; a list reply (ListId) is the
CHOOSE action."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from flows.commands import Press
from flows.directory import Person
from flows.messages import Action, Button, OutMessage
from handlers.whatsapp.config import Templates
from handlers.whatsapp.inbound import Incoming, command_for
from handlers.whatsapp.render import Outgoing, Renderer
from handlers.whatsapp.templates import list_specs, specs
from tests.unit.test_options import options_card
from tests.whatsapp.fake_twilio import SENDER, FakeTwilio

QUICK = ("HX" + "1" * 32, "HX" + "2" * 32, "HX" + "3" * 32)
LISTS = tuple(f"HX{n:02d}" + "c" * 30 for n in range(1, 11))
TO = "whatsapp:+56911110003"


def twilio() -> FakeTwilio:
    fake = FakeTwilio()
    for spec, sid in [*zip(specs("es")[2:], QUICK, strict=True), *zip(list_specs("es"), LISTS, strict=True)]:
        fake.install(sid, {"friendly_name": spec.name, "language": "es", "variables": spec.variables,
                           "types": spec.types}, approved=False)
    return fake


def received(fake: FakeTwilio, out: Outgoing) -> tuple[tuple[int, int, str] | None, dict[str, Any] | None]:
    form = {"To": TO, "From": SENDER}
    if out.content_sid:
        form.update(ContentSid=out.content_sid, ContentVariables=json.dumps(out.variables))
    else:
        form["Body"] = out.body or ""
    return fake.check(form)


def renderer(lists: bool = True) -> Renderer:
    return Renderer(Templates(buttons=QUICK, lists=LISTS if lists else ()))


def test_two_short_options_are_quick_replies() -> None:
    [out] = renderer().session(options_card(2), "es")
    assert out.content_sid == QUICK[1] and out.variables["2"] == "Call Center"
    assert received(twilio(), out)[0] is None


@pytest.mark.parametrize("count", [4, 8])
def test_more_options_are_a_list_picker_twilio_takes(count: int) -> None:
    [out] = renderer().session(options_card(count), "es")
    assert out.content_sid == LISTS[count - 1]
    assert out.variables["3"] == "1. Call Center" and out.variables["4"] == "choose:R-12/derivar=op1"
    if count == 8:  # the 90-character label: its title cut to 24, the description to 72
        assert len(out.variables["24"]) <= 24 and out.variables["24"].endswith("…") and out.variables["24"].startswith("8. Detalle")
        assert len(out.variables["26"]) <= 72 and out.variables["26"].endswith("…")
    assert received(twilio(), out)[0] is None


def test_without_a_list_picker_or_with_more_than_ten_numbered_text() -> None:
    [out] = renderer(lists=False).session(options_card(8), "es")
    assert out.body is not None and "Responde con el número de tu opción:\n1. Call Center\n2. Help Desk" in out.body
    many = OutMessage("cecilia", "¿A qué mesa?", tuple(Button(f"Mesa {i}", Action.for_choice("R-1", "s", f"m{i}"))
                                                       for i in range(1, 12)))
    [out] = renderer().session(many, "es")
    assert out.body is not None and "11. Mesa 11" in out.body


def test_outside_the_window_the_notice_lists_the_numbers() -> None:
    [out] = Renderer(Templates(notice="HX" + "a" * 32)).approved(options_card(4), "es") or []
    assert "1. Call Center · 2. Help Desk" in out.variables["3"]


@pytest.mark.parametrize("change", ["title", "items", "missing"])
def test_fake_twilio_refuses_what_twilio_refuses(change: str) -> None:
    [out] = renderer().session(options_card(8), "es")
    variables = dict(out.variables)
    sid = out.content_sid
    if change == "title":
        variables["3"] = "x" * 25
    elif change == "missing":
        del variables["26"]
    else:
        fake = twilio()
        content = fake.content(LISTS[7])
        assert content is not None
        picker = content["types"]["twilio/list-picker"]
        picker["items"] = picker["items"] + [dict(picker["items"][0])] * 3  # 11 items
    refusal, _ = received(fake if change == "items" else twilio(), Outgoing(content_sid=sid, variables=variables))
    assert refusal is not None and refusal[1] in (63021, 63028)


def test_a_list_reply_is_the_option() -> None:
    form = {"MessageSid": "SM" + "1" * 32, "From": TO, "Body": "3. Soporte técnico",
            "ListId": "choose:R-12/derivar=op3", "ListTitle": "3. Soporte técnico"}
    person = Person(id="cecilia", name="Cecilia", roles=["soporte"], whatsapp="+56911110003")
    press = asyncio.run(command_for(None, person, Incoming.from_form(form)))  # type: ignore[arg-type]
    assert press == Press("cecilia", Action.for_choice("R-12", "derivar", "op3"), "whatsapp")
