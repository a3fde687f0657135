"""Case-level actions that can happen in any phase (rules that hold in every phase)."""

from __future__ import annotations

from domain.messages import Actor, CaseAction, CaseActionKind, TaskState, UpdateResult
from domain.process import CARE_ENDED
from domain.vocabulary import CaseOutcome, NotificationEvent
from workflows.engine import CaseEngine


def apply_action(engine: CaseEngine, cmd: CaseAction) -> UpdateResult:
    """Apply a validated case action; returns what it changed."""
    state, actor, rid, note = engine.state, cmd.actor, cmd.request_id, cmd.note
    opened: list[TaskState] = []
    if cmd.action == CaseActionKind.WITHDRAW:
        engine.audit("withdrawn", actor, request_id=rid, motivation=note)
        engine.close(CaseOutcome.WITHDRAWN.value, actor, rid, note)
    elif cmd.action == CaseActionKind.END_CARE_WITH_BRIDGING:
        if engine.defn.ending_care_keeps_case_open:
            opened += _end_care(engine, cmd)
        else:  # step plan v1: the case closed
            state.bridging_solution = str(cmd.data["bridging_solution"])
            engine.audit(
                "bridging_solution_recorded",
                actor,
                request_id=rid,
                motivation=note,
                bridging_solution=state.bridging_solution,
            )
            engine.close(CaseOutcome.CARE_ENDED_WITH_BRIDGING.value, actor, rid, note)
    elif cmd.action == CaseActionKind.SIGNAL_STAGNATION:
        engine.audit("stagnation_signal", actor, request_id=rid, motivation=note)
        engine.notify(
            NotificationEvent.STAGNATION_SIGNAL,
            [state.zorgkantoor_org],
            signalled_by_org=actor.org,
            signalled_by_role=actor.role,
        )
        task = engine.open_task(engine.defn.task_opened_by(cmd.action).key, actor, rid)
        _carry_request(engine, task, cmd)
        opened.append(task)
    elif cmd.action == CaseActionKind.REQUEST_ADVICE:
        engine.audit(
            "advice_requested", actor, request_id=rid, motivation=note, adviser="Praktijkteam VWS"
        )
        task = engine.open_task(engine.defn.task_opened_by(cmd.action).key, actor, rid)
        task.data["requested_by_org"] = actor.org
        _carry_request(engine, task, cmd)
        engine.notify(
            NotificationEvent.ADVICE_REQUESTED,
            [state.zorgkantoor_org, actor.org],
            task,
            requested_by_org=actor.org,
            requested_by_role=actor.role,
        )
        opened.append(task)
    elif cmd.action == CaseActionKind.ADD_PARTICIPANT:
        _add_participant(engine, cmd)
    elif cmd.action == CaseActionKind.GIVE_NOTICE:
        opened += _give_notice(engine, cmd)
    elif cmd.action == CaseActionKind.ADD_CONTRIBUTION:
        _add_contribution(engine, cmd)
    elif cmd.action == CaseActionKind.SWITCH_OCO:
        _switch_oco(engine, cmd)
    elif cmd.action == CaseActionKind.UPDATE_CASE_DATA:
        _update_case_data(engine, cmd)
    elif cmd.action == CaseActionKind.ADD_DOCUMENT:
        _add_document(engine, cmd)
    return engine.result(None, opened)


def _carry_request(engine: CaseEngine, task: TaskState, cmd: CaseAction) -> None:
    """The task keeps what was asked or signalled, to judge it (since v2)."""
    if engine.defn.tasks_carry_request:
        task.data["request"] = cmd.note
        task.data["requested_by"] = cmd.actor.name


def _update_case_data(engine: CaseEngine, cmd: CaseAction) -> None:
    """An edit of the structured case data: only the fields given change; an empty value
    clears one. Recorded with its values before and after."""
    state = engine.state
    before = {k: state.case_data.get(k) for k in cmd.data}
    for name, value in cmd.data.items():
        if value in (None, ""):
            state.case_data.pop(name, None)
        else:
            state.case_data[name] = value
    engine.audit(
        "case_data_updated",
        cmd.actor,
        request_id=cmd.request_id,
        motivation=cmd.note,
        before=before,
        after={k: state.case_data.get(k) for k in cmd.data},
    )


def _add_document(engine: CaseEngine, cmd: CaseAction) -> None:
    """A reference to a document (never its content): kind, date, who holds it, link."""
    document = {
        "id": f"{engine.state.case_id}:d{len(engine.state.documents) + 1}",
        "kind": str(cmd.data["kind"]),
        "date": str(cmd.data["date"]),
        "holder_org": str(cmd.data["holder_org"]),
        "url": cmd.data.get("url") or None,
        "task_id": cmd.data.get("task_id") or None,
        "added_by": cmd.actor.name,
        "added_by_org": cmd.actor.org,
        "at": engine.now().isoformat(),
    }
    engine.state.documents.append(document)
    engine.audit(
        "document_added",
        cmd.actor,
        request_id=cmd.request_id,
        motivation=cmd.note,
        after={k: document[k] for k in ("kind", "date", "holder_org", "url")},
        kind=document["kind"],
    )


def _participants(engine: CaseEngine) -> dict[str, list[str]]:
    return {k: list(v) for k, v in engine.state.participants.items()}


def _add_participant(engine: CaseEngine, cmd: CaseAction) -> None:
    state = engine.state
    org, capacity = str(cmd.data["org"]).strip(), str(cmd.data["capacity"])
    before = {"participants": _participants(engine)}
    if capacity == "oco":
        state.oco_org = org
    engine.record_consent(org, cmd.data.get("consent_record"))
    if engine.add_participant(capacity, org):
        engine.audit(
            "participant_added",
            cmd.actor,
            request_id=cmd.request_id,
            motivation=cmd.note,
            before=before,
            after={"org": org, "capacity": capacity},
            consent_recorded=bool(cmd.data.get("consent")) or org in state.consents,
        )


def _give_notice(engine: CaseEngine, cmd: CaseAction) -> list[TaskState]:
    """A provider's notice of ending care (opzegging): the zorgkantoor reviews it."""
    actor = cmd.actor
    engine.state.notice = {
        "by_org": actor.org,
        "by": actor.name,
        "reason": str(cmd.data["reason"]),
        "intended_end": str(cmd.data["intended_end"]),
        "at": engine.now().isoformat(),
        "review": None,
    }
    engine.audit(
        "notice_given",
        actor,
        request_id=cmd.request_id,
        motivation=str(cmd.data["reason"]),
        after={"intended_end": engine.state.notice["intended_end"]},
        provider_org=actor.org,
    )
    key = engine.defn.task_opened_by(cmd.action).key
    return [engine.open_task(key, actor, cmd.request_id)]


def _end_care(engine: CaseEngine, cmd: CaseAction) -> list[TaskState]:
    """Continuity of care (since v2): ending care does not close the case. The bridging
    arrangement is recorded, the provider that ended care leaves the case, the search
    goes on and the zorgkantoor monitors the bridging until the case closes."""
    state, actor = engine.state, cmd.actor
    notice = state.notice or {}
    ended_by = str(notice.get("by_org") or "")
    state.bridging = {
        "since": engine.now().isoformat(),
        "arrangement": str(cmd.data["bridging_care"]),
        "ended_by_org": ended_by,
        "intended_end": notice.get("intended_end"),
        "agreed_by": notice.get("reviewed_by"),
        "agreed_by_org": notice.get("reviewed_by_org"),
        "recorded_by": actor.name,
    }
    state.notice = None  # handled; a later provider may give notice again
    engine.audit(
        "care_ended",
        actor,
        request_id=cmd.request_id,
        motivation=cmd.note,
        before={"bridging": None},
        after={"bridging": dict(state.bridging)},
    )
    engine.provider_leaves(ended_by, actor, cmd.request_id, reason="ended_care")
    key = engine.defn.task_opened_by(CARE_ENDED).key
    return [engine.open_task(key, actor, cmd.request_id)]


def _add_contribution(engine: CaseEngine, cmd: CaseAction) -> None:
    """A supporting role adds its contribution to a task it supports (e.g. the
    zorgkantoor's meerzorg or maatwerk arrangement and its funding); kept on the task
    and in the timeline."""
    task = engine.state.task(str(cmd.data["task_id"]))
    assert task is not None  # the validator checked
    actor: Actor = cmd.actor
    contribution = {
        "at": engine.now().isoformat(),
        "by": actor.name,
        "org": actor.org,
        "role": actor.role,
        "note": cmd.note,
        "data": {k: v for k, v in cmd.data.items() if k != "task_id"},
    }
    task.contributions.append(contribution)
    engine.touch(task)
    engine.audit(
        "contribution_added",
        actor,
        task,
        cmd.request_id,
        motivation=cmd.note,
        key=task.key,
        title=task.title,
        data=contribution["data"],
    )


def _switch_oco(engine: CaseEngine, cmd: CaseAction) -> None:
    """The client chose another OCO: the old one leaves, the new one joins with consent
    and takes over its open tasks."""
    state = engine.state
    old, new = state.oco_org, str(cmd.data["org"]).strip()
    before = {"oco_org": old, "participants": _participants(engine)}
    if old:
        if old in state.participants.get("oco", []):
            state.participants["oco"].remove(old)
        engine.add_participant("former_oco", old)
    engine.add_participant("oco", new)
    state.oco_org = new
    engine.record_consent(new, cmd.data["consent"])
    for task in state.open_tasks:
        if task.owner_role == "oco" and task.owner_org == old:
            task.owner_org = new
            engine.touch(task)
    engine.audit(
        "oco_switched",
        cmd.actor,
        request_id=cmd.request_id,
        motivation=cmd.note,
        before=before,
        after={"oco_org": new, "participants": _participants(engine)},
    )
