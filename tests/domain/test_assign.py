"""Assigning a task to a colleague: a claim on behalf of someone of the same
organisation who may act on the task (``ClaimTask.assignee``, default None)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from domain.messages import Actor, ClaimTask
from domain.permissions import Refused, check_assignee, check_claim_holder

ANNA = Actor("u1", "Anna", "aanbieder", "Zorggroep Noord")
BOB = Actor("u2", "Bob", "aanbieder", "Zorggroep Noord")
EVE = Actor("u3", "Eve", "aanbieder", "Stichting Oost")
ZK = Actor("u4", "Zoë", "zorgkantoor", "Zorggroep Noord")


@dataclass
class Task:
    id: str = "t1"
    key: str = "decide_dossierhouder"
    phase: str = "dossierhouder_search"
    owner_role: str = "aanbieder"
    owner_org: str = "Zorggroep Noord"
    status: str = "open"
    supports: list[str] = field(default_factory=list)


def test_a_colleague_of_the_same_organisation_may_be_assigned():
    cmd = ClaimTask(task_id="t1", actor=ANNA, assignee=BOB)
    check_assignee(cmd, Task())
    assert cmd.holder == BOB
    check_claim_holder(cmd, None)
    check_claim_holder(cmd, BOB)  # assigning to whoever holds it: no force needed
    with pytest.raises(Refused):
        check_claim_holder(cmd, ZK)  # someone else holds it: only with force
    check_claim_holder(ClaimTask(task_id="t1", actor=ANNA, assignee=BOB, force=True), ZK)


@pytest.mark.parametrize(
    ("assignee", "release"),
    [(EVE, False), (ZK, False), (BOB, True)],
    ids=["other organisation", "role may not act", "a release has no assignee"],
)
def test_assigning_is_refused(assignee, release):
    with pytest.raises(Refused):
        check_assignee(
            ClaimTask(task_id="t1", actor=ANNA, assignee=assignee, release=release), Task()
        )


def test_without_assignee_the_actor_holds_the_task():
    cmd = ClaimTask(task_id="t1", actor=ANNA)
    check_assignee(cmd, Task())
    assert cmd.holder == ANNA
