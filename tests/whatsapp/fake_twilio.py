"""A local stand-in for Twilio's REST API, on a free port: the Messages API (form-encoded,
basic auth, JSON answers with a MessageSid) and the Content API (templates and WhatsApp
approval requests). It records every call and can be told to answer 429, 5xx or a Twilio
error code (63016...) for the next messages."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
SENDER = "whatsapp:+14155238886"


@dataclass
class Sent:
    """One accepted Messages API call."""

    sid: str
    to: str
    form: dict[str, str]

    @property
    def body(self) -> str | None:
        return self.form.get("Body")

    @property
    def content_sid(self) -> str | None:
        return self.form.get("ContentSid")

    @property
    def variables(self) -> dict[str, str]:
        raw = self.form.get("ContentVariables")
        return json.loads(raw) if raw else {}

    @property
    def text(self) -> str:
        """What the person reads first: the body, or the template's main variable."""
        return self.body if self.body is not None else self.variables.get("1", "")


@dataclass
class Failure:
    status: int
    code: int | None = None
    retry_after: str | None = None
    to: str | None = None  # only for messages to this address


@dataclass
class FakeTwilio:
    sent: list[Sent] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)  # calls answered with an error
    contents: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def fail_next(self, status: int, code: int | None = None, retry_after: str | None = None,
                  to: str | None = None, times: int = 1) -> None:
        with self.lock:
            self.failures.extend(Failure(status, code, retry_after, to) for _ in range(times))

    def to(self, number: str) -> list[Sent]:
        return [s for s in self.sent if s.to == f"whatsapp:{number}"]

    def texts_to(self, number: str) -> list[str]:
        return [s.text for s in self.to(number)]

    def find(self, number: str, fragment: str) -> list[Sent]:
        return [s for s in self.to(number) if fragment in s.text]

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return False
                return True

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                if self.path.split("?")[0] == "/v1/Content":
                    with fake.lock:
                        contents = list(fake.contents)
                    self._answer(200, {"contents": contents, "meta": {
                        "page": 0, "page_size": 50, "first_page_url": f"{fake.url}/v1/Content", "previous_page_url": None,
                        "next_page_url": None, "url": f"{fake.url}/v1/Content", "key": "contents"}})
                else:
                    self._answer(404, {"code": 20404, "message": "Not found", "status": 404})

            def do_POST(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                path = self.path.split("?")[0]
                raw = self._body()
                if path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                    self._message({k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()})
                elif path == "/v1/Content":
                    payload = json.loads(raw)
                    content = {**payload, "sid": "HX" + secrets.token_hex(16), "account_sid": ACCOUNT_SID,
                               "url": f"{fake.url}/v1/Content/x", "links": {}}
                    with fake.lock:
                        fake.contents.append(content)
                    self._answer(201, content)
                elif path.startswith("/v1/Content/") and path.endswith("/ApprovalRequests/whatsapp"):
                    payload = json.loads(raw)
                    approval = {**payload, "content_type": "twilio/text", "status": "received",
                                "sid": path.split("/")[3]}
                    with fake.lock:
                        fake.approvals.append(approval)
                    self._answer(201, approval)
                else:
                    self._answer(404, {"code": 20404, "message": "Not found", "status": 404})

            def _message(self, form: dict[str, str]) -> None:
                with fake.lock:
                    failure = next((f for f in fake.failures if f.to in (None, form.get("To"))), None)
                    if failure is not None:
                        fake.failures.remove(failure)
                        fake.refused.append(form)
                if failure is not None:
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    self._answer(failure.status, {"code": failure.code or failure.status, "status": failure.status,
                                                  "message": "scripted failure", "more_info": ""}, headers)
                    return
                if not form.get("To") or not (form.get("Body") or form.get("ContentSid")):
                    self._answer(400, {"code": 21619, "message": "A text message body or media urls must be specified.",
                                       "status": 400})
                    return
                sid = "SM" + secrets.token_hex(16)
                with fake.lock:
                    fake.sent.append(Sent(sid, form["To"], form))
                self._answer(201, {"sid": sid, "account_sid": ACCOUNT_SID, "to": form["To"], "from": form.get("From"),
                                   "body": form.get("Body", ""), "status": "queued", "num_segments": "1",
                                   "direction": "outbound-api", "api_version": "2010-04-01"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
