"""The light query ``open_work`` (the simulator's parties read it every simulated week)
says what ``state`` says of the tasks that can be worked, and of their phases' gates."""

from __future__ import annotations

from domain.messages import CaseState
from tests.workflows.harness import PROVIDER, ZORGKANTOOR
from workflows.case_workflow import CaseWorkflow

FIELDS = (
    "id",
    "key",
    "phase",
    "supports",
    "owner_role",
    "owner_org",
    "status",
    "allowed_outcomes",
    "overdue",
)


def expected(state: CaseState) -> dict[str, object]:
    phases = {t.phase for t in state.open_tasks}
    return {
        "status": state.status,
        "provider_org": state.provider_org,
        "notice": state.notice,
        "bridging": state.bridging,
        "tasks": [
            {name: getattr(t, name) for name in FIELDS} for t in state.tasks if t.phase in phases
        ],
    }


async def test_open_work_is_state_for_the_tasks_that_can_be_worked(start):
    case = await start(entry="care_not_suitable", bridging_check_days=3, definition_version=2)
    work = await case.handle.query(CaseWorkflow.open_work)
    assert work == expected(await case.state()) and work["tasks"]
    await case.complete("inform_zorgkantoor_early", "sparring")
    await case.act("give_notice", actor=PROVIDER, reason="Veiligheid", intended_end="2026-12-31")
    await case.complete(
        "review_termination_grounds", "agreed", actor=ZORGKANTOOR, note="Getoetst", finding="Ja"
    )
    await case.act("end_care_with_bridging", note="Beëindigd", bridging_care="Logeeropvang")
    await case.sleep(3.5)  # the bridging check's deadline passes
    work = await case.handle.query(CaseWorkflow.open_work)
    state = await case.state()
    assert work == expected(state)
    assert work["bridging"]["arrangement"] == "Logeeropvang"  # the notice ends with care
    assert any(t["overdue"] for t in work["tasks"])
    assert {t["id"] for t in work["tasks"] if t["status"] == "open"} == {
        t.id for t in state.open_tasks
    }
