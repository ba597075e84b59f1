"""Settings the environment or `.env` gets wrong, said as one line each: the variable,
where it came from (the environment, or `.env` and its line), the reason and what to do.
Never the value of a secret."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails, PydanticUndefined

from bot.settings import NOT_CONTENT_SID, Settings
from flows.texts import CATALOGS, DEFAULT_LANG, t

EXIT_SETTINGS = 2
"""Exit code of every command whose settings are wrong (files: 1; usage: 2, as argparse)."""


class SettingsError(Exception):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def env_file() -> Path:
    return Path(str(Settings.model_config.get("env_file") or ".env"))


def settings_lang() -> str:
    """CRISISBOT_LANG from the environment or `.env`, read without the other settings (which
    may be the broken ones); Spanish when unset or unknown."""
    lang = os.environ.get("CRISISBOT_LANG")
    if lang is None and env_file().is_file():
        try:
            values = {k.upper(): v for k, v in dotenv_values(env_file()).items()}
        except UnicodeDecodeError:  # said by `env_not_utf8`
            values = {}
        lang = values.get("CRISISBOT_LANG")
    return lang if lang in CATALOGS else DEFAULT_LANG


def _origin(name: str, lang: str) -> str:
    if any(key.upper() == name for key in os.environ):
        return t(lang, "config.origin.env")
    path = env_file()
    if path.is_file():
        pattern = re.compile(rf"^\s*(?:export\s+)?{re.escape(name)}\s*=", re.IGNORECASE)
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if pattern.match(line):
                return t(lang, "config.origin.dotenv", file=path, line=number)
    return t(lang, "config.origin.env")


def _secret(field: str) -> bool:
    info = Settings.model_fields.get(field)
    return info is not None and SecretStr in getattr(info.annotation, "__args__", (info.annotation,))


def _reason(error: ErrorDetails, field: str, lang: str) -> str:
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    value: Any = error.get("input")
    if isinstance(value, str) and not value.strip():
        return t(lang, "config.setting.empty")
    shown = "***" if _secret(field) else str(value)[:60]
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return t(lang, "config.setting.int", value=shown)
    if kind in ("float_parsing", "float_type"):
        return t(lang, "config.setting.float", value=shown)
    if kind in ("bool_parsing", "bool_type"):
        return t(lang, "config.setting.bool", value=shown)
    if kind in ("literal_error", "enum"):
        return t(lang, "config.setting.choice", value=shown, expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    limits = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if kind in limits:
        bound = next(iter(ctx.values()), "")
        return t(lang, "config.setting.range", value=shown, limit=f"{limits[kind]} {bound}")
    if error["msg"] == f"Value error, {NOT_CONTENT_SID}":  # bot/settings.py: not a Content template id
        return t(lang, "whatsapp.setting.content_sid", value=shown)
    return t(lang, "config.setting.other", reason=error["msg"].removeprefix("Value error, "))


def problems(exc: ValidationError, lang: str) -> list[str]:
    """One line per error of `Settings()`."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = field.upper()
        info = Settings.model_fields.get(field)
        default = info.default if info is not None else PydanticUndefined
        fix = (t(lang, "config.setting.fix_default", default=default) if default not in (PydanticUndefined, None)
               else t(lang, "config.setting.fix"))
        lines.append(t(lang, "config.setting", name=name or "?", origin=_origin(name, lang),
                       reason=_reason(error, field, lang), fix=fix))
    return lines


def env_not_utf8(exc: UnicodeDecodeError, lang: str) -> str:
    """`.env:line: not UTF-8 (byte 0xE9)`: pydantic-settings reads `.env` as UTF-8 and lets
    the decoding error out."""
    path = env_file()
    try:
        raw = path.read_bytes()
        line, byte = raw[: exc.start].count(b"\n") + 1, f"0x{raw[exc.start]:02X}"
    except (OSError, IndexError):
        line, byte = 1, "?"
    return f"{path}:{line}: {t(lang, 'config.not_utf8', byte=byte)}"


def load_settings() -> Settings:
    """`Settings()`, or SettingsError with one line per problem (a `.env` that is not UTF-8
    included), in CRISISBOT_LANG."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(problems(exc, settings_lang())) from None
    except UnicodeDecodeError as exc:
        raise SettingsError([env_not_utf8(exc, settings_lang())]) from None
