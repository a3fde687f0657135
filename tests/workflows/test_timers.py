"""The 5/10-day dossierhouder decision timer and the plan-of-action progress reports,
run with time skipping."""

from __future__ import annotations

from datetime import timedelta

from tests.workflows.harness import NEXT_PROVIDER, ZORGKANTOOR, to_plan_of_action


async def test_decision_in_time_has_no_escalation(start):
    case = await start(decision_days=5)
    await case.sleep(2)
    await case.complete("decide_dossierhouder", "accepted")
    await case.sleep(10)
    state = await case.state()
    assert not any(t.overdue for t in state.tasks)
    assert "deadline_missed" not in case.audit_actions()
    assert "follow_up_overdue_decision" not in {t.key for t in state.tasks}


async def test_reminder_one_day_before_the_deadline(start):
    case = await start(decision_days=5)
    decision = await case.open_task("decide_dossierhouder")
    assert decision.due_at - decision.created_at == timedelta(days=5)
    await case.sleep(3.5)
    assert "deadline_reminder" not in case.audit_actions()
    await case.sleep(0.7)  # past day 4
    decision = await case.open_task("decide_dossierhouder")
    assert decision.reminded and not decision.overdue
    assert "deadline_reminder" in case.audit_actions()


async def test_expiry_flags_overdue_and_escalates_to_zorgkantoor_without_moving_on(start):
    case = await start(decision_days=10)
    await case.sleep(9.5)
    assert not (await case.open_task("decide_dossierhouder")).overdue
    await case.sleep(1)
    state = await case.state()
    decision = next(t for t in state.open_tasks if t.key == "decide_dossierhouder")
    assert decision.overdue and decision.status == "open"
    follow_up = next(t for t in state.open_tasks if t.key == "follow_up_overdue_decision")
    assert (follow_up.owner_role, follow_up.owner_org) == ("zorgkantoor", ZORGKANTOOR.org)
    assert state.phase == "dossierhouder_search"  # the case does not move on by itself
    assert case.read_model_case().overdue
    await case.assert_read_model_matches()
    # the provider can still decide late; the flag clears from the case
    await case.complete("decide_dossierhouder", "accepted")
    assert not case.read_model_case().overdue


async def test_decline_opens_a_new_registration_with_a_new_timer(start):
    case = await start(decision_days=5)
    await case.sleep(3)
    await case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Vol")
    await case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT_PROVIDER.org,
    )
    second = await case.open_task("decide_dossierhouder")
    assert second.owner_org == NEXT_PROVIDER.org
    await case.sleep(4.5)  # the first timer would have expired at day 5
    assert not (await case.open_task("decide_dossierhouder")).overdue
    await case.sleep(1)  # day 8.5 of the case = day 5.5 of the second registration
    assert (await case.open_task("decide_dossierhouder")).overdue


async def test_missed_progress_report_creates_zorgkantoor_follow_up(start):
    case = await start(entry="care_not_suitable", progress_report_days=14)
    await to_plan_of_action(case)
    await case.sleep(5)  # the first report is due after 7 days (progress-report-interval-v2)
    await case.complete("report_progress", "progress", note="Gesprekken lopen")
    await case.sleep(13)  # next report due 14 days after the first was given
    assert "follow_up_missed_report" not in {t.key for t in (await case.state()).tasks}
    await case.sleep(2)
    state = await case.state()
    follow_up = [t for t in state.open_tasks if t.key == "follow_up_missed_report"]
    assert len(follow_up) == 1 and follow_up[0].owner_role == "zorgkantoor"
    assert next(t for t in state.open_tasks if t.key == "report_progress").overdue
    await case.assert_read_model_matches()
