"""SQLModel tables: the read model the workflow's activities write, plus users and orgs.

The workflow is the source of truth for case and task state; these rows are a
projection written only by activities (and the case row's creation by the API).
Audit events are append-only.

Free text and identifying values are sealed (encrypted at rest, ``db/sealing.py``): a
table lists them in ``__sealed__``; sealing a new column is adding its name there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.sealing import Sealed
from domain.casedata import split_free_text


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    __sealed__: ClassVar[Sealed] = Sealed("email", "webhook_secret")  # under the key ring
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(unique=True, index=True)
    # the kind of organisation: zorgkantoor, aanbieder, oco or auditor
    kind: str
    region: str | None = Field(default=None, index=True)
    # notification settings (issue: notifications)
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["email"], sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
    )
    __sealed__: ClassVar[Sealed] = Sealed("email")  # under the key ring
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str
    role: str = Field(index=True)
    org_id: str = Field(foreign_key="organisations.id", index=True)
    # sha256 of the bearer token; the token itself is shown once and never stored
    token_hash: str = Field(unique=True, index=True)
    email: str | None = None
    # notifications by e-mail: "direct" (each message) or "digest" (a daily overview)
    notify: str = Field(default="direct", sa_column_kwargs={"server_default": "direct"})
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # the API token's end of life (None: tokens made before expiry existed) and last use
    token_expires_at: datetime | None = None
    token_last_used_at: datetime | None = None
    # the person at the organisation's identity provider (single sign-on)
    oidc_issuer: str | None = None
    oidc_subject: str | None = None
    revoked_at: datetime | None = None  # ``casusregie user revoke``: active is then False


class WebSession(SQLModel, table=True):
    """A signed-in browser, server-side: the cookie carries a random id, this row its
    SHA-256. Logout, revocation and timeouts end the row; a copied cookie then opens
    nothing."""

    __tablename__ = "web_sessions"
    id: str = Field(primary_key=True)  # sha256 of the cookie value
    user_id: str = Field(foreign_key="users.id", index=True)
    method: str  # "token" (sign-in page) or "oidc" (the organisation's identity provider)
    csrf_token: str  # bound to this session; every form posts it back
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime  # absolute end, whatever the activity
    ended_at: datetime | None = None
    end_reason: str | None = None  # logout, idle, expired, revoked, token_rotated
    id_token_hint: str | None = None  # for the identity provider's logout


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __sealed__: ClassVar[Sealed] = Sealed(
        "client_ref",
        "summary_encrypted",
        "bridging",
        "notice",
        "consents",
        "case_text",
        "documents",
        case="id",
        search={"client_ref": "client_ref_hash"},
    )
    id: str = Field(default_factory=new_id, primary_key=True)
    workflow_id: str = Field(unique=True)
    client_ref: str
    # keyed hash (HMAC under the key ring) of client_ref, for exact search
    client_ref_hash: str | None = Field(default=None, index=True)
    sector: str = Field(index=True)
    region: str = Field(index=True)
    entry: str
    provider_org: str = Field(index=True)  # current or intended provider (name)
    zorgkantoor_org: str = Field(index=True)
    oco_org: str | None = Field(default=None, index=True)
    decision_days: int = 5
    definition_version: int = 1  # the step-plan version the case runs on (pinned at start)
    # the registration with the provider: the decision clock starts here (v2; None: start)
    registered_at: datetime | None = None
    summary_encrypted: str | None = None  # sealed: plain in memory, never at rest
    status: str = Field(default="open", index=True)
    phase: str = Field(index=True)
    outcome: str | None = None
    phase_since: datetime = Field(default_factory=utcnow)
    meetings_held: int = 0
    overdue: bool = Field(default=False, index=True)
    # since step plan v2
    stalled: bool = Field(default=False, index=True)  # past the phase's maximum duration
    bridging: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    bridging_since: datetime | None = None  # plain beside the sealed arrangement: the monitor
    notice: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # consent records per organisation that receives client data
    consents: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # the structured case data (domain/casedata.py): codes, counted in the reflection
    # even after the case is shredded, and its free text (sealed); document references
    case_data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    case_text: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    documents: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # "pending" until the workflow start is confirmed, then "running"
    workflow_state: str = "pending"
    idempotency_key: str | None = Field(default=None, unique=True)
    created_by: str | None = None  # user id
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    # the early signal the case was started from (at most one case per signal)
    signal_id: str | None = Field(default=None, unique=True, index=True)

    # retention destroyed the case's data key: sealed columns and history are noise
    shredded_at: datetime | None = None

    def all_case_data(self) -> dict[str, Any]:
        return {**(self.case_data or {}), **(self.case_text or {})}

    def set_case_data(self, values: Mapping[str, Any]) -> None:
        codes, text = split_free_text(values)
        self.case_data, self.case_text = codes or None, text or None


class Signal(SQLModel, table=True):
    """An early signal (issue 11): a provider, OCO or zorgkantoor tells the zorgkantoor of
    a region about a client before (or instead of) a case. Created as pending by the API;
    its status, assessment and case link are written by the signal workflow's activity."""

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_sender_created", "sender_org", "created_at"),
        Index("ix_signals_zorgkantoor_created", "zorgkantoor_org", "created_at"),
    )
    id: str = Field(default_factory=new_id, primary_key=True)
    workflow_id: str = Field(unique=True)
    kind: str  # early_information, request_mediation
    mode: str | None = None  # for_information, sparring (early information)
    sector: str
    region: str = Field(index=True)
    provider_org: str
    oco_org: str | None = None
    zorgkantoor_org: str  # the zorgkantoor of the region: it assesses the signal
    sender_org: str
    sender_role: str
    sent_by: str  # user name
    sent_by_id: str  # user id
    # Fernet tokens, never plaintext: the client reference and the signal's text ...
    client_ref_encrypted: str
    note_encrypted: str
    # ... and the assessment's advice and motivation
    advice_encrypted: str | None = None
    motivation_encrypted: str | None = None
    status: str = Field(default="open", index=True)
    outcome: str | None = None
    assessed_by: str | None = None  # user name
    assessed_by_org: str | None = None
    assessed_at: datetime | None = None
    case_id: str | None = None  # the case started from it
    workflow_state: str = "pending"  # "pending" until the workflow start is confirmed
    idempotency_key: str | None = Field(default=None, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None  # retention erased its texts (audit/retention.py)


class CaseKey(SQLModel, table=True):
    """A case's data key, wrapped by a master key of the key ring (``db/case_keys.py``);
    ``wrapped_key`` is None once retention destroyed it."""

    __tablename__ = "case_keys"
    case_id: str = Field(primary_key=True)  # no foreign key: made in the case row's flush
    kek_id: str
    wrapped_key: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    rewrapped_at: datetime | None = None
    shredded_at: datetime | None = None


class CaseParticipant(SQLModel, table=True):
    """Which organisations take part in a case, and as what (drives org scoping)."""

    __tablename__ = "case_participants"
    __table_args__ = (UniqueConstraint("case_id", "org", "capacity"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    org: str = Field(index=True)  # organisation name
    # provider, intended_provider, round_provider, zorgkantoor, oco
    capacity: str
    since: datetime = Field(default_factory=utcnow)


class TaskBase(SQLModel):
    """A task's public fields, declared once: the table adds its private columns, the
    API's ``TaskOut`` is this shape (``TaskOut.model_validate(row)``)."""

    id: str = Field(primary_key=True)  # assigned by the workflow
    # a task belongs to a case, or (``assess_signal``) to an early signal
    case_id: str | None = Field(default=None, foreign_key="cases.id")
    signal_id: str | None = Field(default=None, foreign_key="signals.id", index=True)
    phase: str
    key: str
    title: str
    owner_role: str
    owner_org: str
    supports: list[str] = Field(default_factory=list, sa_type=JSON, nullable=True)
    status: str = "open"
    due_at: datetime | None = None
    overdue: bool = False
    allowed_outcomes: list[str] = Field(default_factory=list, sa_type=JSON, nullable=True)
    outcome: str | None = None
    claimed_by: str | None = None  # user name
    claimed_at: datetime | None = None
    completed_by: str | None = None  # user name
    completed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


# The tasks the reflection report reads (api/services/reflection.py): decisions on
# dossierhoudership, registration rounds, placements and skipped steps. A partial index
# holds just these; the report filters with this same text, because SQLite uses a
# partial index only for a query that repeats its condition literally (no parameters).
REPORTED_TASK_KEYS = (
    "decide_dossierhouder",
    "first_registration_round",
    "second_registration_round",
)
REPORTED_TASKS = (
    f'"key" IN ({", ".join(repr(key) for key in REPORTED_TASK_KEYS)}) '
    "OR outcome = 'placed' OR status = 'skipped'"
)


class Task(TaskBase, table=True):
    __tablename__ = "tasks"
    __sealed__: ClassVar[Sealed] = Sealed("note", "data", "contributions", case="case_id")
    __table_args__ = (
        Index("ix_tasks_inbox", "owner_org", "owner_role", "status", "due_at"),
        # a case's tasks by status (case page, supports section) and everything the
        # monitor's cohorts ask of them, read from the index alone
        Index("ix_tasks_case_cohorts", "case_id", "status", "key", "overdue", "due_at"),
        Index(
            "ix_tasks_reported",
            "case_id",
            sqlite_where=text(REPORTED_TASKS),
            postgresql_where=text(REPORTED_TASKS),
        ),
    )
    note: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    completed_by_org: str | None = None
    claimed_by_id: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    # contributions of supporting roles (step plan v2)
    contributions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # the codes of ``data`` (domain.definitions.coded_facts), plain: the reflection counts them
    codes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class AuditEvent(SQLModel, table=True):
    """Append-only audit log; the case timeline. Ids come from the workflow (idempotent)."""

    __tablename__ = "audit_events"
    __sealed__: ClassVar[Sealed] = Sealed("detail", "before", "after", "motivation", case="case_id")
    __table_args__ = (
        Index("ix_audit_case_at", "case_id", "at", "seq"),
        Index("ix_audit_case_action", "case_id", "action"),  # e.g. a case's stalls
    )
    id: str = Field(primary_key=True)
    case_id: str = Field(index=True)
    seq: int = 0  # order within the case as the workflow emitted it
    at: datetime
    actor: str  # user name, or "systeem" for timers
    actor_id: str | None = None
    role: str | None = None
    org: str | None = None
    action: str
    task_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # the phase ``detail`` names, plain beside it (the reflection counts stalls per phase)
    phase: str | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    motivation: str | None = None
    request_id: str | None = None
    recorded_at: datetime = Field(default_factory=utcnow)


class NotificationOutbox(SQLModel, table=True):
    """One message to one recipient address over one channel (issue 5, notifications).

    Written by the idempotent enqueue activity, advanced by the delivery activity:
    ``pending`` → ``sending`` (attempt started) → ``sent`` | ``failed``; a definitive
    temporary failure puts it back to ``pending``. ``handover_at`` is the fence an
    attempt crosses right before the irreversible hand-over (see docs/notifications.md).
    A user's e-mail held for the daily digest: ``held`` → ``in_digest`` (``digest_id``:
    the digest's own row, event ``daily_digest``) → the digest's outcome.
    Bodies hold ids, Dutch titles and links only, never client data; they are sealed
    all the same (and addresses, which name staff).
    """

    __tablename__ = "notification_outbox"
    __sealed__: ClassVar[Sealed] = Sealed(
        "address",
        "subject",
        "body_text",
        "body_html",
        "attachment_ics",
        "webhook_body",
        case="case_id",
    )
    __table_args__ = (Index("ix_outbox_case_created", "case_id", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    # "<intent id>|<organisation>|<channel>|<org or user:<id>>": one row per recipient
    idempotency_key: str = Field(unique=True)
    intent_id: str
    event: str
    case_id: str
    task_id: str | None = None
    recipient: str  # organisation name
    channel: str  # email | webhook
    address: str | None = None  # e-mail address or webhook URL; None: not configured
    subject: str
    body_text: str = ""
    body_html: str | None = None
    attachment_ics: str | None = None
    webhook_body: str | None = None  # the exact JSON that is signed and posted
    message_id: str | None = None
    status: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str | None = None
    handover_at: datetime | None = None
    uncertain: bool = False  # sent presumed: an attempt stopped during the hand-over
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    digest_id: str | None = Field(default=None, index=True)  # the daily digest it went in


class ReflectionAgreement(SQLModel, table=True):
    """A working agreement (werkafspraak) made in a case-transcending reflection meeting."""

    __tablename__ = "reflection_agreements"
    id: str = Field(default_factory=new_id, primary_key=True)
    region: str = Field(index=True)
    agreed_on: date
    text_encrypted: str  # free text: encrypted like the case summary
    created_by: str  # user id
    created_by_org: str
    created_at: datetime = Field(default_factory=utcnow)


class IdempotentRequest(SQLModel, table=True):
    """A change sent with an ``Idempotency-Key``: its first definite answer, so a retry
    with the same key (same user) gets exactly that answer back. ``status_code`` stays
    null while no definite answer exists (still running, interrupted, or a 503): a retry
    then sends the same Temporal update id again and the workflow de-duplicates."""

    __tablename__ = "idempotent_requests"
    # sha256 of (user id, key); the Temporal update id is derived from it
    id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    fingerprint: str  # method, path and a hash of the body of the first request
    status_code: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    completed_at: datetime | None = None
