"""What the workflow sandbox imports anew for every workflow instance: only the
workflow's own module (and its package). Every other module of the project comes in
through ``imports_passed_through``; one that the sandbox imports anew is executed again
for each case the worker starts (and compiled again from source when there is no
bytecode, as in the image: ``PYTHONDONTWRITEBYTECODE``)."""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import CodeType, ModuleType

import pytest
import temporalio.worker.workflow_sandbox._runner as sandbox_runner

from audit.history import load_histories
from audit.replay import OK, make_replayer, replay
from core.config import get_settings
from core.sandbox_code import WorkflowCodeCache, remember_workflow_code
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


async def test_the_worker_compiles_the_workflow_module_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without bytecode (``PYTHONDONTWRITEBYTECODE``, as in the image) each instance's
    sandbox compiled the module's source again; with ``core.sandbox_code`` (installed by
    ``worker.build_worker``) the code is compiled once and executed anew each time."""
    remember_workflow_code()
    compiled: list[str] = []
    original = SourceFileLoader.source_to_code

    def source_to_code(self: SourceFileLoader, data: bytes, path: str, **kwargs: int) -> CodeType:
        compiled.append(path)
        return original(self, data, path, **kwargs)

    monkeypatch.setattr(SourceFileLoader, "source_to_code", source_to_code)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    pairs = [(h, str(HISTORY)) for h in load_histories(HISTORY)] * 3
    verdicts = [v async for v in replay(pairs, make_replayer(get_settings(), WORKFLOWS))]
    assert [v.verdict for v in verdicts] == [OK] * len(pairs)
    assert len([p for p in compiled if p.endswith("case_workflow.py")]) <= 1


def test_remembered_code_is_used_only_for_the_same_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "remembered_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "mod.py"
    module.write_text("def f():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = WorkflowCodeCache(["remembered_pkg"])
    monkeypatch.setattr(sys, "meta_path", [cache, *sys.meta_path])

    def fresh() -> ModuleType:
        for name in ("remembered_pkg.mod", "remembered_pkg"):
            sys.modules.pop(name, None)
        return importlib.import_module("remembered_pkg.mod")

    first, second = fresh(), fresh()
    assert first is not second  # executed anew
    assert first.f.__code__ is second.f.__code__  # from the same code object
    module.write_text("def f():\n    return 2\n")
    os.utime(module, (1, 1))  # another mtime, as an edit would give
    importlib.invalidate_caches()
    third = fresh()
    assert third.f() == 2 and third.f.__code__ is not first.f.__code__


async def test_the_sandbox_compiles_its_snippets_once() -> None:
    """The sandbox runs its steps as snippets of source through ``exec``; with
    ``core.sandbox_code`` each is compiled once (a newer SDK without ``_run_code`` is
    noticed here)."""
    remember_workflow_code()
    run_code = sandbox_runner._Instance._run_code
    assert hasattr(run_code, "snippets"), "temporalio changed: core.sandbox_code no longer applies"
    pairs = [(h, str(HISTORY)) for h in load_histories(HISTORY)]
    replayer = make_replayer(get_settings(), WORKFLOWS)
    assert [v.verdict async for v in replay(pairs, replayer)] == [OK] * len(pairs)
    before = run_code.snippets.cache_info()
    assert [v.verdict async for v in replay(pairs * 2, replayer)] == [OK] * len(pairs) * 2
    after = run_code.snippets.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
