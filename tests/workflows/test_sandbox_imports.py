"""What the workflow sandbox imports anew for every workflow instance: only the
workflow's own module (and its package). Every other module of the project comes in
through ``imports_passed_through``; one that the sandbox imports anew is executed again
for each case the worker starts (and compiled again from source when there is no
bytecode, as in the image: ``PYTHONDONTWRITEBYTECODE``)."""

from __future__ import annotations

from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

import pytest

from audit.history import load_histories
from audit.replay import OK, make_replayer, replay
from core.config import get_settings
from workflows.registry import WORKFLOWS

HISTORY = Path(__file__).resolve().parent.parent / "histories" / "withdrawn.json"
PROJECT = {"activities", "core", "db", "domain", "notifications", "workflows"}


async def test_a_workflow_instance_imports_only_its_own_module_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executed: list[str] = []
    original = SourceFileLoader.exec_module

    def exec_module(self: SourceFileLoader, module: ModuleType) -> None:
        executed.append(module.__name__)
        original(self, module)

    monkeypatch.setattr(SourceFileLoader, "exec_module", exec_module)
    pairs = [(h, str(HISTORY)) for h in load_histories(HISTORY)]
    verdicts = [v async for v in replay(pairs, make_replayer(get_settings(), WORKFLOWS))]
    assert [v.verdict for v in verdicts] == [OK] * len(pairs)
    project = {name for name in executed if name.split(".")[0] in PROJECT}
    assert "workflows.case_workflow" in project  # the sandbox imported it (a new instance)
    assert project <= {"workflows"} | {workflow.__module__ for workflow in WORKFLOWS}
