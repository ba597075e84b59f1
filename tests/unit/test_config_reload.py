"""A changed directory file is taken without a restart once it validates (polled, or on
SIGHUP), everywhere the directory is used; an invalid change is refused with file and line
in the log and the running directory stays."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from flows.directory import Directory, Person
from handlers.slack.people import SlackPeople
from tests.support import DIRECTORY, Chat, settings_for

DIR = DIRECTORY.read_text(encoding="utf-8")
ANA = '  - id: ana\n    name: Ana Soto\n    roles: [declarantes]\n    whatsapp: "+56911110099"\n'


async def open_chat(tmp_path: Path, interval: float = 0.0) -> tuple[Chat, Path]:
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIR, encoding="utf-8")
    chat = await Chat.open(settings_for(tmp_path, directory=directory, directory_reload_seconds=interval))
    return chat, directory


async def test_a_new_hire_and_a_new_number_are_taken_without_a_restart(tmp_path: Path) -> None:
    chat, path = await open_chat(tmp_path)
    try:
        assert chat.rt.directory.find("Ana") == []
        path.write_text(DIR.replace('whatsapp: "+56911110005"', 'whatsapp: "+56911110055"') + ANA, encoding="utf-8")
        assert chat.rt.reload is not None
        assert await chat.rt.reload.check()
        for holder in (chat.rt, chat.rt.service, chat.rt.service.router):
            assert holder.directory.get("luis").whatsapp == "+56911110055"  # type: ignore[union-attr]
        await chat.say("Ana", "ALERTA ROJA")  # a declarer from now on: the engine knows her
        assert chat.inbox("Ana"), "the new hire got nothing"
        assert chat.inbox("grupo"), "no crisis declared by the new hire"
    finally:
        await chat.close()


async def test_an_invalid_change_is_refused_with_file_and_line_and_the_directory_stays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    chat, path = await open_chat(tmp_path)
    try:
        before = chat.rt.directory
        broken = DIR.replace('whatsapp: "+56911110005"', 'whatsapp: "5"') + ANA
        path.write_text(broken, encoding="utf-8")
        line = broken[:broken.index('whatsapp: "5"')].count("\n") + 1
        with caplog.at_level(logging.ERROR, logger="bot.reload"):
            assert not await chat.rt.reload.check()  # type: ignore[union-attr]
        assert [r.getMessage() for r in caplog.records] == [
            f"Directorio {path} cambiado pero no válido; sigue el anterior: {path}:{line}: persona «Luis», whatsapp: «5» "
            "no es un número en formato internacional E.164 (como +56912345678: «+», código de país y número, sin espacios)"]
        assert chat.rt.directory is before and chat.rt.service.directory is before
        assert chat.rt.directory.find("Ana") == []
        caplog.clear()
        assert not await chat.rt.reload.check()  # type: ignore[union-attr]  # reported once, not at every look
        assert caplog.records == []
    finally:
        await chat.close()


async def test_the_file_is_watched_and_sighup_reads_it_at_once(tmp_path: Path) -> None:
    chat, path = await open_chat(tmp_path, interval=0.05)
    try:
        path.write_text(DIR + ANA, encoding="utf-8")
        for _ in range(40):
            await asyncio.sleep(0.025)
            if chat.rt.directory.get("ana"):
                break
        assert chat.rt.directory.get("ana") is not None
    finally:
        await chat.close()
    (tmp_path / "hup").mkdir()
    chat, path = await open_chat(tmp_path / "hup", interval=0)
    try:
        stamp = path.stat()
        path.write_text(DIR.replace("name: Luis\n", "name: Luis Pérez\n"), encoding="utf-8")
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # a change polling could not see: only the signal
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(40):
            await asyncio.sleep(0.025)
            if chat.rt.directory["luis"].name == "Luis Pérez":
                break
        assert chat.rt.directory["luis"].name == "Luis Pérez"
    finally:
        await chat.close()


class FakeSlack:
    """users.lookupByEmail and conversations.open, answered as Slack answers them."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users  # e-mail -> user id
        self.calls: list[str] = []

    async def users_lookupByEmail(self, email: str) -> dict[str, Any]:  # noqa: N802 (Slack's method name)
        self.calls.append(email)
        if email not in self.users:
            from slack_sdk.errors import SlackApiError

            raise SlackApiError("users_not_found", {"ok": False, "error": "users_not_found"})
        return {"ok": True, "user": {"id": self.users[email], "deleted": False, "is_bot": False}}

    async def conversations_open(self, users: str) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + users}}


async def test_slack_looks_up_only_new_and_changed_people() -> None:
    old = Directory(people=[Person(id="luis", name="Luis", email="luis@x.example"),
                            Person(id="vale", name="Valeria", email="vale@x.example"),
                            Person(id="pepe", name="Pepe", slack_id="U0PEPE")])
    new = Directory(people=[Person(id="luis", name="Luis", email="luis@x.example"),
                            Person(id="vale", name="Valeria", email="valeria@x.example"),
                            Person(id="ana", name="Ana", email="ana@x.example")])
    slack = FakeSlack({"luis@x.example": "U0LUIS", "vale@x.example": "U0OLD", "valeria@x.example": "U0VALE",
                       "ana@x.example": "U0ANA"})
    people = SlackPeople()
    await people.resolve(slack, old)  # type: ignore[arg-type]
    slack.calls.clear()
    await people.refresh(slack, old, new)  # type: ignore[arg-type]
    assert sorted(slack.calls) == ["ana@x.example", "valeria@x.example"]
    assert (people.user_of("ana"), people.user_of("vale"), people.user_of("luis"), people.user_of("pepe")) == (
        "U0ANA", "U0VALE", "U0LUIS", None)
    assert people.person_of("U0OLD") is None and people.person_of("U0PEPE") is None
