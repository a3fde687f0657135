"""The caseload simulator runs the real workflow, is deterministic for a seed, and can
write its cases into a read model for the monitor."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from temporalio.client import WorkflowQueryFailedError

from cli.simulation import (
    DEFAULT_SCENARIO,
    QUERY_ATTEMPTS,
    SimulatedCase,
    Simulation,
    load_scenario,
    simulate,
    worker_queues,
)
from core.config import Settings, get_settings
from core.keys import key_ring
from db.case_keys import unwrap
from db.engine import engine_for
from db.models import Case, Task
from tests.workflows.harness import encrypted_client

ROOT = Path(__file__).resolve().parent.parent


async def run(env, engine, seed: int, cases: int = 10, worker_processes: int | None = None):
    return await simulate(
        env,
        encrypted_client(env),
        engine,
        get_settings(),
        cases=cases,
        region="Utrecht",
        seed=seed,
        scenario=dict(DEFAULT_SCENARIO),
        task_queue=f"sim-{uuid.uuid4()}",
        weeks=4,
        worker_processes=worker_processes,
    )


def caseload(engine) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    with Session(engine) as session:
        cases = session.exec(select(Case).order_by(Case.id)).all()
        return [
            (
                c.id,
                c.status,
                c.outcome,
                tuple(
                    sorted(
                        f"{t.key}:{t.outcome}"
                        for t in session.exec(
                            select(Task).where(Task.case_id == c.id, Task.status == "done")
                        )
                    )
                ),
            )
            for c in cases
        ]


async def test_a_seed_gives_the_same_caseload(env, engine, tmp_path, migrated_sqlite_template):
    """... also when the workers run in other processes (the default on more than one
    core) instead of this one."""
    first = await run(env, engine, seed=7, worker_processes=2)
    assert first.cases == 10 and first.updates > 10 and first.refused == 0
    # the cases are dealt out over the worker processes' own task queues, in turn
    client = encrypted_client(env)
    queues = [
        (await client.get_workflow_handle(f"case-sim-7-{n:05d}").describe()).task_queue
        for n in (1, 2, 3)
    ]
    assert queues[0] != queues[1] and queues[0] == queues[2]
    assert [q.rsplit("-", 1)[1] for q in queues] == ["1", "0", "1"]
    once = caseload(engine)
    assert any(c[1] == "closed" for c in once) and any(c[3] for c in once)
    other = tmp_path / "again.db"  # the same seed on an empty read model
    shutil.copyfile(migrated_sqlite_template, other)
    again_engine = engine_for(f"sqlite:///{other}")
    again = await run(env, again_engine, seed=7, worker_processes=0)
    assert caseload(again_engine) == once and again.outcomes == first.outcomes


def test_a_scenario_file_overrides_chances_and_rejects_unknown_keys(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text("decision_accept: 0.9\n")
    assert load_scenario(path)["decision_accept"] == 0.9
    path.write_text("decision_acept: 0.9\n")
    with pytest.raises(ValueError, match="decision_acept"):
        load_scenario(path)


def test_cli_rejects_an_unknown_region():
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "simulate", "--region", "Atlantis"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "--region" in result.stderr


@pytest.mark.timeout(180)
def test_cases_simulated_into_a_data_dir_are_readable_with_its_key_ring(tmp_path, monkeypatch):
    """``--into DIR``: the cases' data keys are wrapped by DIR's key ring (the development
    key file there), which the activity process uses too; nothing is written to the
    working directory's default data dir."""
    for name in ("CASUSREGIE_SECRET_KEYS", "CASUSREGIE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    into, elsewhere = tmp_path / "into", tmp_path / "elsewhere"
    env = {**os.environ, "CASUSREGIE_DATA_DIR": str(elsewhere)}
    command = [sys.executable, "-m", "cli.main", "simulate", "--cases", "2"]
    result = subprocess.run(
        [*command, "--into", str(into), "--report", str(tmp_path / "report.json")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "does not unwrap" not in result.stderr
    assert not elsewhere.exists() and not (tmp_path / ".casusregie").exists()
    ring = key_ring(Settings(data_dir=into))
    with engine_for(f"sqlite:///{into / 'casusregie.db'}").connect() as conn:
        rows = conn.execute(text("SELECT case_id, kek_id, wrapped_key FROM case_keys")).all()
    assert len(rows) == 2
    for case_id, kek_id, wrapped in rows:
        assert len(unwrap(ring, case_id, kek_id, wrapped)) == 32


@pytest.mark.timeout(180)
def test_without_into_the_simulated_read_model_is_removed_after_the_report(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "simulate", "--cases", "2"],
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "simulatie-Utrecht-1.json").exists()
    assert not list(scratch.glob("casusregie-sim-*"))


def test_worker_processes_have_a_task_queue_each():
    assert worker_queues("sim-x", 2) == ["sim-x-0", "sim-x-1"]
    assert worker_queues("sim-x", 0) == ["sim-x"]  # the worker in the parties' process


class _FlakyHandle:
    """A workflow handle whose query fails as a replaying worker's can, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.asked = 0

    async def query(self, name: str, result_type: type) -> dict:
        assert name == "open_work" and result_type is dict
        self.asked += 1
        if self.asked <= self.failures:
            raise WorkflowQueryFailedError("[TMPRL1100] Nondeterminism error")
        return {
            "status": "open",
            "provider_org": "P",
            "notice": None,
            "bridging": None,
            "tasks": [],
        }


async def test_a_failed_weekly_query_is_asked_again_and_counted():
    sim = Simulation(None, None, None, "Utrecht", 1, dict(DEFAULT_SCENARIO), ["q"])  # type: ignore[arg-type]
    handle = _FlakyHandle(failures=2)
    case = SimulatedCase(1, "sim-1-00001", random.Random(1), handle)  # type: ignore[arg-type]
    view = await sim._view(case)
    assert (view.status, handle.asked, sim.queries_retried) == ("open", 3, 2)
    handle = _FlakyHandle(failures=QUERY_ATTEMPTS)
    case = SimulatedCase(1, "sim-1-00001", random.Random(1), handle)  # type: ignore[arg-type]
    with pytest.raises(WorkflowQueryFailedError):
        await sim._view(case)
