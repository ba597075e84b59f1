from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from bot.app import create_app
from tests.support import settings_for


def test_healthz(tmp_path: Path) -> None:
    with TestClient(create_app(settings_for(tmp_path), features=[])) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()  # the health figures come beside the first two keys (tests/web/test_health.py)
    assert {key: body[key] for key in ("ok", "playbook")} == {"ok": True, "playbook": "fullpyme_contingencia"}


def test_procfile_runs_serve_on_port() -> None:
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    assert procfile.strip() == "web: crisisbot serve --port $PORT"
