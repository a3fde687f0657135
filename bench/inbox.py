"""Benchmark (not a test): are the inbox and case list fast with many cases?

Fills a fresh SQLite database with 10 000 open cases and 60 000 tasks across the 31
regions and 200 organisations (31 zorgkantoren, 140 providers, 29 OCO organisations),
then measures p50/p95 of ``GET /api/tasks`` and ``GET /api/cases`` for a provider and a
zorgkantoor user through the real app (in-process ASGI client, no Temporal needed).

    .venv/bin/python bench/inbox.py [--cases 10000] [--requests 300] [--db PATH]
                                    [--postgresql | --database-url postgresql+psycopg://...]
                                    [--compare before=/path/to/older/checkout]

Goal (issue 16): p95 < 20 ms on SQLite and PostgreSQL. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.progress import Progress
from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from domain.vocabulary import REGIONS, WORKING_PHASES

PROVIDERS, OCOS = 140, 29  # + 31 zorgkantoren = 200 organisations
TASKS_PER_CASE = 6
BATCH = 2000


def organisations() -> tuple[list[dict], dict[str, str]]:
    now = datetime.now(UTC)
    rows, zk_by_region = [], {}
    for region in REGIONS:
        name = f"Zorgkantoor {region}"
        zk_by_region[region] = name
        rows.append({"name": name, "kind": "zorgkantoor", "region": region})
    rows += [
        {"name": f"Aanbieder {i:03d}", "kind": "aanbieder", "region": None}
        for i in range(PROVIDERS)
    ]
    rows += [{"name": f"OCO {i:02d}", "kind": "oco", "region": None} for i in range(OCOS)]
    for row in rows:
        row |= {"id": str(uuid.uuid4()), "channels": ["email"], "created_at": now}
    return rows, zk_by_region


def case_rows(i: int, rnd: random.Random, zk_by_region: dict[str, str], now: datetime):
    case_id = str(uuid.uuid4())
    region = rnd.choice(REGIONS)
    provider = f"Aanbieder {rnd.randrange(PROVIDERS):03d}"
    oco = f"OCO {rnd.randrange(OCOS):02d}" if rnd.random() < 0.4 else None
    zk = zk_by_region[region]
    phase = rnd.choice(WORKING_PHASES).value
    created = now - timedelta(days=rnd.uniform(0, 400))
    case = {
        "id": case_id,
        "workflow_id": f"case-{case_id}",
        "client_ref": f"CR-{i:06d}",
        "sector": rnd.choice(("VV", "GZ", "GGZ")),
        "region": region,
        "entry": rnd.choice(("no_dossierhouder", "care_not_suitable")),
        "provider_org": provider,
        "zorgkantoor_org": zk,
        "oco_org": oco,
        "decision_days": 5,
        "status": "open",
        "phase": phase,
        "phase_since": created,
        "meetings_held": 0,
        "overdue": False,
        "workflow_state": "running",
        "created_at": created,
        "updated_at": created,
    }
    participants = [
        {"case_id": case_id, "org": org, "capacity": cap, "since": created}
        for cap, org in (("provider", provider), ("zorgkantoor", zk), ("oco", oco))
        if org
    ]
    tasks = []
    for n in range(TASKS_PER_CASE):
        role = rnd.choices(("aanbieder", "zorgkantoor", "oco"), (50, 35, 15))[0]
        owner = {"aanbieder": provider, "zorgkantoor": zk, "oco": oco}[role]
        if owner is None:
            role, owner = "zorgkantoor", zk
        is_open = rnd.random() < 0.5
        due = now + timedelta(days=rnd.uniform(-10, 20)) if rnd.random() < 0.4 else None
        overdue = bool(is_open and due and due < now)
        case["overdue"] = case["overdue"] or overdue
        tasks.append(
            {
                "id": f"{case_id}:t{n + 1}",
                "case_id": case_id,
                "phase": phase,
                "key": f"task_{n}",
                "title": f"Taak {n}",
                "owner_role": role,
                "owner_org": owner,
                "supports": rnd.choice(([], ["zorgkantoor"], ["oco"], ["aanbieder", "oco"])),
                "status": "open" if is_open else "done",
                "allowed_outcomes": ["done"],
                "due_at": due,
                "overdue": overdue,
                "data": {},
                "created_at": created + timedelta(minutes=n),
                "updated_at": now,
            }
        )
    return case, participants, tasks


def fill(engine, cases: int, seed: int = 7) -> None:
    from db.models import Case, CaseParticipant, Organisation, Task

    SQLModel.metadata.create_all(engine)
    rnd, now = random.Random(seed), datetime.now(UTC)
    orgs, zk_by_region = organisations()
    with Session(engine) as session, Progress() as progress:
        session.execute(insert(Organisation), orgs)
        bar = progress.add_task(f"{cases} cases, {cases * TASKS_PER_CASE} tasks", total=cases)
        for start in range(0, cases, BATCH):
            batch = [
                case_rows(i, rnd, zk_by_region, now)
                for i in range(start, min(start + BATCH, cases))
            ]
            session.execute(insert(Case), [c for c, _, _ in batch])
            session.execute(insert(CaseParticipant), [p for _, ps, _ in batch for p in ps])
            session.execute(insert(Task), [t for _, _, ts in batch for t in ts])
            progress.advance(bar, len(batch))
        session.commit()
    with engine.begin() as conn:  # committed: PostgreSQL keeps statistics transactionally
        conn.exec_driver_sql("ANALYZE")


def users(engine) -> dict[str, str]:
    from db.accounts import add_user

    with Session(engine) as session:
        tokens = {
            "aanbieder": add_user(
                session, name="Bench Aanbieder", role="aanbieder", org="Aanbieder 001"
            ).token,
            "zorgkantoor": add_user(
                session, name="Bench Zorgkantoor", role="zorgkantoor", org="Zorgkantoor Groningen"
            ).token,
        }
        session.commit()
    return tokens


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(engine, tokens: dict[str, str], requests: int) -> list[tuple]:
    from api.deps import get_db_engine
    from api.main import create_app

    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for user, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for url in URLS:
                r = await http.get(url, headers=headers)  # warm-up, and a sanity check
                assert r.status_code == 200, r.text
                total = r.json()["total"]
                samples = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    r = await http.get(url, headers=headers)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                results.append(
                    (user, url, total, statistics.median(samples), percentile(samples, 0.95))
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", type=Path, help="SQLite file to create (default: temporary)")
    parser.add_argument(
        "--database-url", help="an empty database instead (e.g. postgresql+psycopg://...)"
    )
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="on a throwaway PostgreSQL server, as the tests start one (tests/postgres.py)",
    )
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="NAME=ROOT",
        help="also measure the checkout ROOT (e.g. the code before a change) on the same "
        "database, taking turns with this one; repeatable",
    )
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        asyncio.run(serve(sys.argv[2]))
        return
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.postgresql and not args.database_url:
            args.database_url = stack.enter_context(throwaway_database())
        run(args)


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # tests.postgres
    from tests.postgres import postgres_bindir, throwaway_server

    bindir = postgres_bindir()
    if bindir is None:
        sys.exit("no PostgreSQL server binaries (initdb, postgres) found")
    with throwaway_server(bindir) as server:
        with server.connect() as conn:
            conn.execute('CREATE DATABASE "bench"')
        yield server.url("bench")


URLS = (
    "/api/tasks",
    "/api/tasks?section=supports",
    "/api/cases",
    "/api/cases?overdue=true",
)
CHUNK = 25  # requests per turn when versions take turns (--compare)


async def serve(database_url: str) -> None:
    """A measuring child (``--serve``): the app of the code on its PYTHONPATH; reads
    ``token url n`` lines, answers each with the n latencies (ms) as a JSON line."""
    import json

    from api.deps import get_db_engine
    from api.main import create_app
    from db.engine import engine_for

    engine = engine_for(database_url)
    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for line in sys.stdin:
            token, url, n = line.split()
            headers = {"Authorization": f"Bearer {token}"}
            samples, total = [], None
            for _ in range(int(n)):
                t0 = time.perf_counter()
                r = await http.get(url, headers=headers)
                samples.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text
                total = r.json()["total"]
            print(json.dumps({"ms": samples, "total": total}), flush=True)


def compare(url: str, tokens: dict[str, str], requests: int, roots: dict[str, str]) -> None:
    """Each version's app in its own process on the same database, taking turns in
    chunks of ``CHUNK`` requests, so a change in the machine's load hits all alike."""
    import json
    import subprocess

    env = dict(os.environ)
    procs = {
        name: subprocess.Popen(
            [sys.executable, __file__, "--serve", url],
            env=env | {"PYTHONPATH": root},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, root in roots.items()
    }

    def ask(name: str, token: str, path: str, n: int) -> dict:
        proc = procs[name]
        assert proc.stdin
        assert proc.stdout
        proc.stdin.write(f"{token} {path} {n}\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    names = list(roots)
    print("\n| user | request | total | " + " | ".join(f"{n} p50 / p95 ms" for n in names))
    print("|---|---|---|" + "---|" * len(names))
    for user, token in tokens.items():
        for path in URLS:
            samples: dict[str, list[float]] = {n: [] for n in names}
            totals = {n: ask(n, token, path, 3)["total"] for n in names}  # warm-up
            for turn in range(0, requests, CHUNK):
                order = names[turn // CHUNK % len(names) :] + names[: turn // CHUNK % len(names)]
                for n in order:
                    samples[n] += ask(n, token, path, min(CHUNK, requests - turn))["ms"]
            cells = " | ".join(
                f"{statistics.median(samples[n]):.1f} / {percentile(samples[n], 0.95):.1f}"
                for n in names
            )
            print(f"| {user} | `GET {path}` | {totals[names[0]]} | {cells} |", flush=True)
    for proc in procs.values():
        assert proc.stdin
        proc.stdin.close()
        proc.wait(30)


def run(args: argparse.Namespace) -> None:
    tmp = tempfile.mkdtemp(prefix="casusregie-bench-")
    os.environ["CASUSREGIE_DATA_DIR"] = tmp
    db_path = args.db or Path(tmp) / "bench.db"
    if db_path.exists() and not args.database_url:
        sys.exit(f"{db_path} exists; give a new path")
    from db.engine import engine_for

    url = args.database_url or f"sqlite:///{db_path.resolve()}"
    os.environ["CASUSREGIE_DATABASE_URL"] = url
    engine = engine_for(url)
    t0 = time.perf_counter()
    fill(engine, args.cases)
    print(f"filled {url.split('@')[-1]} in {time.perf_counter() - t0:.1f} s")
    if args.compare:
        here = str(Path(__file__).resolve().parent.parent)
        roots = {"this": here} | dict(c.split("=", 1) for c in args.compare)
        compare(url, users(engine), args.requests, roots)
        return
    results = asyncio.run(measure(engine, users(engine), args.requests))
    print("\n| user | request | total | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for user, url, total, p50, p95 in results:
        print(f"| {user} | `GET {url}` | {total} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
