"""Case-level actions that can happen in any phase (rules that hold in every phase)."""

from __future__ import annotations

from domain.messages import CaseAction, CaseActionKind, UpdateResult
from domain.vocabulary import CaseOutcome
from workflows.engine import CaseEngine


def apply_action(engine: CaseEngine, cmd: CaseAction) -> UpdateResult:
    """Apply a validated case action; returns what it changed."""
    state, actor, rid, note = engine.state, cmd.actor, cmd.request_id, cmd.note
    opened = []
    if cmd.action == CaseActionKind.WITHDRAW:
        engine.audit("withdrawn", actor, request_id=rid, motivation=note)
        engine.close(CaseOutcome.WITHDRAWN.value, actor, rid, note)
    elif cmd.action == CaseActionKind.END_CARE_WITH_BRIDGING:
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
            "stagnation_signal",
            [state.zorgkantoor_org],
            signalled_by_org=actor.org,
            signalled_by_role=actor.role,
        )
        opened.append(engine.open_task(engine.defn.task_opened_by(cmd.action).key, actor, rid))
    elif cmd.action == CaseActionKind.REQUEST_ADVICE:
        engine.audit(
            "advice_requested", actor, request_id=rid, motivation=note, adviser="Praktijkteam VWS"
        )
        task = engine.open_task(engine.defn.task_opened_by(cmd.action).key, actor, rid)
        task.data["requested_by_org"] = actor.org
        engine.notify(
            "advice_requested",
            [state.zorgkantoor_org, actor.org],
            task,
            requested_by_org=actor.org,
            requested_by_role=actor.role,
        )
        opened.append(task)
    elif cmd.action == CaseActionKind.ADD_PARTICIPANT:
        org, capacity = str(cmd.data["org"]).strip(), str(cmd.data["capacity"])
        before = {"participants": {k: list(v) for k, v in state.participants.items()}}
        if capacity == "oco":
            state.oco_org = org
        if engine.add_participant(capacity, org):
            engine.audit(
                "participant_added",
                actor,
                request_id=rid,
                motivation=note,
                before=before,
                after={"org": org, "capacity": capacity},
                consent_recorded=bool(cmd.data.get("consent")),
            )
    return engine.result(None, opened)
