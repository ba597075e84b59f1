"""Personal signed links to the dashboard and the session they open (itsdangerous).

A link carries the person and the page it opens, signed and timestamped; it opens for
`panel_link_minutes`. Opening it sets a signed session cookie valid for
`panel_session_hours`. Without SECRET_KEY a random key is made at start-up: links and
sessions then die with the process."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from bot.settings import Settings

log = logging.getLogger(__name__)

ENTRY_PATH = "/panel/acceso"
COOKIE = "crisisbot_panel"
COOKIE_PATH = "/panel"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class Grant:
    person_id: str
    path: str


def secret_from(settings: Settings) -> str:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    log.warning("SECRET_KEY is not set: dashboard links are signed with a random key made now; "
                "they stop working when the process restarts")
    return secrets.token_urlsafe(32)


def _safe_path(path: str) -> str:
    """Only the dashboard's own pages: never an address elsewhere (no open redirect)."""
    if path == COOKIE_PATH or (path.startswith(COOKIE_PATH + "/") and "//" not in path and "\\" not in path):
        return path
    return COOKIE_PATH


class SignedLinks:
    """Implements flows.world.Links for the engine, and checks what it signed."""

    def __init__(
        self, secret: str, base_url: str, link_minutes: int = 120, session_hours: int = 12,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl_minutes = link_minutes
        self.session_seconds = session_hours * 3600
        self.secure = self.base_url.startswith("https://")

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        self._links = URLSafeTimedSerializer(secret, salt="crisisbot.panel.link", signer=_Signer)
        self._sessions = URLSafeTimedSerializer(secret, salt="crisisbot.panel.session", signer=_Signer)
        self._forms = URLSafeTimedSerializer(secret, salt="crisisbot.panel.form", signer=_Signer)
        self.flash = URLSafeTimedSerializer(secret, salt="crisisbot.panel.flash", signer=_Signer)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignedLinks:
        return cls(secret_from(settings), settings.public_base_url, settings.panel_link_minutes, settings.panel_session_hours)

    # flows.world.Links ----------------------------------------------------

    def personal(self, person_id: str, path: str = COOKIE_PATH) -> str:
        token = self._links.dumps({"p": person_id, "n": _safe_path(path)})
        return f"{self.base_url}{ENTRY_PATH}/{quote(str(token))}"

    def page(self, path: str) -> str:
        return f"{self.base_url}{_safe_path(path)}"

    # checking ---------------------------------------------------------------

    def read_link(self, token: str) -> Grant:
        try:
            data = self._links.loads(token, max_age=self.ttl_minutes * 60)
        except SignatureExpired:
            raise LinkExpired() from None
        except BadSignature:
            raise LinkInvalid() from None
        if not isinstance(data, dict) or not isinstance(data.get("p"), str):
            raise LinkInvalid()
        return Grant(data["p"], _safe_path(str(data.get("n", COOKIE_PATH))))

    def session_value(self, person_id: str) -> str:
        return str(self._sessions.dumps(person_id))

    def read_session(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            person_id = self._sessions.loads(value, max_age=self.session_seconds)
        except BadSignature:  # expired or tampered
            return None
        return person_id if isinstance(person_id, str) else None

    # forms (CSRF) -------------------------------------------------------------

    def form_token(self, person_id: str) -> str:
        """A token the dashboard's forms carry: signed for this person, as long-lived as a session."""
        return str(self._forms.dumps(person_id))

    def form_token_ok(self, token: str | None, person_id: str) -> bool:
        if not token:
            return False
        try:
            owner = self._forms.loads(token, max_age=self.session_seconds)
        except BadSignature:
            return False
        return bool(owner == person_id)


class RedactLinks(logging.Filter):
    """Keeps personal links out of the logs: uvicorn's access log writes every request's
    path, and a link's path is what opens the dashboard."""

    _token = re.compile(re.escape(ENTRY_PATH) + r"/[^\s?#\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._token.sub(f"{ENTRY_PATH}/…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self._token.sub(f"{ENTRY_PATH}/…", record.msg)
        return True
