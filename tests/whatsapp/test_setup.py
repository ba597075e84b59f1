"""Turning WhatsApp on: the settings enable the feature, `crisisbot serve` mounts its
routes, and `crisisbot whatsapp plantillas` makes the Content templates it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.cli import main
from bot.features import enabled_features
from handlers.whatsapp.params import param_problems
from handlers.whatsapp.templates import approved_specs
from tests.support import DIRECTORY, PLAYBOOK, settings_for
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.whatsapp.harness import PUBLIC, sign, whatsapp_settings

DRILL_TEMPLATES = ("crisisbot_simulacro_aviso", "crisisbot_simulacro_tarea", "crisisbot_simulacro_aviso_en",
                   "crisisbot_simulacro_tarea_en")


def test_the_settings_turn_whatsapp_on(tmp_path: Path, twilio: FakeTwilio) -> None:
    assert "whatsapp" not in [f.name for f in enabled_features(settings_for(tmp_path))]
    settings = whatsapp_settings(tmp_path, twilio)
    assert "whatsapp" in [f.name for f in enabled_features(settings)]
    with TestClient(create_app(settings)) as client:  # the features from the settings, as `serve` does
        form = {"MessageSid": "SM" + "9" * 32, "From": "whatsapp:+56911110004", "To": SENDER, "Body": "estado",
                "NumMedia": "0", "AccountSid": ACCOUNT_SID}
        response = client.post("/twilio/whatsapp", data=form, headers={"X-Twilio-Signature": sign("/twilio/whatsapp", form)})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert client.portal is not None
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        client.portal.call(runtime.outbox.drain)
    assert [s.text for s in twilio.to("+56911110004")] == ["No hay ninguna crisis abierta."]
    [call] = twilio.sent
    assert call.form["From"] == SENDER and call.form["StatusCallback"] == f"{PUBLIC}/twilio/status"


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, twilio: FakeTwilio) -> FakeTwilio:
    for name, value in {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": SENDER,
        "TWILIO_API_URL": twilio.url + "/2010-04-01", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY), "LANG": "es",
    }.items():
        monkeypatch.setenv(name, value)
    return twilio


def test_plantillas_creates_the_templates_once(twilio_env: FakeTwilio, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatsapp", "plantillas", "--listar"]) == 1  # none yet
    assert "TWILIO_CONTENT_NOTICE=  # crisisbot_aviso: no existe" in capsys.readouterr().out
    assert main(["whatsapp", "plantillas"]) == 0
    out = capsys.readouterr().out
    by_name = {c["friendly_name"]: c for c in twilio_env.contents}
    assert set(by_name) == {"crisisbot_aviso", "crisisbot_tarea", "crisisbot_aviso_en", "crisisbot_tarea_en",
                            "crisisbot_botones_1", "crisisbot_botones_2", "crisisbot_botones_3",
                            *(f"crisisbot_lista_{n}" for n in range(1, 11)),  # list pickers: a case question's options
                            *DRILL_TEMPLATES}  # issue 14: a drill outside the window says so in the template's own text
    assert f"TWILIO_CONTENT_NOTICE={by_name['crisisbot_aviso']['sid']}  # crisisbot_aviso: creada" in out
    assert f"TWILIO_CONTENT_BUTTONS_3={by_name['crisisbot_botones_3']['sid']}" in out

    notice = by_name["crisisbot_aviso"]
    assert notice["language"] == "es" and set(notice["variables"]) == {"1", "2", "3"}
    assert all(param_problems(sample) == [] for sample in notice["variables"].values())  # valid samples
    body = notice["types"]["twilio/text"]["body"]
    assert "{{1}}" in body and "{{3}}" in body
    task = by_name["crisisbot_tarea"]["types"]["twilio/quick-reply"]
    assert [(a["title"], a["id"]) for a in task["actions"]] == [("Lo tomo", "{{3}}"), ("Hecho", "{{4}}"), ("No puedo", "{{5}}")]
    assert all(param_problems(by_name["crisisbot_tarea"]["variables"][k]) == [] for k in ("1", "2"))
    # WhatsApp's review approved both: no variable at an edge of the body, none side by side.
    assert {a["name"]: a["status"] for a in twilio_env.approvals} == {
        "crisisbot_aviso": "approved", "crisisbot_tarea": "approved", "crisisbot_aviso_en": "approved",
        "crisisbot_tarea_en": "approved", **{name: "approved" for name in DRILL_TEMPLATES}}
    three = by_name["crisisbot_botones_3"]["types"]["twilio/quick-reply"]
    assert three["body"] == "{{1}}"
    assert [(a["type"], a["title"], a["id"]) for a in three["actions"]] == [
        ("QUICK_REPLY", "{{2}}", "{{3}}"), ("QUICK_REPLY", "{{4}}", "{{5}}"), ("QUICK_REPLY", "{{6}}", "{{7}}")]
    assert {a["category"] for a in twilio_env.approvals} == {"UTILITY"}
    # A template's language is part of what WhatsApp approves: the English ones, for people
    # whose `lang` is en, under their own setting.
    english = by_name["crisisbot_aviso_en"]
    assert english["language"] == "en" and english["types"]["twilio/text"]["body"].endswith("the whole message.")
    assert f"TWILIO_CONTENT_NOTICE_EN={english['sid']}  # crisisbot_aviso_en: creada" in out
    english_task = by_name["crisisbot_tarea_en"]["types"]["twilio/quick-reply"]
    assert [a["title"] for a in english_task["actions"]] == ["I'll take it", "Done", "I can't"]

    assert main(["whatsapp", "plantillas"]) == 0  # again: nothing new
    assert len(twilio_env.contents) == 17 + len(DRILL_TEMPLATES) and "ya existe" in capsys.readouterr().out


def test_plantillas_keeps_a_template_made_in_english_before(twilio_env: FakeTwilio,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """With CRISISBOT_LANG=en, older versions made `crisisbot_aviso` in English: it is the
    English notice now, and a Spanish one is made beside it."""
    english = approved_specs("en", "es")[0]
    twilio_env.install("HX" + "e" * 32, {"friendly_name": "crisisbot_aviso", "language": "en",
                                         "variables": english.variables, "types": english.types}, approved=True)
    assert main(["whatsapp", "plantillas"]) == 0
    out = capsys.readouterr().out
    assert f"TWILIO_CONTENT_NOTICE_EN={'HX' + 'e' * 32}  # crisisbot_aviso_en: ya existe" in out
    [spanish] = [c for c in twilio_env.contents if c["friendly_name"] == "crisisbot_aviso" and c["language"] == "es"]
    assert f"TWILIO_CONTENT_NOTICE={spanish['sid']}  # crisisbot_aviso: creada" in out


def test_plantillas_needs_twilio(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    assert main(["whatsapp", "plantillas"]) == 1
    assert "TWILIO_ACCOUNT_SID" in capsys.readouterr().err


def test_plantillas_with_a_wrong_token(twilio_env: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong")
    assert main(["whatsapp", "plantillas"]) == 1
    err = capsys.readouterr().err
    assert "Twilio" in err and "wrong" not in err


def test_run_serves_the_web_app_when_twilio_is_configured(twilio_env: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.app

    served: list[int | None] = []

    def fake_serve(settings: object, port: int | None) -> int:
        served.append(port)
        return 0

    monkeypatch.setattr(bot.app, "serve", fake_serve)
    assert main(["run"]) == 0
    assert served == [None]
