"""The data converter remembers the type hints of the dataclasses it decodes
(``core.temporal``): payloads still decode to the same objects, and a newer SDK that no
longer looks them up the same way is noticed here."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import temporalio.converter._payload_converter as payload_converter

from core.config import get_settings
from core.temporal import data_converter
from domain.messages import Actor, CaseState, TaskState

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_the_converter_looks_up_type_hints_through_the_remembering_function():
    hints = payload_converter.get_type_hints
    assert hasattr(hints, "remembered"), "temporalio changed: core.temporal no longer applies"
    assert hints(TaskState) == typing.get_type_hints(TaskState)
    hints(TaskState)["status"] = int  # a caller changing its copy changes nothing after it
    assert hints(TaskState)["status"] is str
    assert hints.remembered.cache_info().hits > 0  # type: ignore[attr-defined]


async def test_payloads_decode_to_the_same_objects_every_time():
    converter = data_converter(get_settings())
    task = TaskState(
        id="c:t1",
        key="decide_dossierhouder",
        phase="dossierhouder_search",
        title="Besluiten",
        owner_role="aanbieder",
        owner_org="Zorggroep Noord",
        supports=[],
        allowed_outcomes=["accepted", "declined"],
        created_at=NOW,
        due_at=NOW,
        completed_by=Actor("u1", "Ada", "aanbieder", "Zorggroep Noord"),
        data={"reason_code": "no_capacity"},
    )
    state = CaseState(
        case_id="c",
        phase="dossierhouder_search",
        phase_since=NOW,
        provider_org="Zorggroep Noord",
        zorgkantoor_org="Zorgkantoor Groningen",
        tasks=[task, task],
    )
    payloads = await converter.encode([state])
    for _ in range(3):
        assert await converter.decode(payloads, [CaseState]) == [state]
