"""What the engine hands the workflow: read-model batches, audit entries and
notification intents (``drain``), with stable ids; and a case that continues as new
carries on where it was."""

from __future__ import annotations

from domain.messages import SYSTEM
from tests.engine.driver import (
    OCO,
    PROVIDER,
    ZORGKANTOOR,
    case_input,
    days,
    start,
    summary,
    to_plan_of_action,
)
from workflows.engine import CaseEngine

ZK, PROV = ZORGKANTOOR.org, PROVIDER.org


def test_drain_hands_out_each_change_once():
    case = start()
    assert case.engine.drain() == (None, [])
    case.clock.at = days(1)
    task = case.open_task("decide_dossierhouder")
    case.complete("decide_dossierhouder", "accepted")
    batch = case.batches[-1]
    assert [t.key for t in batch.tasks] == ["decide_dossierhouder", "arrange_care"]
    assert batch.tasks[0] is task and task.status == "done"
    assert [e.action for e in batch.events] == ["task_completed", "task_opened"]
    assert (batch.case_id, batch.phase, batch.status, batch.outcome) == (
        "c1",
        "dossierhouder_search",
        "open",
        None,
    )
    assert (batch.phase_since, batch.provider_org, batch.oco_org, batch.meetings) == (
        days(0),
        PROV,
        None,
        0,
    )
    assert batch.overdue is False
    assert case.engine.drain() == (None, [])


def test_a_new_case_state():
    inp = case_input("care_not_suitable", oco=True)
    state = CaseEngine.new_state(inp, days(0))
    assert (state.case_id, state.phase, state.phase_since, state.status) == (
        "c1",
        "current_place_review",
        days(0),
        "open",
    )
    assert (state.provider_org, state.zorgkantoor_org, state.oco_org) == (PROV, ZK, OCO.org)
    assert state.participants == {"provider": [PROV], "zorgkantoor": [ZK], "oco": [OCO.org]}
    assert (state.tasks, state.next_seq, state.event_seq, state.declines, state.meetings) == (
        [],
        1,
        1,
        0,
        0,
    )


def test_a_participant_added_by_the_engine_reaches_the_read_model():
    case = start()
    assert case.engine.add_participant("adviser", "CCE") is True
    changes, intents = case.engine.drain()
    assert changes is not None and changes.participants["adviser"] == ["CCE"]
    assert (changes.tasks, changes.events, intents) == ([], [], [])
    assert case.engine.add_participant("adviser", "CCE") is False
    assert case.engine.drain() == (None, [])


def test_the_workflows_failed_notification_task_goes_to_the_zorgkantoor():
    """The workflow opens it through ``open_task`` when a message cannot be delivered."""
    case = start()
    task = case.engine.open_task("resolve_failed_notification", SYSTEM)
    case.drain()
    assert (task.owner_role, task.owner_org, task.due_at, task.phase) == (
        "zorgkantoor",
        ZK,
        None,
        "dossierhouder_search",
    )
    assert (case.last("task_opened").actor, case.last("task_opened").request_id) == (
        "systeem",
        None,
    )
    assert summary(case.intents[-1:]) == [("task_assigned", [ZK])]


def test_a_batch_keeps_the_participants_as_they_were():
    case = start()
    first = case.batches[-1]
    case.act("add_participant", org="CCE", capacity="adviser")
    assert first.participants == {"provider": [PROV], "zorgkantoor": [ZK]}
    assert case.batches[-1].participants["adviser"] == ["CCE"]


def test_audit_entries_are_numbered_and_carry_who_when_and_why():
    case = start()
    case.clock.at = days(1)
    case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Geen plek")
    entries = case.audit
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.id for e in entries] == [f"c1:e{n}" for n in range(1, len(entries) + 1)]
    assert case.state.event_seq == len(entries) + 1
    done = case.last("task_completed")
    task = case.tasks("decide_dossierhouder")[0]
    assert (done.case_id, done.at, done.task_id) == ("c1", days(1), task.id)
    assert (done.actor, done.actor_id, done.role, done.org) == (
        PROVIDER.name,
        PROVIDER.user_id,
        "aanbieder",
        PROV,
    )
    assert (done.motivation, done.request_id) == ("Geen plek", f"r-{task.id}")
    assert (done.before, done.after) == (
        {"status": "open"},
        {"status": "done", "outcome": "declined"},
    )
    assert done.detail == {
        "key": "decide_dossierhouder",
        "title": "Besluiten over dossierhouderschap",
        "outcome": "declined",
        "data": {"reason_code": "vol"},
    }
    assert (task.note, task.data) == ("Geen plek", {"reason_code": "vol"})
    # what the completion opened carries the same request id
    assert case.last("task_opened").request_id == f"r-{task.id}"
    assert case.last("task_opened").detail == {
        "key": "register_with_next_provider",
        "title": "Nieuwe aanmelding bij een andere aanbieder",
        "owner_role": "zorgkantoor",
        "owner_org": ZK,
        "due_at": None,
    }


def test_an_empty_note_is_no_motivation():
    case = start()
    case.complete("inform_client_about_oco", actor=ZORGKANTOOR)
    assert case.last("task_completed").motivation is None
    assert case.tasks("inform_client_about_oco")[0].note is None


def test_system_entries_name_the_system():
    case = start(decision_days=5)
    case.advance(5)
    reminder = case.last("deadline_reminder")
    assert (reminder.actor, reminder.actor_id, reminder.role, reminder.org) == (
        SYSTEM.name,
        "system",
        "system",
        "casusregie",
    )
    assert reminder.request_id is None and reminder.motivation is None


def test_notification_ids_follow_the_audit_entry_of_what_happened():
    case = start(entry="care_not_suitable")
    to_plan_of_action(case)
    ids = [i.id for i in case.intents]
    assert len(set(ids)) == len(ids)
    seq_of = {e.seq: e for e in case.audit}
    for intent in case.intents:
        case_id, n, event = intent.id.split(":")
        assert (case_id, event) == ("c1", intent.event)
        entry = seq_of[int(n.removeprefix("n"))]
        # the entry just before the message: the opened task, the phase change, ...
        expected = {
            "task_assigned": "task_opened",
            "phase_changed": "phase_changed",
            "case_closed": "case_closed",
        }[intent.event]
        assert entry.action == expected, intent.id
        if intent.event == "task_assigned":
            assert entry.task_id == intent.task_id == intent.context["task_id"]
    assert all(i.case_id == "c1" and i.at == days(0) for i in case.intents)


def test_phase_change_messages_go_to_every_participant_once():
    case = start(entry="care_not_suitable", oco=True)
    case.act("add_participant", org="CCE", capacity="adviser")
    mark = case.mark()
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    _, intents = case.since(mark)
    assert summary(intents)[0] == ("phase_changed", [PROV, ZK, "MEE Groningen", "CCE"])
    assert intents[0].task_id is None


def test_a_case_started_without_a_user_is_started_by_the_system():
    case = start(started_by=None, request_id=None)
    started = case.audit[0]
    assert (started.action, started.actor, started.request_id) == ("case_started", "systeem", None)


def test_a_case_that_continues_as_new_carries_on():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="n")
    seq, next_task = case.state.event_seq, case.state.next_seq
    resumed = case.resumed()
    assert resumed.state == case.state and resumed.state is not case.state
    assert resumed.engine.drain() == (None, [])  # nothing to write on resuming
    r = resumed.complete("first_registration_round", "placed", placed_at="Zorg West")
    assert r.outcome == "placed"
    new = resumed.audit[len(case.audit) :]
    assert [e.seq for e in new] == [seq, seq + 1]
    assert [e.action for e in new] == ["task_completed", "case_closed"]
    assert resumed.state.next_seq == next_task  # no task opened since
    assert resumed.actions().count("case_started") == 1
