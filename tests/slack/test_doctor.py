"""`crisisbot doctor` against the fake Slack: the token, its scopes, the bot's membership
of the crisis channel, and every directory person found."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.doctor_helpers import line_with, run_doctor
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack.harness import CHANNEL
from tests.support import DIRECTORY

Capsys = pytest.CaptureFixture[str]


def slack_env(fake: FakeSlack, **extra: str) -> dict[str, Any]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL,
            "SLACK_API_URL": fake.api_url, **extra}


def test_all_green(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake))
    assert line_with(out, "Slack: token").startswith("✅") and "@crisisbot" in out
    assert line_with(out, "permisos").startswith("✅")
    assert line_with(out, "canal de crisis").startswith("✅") and "#crisis" in out
    assert line_with(out, "encontradas las 9 personas").startswith("✅")
    assert line_with(out, "Cada persona del directorio (9)").startswith("✅")
    assert "❌" not in out and code == 0
    # secrets appear only as «configurado»
    assert BOT_TOKEN not in out and SIGNING_SECRET not in out and "configurado" in line_with(out, "Slack: token")


def test_a_missing_scope_is_named(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    fake.scopes -= {"users:read.email", "im:write"}
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake))
    line = line_with(out, "faltan permisos")
    assert line.startswith("❌") and "im:write, users:read.email" in line and "OAuth & Permissions" in line
    assert code == 1


def test_the_bot_not_in_the_channel(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    fake.add_channel(CHANNEL, "crisis", member=False)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake))
    line = line_with(out, "canal de crisis")
    assert line.startswith("❌") and "no está" in line and "/invite @crisisbot en #crisis" in line
    assert code == 1


def test_a_channel_the_bot_cannot_see(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake, SLACK_CRISIS_CHANNEL="C0NOWHERE"))
    line = line_with(out, "C0NOWHERE")
    assert line.startswith("❌") and "no existe, o es privado" in line and "/invite @crisisbot" in line
    assert code == 1


def test_unresolved_people_are_named(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    with fake.lock:
        del fake.users["luis@fullpyme.example"]
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake))
    line = line_with(out, "sin encontrar")
    assert "Luis (no hay usuario con luis@fullpyme.example)" in line and "Jaime" not in line
    # Luis has WhatsApp, but WhatsApp is not configured: nobody would reach him
    assert line_with(out, "Ningún canal configurado llega a").endswith("Luis → añade su whatsapp, slack_id o email "
                                                                       "al directorio, o configura el canal que tienen")
    assert code == 1


def test_a_wrong_slack_id_is_named(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    directory = tmp_path / "directory.yaml"
    source = DIRECTORY.read_text(encoding="utf-8").replace("email: luis@fullpyme.example", "slack_id: U0TYPO")
    directory.write_text(source, encoding="utf-8")
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DIRECTORY=str(directory), **slack_env(fake))
    assert "Luis (slack_id U0TYPO desconocido)" in line_with(out, "sin encontrar")
    assert code == 1


def test_the_token_refused(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(fake, SLACK_BOT_TOKEN="xoxb-revoked-token-9999"))
    line = line_with(out, "Slack: el token")
    assert line.startswith("❌") and "invalid_auth" in line and "SLACK_BOT_TOKEN" in line
    assert "xoxb-revoked-token-9999" not in out and code == 1


def test_slack_unreachable_is_a_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: Capsys) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env: dict[str, Any] = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL,
           "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **env)
    line = line_with(out, "Slack no responde")
    assert line.startswith("❌") and f"127.0.0.1:{port}" in line and "SLACK_API_URL" in line
    assert "Traceback" not in out and BOT_TOKEN not in out and code == 1


def test_the_socket_mode_token(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    env = slack_env(fake, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **env)
    assert line_with(out, "Socket Mode").startswith("✅") and code == 0
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **{**env, "SLACK_APP_TOKEN": "xapp-revoked-0000"})
    line = line_with(out, "Socket Mode")
    assert line.startswith("❌") and "invalid_auth" in line and "connections:write" in line
    assert "xapp-revoked-0000" not in out and APP_TOKEN not in out and code == 1


def test_a_slow_check_is_cut_at_the_timeout(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                            capsys: Capsys) -> None:
    fake.latency = 0.4  # every answer takes 0.4 s: the nine lookups, four at a time, take 1.2 s
    started = time.monotonic()
    code, out = run_doctor(monkeypatch, tmp_path, capsys, timeout=0.6, **slack_env(fake))
    assert time.monotonic() - started < 2.5
    assert line_with(out, "Slack: token").startswith("✅")
    line = line_with(out, "Slack no responde")
    assert line.startswith("❌") and "sin respuesta en 0.6 s" in line and code == 1
