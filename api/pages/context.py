"""What the pages add around a task or a case so people can work without opening it:
the client reference (or "(anoniem)"), the phase and the days in it, and the message
after a change ("Taak afgerond. De casus staat nu in fase 5: ...")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from api.scoping import Principal, sees_client_data, visible_cases
from api.services.cases import ANONYMOUS, participants_of_cases
from db.models import Case, Task
from domain import labels
from domain.vocabulary import WORKING_PHASES, CaseStatus, Phase


@dataclass(frozen=True)
class CaseInfo:
    client_ref: str
    phase: str
    days_in_phase: float
    status: str


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def case_infos(
    session: Session, principal: Principal, case_ids: Iterable[str | None]
) -> dict[str, CaseInfo]:
    """The cases of ``case_ids`` the principal sees, by id."""
    wanted = sorted({i for i in case_ids if i})
    if not wanted:
        return {}
    now = datetime.now(UTC)
    rows = session.exec(
        select(Case).where(col(Case.id).in_(wanted), visible_cases(principal))
    ).all()
    participants = participants_of_cases(session, [c.id for c in rows])
    return {
        c.id: CaseInfo(
            client_ref=c.client_ref
            if sees_client_data(principal, c, participants.get(c.id, {}))
            else ANONYMOUS,
            phase=c.phase,
            days_in_phase=(now - _aware(c.phase_since)).total_seconds() / 86400,
            status=c.status,
        )
        for c in rows
    }


def phase_number(phase: str) -> int | None:
    try:
        return WORKING_PHASES.index(Phase(phase)) + 1
    except ValueError:
        return None


def phase_sentence(case: Case) -> str:
    """'De casus staat nu in fase 5: Whole system in the room.' or 'De casus is
    afgesloten: Geplaatst.'"""
    if case.status == CaseStatus.CLOSED:
        return f"De casus is afgesloten: {labels.outcome_title(case.outcome)}."
    number = phase_number(case.phase)
    title = labels.phase_title(case.phase)
    return f"De casus staat nu in fase {number}: {title}." if number else f"Fase: {title}."


def completed_message(session: Session, principal: Principal, task_id: str | None) -> str | None:
    """The message after a completion, for a task the principal may see."""
    if not task_id:
        return None
    task = session.get(Task, task_id)
    if task is None:
        return None
    if task.case_id is None:
        return f"Taak afgerond: {task.title}."
    case = session.exec(
        select(Case).where(col(Case.id) == task.case_id, visible_cases(principal))
    ).first()
    if case is None:
        return None
    return f"Taak afgerond: {task.title}. {phase_sentence(case)}"
