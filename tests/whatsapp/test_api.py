"""The HTTP edge: where the library's requests go, and which failures the outbox retries."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.outbox import TransientError
from handlers.whatsapp.api import TwilioHttpClient, retry_after
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio


def test_requests_are_aimed_at_twilio_api_url() -> None:
    default = TwilioHttpClient()
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert default.target(url) == url
    local = TwilioHttpClient("http://127.0.0.1:9/2010-04-01")
    assert local.target(url) == f"http://127.0.0.1:9/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert local.target("https://content.twilio.com/v1/Content?PageSize=50") == "http://127.0.0.1:9/v1/Content?PageSize=50"
    gateway = TwilioHttpClient("https://gateway.example.com/twilio/")
    assert gateway.target(url) == f"https://gateway.example.com/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("7", 7.0), ("-3", 0.0), ("soon", None)])
def test_retry_after_in_seconds(raw: str | None, expected: float | None) -> None:
    assert retry_after(raw) == expected


def test_retry_after_as_a_date() -> None:
    seconds = retry_after(format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True))
    assert seconds is not None and 80 <= seconds <= 91


async def test_429_5xx_and_no_connection_are_transient(twilio: FakeTwilio) -> None:
    client = TwilioHttpClient(twilio.url)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form: dict[str, object] = {"To": "whatsapp:+56911110005", "From": "whatsapp:+14155238886", "Body": "hola"}
    twilio.fail_next(429, retry_after="30")
    with pytest.raises(TransientError) as caught:
        await client.request("POST", url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert caught.value.retry_after == 30.0
    twilio.fail_next(502)
    with pytest.raises(TransientError) as caught:
        await client.request("POST", url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert caught.value.retry_after is None
    twilio.fail_next(400, code=21211)  # a refusal is for the library to raise, not retried
    refused = await client.request("POST", url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert refused.status_code == 400 and '"code": 21211' in refused.text
    ok = await client.request("POST", url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert ok.status_code == 201
    await client.aclose()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens there once closed
    nowhere = TwilioHttpClient(f"http://127.0.0.1:{closed_port}")
    with pytest.raises(TransientError, match="unreachable"):
        await nowhere.request("POST", url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))
    await nowhere.aclose()
