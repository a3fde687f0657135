"""Inputs, outputs and state of the signal workflow (early intake), shared by the
workflow, its read-model activity and the API. Fields are only ever added, with defaults.

Like a case's input, a signal's input carries ids, codes and organisation names only:
the client reference and the signal's text stay in the database (encrypted). The
assessment's advice and motivation travel in update payloads, which the codec encrypts.

No ``from __future__ import annotations`` here on purpose (see
``notification_messages.py``): the workflow sandbox decodes these with real type hints.
"""

from dataclasses import dataclass

from domain.messages import Actor, TaskState

SIGNAL_WORKFLOW_NAME = "SignalWorkflow"


def signal_workflow_id_for(signal_id: str) -> str:
    return f"signal-{signal_id}"


@dataclass
class SignalInput:
    signal_id: str
    kind: str  # SignalKind
    sector: str
    region: str
    provider_org: str
    zorgkantoor_org: str  # the zorgkantoor of the region: it assesses the signal
    sender_org: str
    sent_by: Actor
    mode: str | None = None  # SignalMode, for early information
    oco_org: str | None = None
    request_id: str | None = None


@dataclass
class SignalState:
    signal_id: str
    kind: str
    status: str  # SignalStatus
    task: TaskState  # assess_signal
    case_id: str | None = None  # the case started from the signal


@dataclass
class LinkCase:
    """The case the API started from the signal (``start_case``), linked to it."""

    case_id: str
    actor: Actor
    request_id: str | None = None


@dataclass
class SignalUpdateResult:
    status: str
    task: TaskState
    case_id: str | None = None
    read_model_synced: bool = True


@dataclass
class SignalChanges:
    """The whole signal as the workflow knows it, for the read model (idempotent)."""

    signal_id: str
    status: str
    task: TaskState
    case_id: str | None = None


@dataclass
class SignalResult:
    signal_id: str
    status: str
    case_id: str | None = None
