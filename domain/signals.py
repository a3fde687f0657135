"""Early intake: a provider's, OCO's or zorgkantoor's signal about a client before (or
instead of) a case, and the zorgkantoor's assessment of it.

The step plan asks providers to inform the zorgkantoor early ("vroegtijdig informeren":
ter kennisgeving or to spar) and lets parties ask the zorgkantoor for mediation. A signal
opens one task, ``assess_signal``, for the zorgkantoor of the signal's region; its
outcome starts a case from the signal, records advice, or records that no case is
needed. The rules here are checked by the signal workflow's validators (authoritative)
and by the API on the read model first, like the case rules in ``permissions.py``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from domain.labels import ENTRIES
from domain.messages import Actor, ClaimTask, CompleteTask, UpdateError
from domain.permissions import (
    Refused,
    TaskView,
    check_assignee,
    check_claim_holder,
    may_act_on,
)
from domain.process import Effect, FieldKind, FieldSpec, TaskDef
from domain.validation import completion_errors
from domain.vocabulary import Entry, Role, TaskStatus


class SignalKind(StrEnum):
    EARLY_INFORMATION = "early_information"  # "vroegtijdig informeren"
    REQUEST_MEDIATION = "request_mediation"  # a request for mediation by the zorgkantoor


class SignalMode(StrEnum):
    """How an early information signal is meant (step plan: "ter kennisgeving of sparren")."""

    FOR_INFORMATION = "for_information"
    SPARRING = "sparring"


class SignalOutcome(StrEnum):
    START_CASE = "start_case"
    ADVICE_GIVEN = "advice_given"
    NOT_NEEDED = "not_needed"


class SignalStatus(StrEnum):
    OPEN = "open"  # the zorgkantoor assesses it
    STARTING_CASE = "starting_case"  # decided: start a case; the case is being started
    CASE_STARTED = "case_started"
    ADVICE_GIVEN = "advice_given"
    NOT_NEEDED = "not_needed"


# who may send a signal
SENDER_ROLES = (Role.AANBIEDER, Role.OCO, Role.ZORGKANTOOR, Role.COORDINATOR)

# the status a signal gets from the assessment's outcome
STATUS_AFTER: dict[str, SignalStatus] = {
    SignalOutcome.START_CASE: SignalStatus.STARTING_CASE,
    SignalOutcome.ADVICE_GIVEN: SignalStatus.ADVICE_GIVEN,
    SignalOutcome.NOT_NEEDED: SignalStatus.NOT_NEEDED,
}

# the entry of a case started from a signal, unless the assessment chooses one: an early
# signal is about care at the current place; a request for mediation about finding one
DEFAULT_ENTRY: dict[str, Entry] = {
    SignalKind.EARLY_INFORMATION: Entry.CARE_NOT_SUITABLE,
    SignalKind.REQUEST_MEDIATION: Entry.NO_DOSSIERHOUDER,
}

# completion data that is free text about the client: encrypted at rest, never in rows
FREE_TEXT_FIELDS = ("advice",)

ASSESS_SIGNAL = TaskDef(
    key="assess_signal",
    title="Signaal beoordelen: casus starten, advies geven of niet nodig",
    owner=Role.ZORGKANTOOR,
    outcomes={
        SignalOutcome.START_CASE.value: Effect(),
        SignalOutcome.ADVICE_GIVEN.value: Effect(),
        SignalOutcome.NOT_NEEDED.value: Effect(),
    },
    description=(
        "Een zorgaanbieder, cliëntondersteuner of collega meldt een cliënt vroegtijdig "
        "(ter kennisgeving of om te sparren) of vraagt om bemiddeling. Start een casus "
        "met de gegevens van het signaal, geef advies, of leg uit waarom het niet nodig is."
    ),
    on_phase_start=False,
    fields=(
        FieldSpec("advice", "Advies aan de melder", FieldKind.LONG_TEXT),
        FieldSpec(
            "entry",
            "Instroom van de casus (alleen bij casus starten)",
            FieldKind.CHOICE,
            choices=tuple((e.value, ENTRIES[e.value]) for e in Entry),
        ),
    ),
    requires={
        SignalOutcome.ADVICE_GIVEN.value: ("advice",),
        SignalOutcome.NOT_NEEDED.value: ("note",),
    },
)


class SignalTaskView(TaskView, Protocol):
    """What the rules read of the assessment task: ``TaskState`` or a read-model row."""

    @property
    def outcome(self) -> str | None: ...


def _require(condition: bool, kind: str, message: str) -> None:
    if not condition:
        raise Refused(kind, message)


def _check_task(task: SignalTaskView | None, task_id: str, actor: Actor) -> SignalTaskView:
    if task is None or task.id != task_id:
        raise Refused(UpdateError.NOT_FOUND, f"task {task_id} does not exist in this signal")
    _require(
        may_act_on(actor, task),
        UpdateError.FORBIDDEN,
        f"task {task_id} belongs to {task.owner_role} {task.owner_org}; "
        f"{actor.role} {actor.org} may not act on it",
    )
    return task


def is_retry(task: SignalTaskView, cmd: CompleteTask) -> bool:
    """Deciding to start a case again: nothing changes; the API finishes the start."""
    return (
        task.status == TaskStatus.DONE
        and task.outcome == SignalOutcome.START_CASE
        and cmd.outcome == SignalOutcome.START_CASE
    )


def check_assess(task: SignalTaskView | None, cmd: CompleteTask) -> None:
    """Completing ``assess_signal``: the zorgkantoor of the signal's region, an allowed
    outcome with what it requires; only a coordinator starts a case. Repeating
    ``start_case`` is allowed (a retry) and changes nothing."""
    found = _check_task(task, cmd.task_id, cmd.actor)
    if cmd.outcome == SignalOutcome.START_CASE:
        _require(
            cmd.actor.role == Role.COORDINATOR,
            UpdateError.FORBIDDEN,
            "only a coordinator (zorgbemiddelaar) starts a case; "
            "choose advice_given or not_needed, or ask a coordinator",
        )
    if is_retry(found, cmd):
        return
    _require(
        found.status == TaskStatus.OPEN,
        UpdateError.CONFLICT,
        f"task {cmd.task_id} is no longer open ({found.status}: {found.outcome})",
    )
    errors = completion_errors(
        ASSESS_SIGNAL, cmd.outcome, cmd.note, cmd.data, found.allowed_outcomes
    )
    _require(not errors, UpdateError.INVALID, "; ".join(errors))


def check_open_task(task: SignalTaskView | None, task_id: str, actor: Actor) -> None:
    """The task exists, belongs to the actor and is still open (the API's pre-check of a
    claim: who holds the claim is the workflow's to judge)."""
    found = _check_task(task, task_id, actor)
    _require(
        found.status == TaskStatus.OPEN,
        UpdateError.CONFLICT,
        f"task {task_id} is no longer open ({found.status})",
    )


def check_claim(task: SignalTaskView | None, holder: Actor | None, cmd: ClaimTask) -> None:
    check_open_task(task, cmd.task_id, cmd.actor)
    check_assignee(cmd, task)
    check_claim_holder(cmd, holder)


def check_link_case(
    task: SignalTaskView, linked_case: str | None, case_id: str, actor: Actor
) -> None:
    """The case started from the signal is linked once: only after ``start_case``, by the
    zorgkantoor that decided it, and never a second, different case."""
    _require(
        task.status == TaskStatus.DONE and task.outcome == SignalOutcome.START_CASE,
        UpdateError.CONFLICT,
        "the signal's assessment did not decide to start a case",
    )
    _require(
        may_act_on(actor, task),
        UpdateError.FORBIDDEN,
        f"only {task.owner_org} links a case to this signal",
    )
    _require(
        linked_case in (None, case_id),
        UpdateError.CONFLICT,
        f"the signal already started case {linked_case}",
    )
