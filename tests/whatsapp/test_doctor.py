"""`crisisbot doctor` against the fake Twilio: the credentials, the sender, each Content
template present and approved, PUBLIC_BASE_URL and the URL Twilio signs."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from bot.settings_errors import SettingsError, load_settings
from handlers.whatsapp.templates import approved_specs, specs
from tests.doctor_helpers import line_with, run_doctor
from tests.support import DIRECTORY
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.whatsapp.harness import PUBLIC, TEMPLATES

Capsys = pytest.CaptureFixture[str]


def install_templates(twilio: FakeTwilio, unapproved: tuple[str, ...] = ()) -> None:
    """The bot's templates in the account under the harness's ids, approved by WhatsApp
    (but the settings named in `unapproved`)."""
    for spec in specs("es"):
        content = {"friendly_name": spec.name, "language": "es", "variables": spec.variables, "types": spec.types}
        twilio.install(TEMPLATES[spec.setting.lower()], content, approved=spec.approval and spec.setting not in unapproved)


def twilio_env(twilio: FakeTwilio, **extra: str) -> dict[str, Any]:
    return {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": SENDER,
            "TWILIO_API_URL": twilio.url, "PUBLIC_BASE_URL": PUBLIC,
            **{name.upper(): sid for name, sid in TEMPLATES.items()}, **extra}


def test_all_green(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio))
    assert line_with(out, "Twilio: credenciales").startswith("✅") and "configurado" in out
    assert line_with(out, "TWILIO_CONTENT_NOTICE").startswith("✅") and "aprobada" in line_with(out, "TWILIO_CONTENT_NOTICE")
    assert line_with(out, "TWILIO_CONTENT_TASK").startswith("✅")
    assert line_with(out, "TWILIO_CONTENT_BUTTONS_3").startswith("✅")
    url = line_with(out, "Twilio debe llamar")
    assert url.startswith("✅") and f"{PUBLIC}/twilio/whatsapp" in url and f"{PUBLIC}/twilio/status" in url
    assert line_with(out, "sandbox").startswith("⚠️")  # the harness's sender is Twilio's sandbox number
    assert "❌" not in out and code == 0
    assert AUTH_TOKEN not in out  # the account's answer holds it too: never printed


def test_a_template_not_approved(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: Capsys) -> None:
    install_templates(twilio, unapproved=("TWILIO_CONTENT_NOTICE", "TWILIO_CONTENT_TASK"))
    with twilio.lock:
        twilio.approvals.append({"sid": TEMPLATES["twilio_content_task"], "name": "crisisbot_tarea", "category": "UTILITY",
                                 "status": "rejected", "rejection_reason": "a placeholder at the end"})
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio))
    notice = line_with(out, "TWILIO_CONTENT_NOTICE")
    assert notice.startswith("❌") and "no aprobada por WhatsApp (estado: unsubmitted)" in notice
    task = line_with(out, "TWILIO_CONTENT_TASK")
    assert task.startswith("❌") and "rejected: a placeholder at the end" in task and "Content Template Builder" in task
    assert code == 1


def test_templates_missing_from_the_account_or_the_settings(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    env = twilio_env(twilio, TWILIO_CONTENT_TASK="HX" + "f" * 32)
    del env["TWILIO_CONTENT_NOTICE"], env["TWILIO_CONTENT_BUTTONS_2"]
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **env)
    assert line_with(out, "TWILIO_CONTENT_TASK=HX" + "f" * 32).startswith("❌")
    notice = line_with(out, "TWILIO_CONTENT_NOTICE")
    assert notice.startswith("❌") and "crisisbot whatsapp plantillas" in notice  # needed outside the window
    assert line_with(out, "TWILIO_CONTENT_BUTTONS_2").startswith("⚠️")  # numbered text instead of buttons
    assert code == 1


@pytest.mark.parametrize(("base", "to_configure"), [
    ("http://crisis.example.com", "https://crisis.example.com/twilio/whatsapp"),
    ("http://localhost:8000", "https://…/twilio/whatsapp"),
    ("https://192.168.1.20", "https://…/twilio/whatsapp"),
])
def test_public_base_url_twilio_cannot_call(base: str, to_configure: str, twilio: FakeTwilio,
                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, PUBLIC_BASE_URL=base))
    line = line_with(out, "PUBLIC_BASE_URL=")
    assert line.startswith("❌") and to_configure in line  # the URL to configure, in the fix
    assert code == 1


def test_credentials_refused(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, TWILIO_AUTH_TOKEN="a-wrong-token-1234"))
    line = line_with(out, "Twilio rechaza")
    assert line.startswith("❌") and "HTTP 401, error 20003" in line and "console.twilio.com" in line
    assert "a-wrong-token-1234" not in out and code == 1


def test_a_suspended_account(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    twilio.account_status = "suspended"
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio))
    assert line_with(out, "está suspended").startswith("❌") and code == 1


def test_twilio_unreachable_is_a_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: Capsys, twilio: FakeTwilio) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, TWILIO_API_URL=f"http://127.0.0.1:{port}"))
    line = line_with(out, "Twilio no responde")
    assert line.startswith("❌") and "TWILIO_API_URL" in line
    assert "Traceback" not in out and AUTH_TOKEN not in out and code == 1


def test_a_partial_twilio_setup_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_WHATSAPP_FROM=SENDER)
    assert line_with(out, "falta TWILIO_AUTH_TOKEN").startswith("❌") and code == 1


@pytest.mark.parametrize(("sender", "verdict"), [("+14155550100", "✅"), ("14155550100", "❌"), ("+56 9 1111 0001", "❌")])
def test_the_sms_sender_looks_e164(sender: str, verdict: str, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, TWILIO_SMS_FROM=sender))
    assert line_with(out, "SMS:").startswith(verdict)
    assert code == (0 if verdict == "✅" else 1)


@pytest.mark.parametrize(("sender", "verdict"), [("whatsapp:+56229990000", "✅"), ("+56229990000", "✅"),
                                                 ("whatsapp:+14155238886", "⚠️"), ("whatsapp:56229990000", "❌"),
                                                 ("whatsapp:+56 2 2999 0000", "❌")])
def test_the_whatsapp_sender(sender: str, verdict: str, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path, capsys: Capsys) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, TWILIO_WHATSAPP_FROM=sender))
    assert line_with(out, "remitente").startswith(verdict)
    assert code == (1 if verdict == "❌" else 0)


def test_sms_without_whatsapp(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    env: dict[str, Any] = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+14155550100",
           "TWILIO_API_URL": twilio.url, "PUBLIC_BASE_URL": PUBLIC}
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **env)
    assert line_with(out, "Twilio: credenciales").startswith("✅")
    assert line_with(out, "WhatsApp: no configurado").startswith("➖")
    assert line_with(out, "SMS:").startswith("✅")
    assert f"{PUBLIC}/twilio/sms" in line_with(out, "Twilio debe llamar")
    assert line_with(out, "Cada persona del directorio (9)").startswith("✅")  # everyone has a phone: SMS reaches them
    assert "TWILIO_CONTENT" not in out and code == 0


def test_a_language_the_directory_reads_without_its_templates(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path, capsys: Capsys) -> None:
    """Valeria reads English: without English templates she gets the Spanish frame (a
    warning); an English template named but not approved does not reach her (a failure)."""
    install_templates(twilio)
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY.read_text(encoding="utf-8").replace("    name: Valeria\n", "    name: Valeria\n    lang: en\n"),
                         encoding="utf-8")
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, DIRECTORY=str(directory)))
    line = line_with(out, "TWILIO_CONTENT_NOTICE_EN")
    assert line.startswith("⚠️") and "«en»" in line and "«es»" in line and "crisisbot whatsapp plantillas" in line
    assert line_with(out, "TWILIO_CONTENT_TASK_EN").startswith("⚠️") and code == 0

    [notice] = approved_specs("en", "es")[:1]
    twilio.install("HX" + "c" * 32, {"friendly_name": notice.name, "language": "en", "variables": notice.variables,
                                     "types": notice.types}, approved=False)
    code, out = run_doctor(monkeypatch, tmp_path, capsys,
                           **twilio_env(twilio, DIRECTORY=str(directory), TWILIO_CONTENT_NOTICE_EN="HX" + "c" * 32))
    assert line_with(out, "TWILIO_CONTENT_NOTICE_EN").startswith("❌") and code == 1


def test_nobody_reads_english_no_english_lines(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: Capsys) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio))
    assert "_EN" not in out and code == 0


def test_a_template_setting_that_is_not_an_id_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, TWILIO_CONTENT_NOTICE_EN="crisisbot_aviso_en")
    line = line_with(out, "TWILIO_CONTENT_NOTICE_EN")
    assert line.startswith("❌") and "not a template id (HX and 32 hex digits" in line and code == 1
    assert "crisisbot_aviso_en" not in line  # doctor never prints a setting's value


def test_serve_says_a_template_setting_is_not_an_id_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("TWILIO_CONTENT_TASK_EN", "crisisbot_tarea_en")
    monkeypatch.setenv("TWILIO_CONTENT_NOTICE", "")  # empty: unset, as before
    with pytest.raises(SettingsError) as raised:
        load_settings()
    [line] = raised.value.lines
    assert line.startswith("TWILIO_CONTENT_TASK_EN (") and "«crisisbot_tarea_en» no es un id de plantilla" in line
