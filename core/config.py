"""The one settings object: every knob is an environment variable ``CASUSREGIE_*``."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "development-only-secret-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASUSREGIE_", env_file=".env", extra="ignore")

    # "development" (make run, tests) or "production"; production refuses dev defaults.
    environment: str = "development"

    data_dir: Path = Path(".casusregie")
    database_url: str | None = None  # default: SQLite file in data_dir

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Public base URL used in links in notifications.
    public_url: str | None = None

    # With temporal_address set no dev server is started and that cluster is used.
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    temporal_headless: bool = False
    task_queue: str = "casusregie"

    # Encrypts Temporal payloads and sensitive DB columns. Required outside development.
    secret_key: str | None = None

    # Process defaults (per case overridable where the process says so).
    default_decision_days: int = 5
    max_declines_before_takeover: int = 2
    progress_report_days: int = 14
    reminder_days_before: int = 1
    # how long a task completion waits for the read model before it answers anyway
    read_model_sync_wait_seconds: float = Field(default=10.0, gt=0)

    # Notifications: "file" (dev sink under data_dir), "smtp" or "console".
    mail_backend: str = "file"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "casusregie@zorgkantoor.invalid"

    log_level: str = "INFO"
    log_json: bool | None = None  # default: JSON when stderr (where logs go) is not a TTY

    @model_validator(mode="after")
    def _decision_days_per_step_plan(self) -> Settings:
        if self.default_decision_days not in (5, 10):
            raise ValueError("CASUSREGIE_DEFAULT_DECISION_DAYS must be 5 or 10 (the step plan)")
        return self

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> Settings:
        if self.environment != "development" and (
            not self.secret_key or self.secret_key == DEV_SECRET
        ):
            raise ValueError(
                "CASUSREGIE_SECRET_KEY must be set to a real secret outside development"
            )
        return self

    @property
    def effective_secret(self) -> str:
        return self.secret_key or DEV_SECRET

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key per purpose, derived from the one secret."""
        return hashlib.sha256(f"{purpose}:{self.effective_secret}".encode()).digest()

    def fernet_key(self, purpose: str) -> bytes:
        return base64.urlsafe_b64encode(self.derived_key(purpose))

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'casusregie.db').resolve()}"

    @property
    def effective_temporal_address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    @property
    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
