from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from handlers.sms.feature import SmsFeature
from tests.whatsapp.fake_twilio import SMS_SENDER, FakeTwilio
from tests.whatsapp.harness import Phones, open_app, whatsapp_settings

OpenPhones = Callable[..., Phones]


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def open_phones(tmp_path: Path, twilio: FakeTwilio) -> Iterator[OpenPhones]:
    """Open the app with settings overrides (templates=False: none configured)."""
    clients: list[TestClient] = []

    def factory(templates: bool = True, extra_features: list[Any] | None = None, **overrides: Any) -> Phones:
        settings = whatsapp_settings(tmp_path, twilio, templates=templates, **overrides)
        client, phones = open_app(settings, twilio, extra_features)
        clients.append(client)
        return phones

    try:
        yield factory
    finally:
        for client in clients:
            client.__exit__(None, None, None)


@pytest.fixture
def phones(open_phones: OpenPhones) -> Phones:
    return open_phones()


@pytest.fixture
def with_sms(tmp_path: Path, twilio: FakeTwilio) -> Iterator[Phones]:
    """The app with WhatsApp and SMS (TWILIO_SMS_FROM) on the same fake Twilio account."""
    settings = whatsapp_settings(tmp_path, twilio, twilio_sms_from=SMS_SENDER)
    client, phones = open_app(settings, twilio, [SmsFeature(settings)])
    try:
        yield phones
    finally:
        client.__exit__(None, None, None)
