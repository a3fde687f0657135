"""The one settings object: every knob is an environment variable ``CASUSREGIE_*``."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.vocabulary import WORKING_PHASES

# sha256 of secrets that were published in this repository (the development secret of
# earlier versions): refused outside development. No key is a constant in the code.
PUBLISHED_SECRETS_SHA256 = frozenset(
    {"fe56e5c8c0f21d9b67594a7524d31ab45126bef495e716a57e2f062d529cca46"}
)


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
    # how long the API waits for a worker to accept a change (complete, claim, action)
    # before it answers 503 with Retry-After; the attempt is then refused by the workflow
    update_timeout_s: float = 10.0

    # The key ring (core/keys.py, docs/security.md): "id:key,id:key" (first active), or
    # a key file; development generates <data_dir>/keys.json. Required in production.
    secret_keys: SecretStr | None = None  # SecretStr: never in a repr or a log line
    key_file: Path | None = None
    # the single secret of earlier versions: still decrypts what it encrypted (key id
    # "casusregie-1"); active only when no ring is configured
    secret_key: SecretStr | None = None
    # days after a case closed before `casusregie retention apply` destroys its data key
    retention_days: int | None = Field(default=None, ge=1)

    # Temporal over mTLS (client certificate, key and the CA of the frontend's certificate)
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_tls_server_name: str | None = None
    # the Temporal UI's origin, allowed (CORS) to call the codec endpoint /codec/decode
    temporal_ui_origin: str | None = None

    # Process defaults (per case overridable where the process says so).
    default_decision_days: int = 5
    max_declines_before_takeover: int = 2
    progress_report_days: int = 14
    reminder_days_before: int = 1
    # step plan v2: the zorgkantoor's recurring check of bridging care, the evaluation
    # after a placement, and per-phase maximum durations overriding the step plan's
    # (JSON, e.g. {"whole_system_meeting": 21})
    bridging_check_days: int = Field(default=14, ge=1, le=365)
    evaluation_days: int = Field(default=42, ge=1, le=365)
    phase_max_days: dict[str, int] = Field(default_factory=dict)
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
    # the hour (Amsterdam time) of the daily digest for users who chose it (users.notify)
    digest_hour: int = Field(default=7, ge=0, le=23)

    # the worker serves the Temporal SDK's metrics for Prometheus on this port (off: None)
    worker_metrics_port: int | None = None

    # Web sessions (server-side, docs/security.md): ended by logout, after this many
    # minutes without activity, and this many hours after sign-in whatever the activity.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    session_warning_minutes: int = Field(default=5, ge=1)  # the page warns this long before
    # The sign-in page with an API token (a fallback): default on in development or
    # when no identity provider is configured.
    token_sign_in: bool | None = None
    # API tokens expire this many days after they are made or rotated.
    api_token_days: int = Field(default=365, ge=1)
    # An API process remembers a checked token (by its hash) this many seconds: a revoke
    # or rotate-token in another process (the CLI, another API node) takes effect there
    # within this bound; in the same process at once (api/auth.py). 0: no cache.
    token_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    # Proxies trusted to say they terminated TLS (X-Forwarded-Proto/-For): uvicorn's
    # --forwarded-allow-ips, e.g. "127.0.0.1" or "10.0.0.5,10.0.0.6"; empty: none.
    forwarded_allow_ips: str = ""

    # Bounded requests.
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_data_bytes: int = Field(default=64_000, ge=256)  # the JSON of one action's data
    max_list_items: int = Field(default=50, ge=1)  # items of a list in data
    max_item_chars: int = Field(default=500, ge=1)  # characters of one list item
    # Rate limits per user ("N/second|minute|hour|day", the limits library's syntax).
    rate_limit_actions: str = "30/minute"  # case actions, participants, withdrawals
    rate_limit_signals: str = "5/hour"  # stagnation signals (each makes a task and mail)
    rate_limit_storage: str = "memory://"  # e.g. redis://host:6379 for several API nodes

    # Single sign-on with the organisation's identity provider (OpenID Connect).
    oidc_issuer: str | None = None  # e.g. https://login.zorgkantoor.example
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_role_claim: str = "casusregie_role"
    oidc_org_claim: str = "casusregie_org"
    oidc_mapping_file: Path | None = None  # TOML: role and organisation per person/group
    oidc_display_name: str = "uw organisatie"  # "Aanmelden via <name>"
    oidc_leeway_seconds: int = Field(default=60, ge=0)  # clock skew allowed on exp/iat

    log_level: str = "INFO"
    log_json: bool | None = None  # default: JSON when stderr (where logs go) is not a TTY

    @model_validator(mode="after")
    def _known_phases(self) -> Settings:
        phases = {p.value for p in WORKING_PHASES}
        unknown = sorted(set(self.phase_max_days) - phases)
        if unknown or any(days < 1 for days in self.phase_max_days.values()):
            raise ValueError(
                f"CASUSREGIE_PHASE_MAX_DAYS: phases must be among {sorted(phases)} "
                f"with at least 1 day (unknown: {unknown})"
            )
        return self

    @model_validator(mode="after")
    def _decision_days_per_step_plan(self) -> Settings:
        if self.default_decision_days not in (5, 10):
            raise ValueError("CASUSREGIE_DEFAULT_DECISION_DAYS must be 5 or 10 (the step plan)")
        return self

    @model_validator(mode="after")
    def _keys_outside_development(self) -> Settings:
        if self.environment == "development":
            return self
        if not (self.secret_keys or self.key_file or self.secret_key):
            raise ValueError(
                "no encryption key: set CASUSREGIE_SECRET_KEYS or CASUSREGIE_KEY_FILE "
                "outside development (see docs/security.md)"
            )
        if (
            self.secret_key
            and hashlib.sha256(self.secret_key.get_secret_value().encode()).hexdigest()
            in PUBLISHED_SECRETS_SHA256
        ):
            raise ValueError("CASUSREGIE_SECRET_KEY is a published development secret")
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("CASUSREGIE_OIDC_CLIENT_ID is required with CASUSREGIE_OIDC_ISSUER")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def token_sign_in_enabled(self) -> bool:
        if self.token_sign_in is not None:
            return self.token_sign_in
        return self.environment == "development" or not self.oidc_enabled

    @model_validator(mode="after")
    def _tls_pairs(self) -> Settings:
        if bool(self.temporal_tls_cert) != bool(self.temporal_tls_key):
            raise ValueError("CASUSREGIE_TEMPORAL_TLS_CERT and _KEY are set together")
        return self

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key per purpose, derived from the active key of the key ring."""
        from core.keys import key_ring  # core.keys imports this module

        return key_ring(self).derive(purpose)

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
