"""«Sin contacto» reviewed with other people than the issue's: every coordinator
unreachable, a coordinator and reader in English, a person no configured channel reaches,
a name written over two lines in the directory. A WhatsApp-only company (the group relayed
person by person), messages to some people failing as Twilio fails them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.directory import Person
from tests.chat.test_contact import Phones, bitacora, reports
from tests.support import DIRECTORY, START, Chat, settings_for

Edit = Callable[[str], str]
OpenChat = Callable[..., Awaitable[tuple[Chat, Phones]]]


class WhatsAppOnly(Phones):
    """Reaches only people with a WhatsApp number, as the real transport does."""

    def reaches(self, person: Person) -> bool:
        return bool(person.whatsapp)


@pytest.fixture
async def open_chat(tmp_path: Path) -> AsyncIterator[OpenChat]:
    chats: list[Chat] = []

    async def factory(edit: Edit = lambda text: text, refused: tuple[str, ...] = (),
                      silent: tuple[str, ...] = ()) -> tuple[Chat, Phones]:
        directory = tmp_path / "directory.yaml"
        directory.write_text(edit(DIRECTORY.read_text(encoding="utf-8")), encoding="utf-8")
        transport = WhatsAppOnly(refused=set(refused), silent=set(silent))
        clock = ManualClock(START)
        runtime = await Runtime.build(settings_for(tmp_path, directory=str(directory)),
                                      transports={transport.name: transport}, clock=clock)
        await runtime.start()
        chat = Chat(runtime, transport, clock)
        chats.append(chat)
        return chat, transport

    try:
        yield factory
    finally:
        for chat in chats:
            await chat.close()


def english(name: str) -> Edit:
    return lambda text: text.replace(f"    name: {name}\n", f"    name: {name}\n    lang: en\n")


async def test_every_coordinator_unreachable_the_declarers_are_told(open_chat: OpenChat) -> None:
    chat, _ = await open_chat(refused=("juan_pablo", "jaime"))  # the playbook's only two coordinators
    await chat.say("Cecilia", "ALERTA ROJA: caída")
    await chat.settle_contact()
    for declarer in ("Cecilia", "Catalina"):
        assert len(reports(chat, declarer, "Juan Pablo")) == 1, declarer
        assert len(reports(chat, declarer, "Jaime")) == 1, declarer
    assert not reports(chat, "Luis", "Jaime")  # not a declarer nor a coordinator
    await chat.say("Catalina", "estado")
    status = chat.inbox("Catalina")[-1].text
    assert "sin contacto" in status and "Juan Pablo" in status and "Jaime" in status


async def test_an_english_coordinator_is_told_in_english_and_reads_estado_in_english(
        open_chat: OpenChat) -> None:
    chat, transport = await open_chat(edit=english("Juan Pablo"), refused=("valeria",))
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    told = [m.text for m in chat.inbox("Juan Pablo") if "Valeria" in m.text and "⚠️" in m.text]
    assert told == ["⚠️ I cannot reach Valeria (WhatsApp: error 63016). Let them know some other way "
                    "(phone +56911110006)."]
    assert len(reports(chat, "Jaime", "Valeria")) == 1  # Spanish for Jaime
    transport.silent.add("marcelo")  # Twilio stops answering for him
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.press("Jaime", "Cerrar igual")  # work undone: asked first (issue 11 point 1)
    await chat.advance("10m")
    await chat.settle_contact()
    told = [m.text for m in chat.inbox("Juan Pablo") if "Marcelo" in m.text and "⚠️" in m.text]
    assert told == ["⚠️ I cannot reach Marcelo (WhatsApp: undelivered for 10 min). Let them know some other way "
                    "(phone +56911110009)."]
    await chat.say("Juan Pablo", "estado")
    status = chat.inbox("Juan Pablo")[-1].text
    assert "⚠️ unreachable: Valeria, Marcelo" in status and "sin contacto" not in status


async def test_a_person_no_configured_channel_reaches_is_reported_at_once(open_chat: OpenChat) -> None:
    """Marcelo has only an e-mail (Slack would find him) but this company runs on WhatsApp."""
    chat, transport = await open_chat(edit=lambda text: text.replace('    whatsapp: "+56911110009"\n', ""))
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    [report] = reports(chat, "Juan Pablo", "Marcelo")
    assert "teléfono" not in report  # he has none to call on
    assert not [r for r, _ in transport.tried if r == "marcelo"]
    assert len(reports(chat, "Jaime", "Marcelo")) == 1
    await chat.advance("30m")
    await chat.settle_contact()
    assert len(reports(chat, "Jaime", "Marcelo")) == 1  # once per person per crisis
    assert sum(line.startswith("contact_lost") for line in await bitacora(chat)) == 1


async def test_a_name_over_two_lines_in_the_directory_is_one_line_everywhere(open_chat: OpenChat) -> None:
    chat, _ = await open_chat(edit=lambda text: text.replace("    name: Valeria\n", '    name: "Valeria\\n  Soto"\n'),
                              refused=("valeria",))
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    [report] = reports(chat, "Juan Pablo", "Valeria Soto")
    assert "\n" not in report
    await chat.say("Jaime", "estado")
    assert "⚠️ sin contacto: Valeria Soto" in chat.inbox("Jaime")[-1].text
