"""The dossierhouder decision timer (reminder, expiry, the zorgkantoor's follow-up) and
the plan-of-action progress reports, with the clock moved by hand; and both sides of
the two ``workflow.patched`` versioning points."""

from __future__ import annotations

from domain.messages import CompleteTask
from tests.engine.driver import (
    COORDINATOR,
    NEXT_PROVIDER,
    PROVIDER,
    ZORGKANTOOR,
    case_input,
    days,
    opened,
    start,
    summary,
    to_plan_of_action,
)
from workflows.engine import PROGRESS_REPORT_V2, TASK_CONTEXT_KEPT, CaseEngine

ZK, PROV = ZORGKANTOOR.org, PROVIDER.org


def test_the_next_deadline_is_the_reminder_then_the_expiry_then_none():
    case = start(decision_days=5)
    assert case.engine.next_deadline() == days(4)
    case.advance(4)
    assert case.engine.next_deadline() == days(5)
    case.advance(1)
    assert case.engine.next_deadline() is None  # the follow-up task has no deadline


def test_nothing_fires_before_its_time():
    case = start(decision_days=5)
    case.clock.at = days(3.9)
    assert case.engine.fire_due_timers() is False
    assert case.engine.drain() == (None, [])


def test_decision_in_time_has_no_escalation():
    case = start(decision_days=5)
    case.advance(2)
    case.complete("decide_dossierhouder", "accepted")
    assert case.engine.next_deadline() is None
    case.advance(10)
    assert not any(t.overdue or t.reminded for t in case.state.tasks)
    assert {"deadline_reminder", "deadline_missed", "escalation"}.isdisjoint(case.actions())
    assert not case.tasks("follow_up_overdue_decision")


def test_reminder_one_day_before_the_deadline():
    case = start(decision_days=5)
    decision = case.open_task("decide_dossierhouder")
    assert decision.due_at - decision.created_at == days(5) - days(0)
    case.advance(3.5)
    assert "deadline_reminder" not in case.actions()
    mark = case.mark()
    case.advance(0.7)  # past day 4
    decision = case.open_task("decide_dossierhouder")
    assert decision.reminded and not decision.overdue
    entries, intents = case.since(mark)
    assert [(e.action, e.actor, e.task_id, e.at) for e in entries] == [
        ("deadline_reminder", "systeem", decision.id, days(4))
    ]
    assert entries[0].detail == {"due_at": days(5).isoformat()}
    assert summary(intents) == [("deadline_reminder", [PROV])]
    assert intents[0].context == {
        "task_id": decision.id,
        "task_title": "Besluiten over dossierhouderschap",
        "due_at": days(5).isoformat(),
    }
    assert intents[0].at == days(4) and intents[0].task_id == decision.id
    assert case.batches[-1].tasks == [decision] and not case.batches[-1].overdue


def test_reminder_days_before_is_a_setting():
    case = start(decision_days=10, reminder_days_before=3)
    assert case.open_task("decide_dossierhouder").remind_at == days(7)


def test_no_reminder_when_the_period_is_not_longer_than_the_reminder_lead():
    case = start(decision_days=1, reminder_days_before=1)
    assert case.open_task("decide_dossierhouder").remind_at is None
    case.advance(2)
    assert case.actions().count("deadline_reminder") == 0
    assert case.actions().count("deadline_missed") == 1
    case = start(decision_days=2, reminder_days_before=1)
    assert case.open_task("decide_dossierhouder").remind_at == days(1)


def test_expiry_flags_overdue_and_escalates_to_zorgkantoor_without_moving_on():
    case = start(decision_days=10)
    case.advance(9.5)
    assert not case.open_task("decide_dossierhouder").overdue
    mark = case.mark()
    case.advance(1)
    decision = case.open_task("decide_dossierhouder")
    assert decision.overdue and decision.status == "open"
    entries, intents = case.since(mark)
    assert [(e.action, e.actor, e.at) for e in entries] == [
        ("deadline_missed", "systeem", days(10)),
        ("escalation", "systeem", days(10)),
        ("task_opened", "systeem", days(10)),
    ]
    assert (entries[0].before, entries[0].after) == ({"overdue": False}, {"overdue": True})
    assert entries[0].detail == {"due_at": days(10).isoformat()}
    assert entries[1].detail == {"reason": "deadline_missed"}
    assert entries[0].task_id == entries[1].task_id == decision.id
    assert opened(entries) == [("follow_up_overdue_decision", ZK, None)]
    assert summary(intents) == [("deadline_missed", [PROV, ZK]), ("task_assigned", [ZK])]
    assert intents[0].context == {
        "task_id": decision.id,
        "task_title": "Besluiten over dossierhouderschap",
        "due_at": days(10).isoformat(),
        "owner_org": PROV,
    }
    assert intents[0].task_id == decision.id
    follow_up = case.open_task("follow_up_overdue_decision")
    assert (follow_up.owner_role, follow_up.owner_org) == ("zorgkantoor", ZK)
    assert case.state.phase == "dossierhouder_search"  # the case does not move on by itself
    assert case.batches[-1].overdue  # the read model flags the case
    # the provider can still decide late; the flag clears from the case
    case.complete("decide_dossierhouder", "accepted")
    assert not case.batches[-1].overdue
    case.complete("follow_up_overdue_decision", actor=ZORGKANTOOR)
    assert case.actions().count("deadline_missed") == 1


def test_reminder_and_expiry_passed_at_once_fire_together():
    """After a long outage the workflow wakes once, past both moments."""
    case = start(decision_days=5)
    case.clock.at = days(8)
    assert case.engine.fire_due_timers() is True
    case.drain()
    assert case.actions()[-4:] == [
        "deadline_reminder",
        "deadline_missed",
        "escalation",
        "task_opened",
    ]
    assert case.engine.fire_due_timers() is False  # each fires once


def test_decline_opens_a_new_registration_with_a_new_timer():
    case = start(decision_days=5)
    case.advance(3)
    case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Vol")
    assert case.engine.next_deadline() is None  # the first timer is gone with its task
    case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT_PROVIDER.org,
    )
    second = case.open_task("decide_dossierhouder")
    assert (second.owner_org, second.due_at, second.remind_at) == (
        NEXT_PROVIDER.org,
        days(8),
        days(7),
    )
    case.advance(4.5)  # the first timer would have expired at day 5
    assert not case.open_task("decide_dossierhouder").overdue
    assert case.last("deadline_reminder").at == days(7)
    assert case.intents[-1].recipients == [NEXT_PROVIDER.org]
    case.advance(1)  # day 8.5 of the case = day 5.5 of the second registration
    assert case.open_task("decide_dossierhouder").overdue
    assert summary(case.intents[-2:]) == [
        ("deadline_missed", [NEXT_PROVIDER.org, ZK]),
        ("task_assigned", [ZK]),
    ]


def test_closing_the_case_stops_its_timers():
    case = start(decision_days=5)
    case.act("withdraw", note="Indicatie vervallen")
    assert case.engine.next_deadline() is None
    case.clock.at = days(30)
    assert case.engine.fire_due_timers() is False


def test_missed_progress_report_creates_zorgkantoor_follow_up():
    case = start(entry="care_not_suitable", progress_report_days=14)
    to_plan_of_action(case)
    report = case.open_task("report_progress")
    assert (report.due_at, report.remind_at) == (days(7), None)  # no reminder for reports
    case.advance(5)  # the first report is due after 7 days (progress-report-interval-v2)
    case.complete("report_progress", "progress", note="Gesprekken lopen")
    assert case.open_task("report_progress").due_at == days(5 + 14)
    case.advance(13)  # next report due 14 days after the first was given
    assert not case.tasks("follow_up_missed_report")
    mark = case.mark()
    case.advance(2)
    entries, intents = case.since(mark)
    assert [(e.action, e.at) for e in entries] == [
        ("deadline_missed", days(19)),
        ("escalation", days(19)),
        ("task_opened", days(19)),
    ]
    assert summary(intents) == [("deadline_missed", [PROV, ZK]), ("task_assigned", [ZK])]
    [follow_up] = [t for t in case.state.open_tasks if t.key == "follow_up_missed_report"]
    assert (follow_up.owner_role, follow_up.owner_org) == ("zorgkantoor", ZK)
    assert case.open_task("report_progress").overdue
    case.complete("follow_up_missed_report", actor=ZORGKANTOOR)
    r = case.complete("report_progress", "placed", placed_at=NEXT_PROVIDER.org)
    assert r.outcome == "placed"


# ---------------------------------------------------------------- versioning points
def test_first_progress_report_after_a_week_with_the_patch():
    case = start(entry="care_not_suitable", progress_report_days=14)
    to_plan_of_action(case)
    assert case.open_task("report_progress").due_at == days(7)
    assert PROGRESS_REPORT_V2 in case.patch_calls


def test_first_progress_report_never_later_than_the_interval_with_the_patch():
    case = start(entry="care_not_suitable", progress_report_days=5)
    to_plan_of_action(case)
    assert case.open_task("report_progress").due_at == days(5)


def test_first_progress_report_after_the_interval_without_the_patch():
    """A case whose history predates the patch keeps the case's interval throughout."""
    case = start(entry="care_not_suitable", progress_report_days=14, patches=[TASK_CONTEXT_KEPT])
    to_plan_of_action(case)
    assert case.open_task("report_progress").due_at == days(14)
    case.advance(3)
    case.complete("report_progress", "progress", note="Loopt")
    assert case.open_task("report_progress").due_at == days(17)


def test_later_reports_ask_for_the_patch_no_more():
    case = start(entry="care_not_suitable", progress_report_days=14)
    to_plan_of_action(case)
    calls = case.patch_calls.count(PROGRESS_REPORT_V2)
    case.complete("report_progress", "progress", note="Loopt")
    assert case.patch_calls.count(PROGRESS_REPORT_V2) == calls == 1


def test_an_engine_without_a_patched_function_takes_every_patch():
    """Outside a workflow (tools, tests) the engine behaves as for a new case."""
    inp = case_input("care_not_suitable", progress_report_days=14)
    engine = CaseEngine(inp, CaseEngine.new_state(inp, days(0)), lambda: days(0))
    engine.start(COORDINATOR, None)
    task = engine.open_task("report_progress", COORDINATOR)
    assert task.due_at == days(7)
    task.data["requested_by_org"] = PROV
    engine.complete(CompleteTask(task.id, "progress", PROVIDER, "Loopt"))
    assert task.data == {"requested_by_org": PROV}


def test_completion_keeps_the_task_context_with_the_patch():
    case = start(entry="care_not_suitable")
    case.act("request_praktijkteam_advice", actor=PROVIDER, note="Wlz of Zvw?")
    advice = case.open_task("record_praktijkteam_advice")
    assert advice.data == {"requested_by_org": PROV}
    case.complete("record_praktijkteam_advice", "answered", actor=ZORGKANTOOR, advice="Wlz")
    assert advice.data == {"requested_by_org": PROV, "advice": "Wlz"}
    assert case.last("task_completed").detail["data"] == {"advice": "Wlz"}
    assert summary(case.intents[-1:]) == [("advice_answered", [ZK, PROV])]
    assert case.intents[-1].task_id == advice.id


def test_completion_replaces_the_task_context_without_the_patch():
    """The old behaviour, kept for replay: the answer reached only the zorgkantoor."""
    case = start(entry="care_not_suitable", patches=[PROGRESS_REPORT_V2])
    case.act("request_praktijkteam_advice", actor=PROVIDER, note="Wlz of Zvw?")
    advice = case.open_task("record_praktijkteam_advice")
    case.complete("record_praktijkteam_advice", "answered", actor=ZORGKANTOOR, advice="Wlz")
    assert advice.data == {"advice": "Wlz"}
    assert summary(case.intents[-1:]) == [("advice_answered", [ZK])]
    assert TASK_CONTEXT_KEPT in case.patch_calls
