"""Benchmark (not a test): casusregie end to end against the bare Temporal Python SDK.

Starts its own Temporal dev server with the project's flags (``cli/devserver.py``:
SQLite, WAL, synchronous=normal), then runs the same load twice per client count:

- **raw**, the floor: the bare SDK doing the same work. One workflow per case; a case
  starts with one update-with-start whose activity writes two rows (case and first task)
  to a SQLite read model (WAL); each step is one update running one activity that writes
  two rows (the task done, the next task or the closed case). The client reads its inbox
  (one SQL query) between steps. Worker in its own process, default data converter.
- **casusregie**: ``casusregie up`` in a temporary data dir (against the same dev
  server), the same number of cases and steps through the real HTTP API: ``POST
  /api/cases``, then per step ``GET /api/tasks?case_id=`` and ``POST
  /api/tasks/{id}/complete`` (the two zorgkantoor tasks of the entry phase, the
  provider's dossierhouder decision, arranging care: 4 steps that close the case).

It prints both side by side with ratios (throughput casusregie/raw, latency
casusregie/raw) and writes them as JSON (``--json``). With ``--profile`` it then runs a
few cases with the API app and the worker in this process under cProfile (every
thread) and prints the CPU cost of one completion by part (API auth and validation,
update round trip, engine, read-model write, notification outbox, response).

    .venv/bin/python bench/e2e.py [--cases 40] [--clients 8,20] [--profile]

Goals (issue 16, as ratios in one run): case starts/s and completions/s >= 0.8 x raw;
completion p95 <= 1.5 x raw at 8 clients, < 500 ms at 20. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import platform
import pstats
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from raw_floor import RAW_QUEUE, RawCase, raw_schema, raw_worker  # noqa: E402
from temporalio.client import Client, WithStartWorkflowOperation  # noqa: E402
from temporalio.common import WorkflowIDConflictPolicy  # noqa: E402

STEPS = 4
ACTIVITY_THREADS = 16  # as worker.py
START_TIMEOUT = 90.0


class RawDriver:
    """The client side of the floor."""

    name = "raw"

    def __init__(self, client: Client, db: str, pids: dict[str, int] | None = None) -> None:
        self.client, self.db = client, db
        self.conn = sqlite3.connect(db, isolation_level=None)
        self.pids = pids or {}

    async def start(self) -> str:
        case_id = str(uuid.uuid4())
        op = WithStartWorkflowOperation(
            RawCase.run,
            args=[case_id, STEPS],
            id=f"raw-{case_id}",
            task_queue=RAW_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        await self.client.execute_update_with_start_workflow(
            RawCase.start, start_workflow_operation=op
        )
        return case_id

    async def inbox(self, case_id: str) -> str:
        row = self.conn.execute(
            "SELECT id FROM rtask WHERE case_id=? AND status='open' ORDER BY id LIMIT 1",
            (case_id,),
        ).fetchone()
        return str(row[0])

    async def complete(self, case_id: str, task_id: str) -> None:
        handle = self.client.get_workflow_handle(f"raw-{case_id}")
        await handle.execute_update(RawCase.complete, task_id)


# ------------------------------------------------------------------ casusregie driver
COORDINATOR = ("Carla", "coordinator", "Zorgkantoor Groningen", "Groningen")
PROVIDER = ("Petra", "aanbieder", "Zorggroep Noord", None)
# the four steps of a no_dossierhouder case, in order: (task key, who, body)
PLAN = [
    ("inform_client_about_oco", "zk", {"outcome": "done"}),
    ("inform_client_about_preferred_provider", "zk", {"outcome": "done"}),
    ("decide_dossierhouder", "provider", {"outcome": "accepted", "note": "Wij nemen het"}),
    ("arrange_care", "provider", {"outcome": "placed", "data": {"placed_at": PROVIDER[2]}}),
]
CASE_BODY = {
    "client_ref": "CR-BENCH",
    "sector": "GZ",
    "region": "Groningen",
    "entry": "no_dossierhouder",
    "provider_org": PROVIDER[2],
    "decision_days": 10,
    "summary": "vertrouwelijk",
}


# The load's HTTP client is aiohttp (its parser is C): it costs the machine about what
# the floor's SDK client costs per step (0.5-0.8 ms of CPU), where httpx (pure Python,
# 1.3 ms a request) took 2.6 ms a step from the two cores the system under test runs on
# (docs/benchmarks.md). The in-process profile pass keeps httpx for its ASGI transport.
HttpClient = aiohttp.ClientSession | httpx.AsyncClient


class HttpDriver:
    name = "casusregie"

    def __init__(
        self, http: HttpClient, tokens: dict[str, str], pids: dict[str, int] | None = None
    ) -> None:
        self.http = http
        self.pids = pids or {}
        self.headers = {who: {"Authorization": f"Bearer {t}"} for who, t in tokens.items()}
        self.step: dict[str, int] = {}
        self.inbox_ms: list[float] = []

    async def _call(self, who: str, method: str, path: str, **kw: Any) -> Any:
        headers = self.headers[who]
        if isinstance(self.http, httpx.AsyncClient):
            r = await self.http.request(method, path, headers=headers, **kw)
            status, body = r.status_code, r.content
        else:
            async with self.http.request(method, path, headers=headers, **kw) as response:
                status, body = response.status, await response.read()
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path}: {status} {body[:300]!r}")
        return json.loads(body)

    async def start(self) -> str:
        case = await self._call("zk", "POST", "/api/cases", json=CASE_BODY)
        self.step[case["id"]] = 0
        return str(case["id"])

    async def inbox(self, case_id: str) -> str:
        key, who, _ = PLAN[self.step[case_id]]
        t0 = time.perf_counter()
        page = await self._call(who, "GET", "/api/tasks", params={"case_id": case_id})
        self.inbox_ms.append((time.perf_counter() - t0) * 1000)
        return next(str(t["id"]) for t in page["items"] if t["key"] == key)

    async def complete(self, case_id: str, task_id: str) -> None:
        _, who, body = PLAN[self.step[case_id]]
        await self._call(who, "POST", f"/api/tasks/{task_id}/complete", json=body)
        self.step[case_id] += 1


# ------------------------------------------------------------------------ the load
def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds."""
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@dataclass
class Result:
    clients: int
    cases: int
    starts_per_s: float = 0.0
    start_ms: list[float] = field(default_factory=list)
    completions_per_s: float = 0.0
    complete_ms: list[float] = field(default_factory=list)
    inbox_ms: list[float] = field(default_factory=list)
    # CPU ms per start / per completion (with its inbox read) of each process
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, float]:
        out = {
            "starts_per_s": round(self.starts_per_s, 1),
            "start_p50_ms": round(pct(self.start_ms, 50), 1),
            "start_p95_ms": round(pct(self.start_ms, 95), 1),
            "completions_per_s": round(self.completions_per_s, 1),
            "complete_p50_ms": round(pct(self.complete_ms, 50), 1),
            "complete_p95_ms": round(pct(self.complete_ms, 95), 1),
        }
        if self.inbox_ms:
            out |= {
                "inbox_p50_ms": round(pct(self.inbox_ms, 50), 1),
                "inbox_p95_ms": round(pct(self.inbox_ms, 95), 1),
            }
        return out | {k: round(v, 2) for k, v in self.cpu_ms.items()}


async def _pool(jobs: list[Any], clients: int, work: Callable[[Any], Awaitable[None]]) -> float:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def one() -> None:
        while not queue.empty():
            await work(queue.get_nowait())

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return time.perf_counter() - t0


def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


async def run_load(driver: Any, cases: int, clients: int) -> Result:
    res = Result(clients, cases)
    ids: list[str] = []
    pids: dict[str, int] = getattr(driver, "pids", {})
    cpu0 = cpu_of(pids)

    async def start(_: int) -> None:
        t0 = time.perf_counter()
        ids.append(await driver.start())
        res.start_ms.append((time.perf_counter() - t0) * 1000)

    res.starts_per_s = cases / await _pool(list(range(cases)), clients, start)
    cpu1 = cpu_of(pids)

    async def work_case(case_id: str) -> None:
        for _ in range(STEPS):
            task_id = await driver.inbox(case_id)
            t0 = time.perf_counter()
            await driver.complete(case_id, task_id)
            res.complete_ms.append((time.perf_counter() - t0) * 1000)

    res.completions_per_s = cases * STEPS / await _pool(list(ids), clients, work_case)
    cpu2 = cpu_of(pids)
    for name in pids:
        res.cpu_ms[f"cpu_{name}_ms_per_start"] = (cpu1[name] - cpu0[name]) * 1000 / cases
        res.cpu_ms[f"cpu_{name}_ms_per_completion"] = (
            (cpu2[name] - cpu1[name]) * 1000 / (cases * STEPS)
        )
    if pids:  # all processes together: what the machine spends per step
        res.cpu_ms["cpu_total_ms_per_start"] = (
            (sum(cpu1.values()) - sum(cpu0.values())) * 1000 / cases
        )
        res.cpu_ms["cpu_total_ms_per_completion"] = (
            (sum(cpu2.values()) - sum(cpu1.values())) * 1000 / (cases * STEPS)
        )
    res.inbox_ms = list(getattr(driver, "inbox_ms", []))
    if hasattr(driver, "inbox_ms"):
        driver.inbox_ms.clear()
    return res


# --------------------------------------------------------------------- processes
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children_of(pid: int) -> dict[str, int]:
    """The child processes of ``pid`` by their command (``api``, ``worker``)."""
    found: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            args = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        for name in ("api", "worker"):
            if name.encode() in args:
                found[name] = int(stat.parent.name)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def dev_server(tmp: Path) -> AsyncIterator[tuple[str, int]]:
    """The dev server with the project's flags (``cli/devserver.dev_server_args``): its
    address and process id."""
    from cli.devserver import dev_server_args

    port = free_port()
    args = dev_server_args(port=port, ui_port=0, db_file=tmp / "temporal.db", headless=True)
    with (tmp / "temporal.log").open("wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client = await Client.connect(address)
                await client.count_workflows()
                break
            except Exception:  # noqa: BLE001 - not up yet, whatever the error
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the Temporal dev server did not come up") from None
                await asyncio.sleep(0.3)
        yield address, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> str:
    assert proc.stdout is not None
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise RuntimeError(f"no {needle!r} from {proc.args}: {''.join(seen)[-2000:]}")


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def raw_worker_process(address: str, db: str) -> Iterator[int]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--raw-worker", address, db],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_line(proc, "raw worker ready", 60)
        yield proc.pid
    finally:
        _stop(proc)


@dataclass(frozen=True)
class System:
    """A casusregie to measure: the code under ``root`` (another checkout of an earlier
    version, for a before/after in one run), with ``path`` added to its PYTHONPATH (e.g.
    a directory with optional packages), on its own task queue and data dir."""

    name: str
    root: Path = ROOT
    path: str = ""

    @classmethod
    def parse(cls, spec: str) -> System:
        """``NAME=ROOT[:EXTRA_PYTHONPATH]``"""
        name, _, rest = spec.partition("=")
        root, _, path = rest.partition(":")
        return cls(name, Path(root or ROOT).resolve(), path)


MAIN = System("casusregie")


def casusregie_env(data: Path, address: str, system: System = MAIN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASUSREGIE_", "OTEL_"))} | {
        "CASUSREGIE_DATA_DIR": str(data),
        "CASUSREGIE_API_PORT": "0",
        "CASUSREGIE_TEMPORAL_ADDRESS": address,
        "CASUSREGIE_LOG_JSON": "true",
        "PYTHONPATH": os.pathsep.join(p for p in (str(system.root), system.path) if p),
    }
    if system != MAIN:  # several systems on one dev server: each its own task queue
        env["CASUSREGIE_TASK_QUEUE"] = f"casusregie-{system.name}"
    return env


def add_user(
    env: dict[str, str],
    name: str,
    role: str,
    org: str,
    region: str | None,
    root: Path = ROOT,
) -> str:
    args = ["user", "add", "--name", name, "--role", role, "--org", org]
    if region:
        args += ["--region", region]
    out = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def casusregie_up(
    data: Path, address: str, system: System = MAIN
) -> Iterator[tuple[str, dict[str, str], dict[str, int]]]:
    env = casusregie_env(data, address, system)
    data.mkdir(parents=True, exist_ok=True)
    with (data.parent / f"up-{system.name}.err").open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "up"],
            cwd=system.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        banner = _wait_line(proc, "Ctrl-C", START_TIMEOUT)
        match = re.search(r"Web app and API: (http://127\.0\.0\.1:\d+)/", banner)
        assert match, banner
        tokens = {
            "zk": add_user(env, *COORDINATOR, root=system.root),
            "provider": add_user(env, *PROVIDER, root=system.root),
        }
        yield match.group(1), tokens, children_of(proc.pid)
    finally:
        _stop(proc)


# ------------------------------------------------------------------------ profile
class ThreadProfiles:
    """cProfile in every thread started while it is on (the activity, workflow and
    FastAPI thread pools), plus the event loop's thread."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.main = cProfile.Profile()
        self.on = False

    def _hook(self, frame: Any, event: str, arg: Any) -> None:
        sys.setprofile(None)
        prof = cProfile.Profile()
        self.profiles.append(prof)
        prof.enable()

    def __enter__(self) -> ThreadProfiles:
        threading.setprofile(self._hook)
        self.main.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self.main.disable()
        threading.setprofile(None)  # type: ignore[arg-type]

    def stats(self) -> pstats.Stats:
        stats = pstats.Stats(self.main)
        for prof in self.profiles:
            with contextlib.suppress(TypeError):  # a thread that recorded nothing
                stats.add(prof)
        return stats


# the parts of one completion: (label, functions, nested functions counted elsewhere);
# cumulative time of the functions (a coroutine's only while it runs), less the nested
CMD = ("api/services/commands.py", "complete_task")
UPDATE = ("api/services/workflow.py", "run_update")
Part = tuple[str, list[tuple[str, str]], list[tuple[str, str]]]
PARTS: list[Part] = [
    (
        "API auth (token lookup)",
        [("api/deps.py", "get_principal"), ("api/auth.py", "check_token")],
        [],
    ),
    ("API scoping (task and case)", [("api/deps.py", "get_scoped_task")], []),
    ("API validation and pre-check", [CMD], [UPDATE]),
    ("update round trip (client: codec, gRPC)", [UPDATE], []),
    (
        "engine (workflow activation, sandbox)",
        [("temporalio/worker/_workflow.py", "_handle_activation")],
        [],
    ),
    (
        "read-model write (local activity)",
        [("activities/read_model.py", "write")],
        [("activities/notifications.py", "enqueue_in")],
    ),
    (
        "notification outbox (enqueue + deliver)",
        [
            ("activities/notifications.py", "enqueue_in"),
            ("activities/notifications.py", "deliver_notification"),
        ],
        [],
    ),
    (
        "payload codec (encrypt/decrypt, all processes)",
        [("core/codec.py", "encode"), ("core/codec.py", "decode")],
        [],
    ),
    ("response (idempotency record, JSON)", [("api/services/idempotency.py", "json_once")], [CMD]),
]


def breakdown(stats: pstats.Stats, completions: int) -> list[tuple[str, float]]:
    table = stats.stats  # type: ignore[attr-defined]

    def cumulative(funcs: list[tuple[str, str]]) -> float:
        return sum(
            ct
            for (path, _line, fn), (_cc, _nc, _tt, ct, _callers) in table.items()
            for suffix, name in funcs
            if fn == name and path.endswith(suffix)
        )

    return [
        (label, (cumulative(funcs) - cumulative(nested)) * 1000 / completions)
        for label, funcs, nested in PARTS
    ]


async def profile_pass(
    data: Path, address: str, cases: int, dump: Path | None = None
) -> dict[str, Any]:
    """The API app (in-process ASGI) and the worker in this process, one client,
    ``cases`` cases of 4 steps; cProfile over the completions only."""
    os.environ.update(casusregie_env(data, address))
    os.environ["CASUSREGIE_LOG_LEVEL"] = "WARNING"
    from concurrent.futures import ThreadPoolExecutor

    from api.main import create_app
    from core.config import get_settings
    from core.temporal import connect_client
    from db.engine import get_engine
    from worker import build_worker

    get_settings.cache_clear()
    settings = get_settings()
    env = casusregie_env(data, address)
    tokens = {
        "zk": add_user(env, "Zoë", *COORDINATOR[1:]),
        "provider": add_user(env, "Piet", *PROVIDER[1:]),
    }
    profiles = ThreadProfiles()
    client = await connect_client(settings)
    with profiles, ThreadPoolExecutor(ACTIVITY_THREADS) as executor:
        profiles.main.disable()
        async with build_worker(client, settings, executor, get_engine()):
            app = create_app()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                driver = HttpDriver(http, tokens)
                await run_load(driver, 2, 1)  # warm up
                ids = [await driver.start() for _ in range(cases)]
                t0 = time.perf_counter()
                for case_id in ids:
                    for _ in range(STEPS):
                        task_id = await driver.inbox(case_id)
                        profiles.main.enable()
                        await driver.complete(case_id, task_id)
                        profiles.main.disable()
                wall = time.perf_counter() - t0
    n = cases * STEPS
    stats = profiles.stats()
    if dump:
        stats.dump_stats(dump)
    parts = breakdown(stats, n)
    return {"completions": n, "wall_ms_per_completion_incl_inbox": wall * 1000 / n, "parts": parts}


# --------------------------------------------------------------------------- main
GOALS = {
    "starts_per_s": ("ratio", 0.8),
    "completions_per_s": ("ratio", 0.8),
    "complete_p95_ms": ("ratio_max", 1.5),
}


def ratio_table(
    raw: dict[str, float], ours: dict[str, float]
) -> list[tuple[str, float, float, float]]:
    return [(k, raw[k], ours[k], ours[k] / raw[k] if raw[k] else 0.0) for k in raw if k in ours]


def print_side_by_side(clients: int, raw: dict[str, float], ours: dict[str, float]) -> None:
    print(f"\n{clients} concurrent clients")
    print(f"  {'':30} {'raw':>9} {'casusregie':>11} {'ratio':>7}")
    for key, a, b, r in ratio_table(raw, ours):
        print(f"  {key:30} {a:9.1f} {b:11.1f} {r:7.2f}")
    for key in ours:
        if key not in raw:
            print(f"  {key:30} {'':9} {ours[key]:11.1f}")


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    clients = [int(c) for c in args.clients.split(",") if c]
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_before": load_average(),
        "cases": args.cases,
        "steps": STEPS,
        "rounds": args.rounds,
        "runs": [],
    }
    tmp = Path(tempfile.mkdtemp(prefix="casusregie-bench-"))
    print(f"working in {tmp} (removed after a successful run)", flush=True)
    async with dev_server(tmp) as (address, server_pid):
        # CPU of the processes both sides share: the dev server and this one (the clients)
        shared = {"server": server_pid, "client": os.getpid()}
        db = str(tmp / "raw.db")
        raw_schema(db)
        systems = [System(MAIN.name, ROOT, args.path), *args.variant]
        raw_runs: dict[int, list[dict[str, float]]] = {c: [] for c in clients}
        runs: dict[str, dict[int, list[dict[str, float]]]] = {
            s.name: {c: [] for c in clients} for s in systems
        }
        data = tmp / "data"
        # all are up at once and take turns, so a change in the machine's load (it is
        # shared) hits all alike; the systems' order turns round by round
        with contextlib.ExitStack() as stack:
            raw_pid = stack.enter_context(raw_worker_process(address, db))
            ups = {
                s.name: stack.enter_context(
                    casusregie_up(data if s.name == MAIN.name else tmp / s.name, address, s)
                )
                for s in systems
            }
            client = await Client.connect(address)
            driver = RawDriver(client, db, {"worker": raw_pid} | shared)
            connections = max(clients, default=1) + 4
            drivers: dict[str, HttpDriver] = {}
            async with contextlib.AsyncExitStack() as astack:
                for name, (url, tokens, pids) in ups.items():
                    http = await astack.enter_async_context(
                        aiohttp.ClientSession(
                            base_url=url,
                            timeout=aiohttp.ClientTimeout(total=60),
                            connector=aiohttp.TCPConnector(limit=connections),
                        )
                    )
                    drivers[name] = HttpDriver(http, tokens, pids | shared)
                await run_load(driver, 4, 2)  # warm up
                for d in drivers.values():
                    await run_load(d, 4, 2)
                for r in range(args.rounds):
                    order = systems[r % len(systems) :] + systems[: r % len(systems)]
                    for c in clients:
                        raw_runs[c].append((await run_load(driver, args.cases, c)).summary())
                        for s in order:
                            runs[s.name][c].append(
                                (await run_load(drivers[s.name], args.cases, c)).summary()
                            )
        raw = {c: median_of(r) for c, r in raw_runs.items()}
        medians = {name: {c: median_of(r) for c, r in per.items()} for name, per in runs.items()}
        ours = medians[MAIN.name]
        for c in clients:
            print_side_by_side(c, raw[c], ours[c])
            entry: dict[str, Any] = {
                "clients": c,
                "raw": raw[c],
                "casusregie": ours[c],
                "ratios": {k: round(r, 2) for k, _a, _b, r in ratio_table(raw[c], ours[c])},
            }
            for s in systems[1:]:
                print(f"  -- {s.name} ({s.root}{' + ' + s.path if s.path else ''})")
                print_side_by_side(c, raw[c], medians[s.name][c])
                entry.setdefault("variants", {})[s.name] = {
                    "figures": medians[s.name][c],
                    "ratios": {
                        k: round(r, 2) for k, _a, _b, r in ratio_table(raw[c], medians[s.name][c])
                    },
                }
            report["runs"].append(entry)
        if args.profile:
            prof = await profile_pass(data, address, args.profile_cases, args.profile_out)
            report["profile"] = prof
            print(
                f"\nCPU per completion by part ({prof['completions']} completions, cProfile,"
                " API and worker in one process, one client):"
            )
            for label, ms in prof["parts"]:
                print(f"  {label:48} {ms:7.2f} ms")
            print(
                f"  {'wall per step (inbox GET + completion)':48} "
                f"{prof['wall_ms_per_completion_incl_inbox']:7.2f} ms"
            )
    shutil.rmtree(tmp, ignore_errors=True)
    report["load_after"] = load_average()
    print(f"\nload average before {report['load_before']}, after {report['load_after']}")
    return report


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--raw-worker":
        asyncio.run(raw_worker(sys.argv[2], sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--clients", default="8,20", help="comma-separated client counts")
    parser.add_argument("--rounds", type=int, default=5, help="turns of raw and casusregie")
    parser.add_argument("--profile", action="store_true", help="also the cost breakdown")
    parser.add_argument("--profile-cases", type=int, default=10)
    parser.add_argument("--profile-out", type=Path, help="write the pstats file here")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--variant",
        type=System.parse,
        action="append",
        default=[],
        metavar="NAME=ROOT[:PATH]",
        help="also measure the checkout ROOT (e.g. the code before a change, from git "
        "archive), with PATH added to its PYTHONPATH; repeatable",
    )
    parser.add_argument("--path", default="", help="added to casusregie's PYTHONPATH")
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"written {args.json}")
    sys.stdout.flush()
    os._exit(0)  # the Temporal client can abort the interpreter at exit (cli/main.py)


if __name__ == "__main__":
    main()
