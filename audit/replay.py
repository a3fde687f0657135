"""Deterministic replay: run saved or live histories against the current workflow code.

A replay that raises ``NondeterminismError`` means the code would take another path
than the case did; a strict replay (``audit/divergence.py``) also reports code that
takes the same path but hands other values to its activities. Such changes must be
guarded with ``workflow.patched`` (docs/versioning.md). The replayer gets the same
data converter as the worker, so it decrypts payloads with the configured secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from audit.divergence import ActivityRecorder, first_divergence, scheduled_activities
from audit.history import fetch_runs
from core.codec import ENCODING, EncryptionCodec, case_of_workflow
from core.config import Settings
from core.keys import CaseShredded, key_ring
from core.temporal import data_converter
from db.case_keys import CaseKeyStore, store_for_settings
from db.models import Case
from domain.messages import workflow_id_for
from domain.vocabulary import CaseStatus

OK = "ok"
NONDETERMINISTIC = "nondeterministic"
DIVERGED = "diverged"  # same commands, but the code would write something else
ERROR = "error"  # another replay failure (e.g. the workflow task failed)
UNAVAILABLE = "unavailable"  # the history could not be fetched or read
SHREDDED = "shredded"  # retention destroyed the case's data key: nothing to replay


@dataclass
class ReplayVerdict:
    case_id: str
    workflow_id: str
    run_id: str | None
    verdict: str
    error: str | None = None
    source: str = "temporal"  # "temporal" or the file it came from

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def case_id_of(workflow_id: str) -> str:
    return workflow_id.removeprefix(workflow_id_for(""))


@dataclass
class CaseReplayer:
    """Temporal's replayer, with the recorder of activity inputs for strict replay."""

    replayer: Replayer
    converter: DataConverter
    recorder: ActivityRecorder | None
    # one replay at a time: the recorder collects calls per run id
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ReplayCaseKeys:
    """Case keys for replaying: decoding uses the case's real data key (from the
    database, or from an export file: ``audit.history.load_histories``); what the replay
    encodes is thrown away, so it is encrypted under a key of this process only and no
    data key is ever made for a case that only is replayed."""

    def __init__(self, store: CaseKeyStore) -> None:
        self.store = store
        self._scratch = AESGCM(AESGCM.generate_key(bit_length=256))

    def aead(self, case_id: str, *, create: bool = False) -> AESGCM | None:
        if create:
            return self._scratch
        return self.store.aead(case_id)


def replay_converter(settings: Settings) -> DataConverter:
    """The data converter of a replayer (``ReplayCaseKeys``)."""
    return data_converter(settings, ReplayCaseKeys(store_for_settings(settings)))


def make_replayer(
    settings: Settings, workflows: Sequence[type], *, strict: bool = True
) -> CaseReplayer:
    """``workflows``: the workflow classes to replay against (the worker's,
    ``workflows.registry.WORKFLOWS``); passed in, so audit does not import workflow code."""
    converter = replay_converter(settings)
    recorder = ActivityRecorder() if strict else None
    replayer = Replayer(
        workflows=list(workflows),
        data_converter=converter,
        interceptors=[recorder] if recorder else [],
    )
    return CaseReplayer(replayer, converter, recorder)


_shared: dict[str, CaseReplayer] = {}


def shared_replayer(settings: Settings, workflows: Sequence[type]) -> CaseReplayer:
    """One replayer per key ring and database for long-running processes (the API):
    each replayer owns a thread pool that is never shut down."""
    key = f"{key_ring(settings).fingerprint()}|{settings.effective_database_url}"
    if key not in _shared:
        _shared[key] = make_replayer(settings, workflows)
    return _shared[key]


async def replay(
    histories: Iterable[tuple[WorkflowHistory, str]], case_replayer: CaseReplayer
) -> AsyncIterator[ReplayVerdict]:
    """Replay ``(history, source)`` pairs; one verdict per run, in order."""
    recorder = case_replayer.recorder
    pairs = list(histories)

    codec = case_replayer.converter.payload_codec
    shredded = [(h, s) for h, s in pairs if _shredded(codec, h)]
    for history, source in shredded:
        yield ReplayVerdict(
            case_id=case_id_of(history.workflow_id),
            workflow_id=history.workflow_id,
            run_id=history.run_id,
            verdict=SHREDDED,
            error="the case's data key was destroyed (retention); its history is unreadable",
            source=source,
        )
    pairs = [p for p in pairs if all(p[0] is not h for h, _ in shredded)]
    if not pairs:
        return
    sources = {h.run_id: s for h, s in pairs}
    for history, source in pairs:
        if source != "temporal" and isinstance(codec, EncryptionCodec) and _decoded(history):
            codec.plaintext_ok.add(history.workflow_id)  # an auditor's decoded export file

    async def feed() -> AsyncIterator[WorkflowHistory]:
        for history, _ in pairs:
            yield history

    async with (
        case_replayer.lock,
        case_replayer.replayer.workflow_replay_iterator(feed()) as results,
    ):
        async for result in results:
            history, failure = result.history, result.replay_failure
            verdict = ReplayVerdict(
                case_id=case_id_of(history.workflow_id),
                workflow_id=history.workflow_id,
                run_id=history.run_id,
                verdict=_verdict(failure),
                error=None if failure is None else str(failure),
                source=sources.get(history.run_id, "temporal"),
            )
            if recorder is not None:
                replayed = recorder.pop(history.run_id)
                if verdict.ok:
                    recorded = await scheduled_activities(history, case_replayer.converter)
                    divergence = first_divergence(replayed, recorded)
                    if divergence:
                        verdict.verdict, verdict.error = DIVERGED, divergence
            yield verdict


async def replay_case(client: Client, case_id: str, replayer: CaseReplayer) -> list[ReplayVerdict]:
    """Fetch every run of a case from Temporal and replay it."""
    try:
        runs = await fetch_runs(client, case_id)
    except RPCError as exc:  # not found, server down: a verdict, not a crash
        return [unavailable(case_id, exc)]
    return [v async for v in replay([(h, "temporal") for h in runs], replayer)]


def unavailable(case_id: str, exc: BaseException, source: str = "temporal") -> ReplayVerdict:
    return ReplayVerdict(
        case_id=case_id,
        workflow_id=workflow_id_for(case_id),
        run_id=None,
        verdict=UNAVAILABLE,
        error=f"{type(exc).__name__}: {exc}",
        source=source,
    )


def closed_case_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Case.id).where(Case.status == CaseStatus.CLOSED).order_by(col(Case.created_at))
        )
        return list(rows)


def _shredded(codec: object, history: WorkflowHistory) -> bool:
    if not isinstance(codec, EncryptionCodec):
        return False
    case_id = case_of_workflow(history.workflow_id)
    if case_id is None:
        return False
    try:
        codec.case_keys.aead(case_id)
    except CaseShredded:
        return True
    except SQLAlchemyError:  # no database here (a file replayed elsewhere): decode will tell
        return False
    return False


def _decoded(history: WorkflowHistory) -> bool:
    started = history.events[0].workflow_execution_started_event_attributes
    payloads = started.input.payloads
    return bool(payloads) and payloads[0].metadata.get("encoding") != ENCODING


def _verdict(failure: Exception | None) -> str:
    if failure is None:
        return OK
    return NONDETERMINISTIC if isinstance(failure, NondeterminismError) else ERROR
