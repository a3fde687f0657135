"""The step-plan interpreter: pure, deterministic state transitions of one case.

The workflow owns an engine and feeds it commands (task completions, claims, case
actions) and the passing of time; the engine changes ``CaseState`` and records what
happened as audit entries, changed tasks and notification intents, which the workflow
drains and hands to activities. No I/O here, and time comes from the workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from domain.definitions import definition
from domain.labels import OUTCOME_TITLES, PHASE_TITLES
from domain.messages import (
    SYSTEM,
    Actor,
    AuditEntry,
    CaseInput,
    CaseState,
    ClaimTask,
    CompleteTask,
    NotificationIntent,
    ReadModelChanges,
    TaskState,
    UpdateResult,
)
from domain.permissions import FORMER_CAPACITIES, missing_gates
from domain.process import (
    PHASE_STALLED,
    Condition,
    CountDecline,
    Due,
    Notice,
    Party,
    RegisterProvider,
    TaskDef,
)
from domain.vocabulary import (
    ENTRY_PHASE,
    CaseOutcome,
    CaseStatus,
    Entry,
    NotificationEvent,
    Phase,
    Role,
    TaskStatus,
)

# Versioning example (docs/versioning.md): the first progress report of a plan of action
# is due after a week, later ones after the case's interval. Cases whose history lacks
# the patch marker keep the case's interval for the first report too.
PROGRESS_REPORT_V2 = "progress-report-interval-v2"
FIRST_PROGRESS_REPORT_DAYS = 7
# A task's context (e.g. who asked the Praktijkteam VWS for advice) is kept when it is
# completed, so the answer reaches the party that asked.
TASK_CONTEXT_KEPT = "task-context-kept-v2"
# a task due on a date from a form (e.g. the follow-up of a meeting's agreements) is due
# at the end of the Dutch working day
DUE_TIME_OF_DAY = time(16, 0)
# capacities of the providers taking part; those that left are kept as former parties
# (``FORMER_CAPACITIES``)
ACTIVE_PROVIDER_CAPACITIES = ("provider", "intended_provider", "bridging_provider")


def _always(_patch_id: str) -> bool:
    return True


class CaseEngine:
    def __init__(
        self,
        inp: CaseInput,
        state: CaseState,
        now: Callable[[], datetime],
        patched: Callable[[str], bool] = _always,
    ) -> None:
        self.inp = inp
        self.state = state
        self.defn = definition(inp.definition_version)
        self.now = now
        self.patched = patched  # workflow.patched in the workflow
        self._changed: dict[str, TaskState] = {}
        self._events: list[AuditEntry] = []
        self._intents: list[NotificationIntent] = []
        self._case_changed = False

    @staticmethod
    def new_state(inp: CaseInput, now: datetime) -> CaseState:
        participants = {"provider": [inp.provider_org], "zorgkantoor": [inp.zorgkantoor_org]}
        if inp.oco_org:
            participants["oco"] = [inp.oco_org]
        return CaseState(
            case_id=inp.case_id,
            phase=ENTRY_PHASE[Entry(inp.entry)].value,
            phase_since=now,
            provider_org=inp.provider_org,
            zorgkantoor_org=inp.zorgkantoor_org,
            oco_org=inp.oco_org,
            participants=participants,
            registered_at=inp.registered_at,
            case_data=dict(inp.case_data),
        )

    # ------------------------------------------------------------------ recording
    def audit(
        self,
        action: str,
        actor: Actor,
        task: TaskState | None = None,
        request_id: str | None = None,
        motivation: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **detail: Any,
    ) -> None:
        seq = self.state.event_seq
        self.state.event_seq += 1
        self._events.append(
            AuditEntry(
                id=f"{self.state.case_id}:e{seq}",
                case_id=self.state.case_id,
                seq=seq,
                at=self.now(),
                actor=actor.name,
                actor_id=actor.user_id,
                role=actor.role,
                org=actor.org,
                action=action,
                task_id=task.id if task else None,
                detail=detail,
                before=before,
                after=after,
                motivation=motivation or None,
                request_id=request_id,
            )
        )
        self._case_changed = True

    def notify(
        self, event: str, recipients: list[str], task: TaskState | None = None, **context: Any
    ) -> None:
        """Every notification follows the audit entry of what happened; that entry's
        sequence number plus the event makes a stable id (the outbox's idempotency key)."""
        unique = list(dict.fromkeys(r for r in recipients if r))
        if not unique:
            return
        self._intents.append(
            NotificationIntent(
                id=f"{self.state.case_id}:n{self.state.event_seq - 1}:{event}",
                event=event,
                case_id=self.state.case_id,
                at=self.now(),
                recipients=unique,
                task_id=task.id if task else None,
                context=context,
            )
        )

    def touch(self, task: TaskState) -> None:
        self._changed[task.id] = task

    def drain(self) -> tuple[ReadModelChanges | None, list[NotificationIntent]]:
        """What changed since the last drain, for the read model and the notifier."""
        intents, self._intents = self._intents, []
        if not (self._changed or self._events or self._case_changed):
            return None, intents
        s = self.state
        changes = ReadModelChanges(
            case_id=s.case_id,
            phase=s.phase,
            status=s.status,
            phase_since=s.phase_since,
            provider_org=s.provider_org,
            oco_org=s.oco_org,
            participants={k: list(v) for k, v in s.participants.items()},
            meetings=s.meetings,
            outcome=s.outcome,
            overdue=any(t.overdue for t in s.open_tasks),
            tasks=list(self._changed.values()),
            events=self._events,
            stalled=s.stalled,
            bridging=dict(s.bridging) if s.bridging else None,
            consents={k: dict(v) for k, v in s.consents.items()},
            notice=dict(s.notice) if s.notice else None,
            case_data=dict(s.case_data),
            documents=[dict(d) for d in s.documents],
        )
        self._changed, self._events, self._case_changed = {}, [], False
        return changes, intents

    # ------------------------------------------------------------------ phases and tasks
    def all_participants(self) -> list[str]:
        """The organisations taking part now (not those that left: no more notices)."""
        return [
            org
            for capacity, orgs in self.state.participants.items()
            if capacity not in FORMER_CAPACITIES
            for org in orgs
        ]

    def start(self, actor: Actor, request_id: str | None) -> None:
        from_signal: dict[str, Any] = (
            {"signal_id": self.inp.signal_id} if self.inp.signal_id else {}
        )
        self.audit(
            "case_started",
            actor,
            request_id=request_id,
            entry=self.inp.entry,
            sector=self.inp.sector,
            region=self.inp.region,
            definition_version=self.inp.definition_version,
            **from_signal,
        )
        self.enter_phase(Phase(self.state.phase), actor, request_id, initial=True)

    def enter_phase(
        self,
        phase: Phase,
        actor: Actor,
        request_id: str | None,
        initial: bool = False,
        cause: TaskState | None = None,
    ) -> list[TaskState]:
        previous = self.state.phase
        phase_keys = {t.key for t in self.defn.phase(Phase(previous)).tasks}
        self._end_open_tasks(
            [t for t in self.state.open_tasks if t.key in phase_keys], actor, request_id, cause
        )
        self.state.phase = phase.value
        self.state.phase_since = self.now()
        self.state.stalled = False
        if self.defn.phase(phase).counts_meetings:
            self.state.meetings += 1
        self.audit(
            "phase_changed",
            actor,
            request_id=request_id,
            before=None if initial else {"phase": previous},
            after={"phase": phase.value},
            meeting_number=self.state.meetings or None,
        )
        if not initial:
            self.notify(
                NotificationEvent.PHASE_CHANGED,
                self.all_participants(),
                phase=phase.value,
                phase_title=PHASE_TITLES[phase],
                previous_phase=previous,
            )
        return [
            self.open_task(t.key, actor, request_id)
            for t in self.defn.phase(phase).tasks
            if t.on_phase_start and self._condition_holds(t)
        ]

    def _end_open_tasks(
        self,
        tasks: list[TaskState],
        actor: Actor,
        request_id: str | None,
        cause: TaskState | None,
    ) -> None:
        """Tasks left open when their phase ends or the case closes: ``skipped`` with a
        timeline event naming the completion that ended them (v1: ``cancelled``)."""
        for task in tasks:
            if not self.defn.records_skipped:
                task.status = TaskStatus.CANCELLED
                self.touch(task)
                continue
            task.status = TaskStatus.SKIPPED
            self.touch(task)
            self.audit(
                "task_skipped",
                actor,
                task,
                request_id,
                before={"status": TaskStatus.OPEN.value},
                after={"status": TaskStatus.SKIPPED.value},
                key=task.key,
                title=task.title,
                phase=task.phase,
                ended_by_task=cause.key if cause else None,
                ended_by_outcome=cause.outcome if cause else None,
            )

    def _condition_holds(self, tdef: TaskDef) -> bool:
        has_oco = bool(self.state.oco_org)
        return {
            Condition.ALWAYS: True,
            Condition.OCO_INVOLVED: has_oco,
            Condition.NO_OCO: not has_oco,
        }[tdef.condition]

    def _owner(self, tdef: TaskDef) -> tuple[Role, str]:
        """The owner role and organisation of a new task: while no provider takes part
        (it declined or ended care, since v2), the zorgkantoor takes the provider's tasks."""
        if tdef.owner is Role.AANBIEDER:
            if self.state.provider_org:
                return Role.AANBIEDER, self.state.provider_org
            return Role.ZORGKANTOOR, self.state.zorgkantoor_org
        if tdef.owner is Role.OCO:
            return Role.OCO, self.state.oco_org or ""
        return tdef.owner, self.state.zorgkantoor_org

    def _due_at(
        self, tdef: TaskDef, source: dict[str, Any] | None
    ) -> tuple[datetime | None, int | None]:
        """When a new task is due, and its period in days (for the reminder)."""
        if tdef.due_from_field and source and source.get(tdef.due_from_field):
            day = date.fromisoformat(str(source[tdef.due_from_field])[:10])
            return datetime.combine(day, DUE_TIME_OF_DAY, tzinfo=UTC), None
        days = self._due_days(tdef)
        if not days:
            return None, None
        start = self.now()
        if tdef.due is Due.DECISION_DAYS and self.state.registered_at:
            start = self.state.registered_at  # the clock starts at the registration
        return start + timedelta(days=days), days

    def _due_days(self, tdef: TaskDef) -> int | None:
        if tdef.due is Due.DECISION_DAYS:
            return self.inp.decision_days
        if tdef.due is Due.BRIDGING_CHECK_DAYS:
            return self.inp.bridging_check_days
        if tdef.due is Due.EVALUATION_DAYS:
            return self.inp.evaluation_days
        if tdef.due is Due.PROGRESS_REPORT_DAYS:
            first = not any(t.key == tdef.key for t in self.state.tasks)
            if first and self.patched(PROGRESS_REPORT_V2):
                return min(FIRST_PROGRESS_REPORT_DAYS, self.inp.progress_report_days)
            return self.inp.progress_report_days
        return tdef.due

    def open_task(
        self,
        key: str,
        actor: Actor,
        request_id: str | None = None,
        owner_org: str | None = None,
        source: dict[str, Any] | None = None,
    ) -> TaskState:
        """``source``: the data of the completion that opens it (a due date may come
        from there)."""
        tdef = self.defn.task(key)
        now = self.now()
        due_at, days = self._due_at(tdef, source)
        owner_role, default_org = self._owner(tdef)
        remind_at = None
        if tdef.remind and due_at and days and days > self.inp.reminder_days_before:
            remind_at = due_at - timedelta(days=self.inp.reminder_days_before)
        allowed = [
            o
            for o in tdef.allowed_outcomes
            if not (self.state.oco_org and o in tdef.outcomes_without_oco)
        ]
        seq = self.state.next_seq
        self.state.next_seq += 1
        task = TaskState(
            id=f"{self.state.case_id}:t{seq}",
            key=key,
            phase=self.state.phase,
            title=tdef.title,
            owner_role=owner_role.value,
            owner_org=owner_org or default_org,
            supports=[r.value for r in tdef.supports],
            allowed_outcomes=allowed,
            created_at=now,
            due_at=due_at,
            remind_at=remind_at,
        )
        self.state.tasks.append(task)
        self.touch(task)
        self.audit(
            "task_opened",
            actor,
            task,
            request_id,
            key=key,
            title=task.title,
            owner_role=task.owner_role,
            owner_org=task.owner_org,
            due_at=due_at.isoformat() if due_at else None,
        )
        self.notify(
            NotificationEvent.TASK_ASSIGNED,
            [task.owner_org],
            task,
            task_id=task.id,
            task_key=key,
            task_title=task.title,
            phase=task.phase,
            phase_title=PHASE_TITLES[Phase(task.phase)],
            due_at=due_at.isoformat() if due_at else None,
        )
        return task

    # ------------------------------------------------------------------ commands
    def complete(self, cmd: CompleteTask) -> UpdateResult:
        task = self.state.task(cmd.task_id)
        assert task is not None  # the validator checked
        tdef = self.defn.task(task.key)
        before = {"status": task.status}
        task.status, task.outcome = TaskStatus.DONE, cmd.outcome
        task.note = cmd.note or None
        if self.patched(TASK_CONTEXT_KEPT):  # before: completion data replaced the context
            task.data = {**task.data, **cmd.data}
        else:
            task.data = dict(cmd.data)
        task.completed_by, task.completed_at = cmd.actor, self.now()
        self.touch(task)
        self.audit(
            "task_completed",
            cmd.actor,
            task,
            cmd.request_id,
            motivation=cmd.note,
            before=before,
            after={"status": task.status, "outcome": cmd.outcome},
            key=task.key,
            title=task.title,
            outcome=cmd.outcome,
            data=dict(cmd.data),
        )
        missing = missing_gates(tdef, cmd.outcome, task.phase, self.state.tasks)
        if missing:  # the validator let it through: the zorgkantoor overrode the gates
            self.audit(
                "gates_overridden",
                cmd.actor,
                task,
                cmd.request_id,
                motivation=cmd.note,
                missing=missing,
            )
        opened = self._apply_effect(tdef, task, cmd)
        return self.result(task, opened)

    def _apply_effect(self, tdef: TaskDef, task: TaskState, cmd: CompleteTask) -> list[TaskState]:
        effect = tdef.outcomes[cmd.outcome]
        actor, rid = cmd.actor, cmd.request_id
        opened = [self.open_task(key, actor, rid, source=task.data) for key in effect.opens]
        if effect.notice_review:
            self._review_notice(effect.notice_review, task, cmd)
        if effect.count_decline:
            opened += self._count_decline(effect.count_decline, task, actor, rid)
        if effect.register_provider:
            opened += self._register_provider(effect.register_provider, task, cmd)
        if tdef.notice:
            self._send_notice(tdef.notice, task)
        if effect.close:
            self.close(effect.close.value, actor, rid, cmd.note, cause=task)
            opened += [
                self.open_task(key, actor, rid, source=task.data) for key in effect.follow_up
            ]
        elif effect.goto:
            opened += self.enter_phase(effect.goto, actor, rid, cause=task)
        return opened

    def _count_decline(
        self, rule: CountDecline, task: TaskState, actor: Actor, rid: str | None
    ) -> list[TaskState]:
        # the provider that declined leaves (not the zorgkantoor, should it have taken
        # over the decision while no provider took part)
        if self.defn.declining_provider_leaves and task.owner_role == Role.AANBIEDER:
            self.provider_leaves(task.owner_org, actor, rid, reason="declined")
        self.state.declines += 1
        at_limit = self.state.declines >= self.inp.max_declines
        if at_limit:
            self.audit(
                "escalation",
                actor,
                task,
                rid,
                reason="declines_limit",
                declines=self.state.declines,
            )
        keys = rule.at_limit_opens if at_limit else rule.opens
        return [self.open_task(key, actor, rid) for key in keys]

    def _register_provider(
        self, rule: RegisterProvider, task: TaskState, cmd: CompleteTask
    ) -> list[TaskState]:
        provider = str(cmd.data[rule.field])
        before = {"provider_org": self.state.provider_org}
        self.state.provider_org = provider
        self.add_participant(rule.capacity, provider)
        detail: dict[str, Any] = {}
        if self.defn.consent_records_required:  # since v2: a new clock, consent recorded
            registered = cmd.data.get("registered_at")
            self.state.registered_at = (
                datetime.combine(date.fromisoformat(str(registered)), time(), tzinfo=UTC)
                if registered
                else self.now()
            )
            self.record_consent(provider, cmd.data.get("consent"))
            detail = {"registered_at": self.state.registered_at.isoformat()}
        self.audit(
            "provider_registered",
            cmd.actor,
            task,
            cmd.request_id,
            before=before,
            after={"provider_org": provider},
            **detail,
        )
        return [self.open_task(key, cmd.actor, cmd.request_id) for key in rule.opens]

    def _send_notice(self, notice: Notice, task: TaskState) -> None:
        recipients = [org for party in notice.to for org in self._party(party)]
        for name in notice.to_fields:
            value = task.data.get(name)
            recipients += [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
        context = {name: task.data.get(name) for name in notice.context_fields}
        if notice.with_meeting_number:
            context["meeting_number"] = self.state.meetings
        self.notify(notice.event, recipients, task, **context)

    def _party(self, party: Party) -> list[str]:
        if party is Party.PARTICIPANTS:
            return self.all_participants()
        return [self.state.zorgkantoor_org]

    def add_participant(self, capacity: str, org: str) -> bool:
        orgs = self.state.participants.setdefault(capacity, [])
        if org in orgs:
            return False
        orgs.append(org)
        self._case_changed = True
        return True

    def claim(self, cmd: ClaimTask) -> UpdateResult:
        task = self.state.task(cmd.task_id)
        assert task is not None
        before = {"claimed_by": task.claimed_by.name if task.claimed_by else None}
        if cmd.release:
            task.claimed_by, task.claimed_at = None, None
        else:
            task.claimed_by, task.claimed_at = cmd.holder, self.now()
        self.touch(task)
        action = "task_unclaimed" if cmd.release else "task_claimed"
        assigned = {"assigned_to": cmd.assignee.name} if cmd.assignee else {}
        self.audit(
            action,
            cmd.actor,
            task,
            cmd.request_id,
            before=before,
            after={"claimed_by": task.claimed_by.name if task.claimed_by else None},
            forced=cmd.force,
            **assigned,
        )
        return self.result(task, [])

    def close(
        self,
        outcome: str,
        actor: Actor,
        request_id: str | None,
        motivation: str | None = None,
        cause: TaskState | None = None,
    ) -> None:
        self._end_open_tasks(list(self.state.open_tasks), actor, request_id, cause)
        before = {"status": self.state.status, "phase": self.state.phase}
        self.state.status, self.state.outcome = CaseStatus.CLOSED, outcome
        self.state.phase, self.state.phase_since = Phase.CLOSED.value, self.now()
        self.audit(
            "case_closed",
            actor,
            request_id=request_id,
            motivation=motivation,
            before=before,
            after={"status": "closed", "outcome": outcome},
        )
        self.notify(
            NotificationEvent.CASE_CLOSED,
            self.all_participants(),
            outcome=outcome,
            outcome_title=OUTCOME_TITLES[CaseOutcome(outcome)],
        )

    @property
    def finished(self) -> bool:
        """Closed, and no follow-up (such as the evaluation of a placement) still open."""
        return self.state.status == CaseStatus.CLOSED and not self.state.open_tasks

    # ------------------------------------------------------------------ parties (since v2)
    def provider_leaves(self, org: str, actor: Actor, rid: str | None, reason: str) -> None:
        """A provider that declined or ended care leaves the case's active parties: kept
        as ``former_provider`` (history, scoping), no more notifications; its open tasks
        go to the zorgkantoor, which carries the duty of care."""
        if not org:
            return
        before = {k: list(v) for k, v in self.state.participants.items()}
        for capacity in ACTIVE_PROVIDER_CAPACITIES:
            if org in self.state.participants.get(capacity, []):
                self.state.participants[capacity].remove(org)
        self.add_participant("former_provider", org)
        if self.state.provider_org == org:
            self.state.provider_org = ""
        for task in self.state.open_tasks:
            if task.owner_role == Role.AANBIEDER and task.owner_org == org:
                task.owner_role, task.owner_org = Role.ZORGKANTOOR.value, self.state.zorgkantoor_org
                self.touch(task)
        self.audit(
            "provider_left",
            actor,
            request_id=rid,
            before={"participants": before},
            after={"participants": {k: list(v) for k, v in self.state.participants.items()}},
            org=org,
            reason=reason,
        )

    def record_consent(self, org: str, record: Any) -> None:
        if isinstance(record, dict):
            self.state.consents[org] = dict(record)
            self._case_changed = True

    def _review_notice(self, review: str, task: TaskState, cmd: CompleteTask) -> None:
        notice = self.state.notice
        if notice is None:
            return
        before = {"review": notice.get("review")}
        notice.update(review=review, reviewed_by=cmd.actor.name, reviewed_by_org=cmd.actor.org)
        self.audit(
            "notice_reviewed",
            cmd.actor,
            task,
            cmd.request_id,
            motivation=cmd.note,
            before=before,
            after={"review": review},
            provider_org=notice.get("by_org"),
        )

    # ------------------------------------------------------------------ results
    def result(self, task: TaskState | None, opened: list[TaskState]) -> UpdateResult:
        return UpdateResult(
            phase=self.state.phase,
            status=self.state.status,
            outcome=self.state.outcome,
            task=task,
            opened=opened,
        )

    # ------------------------------------------------------------------ time
    def phase_deadline(self) -> datetime | None:
        """When the case counts as stalled in its current phase (None: no maximum)."""
        stalls = self.defn.has_trigger(PHASE_STALLED)  # since v2
        if not stalls or self.state.status != CaseStatus.OPEN or self.state.stalled:
            return None
        phase = Phase(self.state.phase)
        days = self.inp.phase_max_days.get(phase.value) or self.defn.phase(phase).max_days
        return self.state.phase_since + timedelta(days=days) if days else None

    def next_deadline(self) -> datetime | None:
        moments = [
            m
            for t in self.state.open_tasks
            for m in (t.remind_at if not t.reminded else None, t.due_at if not t.overdue else None)
            if m
        ]
        stall = self.phase_deadline()
        if stall:
            moments.append(stall)
        return min(moments, default=None)

    def fire_due_timers(self) -> bool:
        """Reminders and missed deadlines that are due now; True when anything fired."""
        now, fired = self.now(), False
        for task in list(self.state.open_tasks):
            if task.remind_at and not task.reminded and task.remind_at <= now:
                assert task.due_at is not None  # a reminder is only set on a task with a due date
                task.reminded, fired = True, True
                self.touch(task)
                self.audit("deadline_reminder", SYSTEM, task, due_at=task.due_at.isoformat())
                self.notify(
                    NotificationEvent.DEADLINE_REMINDER,
                    [task.owner_org],
                    task,
                    task_id=task.id,
                    task_title=task.title,
                    due_at=task.due_at.isoformat(),
                )
            if task.due_at and not task.overdue and task.due_at <= now:
                task.overdue, fired = True, True
                self.touch(task)
                self.audit(
                    "deadline_missed",
                    SYSTEM,
                    task,
                    before={"overdue": False},
                    after={"overdue": True},
                    due_at=task.due_at.isoformat(),
                )
                self.notify(
                    NotificationEvent.DEADLINE_MISSED,
                    [task.owner_org, self.state.zorgkantoor_org],
                    task,
                    task_id=task.id,
                    task_title=task.title,
                    due_at=task.due_at.isoformat(),
                    # the message tells the owner to finish, the zorgkantoor whom to call
                    owner_org=task.owner_org,
                )
                follow_up = self.defn.task(task.key).on_overdue
                if follow_up:
                    self.audit("escalation", SYSTEM, task, reason="deadline_missed")
                    self.open_task(follow_up, SYSTEM)
        stall = self.phase_deadline()
        if stall and stall <= now:
            self._stalled(stall)
            fired = True
        return fired

    def _stalled(self, since: datetime) -> None:
        """Past the phase's maximum duration: the case shows as stalled and the zorgkantoor
        gets a task to follow it up."""
        self.state.stalled = True
        self.audit(
            "phase_stalled",
            SYSTEM,
            before={"stalled": False},
            after={"stalled": True},
            phase=self.state.phase,
            max_reached_at=since.isoformat(),
        )
        if self.defn.has_trigger(PHASE_STALLED):
            self.open_task(self.defn.task_opened_by(PHASE_STALLED).key, SYSTEM)
