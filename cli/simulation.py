"""The caseload simulator: a year of cases through the real ``CaseWorkflow`` on the
time-skipping test server, with simulated parties.

Each simulated week new cases start (spread over the year), every party works the open
tasks it owns (outcomes drawn from the scenario's probabilities; a provider may let its
decision run late), then the clock skips a week so reminders, deadlines, stalls and the
bridging checks fire as they would. Every case draws from its own random generator
(``seed``, case number), so a seed gives the same caseload whatever the order in which
the workflows answer. Completion data is made from each task's form description
(``domain/forms.py``), so a new field in the step plan needs no change here.

Speed (docs/benchmarks.md): the workflows run without the SDK's sandbox (the same code;
the sandbox guards against non-deterministic code, which the worker and the tests keep
checking, and it costs a fifth of the CPU here), and on a machine with more than one
core the workers run in one process more than there are cores, up to four (``python -m
cli.simulation``: the case workflow and every activity, on the same task queue of the
same test server), as a deployment with several workers would; this process then only
plays the parties.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.registry import build_activities
from cli.process import child_env, spawn
from core.config import Settings, get_settings
from db.models import Case, Organisation
from domain.codes import (
    CARE_NEED_TYPES,
    DECLINE_REASONS,
    ESCALATION_CAUSES,
    codes,
)
from domain.definitions import CURRENT_VERSION, definition
from domain.forms import describe
from domain.messages import (
    Actor,
    CaseAction,
    CaseActionKind,
    CaseInput,
    CompleteTask,
    workflow_id_for,
)
from domain.permissions import TaskFacts, missing_gates
from domain.vocabulary import ZORGKANTOOR_REGIONS, CaseStatus, Sector, TaskStatus
from workflows.case_workflow import CaseWorkflow

WEEKS = 52
ACTIVE_WEEKS = 10  # weeks a case typically runs: per-case chances are spread over them
# the scenario's defaults: chances per decision, drawn per case (a YAML file overrides any)
DEFAULT_SCENARIO: dict[str, float] = {
    "care_not_suitable": 0.5,  # entry: care at the current place no longer suitable
    "decision_accept": 0.6,
    "decision_late": 0.1,  # the provider lets the 5/10-day decision run past its deadline
    "arranged_in_place": 0.7,  # the new dossierhouder arranges care (else: search)
    "solved_in_place": 0.3,
    "first_round_placed": 0.35,
    "second_round_placed": 0.35,
    "meeting_solution": 0.6,
    "agreements_placed": 0.8,
    "new_meeting": 0.2,  # after a meeting without solution
    "report_placed": 0.25,  # per progress report in a plan of action
    "notice_of_ending_care": 0.05,  # a provider ends care (bridging) during the search
    "withdrawn": 0.03,  # per case: the coordinator withdraws it at some point
}
ZK_USER = "sim-zorgkantoor"
# the parties' weekly query: its JSON as it is (PartyView), not all of CaseState
STATE_QUERY = CaseWorkflow.open_work.__name__
ACTIVITY_THREADS = 16
CONCURRENT_CASES = 64  # cases whose week is worked at the same time
QUERY_ATTEMPTS = 5


@dataclass
class Party:
    actor: Actor


@dataclass
class SimulatedCase:
    number: int
    case_id: str
    rng: random.Random
    handle: WorkflowHandle[Any, Any]
    late_decisions: set[str] = field(default_factory=set)  # task ids left to run late
    done: bool = False


@dataclass
class PartyTask(TaskFacts):
    """A task as the simulated parties read it from the ``open_work`` query."""

    overdue: bool = False


@dataclass
class PartyView:
    """What the simulated parties read of a case: the JSON of the workflow's light query
    ``open_work`` (status, provider, notice, bridging, and the tasks of the phases that
    have open tasks) taken as it is (the full ``state`` query, every task with its data,
    timestamps and actors, cost the workers more than the parties read)."""

    status: str
    provider_org: str
    notice: dict[str, Any] | None
    bridging: dict[str, Any] | None
    tasks: list[PartyTask]

    @property
    def open_tasks(self) -> list[PartyTask]:
        return [t for t in self.tasks if t.status == TaskStatus.OPEN]

    @classmethod
    def of(cls, state: dict[str, Any]) -> PartyView:
        names = PartyTask.__dataclass_fields__
        return cls(
            status=state["status"],
            provider_org=state["provider_org"],
            notice=state.get("notice"),
            bridging=state.get("bridging"),
            tasks=[PartyTask(**{k: v for k, v in t.items() if k in names}) for t in state["tasks"]],
        )


@dataclass
class SimulationResult:
    cases: int
    closed: int
    outcomes: dict[str, int]
    updates: int
    refused: int
    seconds: float  # wall-clock time of the whole run, start of the worker included
    cases_per_second: float = 0.0
    queries_retried: int = 0  # weekly queries asked again (Simulation._view)


def load_scenario(path: Path | None) -> dict[str, float]:
    scenario = dict(DEFAULT_SCENARIO)
    if path is not None:
        given = yaml.safe_load(path.read_text()) or {}
        unknown = sorted(set(given) - set(scenario))
        if unknown:
            raise ValueError(f"unknown scenario keys {unknown}; known: {sorted(scenario)}")
        scenario.update({k: float(v) for k, v in given.items()})
    return scenario


def zorgkantoor_of(region: str) -> str:
    uitvoerder = next(u for u, regions in ZORGKANTOOR_REGIONS.items() if region in regions)
    return f"Zorgkantoor {uitvoerder} {region}"


class Simulation:
    def __init__(
        self,
        env: WorkflowEnvironment,
        client: Client,
        engine: Engine,
        region: str,
        seed: int,
        scenario: dict[str, float],
        task_queues: list[str],
    ) -> None:
        self.env, self.client, self.engine = env, client, engine
        self.region, self.seed, self.scenario = region, seed, scenario
        self.task_queues = task_queues
        self.zk = Actor("sim-zk", "Zorgkantoor (simulatie)", "zorgkantoor", zorgkantoor_of(region))
        self.coordinator = Actor(
            "sim-coord", "Zorgbemiddelaar (simulatie)", "coordinator", self.zk.org
        )
        self.defn = definition(CURRENT_VERSION)
        self.updates = 0
        self.refused = 0
        self.queries_retried = 0

    # ------------------------------------------------------------------ cases
    def _provider(self, rng: random.Random) -> str:
        return f"Zorgaanbieder {rng.randint(1, 12)} {self.region}"

    async def start_case(self, number: int) -> SimulatedCase:
        rng = random.Random(f"{self.seed}:{number}")  # noqa: S311 (a simulation, not secrets)
        case_id = f"sim-{self.seed}-{number:05d}"
        entry = (
            "care_not_suitable"
            if rng.random() < self.scenario["care_not_suitable"]
            else "no_dossierhouder"
        )
        case_data = {
            "care_need_type": rng.choice(codes(CARE_NEED_TYPES)),
            "escalation_cause": rng.choice(codes(ESCALATION_CAUSES)),
            "sub_region": f"Gemeente {rng.randint(1, 8)}",
        }
        inp = CaseInput(
            case_id=case_id,
            entry=entry,
            sector=rng.choice(list(Sector)).value,
            region=self.region,
            provider_org=self._provider(rng),
            zorgkantoor_org=self.zk.org,
            definition_version=CURRENT_VERSION,
            started_by=self.coordinator,
            case_data=case_data,
        )
        started_at = await self.env.get_current_time()
        with Session(self.engine) as session:
            session.add(
                Case(
                    created_at=started_at,
                    id=case_id,
                    workflow_id=workflow_id_for(case_id),
                    client_ref=f"SIM-{number:05d}",
                    sector=inp.sector,
                    region=inp.region,
                    entry=entry,
                    provider_org=inp.provider_org,
                    zorgkantoor_org=inp.zorgkantoor_org,
                    phase="",
                    workflow_state="running",
                    definition_version=CURRENT_VERSION,
                    case_data=case_data,
                )
            )
            session.commit()
        # the case's workflow (and so its activities) on one worker process's own task
        # queue, in turn: each process gets as many cases (a workflow stays with the
        # worker that took its first task; on a shared queue that is whichever asked first)
        queue = self.task_queues[number % len(self.task_queues)]
        handle = await self.client.start_workflow(
            CaseWorkflow.run, inp, id=workflow_id_for(case_id), task_queue=queue
        )
        # as the API does after a start: the case's first tasks are written before anyone
        # asks (a query that reached the worker while the first workflow tasks were in
        # flight was answered by a replay that failed with a nondeterminism error, again
        # and again: docs/benchmarks.md)
        await handle.execute_update(CaseWorkflow.sync_read_model)
        return SimulatedCase(number, case_id, rng, handle)

    # ------------------------------------------------------------------ parties at work
    def _actor(self, task: PartyTask) -> Actor:
        if task.owner_role == "aanbieder":
            return Actor(
                f"sim-{task.owner_org}", "Aanbieder (simulatie)", "aanbieder", task.owner_org
            )
        if task.owner_role == "oco":
            return Actor("sim-oco", "Cliëntondersteuner (simulatie)", "oco", task.owner_org)
        return self.zk

    def _chance(self, case: SimulatedCase, key: str) -> bool:
        return case.rng.random() < self.scenario[key]

    def _outcome(self, case: SimulatedCase, task: PartyTask) -> str:
        """The party's choice, by the scenario; tasks without a policy take the outcome
        that keeps the case where it is (or the only one)."""
        allowed = task.allowed_outcomes
        yes = self._chance
        policies: dict[str, Callable[[], str]] = {
            "decide_dossierhouder": lambda: (
                "accepted" if yes(case, "decision_accept") else "declined"
            ),
            "arrange_care": lambda: "placed" if yes(case, "arranged_in_place") else "no_place",
            "establish_place_not_suitable": lambda: (
                "solved_in_place" if yes(case, "solved_in_place") else "not_suitable"
            ),
            "first_registration_round": lambda: (
                "placed" if yes(case, "first_round_placed") else "no_place"
            ),
            "second_registration_round": lambda: (
                "placed" if yes(case, "second_round_placed") else "no_place"
            ),
            "hold_meeting": lambda: "solution" if yes(case, "meeting_solution") else "no_solution",
            "monitor_agreements": lambda: (
                "placed" if yes(case, "agreements_placed") else "agreements_failed"
            ),
            "evaluate_meeting": lambda: (
                "new_meeting" if yes(case, "new_meeting") else "continue_with_plan"
            ),
            "report_progress": lambda: "placed" if yes(case, "report_placed") else "progress",
            "take_over_mediation": lambda: "escalate",
            "review_termination_grounds": lambda: "agreed",
            "estimate_funding": lambda: "not_applicable",
        }
        if task.key in policies:
            choice = policies[task.key]()
            if choice in allowed:
                return choice
        staying = [
            o
            for o in allowed
            if not (
                self.defn.task(task.key).outcomes[o].goto
                or self.defn.task(task.key).outcomes[o].close
            )
        ]
        return (staying or allowed)[0]

    def _value(self, kind: str, choices: list[str], rng: random.Random) -> Any:
        """A plausible value of a field of ``kind`` (never client data)."""
        if kind == "choice":
            return rng.choice(choices)
        if kind == "organisation":
            return self._provider(rng)
        if kind == "organisations":
            return [self._provider(rng)]
        if kind == "provider_results":
            reason = rng.choice(codes(DECLINE_REASONS))
            return [{"provider": self._provider(rng), "result": "declined", "reason_code": reason}]
        return {
            "date": "2026-12-15",
            "datetime": "2026-12-10T14:00",
            "money": 1000.0,
            "yes_no": False,
            "participants": [{"name": "Deelnemer", "org": self.zk.org, "mandate": True}],
            "consent": {
                "given_by": "client",
                "scope": "casusinformatie",
                "date": "2026-11-01",
                "recorded_how": "formulier",
            },
        }.get(kind, "vastgelegd (simulatie)")

    def _data(self, case: SimulatedCase, task: PartyTask, outcome: str) -> dict[str, Any]:
        """Values for the fields the outcome needs, from the task's form description."""
        form = describe(self.defn.task(task.key), task.allowed_outcomes, self.defn)
        rng, data = case.rng, {}
        for f in form.fields:
            if outcome not in f.required_for and f.name not in ("solution_kind", "reason_code"):
                continue
            if f.name == "reason_code" and outcome != "declined":
                continue
            if f.name == "solution_kind" and outcome != "placed":
                continue
            data[f.name] = self._value(f.kind, [c.code for c in f.choices], rng)
        return data

    async def _complete(self, case: SimulatedCase, state: PartyView, task: PartyTask) -> None:
        outcome = self._outcome(case, task)
        tdef = self.defn.task(task.key)
        if missing_gates(tdef, outcome, task.phase, state.tasks):
            return  # its preparatory steps first (they are completed in this round too)
        note = "" if "note" not in tdef.requires.get(outcome, ()) else "toelichting (simulatie)"
        cmd = CompleteTask(
            task.id, outcome, self._actor(task), note, self._data(case, task, outcome)
        )
        await self._update(case, CaseWorkflow.complete_task, cmd)
        task.status = "done"  # this round's later tasks see it (their gates)

    async def work_week(self, case: SimulatedCase) -> None:
        """Every party completes what it owns; the case may be withdrawn, or its provider
        may give notice of ending care (and the zorgkantoor lets it end with bridging)."""
        state = await self._view(case)
        if state.status == CaseStatus.CLOSED.value and not state.open_tasks:
            case.done = True
            return
        is_open = state.status == CaseStatus.OPEN.value
        if is_open and case.rng.random() < self.scenario["withdrawn"] / ACTIVE_WEEKS:
            await self._act(
                case, CaseActionKind.WITHDRAW, self.coordinator, "ingetrokken (simulatie)"
            )
            return
        notice_chance = self.scenario["notice_of_ending_care"] / ACTIVE_WEEKS
        if (
            is_open
            and state.provider_org
            and not state.notice
            and not state.bridging
            and case.rng.random() < notice_chance
        ):
            provider = Actor("sim-p", "Aanbieder (simulatie)", "aanbieder", state.provider_org)
            await self._act(
                case,
                CaseActionKind.GIVE_NOTICE,
                provider,
                "",
                reason="opzegging (simulatie)",
                intended_end="2026-12-31",
            )
        if state.notice and state.notice.get("review") == "agreed":
            await self._act(
                case,
                CaseActionKind.END_CARE_WITH_BRIDGING,
                self.coordinator,
                "",
                bridging_care="logeerbed (simulatie)",
            )
        for task in sorted(state.open_tasks, key=lambda t: self.defn.task(t.key).closes_phase):
            late = task.id in case.late_decisions or self._chance(case, "decision_late")
            if task.key == "decide_dossierhouder" and not task.overdue and late:
                case.late_decisions.add(task.id)
                continue
            await self._complete(case, state, task)

    async def _view(self, case: SimulatedCase) -> PartyView:
        """The case as the parties read it. A query the worker could only answer by
        replaying the history can fail with the SDK's nondeterminism error while an update
        of the case is still being written (seen under load); asked again a moment later,
        the cached workflow answers, and with the same state (nothing else changes the
        case before the week's time skip)."""
        for attempt in range(QUERY_ATTEMPTS):
            try:
                return PartyView.of(await case.handle.query(STATE_QUERY, result_type=dict))
            except WorkflowQueryFailedError:
                if attempt == QUERY_ATTEMPTS - 1:
                    raise
                self.queries_retried += 1
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _act(
        self, case: SimulatedCase, action: str, actor: Actor, note: str, **data: Any
    ) -> None:
        await self._update(case, CaseWorkflow.case_action, CaseAction(action, actor, note, data))

    async def _update(self, case: SimulatedCase, update: Any, cmd: Any) -> None:
        """One update; a refusal (the workflow's validators said no) is counted, not fatal."""
        try:
            # its result as plain JSON: the parties read none of it (decoding the tasks
            # it names into dataclasses cost them a sixth of their time)
            await case.handle.execute_update(update.__name__, cmd, result_type=dict)
            self.updates += 1
        except WorkflowUpdateFailedError:
            self.refused += 1
        except RPCError as err:  # the workflow completed meanwhile (its last follow-up)
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            case.done = True


async def simulate(
    env: WorkflowEnvironment,
    client: Client,
    engine: Engine,
    settings: Settings,
    *,
    cases: int,
    region: str,
    seed: int,
    scenario: dict[str, float],
    task_queue: str,
    progress: Callable[[int], None] | None = None,
    weeks: int = WEEKS,
    worker_processes: int | None = None,
) -> SimulationResult:
    """Run ``cases`` cases started over ``weeks`` simulated weeks (a year), and up to half
    as many weeks more for them to finish; returns what happened. ``worker_processes``:
    how many worker processes (0: the worker runs in this process; default: one more than
    there are cores, up to four, on a machine with more than one core: while one waits for
    a round trip, another works)."""
    import time

    started = time.perf_counter()
    if worker_processes is None:
        cores = os.cpu_count() or 1
        worker_processes = min(cores + 1, 4) if cores > 1 else 0
    sim = Simulation(
        env, client, engine, region, seed, scenario, worker_queues(task_queue, worker_processes)
    )
    with Session(engine) as session:  # organisations without addresses: notices are recorded
        if (
            session.exec(select(Organisation).where(Organisation.name == sim.zk.org)).first()
            is None
        ):
            session.add(Organisation(name=sim.zk.org, kind="zorgkantoor", region=region))
            session.commit()
    running: list[SimulatedCase] = []
    per_week = [cases // weeks + (1 if w < cases % weeks else 0) for w in range(weeks)]
    number = 0
    helpers = await _start_worker_processes(
        client, engine, settings, sim.task_queues if worker_processes else []
    )
    executor = ThreadPoolExecutor(max_workers=ACTIVITY_THREADS, thread_name_prefix="sim-activity")
    busy = asyncio.Semaphore(CONCURRENT_CASES)

    async def work_week(case: SimulatedCase) -> None:
        async with busy:
            await sim.work_week(case)

    async def start_and_work_week(number: int) -> SimulatedCase:
        case = await sim.start_case(number)
        await work_week(case)
        return case

    try:
        async with (
            _worker(client, task_queue, build_activities(engine, settings), executor)
            if not helpers
            else contextlib.nullcontext()
        ):
            for week in range(weeks + weeks // 2):
                # the week's new cases start while the running ones are worked (one by
                # one, their round trips left the cores idle: a tenth of the run)
                new = range(number + 1, number + 1 + (per_week[week] if week < weeks else 0))
                number += len(new)
                new_cases, _ = await asyncio.gather(
                    asyncio.gather(*(start_and_work_week(n) for n in new)),
                    asyncio.gather(*(work_week(c) for c in running if not c.done)),
                )
                running.extend(new_cases)
                if progress:
                    progress(sum(1 for c in running if c.done))
                if week >= weeks and all(c.done for c in running):
                    break
                if any(helper.poll() is not None for helper in helpers):
                    raise RuntimeError("a worker process stopped")
                await env.sleep(timedelta(days=7))
            for case in running:
                if not case.done:
                    with contextlib.suppress(RPCError):  # it may just have completed
                        await case.handle.terminate("simulation ended")
    finally:
        executor.shutdown(wait=True)
        for helper in helpers:
            _stop(helper)
    with Session(engine) as session:
        rows = session.exec(select(Case.status, Case.outcome).where(Case.region == region)).all()
    outcomes: dict[str, int] = {}
    for status, outcome in rows:
        key = outcome or status
        outcomes[key] = outcomes.get(key, 0) + 1
    return SimulationResult(
        cases=number,
        closed=sum(1 for s, _ in rows if s == CaseStatus.CLOSED.value),
        outcomes=dict(sorted(outcomes.items())),
        updates=sim.updates,
        refused=sim.refused,
        seconds=round(seconds := time.perf_counter() - started, 1),
        cases_per_second=round(number / seconds, 2),
        queries_retried=sim.queries_retried,
    )


def worker_queues(task_queue: str, worker_processes: int) -> list[str]:
    """The task queue of each worker process (``<task_queue>-<n>``), or the one queue of
    the worker in this process (``worker_processes`` 0)."""
    if worker_processes <= 0:
        return [task_queue]
    return [f"{task_queue}-{n}" for n in range(worker_processes)]


def _worker(
    client: Client,
    task_queue: str,
    activities: list[Callable[..., Any]],
    executor: ThreadPoolExecutor,
) -> Worker:
    """The case workflow and every activity (the simulator's worker, in any process)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[CaseWorkflow],
        activities=activities,
        activity_executor=executor,
        max_concurrent_activities=ACTIVITY_THREADS,
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def _start_worker_processes(
    client: Client, engine: Engine, settings: Settings, task_queues: list[str]
) -> list[subprocess.Popen[bytes]]:
    """A worker process per task queue (``python -m cli.simulation``), on this test
    server, writing to the same database; returns once they all poll."""
    target = client.service_client.config.target_host
    env = child_env(
        CASUSREGIE_DATA_DIR=str(settings.data_dir),
        CASUSREGIE_DATABASE_URL=engine.url.render_as_string(hide_password=False),
        CASUSREGIE_MAIL_BACKEND=settings.mail_backend,
    )
    procs = [
        spawn(
            [sys.executable, "-m", "cli.simulation", target, client.namespace, task_queue],
            env=env,
            stdout=subprocess.PIPE,
        )
        for task_queue in task_queues
    ]

    async def polling(proc: subprocess.Popen[bytes]) -> bool:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=120)
        return line.strip() == b"polling"

    if not all(await asyncio.gather(*(polling(proc) for proc in procs))):
        for proc in procs:
            _stop(proc)
        raise RuntimeError("a worker process did not start")
    for proc in procs:  # what they print after that goes on to stderr
        threading.Thread(target=_forward, args=(proc,), daemon=True).start()
    return procs


def _forward(proc: subprocess.Popen[bytes]) -> None:
    """Pass a worker process's output on to stderr until it ends. Unread, the pipe filled
    up (64 KiB of log lines: the SDK's, the activities') and the next write blocked the
    thread that made it, an activity or a workflow activation: its workflow task timed
    out and the workflow was replayed elsewhere."""
    assert proc.stdout is not None
    for line in iter(proc.stdout.readline, b""):
        sys.stderr.buffer.write(line)
        sys.stderr.flush()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (running activities finish), SIGKILL if it takes too long."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _run_worker(target: str, namespace: str, task_queue: str) -> None:
    """A worker process: the simulation's workflows and activities until SIGTERM."""
    from core.temporal import data_converter
    from db.engine import get_engine

    settings = get_settings()
    client = await Client.connect(
        target, namespace=namespace, data_converter=data_converter(settings)
    )
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    with ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="sim-activity") as executor:
        async with _worker(client, task_queue, build_activities(get_engine(), settings), executor):
            print("polling", flush=True)  # the parent waits for this line
            await stopping.wait()


if __name__ == "__main__":
    asyncio.run(_run_worker(*sys.argv[1:4]))
    sys.stdout.flush()
    os._exit(0)  # the Temporal client can abort the interpreter at exit (docs/development.md)
