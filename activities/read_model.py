"""The read-model activities: write one batch of a case workflow's changes, or an early
signal as its workflow knows it (``db/read_model.py``).

Idempotent: tasks are upserted by their workflow-assigned id and audit events inserted
only when their id is new, so a retried activity writes nothing twice.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from db.read_model import write_changes, write_signal_changes
from domain.messages import ReadModelChanges
from domain.signal_messages import SignalChanges


class ReadModelActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_changes")
    def apply_changes(self, changes: ReadModelChanges) -> None:
        with Session(self.engine) as session:
            write_changes(session, changes)
            session.commit()

    @activity.defn(name="apply_signal_changes")
    def apply_signal_changes(self, changes: SignalChanges) -> None:
        with Session(self.engine) as session:
            write_signal_changes(session, changes)
            session.commit()
