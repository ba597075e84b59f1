"""English is a real language (issue 11, point 9): a crisis played by English speakers,
keywords of every language the playbook gives accepted from anyone, and each person
answered in their own language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import DIRECTORY, Chat, settings_for


async def _open(tmp_path: Path, group_lang: str, langs: dict[str, str]) -> Chat:
    text = DIRECTORY.read_text(encoding="utf-8")
    for name, lang in langs.items():
        text = text.replace(f"    name: {name}\n", f"    name: {name}\n    lang: {lang}\n")
    directory = tmp_path / "dir.yaml"
    directory.write_text(text, encoding="utf-8")
    return await Chat.open(settings_for(tmp_path, directory=directory, crisisbot_lang=group_lang))


@pytest.fixture
async def english(tmp_path: Path) -> AsyncIterator[Chat]:
    """CRISISBOT_LANG=en; Cecilia reads Spanish, everyone else the group's English."""
    chat = await _open(tmp_path, "en", {"Cecilia": "es"})
    try:
        yield chat
    finally:
        await chat.close()


async def test_an_english_crisis_from_red_alert_on(english: Chat) -> None:
    chat = english
    await chat.say("Jaime", "RED ALERT: the main server is down")
    assert chat.received("grupo", "🚨 RED ALERT · declared by Jaime")
    card = chat.received("Luis", "📋 Step 2 · Contact Entel")[0]
    assert "Call 600 3600 106 (Entel)." in card.text
    assert chat.received("Cecilia", "📋 Paso 2 · Contacto con Entel")  # her own language

    await chat.say("Luis", "take 2")
    assert chat.received("Luis", "OK, task 2 (Contact Entel) is yours.")
    await chat.say("Luis", "done 2")
    assert chat.inbox("Luis")[-1].text == "✍️ Task 2 (Contact Entel): What ticket number did Entel give? (example: 4455-AB)"
    await chat.say("Luis", "no idea, Entel does not answer")
    assert chat.inbox("Luis")[-1].text == "That does not look like the Entel ticket number. Example: 4455-AB. Write it again."
    await chat.say("Luis", "4455-AB")
    assert chat.received("Luis", "✔️ Recorded: task 2 (Contact Entel) done · the Entel ticket number: 4455-AB")

    await chat.say("Luis", "read")  # his one pending all-staff step
    assert chat.inbox("Luis")[-1].text == "Thanks, it is recorded that you read step 3."
    await chat.say("Luis", "help")
    assert "«RED ALERT» declares a crisis · «END OF CRISIS» closes it" in chat.inbox("Luis")[-1].text
    await chat.say("Cecilia", "ayuda")
    assert "«ALERTA ROJA» decreta una crisis · «FIN DE LA CRISIS» la cierra" in chat.inbox("Cecilia")[-1].text

    before = len(chat.inbox("grupo"))
    await chat.say("Cecilia", "FIN DE LA CRISIS")  # the Spanish keyword, in an English group
    assert not chat.received("grupo", "About the crisis (Cecilia)")  # never the description
    # she is a declarer and work is undone: she is asked first, in her own language; the group hears nothing yet
    assert chat.inbox("grupo")[before:] == []
    assert "¿Cerrar igual?" in chat.inbox("Cecilia")[-1].text


async def test_english_keywords_in_a_spanish_group(tmp_path: Path) -> None:
    chat = await _open(tmp_path, "es", {"Jaime": "en", "Luis": "en"})
    try:
        await chat.say("Jaime", "RED ALERT: the main server is down")
        assert chat.received("grupo", "🚨 ALERTA ROJA · decretada por Jaime")  # the group's language
        assert chat.received("Luis", "📋 Step 2 · Contact Entel")
        await chat.say("Cecilia", "tomo 2")
        assert chat.received("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
        await chat.say("Luis", "take 2")
        assert chat.received("Luis", "Task 2 was taken by Cecilia at 09:00.")
        await chat.say("Luis", "status")
        assert "Contact Entel" in chat.inbox("Luis")[-1].text
        before = len(chat.inbox("grupo"))
        await chat.say("Jaime", "END OF CRISIS")
        assert not chat.received("grupo", "Información de la crisis (Jaime): END OF CRISIS")
        assert chat.inbox("grupo")[before:] == []  # a declarer with work undone is asked first, in his language
        assert "Close anyway?" in chat.inbox("Jaime")[-1].text
    finally:
        await chat.close()
