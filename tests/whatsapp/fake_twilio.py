"""A local stand-in for Twilio's REST API, on a free port: the Messages API (form-encoded,
basic auth, JSON answers with a MessageSid) and the Content API (templates and WhatsApp
approval requests). It records every call and can be told to answer 429, 5xx or a Twilio
error code (63016...) for the next messages.

As strict as WhatsApp and Twilio (handlers/whatsapp/params.py cites the rules). It refuses
with Twilio's status and code, at once (Twilio reports some of these later, in the status
callback; refusing earlier hides nothing):
- a template message whose ContentVariables are not a JSON object of strings, or leave a
  placeholder of the body or the buttons without a value: 21656 / 63028;
- for an approved template (outside the window), a variable with a new line, a tab or
  more than 4 consecutive spaces: 63013 (Meta 132018); an empty one: 21656; a filled body
  over 1,024 UTF-16 units: 63021; a content whose WhatsApp approval was rejected: 63016;
- a quick-reply button title over 20 characters, a session quick reply over 1,024: 63021;
- a list picker (twilio/list-picker) with a button over 20, other than 1-10 items, an item
  title over 24, an id over 200 or a description over 72: 63021;
- a Body over 1,600: 21617; a ContentSid not in the account: 404 / 20404.
- An approval request for a body that starts or ends with a variable, or with two
  variables side by side, is answered «rejected» (WhatsApp's review: «a placeholder at
  the beginning or end» is not allowed).
- SMS (a From without «whatsapp:»): only from the configured SMS number (21606) to an
  E.164 number (21211); WhatsApp only from the configured sender (63007).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
SENDER = "whatsapp:+14155238886"
SMS_SENDER = "+14155550100"
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
BODY_LIMIT, TEMPLATE_LIMIT, TITLE_LIMIT = 1600, 1024, 20
LIST_BUTTON_LIMIT, LIST_ITEMS, ITEM_TITLE_LIMIT, ITEM_ID_LIMIT, ITEM_DESCRIPTION_LIMIT = 20, 10, 24, 200, 72


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def content_body(content: dict[str, Any]) -> str:
    types = content.get("types") or {}
    for kind in ("twilio/quick-reply", "twilio/list-picker", "twilio/text"):
        if kind in types:
            return str(types[kind].get("body", ""))
    return ""


def content_actions(content: dict[str, Any]) -> list[dict[str, str]]:
    return list((content.get("types") or {}).get("twilio/quick-reply", {}).get("actions", []))


def content_list(content: dict[str, Any]) -> dict[str, Any] | None:
    """A list picker's `button` and `items` (twilio.com/docs/content/twiliolist-picker), if it is one."""
    found = (content.get("types") or {}).get("twilio/list-picker")
    return dict(found) if found is not None else None


def list_problem(picker: dict[str, Any], variables: dict[str, str]) -> str | None:
    """Why Twilio refuses this list picker once filled: button 1-20, 1-10 items, each item's
    title 1-24, id 1-200, description at most 72."""
    items = list(picker.get("items") or [])
    if not 1 <= utf16_len(fill(str(picker.get("button", "")), variables).strip()) <= LIST_BUTTON_LIMIT:
        return "list button"
    if not 1 <= len(items) <= LIST_ITEMS:
        return "list items"
    for item in items:
        title, ident = fill(item.get("item", ""), variables), fill(item.get("id", ""), variables)
        description = fill(item.get("description", ""), variables)
        if not 1 <= utf16_len(title.strip()) <= ITEM_TITLE_LIMIT or not 1 <= len(ident) <= ITEM_ID_LIMIT \
                or utf16_len(description) > ITEM_DESCRIPTION_LIMIT:
            return f"list item {title!r}"
    return None


def fill(text: str, variables: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def approval_problem(body: str) -> str | None:
    """Why WhatsApp's review would reject this body, if it would."""
    stripped = body.strip()
    if VARIABLE.match(stripped) or re.search(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}[\s.,;:!?]*$", stripped):
        return "a placeholder at the beginning or end of the body"
    if re.search(r"\}\}\s*\{\{", stripped):
        return "two placeholders side by side"
    return None


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

    content: dict[str, Any] | None = None  # the template it used, as stored

    @property
    def text(self) -> str:
        """What the person reads: the body, or the template's body with its variables."""
        if self.body is not None:
            return self.body
        if self.content is None:
            return self.variables.get("1", "")
        return fill(content_body(self.content), self.variables)

    @property
    def buttons(self) -> dict[str, str]:
        """A quick reply's buttons as the phone shows them: title -> payload."""
        if self.content is None:
            return {}
        return {fill(a["title"], self.variables): fill(a.get("id", ""), self.variables)
                for a in content_actions(self.content)}


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
    sms_from: str | None = SMS_SENDER  # the account's SMS number (None: it has none)
    account_status: str = "active"  # GET /Accounts/{sid}.json: active, suspended or closed
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

    def install(self, sid: str, content: dict[str, Any], approved: bool) -> None:
        """A template already in the account (as made by `crisisbot whatsapp plantillas`)."""
        with self.lock:
            self.contents.append({**content, "sid": sid, "account_sid": ACCOUNT_SID})
            if approved:
                self.approvals.append({"sid": sid, "name": content.get("friendly_name"), "category": "UTILITY",
                                       "status": "approved", "rejection_reason": ""})

    def content(self, sid: str) -> dict[str, Any] | None:
        return next((c for c in self.contents if c["sid"] == sid), None)

    def approval(self, sid: str) -> dict[str, Any] | None:
        return next((a for a in reversed(self.approvals) if a["sid"] == sid), None)

    def fetch(self, path: str) -> tuple[int, dict[str, Any]] | None:
        """GET of one resource: the account, a Content, or its WhatsApp approval status
        (`unsubmitted` until an approval request is made). None: not a path served here."""
        if path == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json":
            return 200, {"sid": ACCOUNT_SID, "friendly_name": "FullPyme", "status": self.account_status, "type": "Full",
                         "auth_token": AUTH_TOKEN, "owner_account_sid": ACCOUNT_SID, "date_created": None,
                         "date_updated": None, "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}.json", "subresource_uris": {}}
        parts = path.split("/")  # ["", "v1", "Content", sid(, "ApprovalRequests")]
        if len(parts) not in (4, 5) or parts[1:3] != ["v1", "Content"] or (len(parts) == 5 and parts[4] != "ApprovalRequests"):
            return None
        with self.lock:
            content, approval = self.content(parts[3]), self.approval(parts[3])
        if content is None:
            return 404, {"code": 20404, "message": f"The requested resource {path} was not found", "status": 404}
        if len(parts) == 4:
            return 200, content
        whatsapp = approval or {"name": content.get("friendly_name"), "category": "", "status": "unsubmitted",
                                "rejection_reason": ""}
        return 200, {"sid": parts[3], "account_sid": ACCOUNT_SID, "url": f"{self.url}{path}",
                     "whatsapp": {"type": "whatsapp", "content_type": next(iter(content.get("types") or {"twilio/text": 0})),
                                  **whatsapp}}

    def to(self, number: str) -> list[Sent]:
        return [s for s in self.sent if s.to == f"whatsapp:{number}"]

    def sms_to(self, number: str) -> list[Sent]:
        return [s for s in self.sent if s.to == number]

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

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if self.path.split("?")[0] == "/v1/Content":
                    with fake.lock:
                        contents = list(fake.contents)
                    self._answer(200, {"contents": contents, "meta": {
                        "page": 0, "page_size": 50, "first_page_url": f"{fake.url}/v1/Content", "previous_page_url": None,
                        "next_page_url": None, "url": f"{fake.url}/v1/Content", "key": "contents"}})
                elif (found := fake.fetch(self.path.split("?")[0])) is not None:
                    self._answer(*found)
                else:
                    self._answer(404, {"code": 20404, "message": "Not found", "status": 404})

            def do_POST(self) -> None:
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
                    sid = path.split("/")[3]
                    with fake.lock:
                        stored = fake.content(sid)
                    if stored is None:
                        self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                        return
                    problem = approval_problem(content_body(stored))
                    if not stored.get("language"):
                        problem = "the content has no language"
                    with fake.lock:  # WhatsApp: one template per name and language
                        taken = [a for a in fake.approvals if a.get("name") == payload.get("name")
                                 and a["status"] == "approved" and (fake.content(a["sid"]) or {}).get("language")
                                 == stored.get("language")]
                    if taken:
                        problem = "a template with this name and language already exists"
                    approval = {**payload, "content_type": next(iter(stored.get("types") or {"twilio/text": 0})),
                                "status": "rejected" if problem else "approved", "rejection_reason": problem or "",
                                "sid": sid}
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
                refusal, content = fake.check(form)
                if refusal is not None:
                    with fake.lock:
                        fake.refused.append(form)
                    status, code, message = refusal
                    self._answer(status, {"code": code, "message": message, "status": status,
                                          "more_info": f"https://www.twilio.com/docs/errors/{code}"})
                    return
                sid = "SM" + secrets.token_hex(16)
                with fake.lock:
                    fake.sent.append(Sent(sid, form["To"], form, content))
                self._answer(201, {"sid": sid, "account_sid": ACCOUNT_SID, "to": form["To"], "from": form.get("From"),
                                   "body": form.get("Body", ""), "status": "queued", "num_segments": "1",
                                   "direction": "outbound-api", "api_version": "2010-04-01"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def check(self, form: dict[str, str]) -> tuple[tuple[int, int, str] | None, dict[str, Any] | None]:
        """(status, code, message) of Twilio's refusal of this Messages API call, if any;
        and the content it uses."""
        to, sender, body, content_sid = form.get("To", ""), form.get("From", ""), form.get("Body"), form.get("ContentSid")
        if sender.startswith("whatsapp:"):
            if sender != SENDER:
                return (400, 63007, "Twilio could not find a Channel with the specified From address"), None
            if not to.startswith("whatsapp:") or not E164.match(to.removeprefix("whatsapp:")):
                return (400, 21211, f"The 'To' number {to} is not a valid phone number."), None
        else:
            if self.sms_from is None or sender != self.sms_from:
                return (400, 21606, ("The 'From' phone number provided is not a valid message-capable Twilio phone "
                                     "number for this destination/account")), None
            if not E164.match(to):
                return (400, 21211, f"The 'To' number {to} is not a valid phone number."), None
            if content_sid:
                return (400, 21656, "The ContentVariables Parameter is invalid."), None
        if not (body or content_sid):
            return (400, 21619, "A text message body or media urls must be specified."), None
        if body is not None and content_sid:
            return (400, 35127, "'Messages' Body and 'ContentVariables' cannot be provided together"), None
        if body is not None:
            if utf16_len(body) > BODY_LIMIT:
                return (400, 21617, "The concatenated message body exceeds the 1600 character limit"), None
            return None, None
        assert content_sid is not None
        with self.lock:
            content = self.content(content_sid)
            approval = self.approval(content_sid)
        if content is None:
            return (404, 20404, f"The requested resource {content_sid} was not found"), None
        try:
            variables = json.loads(form.get("ContentVariables") or "{}")
        except ValueError:
            return (400, 21656, "The ContentVariables Parameter is invalid."), content
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            return (400, 21656, "The ContentVariables Parameter is invalid."), content
        body_template = content_body(content)
        used = VARIABLE.findall(body_template) + [
            name for action in content_actions(content) for field in ("title", "id")
            for name in VARIABLE.findall(action.get(field, ""))]
        picker = content_list(content)
        if picker is not None:
            used += VARIABLE.findall(str(picker.get("button", ""))) + [
                name for item in picker.get("items") or [] for field in ("item", "id", "description")
                for name in VARIABLE.findall(item.get(field, ""))]
        if any(name not in variables for name in used):
            return (400, 63028, "Number of parameters provided does not match the expected number of parameters"), content
        filled = fill(body_template, variables)
        approved = approval is not None and approval.get("status") == "approved"
        if approval is not None and approval.get("status") == "rejected":
            return (400, 63016, ("Failed to send freeform message because you are outside the allowed window. "
                                 "This template was rejected by WhatsApp.")), content
        if approved:
            for name in VARIABLE.findall(body_template):
                value = variables[name]
                if not value.strip():
                    return (400, 21656, f"ContentVariables {name} is empty"), content
                if re.search(r"[\r\n\t]", value) or "     " in value:
                    return (400, 63013, ("Channel policy violation: Param text cannot have new-line/tab characters "
                                         "or more than 4 consecutive spaces (WhatsApp 132018)")), content
            if utf16_len(filled) > TEMPLATE_LIMIT:
                return (400, 63021, ("Length of the parameters and the template text exceeds the allowed length "
                                     "of 1024 for WhatsApp.")), content
        elif utf16_len(filled) > (TEMPLATE_LIMIT if content_actions(content) or picker is not None else BODY_LIMIT):
            return (400, 63021, "Channel invalid content error: the body is too long"), content
        if picker is not None and (problem := list_problem(picker, variables)) is not None:
            return (400, 63021, f"Channel invalid content error: {problem}"), content
        for action in content_actions(content):
            title = fill(action.get("title", ""), variables)
            if not title.strip() or utf16_len(title) > TITLE_LIMIT:
                return (400, 63021, f"Channel invalid content error: button title {title!r}"), content
        return None, content

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
