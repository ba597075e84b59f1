"""Settings from the environment or `.env` (pydantic-settings). Secrets never have defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///crisisbot.db"
    playbook: Path = Path("playbooks/fullpyme_contingencia.yaml")
    directory: Path = Path("playbooks/directory.example.yaml")
    lang: str = "es"  # language of the company group; each person has their own
    port: int = 8000
    log_level: str = "INFO"
    outbox_max_attempts: int = 8
    # The public address of `crisisbot serve` (signature checks behind a proxy, links in chat).
    public_base_url: str = "http://localhost:8000"
    # Signs dashboard links. Without it a random key is made at start-up (links die on restart).
    secret_key: SecretStr | None = None
