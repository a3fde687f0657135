"""The read-model activities: write one batch of a case workflow's changes, or an early
signal as its workflow knows it (``db/read_model.py``).

Idempotent: tasks are upserted by their workflow-assigned id and audit events inserted
only when their id is new, so a retried activity writes nothing twice.

The case workflow writes through ``write_read_model``, a local activity (in the worker
that runs the workflow, without a round trip through the task queue); cases started
before that change (no ``read-model-local-activity`` marker) keep ``apply_changes``.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from db.read_model import write_changes, write_signal_changes
from domain.messages import WRITE_READ_MODEL, ReadModelChanges
from domain.signal_messages import SignalChanges


class ReadModelActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_changes")
    def apply_changes(self, changes: ReadModelChanges) -> None:
        with Session(self.engine) as session:
            write_changes(session, changes)
            session.commit()

    @activity.defn(name=WRITE_READ_MODEL)
    def write_read_model(self, changes: ReadModelChanges) -> ReadModelChanges:
        """``apply_changes`` as the case workflow's local activity: it returns the batch,
        so the history keeps it (in the activity's marker) for the audit tools, as it
        keeps an activity's arguments (``audit/reconcile.py``, ``audit/divergence.py``)."""
        self.apply_changes(changes)
        return changes

    @activity.defn(name="apply_signal_changes")
    def apply_signal_changes(self, changes: SignalChanges) -> None:
        with Session(self.engine) as session:
            write_signal_changes(session, changes)
            session.commit()
