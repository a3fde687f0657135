"""The step plan as data matches the closing-outcome table of docs/process.md."""

from __future__ import annotations

from domain.definitions import definition
from domain.validation import completion_errors
from domain.vocabulary import WORKING_PHASES, CaseOutcome, Phase

PLAN = definition(1)  # version 2: tests/domain/test_stappenplan_v2.py


def closing(phase: Phase) -> dict[str, tuple]:
    """outcome -> (goto, close) of every task in the phase that can end it."""
    return {
        f"{t.key}.{outcome}": (e.goto, e.close)
        for t in PLAN.phase(phase).tasks
        for outcome, e in t.outcomes.items()
        if e.goto or e.close
    }


def test_every_working_phase_is_defined_with_dutch_titles():
    assert [p.phase for p in PLAN.phases] == list(WORKING_PHASES)
    for task in PLAN.all_tasks():
        assert task.title and task.allowed_outcomes, task.key


def test_closing_outcomes_follow_the_process_table():
    assert closing(Phase.DOSSIERHOUDER_SEARCH) == {
        "arrange_care.placed": (None, CaseOutcome.PLACED),
        "arrange_care.no_place": (Phase.SEARCH_OTHER_PROVIDER, None),
        "take_over_mediation.escalate": (Phase.REGULAR_STEPS_FAILED, None),
    }
    assert closing(Phase.CURRENT_PLACE_REVIEW) == {
        "establish_place_not_suitable.solved_in_place": (None, CaseOutcome.SOLVED_IN_PLACE),
        "establish_place_not_suitable.not_suitable": (Phase.SEARCH_OTHER_PROVIDER, None),
    }
    assert closing(Phase.SEARCH_OTHER_PROVIDER) == {
        "first_registration_round.placed": (None, CaseOutcome.PLACED),
        "first_registration_round.no_place": (Phase.REGULAR_STEPS_FAILED, None),
    }
    assert closing(Phase.REGULAR_STEPS_FAILED) == {
        "second_registration_round.placed": (None, CaseOutcome.PLACED),
        "second_registration_round.no_place": (Phase.WHOLE_SYSTEM_MEETING, None),
    }
    assert closing(Phase.WHOLE_SYSTEM_MEETING) == {
        "hold_meeting.no_solution": (Phase.PLAN_OF_ACTION, None),
        "monitor_agreements.placed": (None, CaseOutcome.PLACED),
        "monitor_agreements.agreements_failed": (Phase.PLAN_OF_ACTION, None),
    }
    assert closing(Phase.PLAN_OF_ACTION) == {
        "evaluate_meeting.new_meeting": (Phase.WHOLE_SYSTEM_MEETING, None),
        "report_progress.placed": (None, CaseOutcome.PLACED),
    }


def test_decision_task_has_the_timer_reminder_and_escalation():
    decide = PLAN.task("decide_dossierhouder")
    assert decide.due == "decision_days" and decide.remind
    assert decide.on_overdue == "follow_up_overdue_decision"
    assert PLAN.task("follow_up_overdue_decision").owner == "zorgkantoor"


def test_completion_data_is_checked_by_kind():
    meeting = PLAN.task("hold_meeting")
    allowed = list(meeting.allowed_outcomes)
    errors = completion_errors(
        meeting,
        "solution",
        "",
        {"meeting_at": "morgen", "participants": [{"name": "A"}], "agreements": "x"},
        allowed,
    )
    assert any("meeting_at" in e for e in errors) and any("participants" in e for e in errors)
    ok = {
        "meeting_at": "2026-12-01T10:00",
        "agreements": "x",
        "participants": [{"name": "A", "org": "B", "mandate": True}],
    }
    assert completion_errors(meeting, "solution", "", ok, allowed) == []
    assert completion_errors(
        PLAN.task("estimate_funding"), "done", "", {"cost_estimate": -5}, ["done"]
    )
