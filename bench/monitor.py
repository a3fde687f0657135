"""Benchmark (not a test): are the monitor and the reflection report fast on a large
read model?

Fills a fresh database with 50 000 cases (about 30 % open, the rest closed with an
outcome) and 300 000 tasks across the 31 regions, with case data, stalls, bridging
care, skipped steps and late decisions, then measures p50/p95 of ``GET /api/monitor``
and ``GET /api/reports/reflection`` (JSON) for a zorgkantoor user through the real app
(in-process ASGI client, no Temporal needed).

    .venv/bin/python bench/monitor.py [--cases 50000] [--requests 50] [--database-url URL]

Goal: p95 < 100 ms on SQLite and on PostgreSQL. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.progress import Progress
from sqlalchemy import insert
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.inbox import BATCH, case_rows, organisations, percentile
from domain.codes import CARE_NEED_TYPES, DECLINE_REASONS, ESCALATION_CAUSES, codes


def substance(case: dict, tasks: list[dict], rnd: random.Random, now: datetime) -> None:
    """Turn an inbox-benchmark case into one with an outcome, case data and events."""
    case["case_data"] = {
        "care_need_type": rnd.choice(codes(CARE_NEED_TYPES)),
        "escalation_cause": rnd.choice(codes(ESCALATION_CAUSES)),
    }
    if rnd.random() < 0.7:
        case |= {
            "status": "closed",
            "phase": "closed",
            "outcome": rnd.choice(("placed", "placed", "solved_in_place", "withdrawn")),
        }
    else:
        case["stalled"] = rnd.random() < 0.1
        if rnd.random() < 0.05:
            case["bridging"] = {"since": (now - timedelta(days=rnd.uniform(0, 90))).isoformat()}
    decision = tasks[0]
    decision |= {
        "key": "decide_dossierhouder",
        "overdue": rnd.random() < 0.15,
        "status": "done",
        "outcome": rnd.choice(("accepted", "declined")),
    }
    if decision["outcome"] == "declined":
        decision["data"] = {"reason_code": rnd.choice(codes(DECLINE_REASONS))}
    tasks[1] |= {"key": "report_progress", "overdue": rnd.random() < 0.1}
    if rnd.random() < 0.3:
        tasks[2] |= {"status": "skipped"}


def fill(engine, cases: int, seed: int = 11) -> None:
    from db.migrate import upgrade_to_head  # noqa: F401 (the caller migrated)
    from db.models import Case, CaseParticipant, Organisation, Task

    rnd, now = random.Random(seed), datetime.now(UTC)
    orgs, zk_by_region = organisations()
    with Session(engine) as session, Progress() as progress:
        session.execute(insert(Organisation), orgs)
        bar = progress.add_task(f"{cases} cases", total=cases)
        for start in range(0, cases, BATCH):
            batch = [
                case_rows(i, rnd, zk_by_region, now)
                for i in range(start, min(start + BATCH, cases))
            ]
            for case, _, tasks in batch:
                substance(case, tasks, rnd, now)
            session.execute(insert(Case), [c for c, _, _ in batch])
            session.execute(insert(CaseParticipant), [p for _, ps, _ in batch for p in ps])
            session.execute(insert(Task), [t for _, _, ts in batch for t in ts])
            progress.advance(bar, len(batch))
        session.commit()


async def measure(engine, token: str, requests: int) -> list[tuple[str, float, float]]:
    from api.deps import get_db_engine
    from api.main import create_app

    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    results = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as http:
        headers = {"Authorization": f"Bearer {token}"}
        for url in ("/api/monitor", "/api/reports/reflection"):
            r = await http.get(url, headers=headers)
            assert r.status_code == 200, r.text
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                await http.get(url, headers=headers)
                samples.append((time.perf_counter() - start) * 1000)
            results.append((url, statistics.median(samples), percentile(samples, 0.95)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    from db.accounts import add_user
    from db.engine import engine_for
    from db.migrate import upgrade_to_head

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade_to_head(url)
    engine = engine_for(url)
    fill(engine, args.cases)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    with Session(engine) as session:
        token = add_user(
            session, name="Bench", role="zorgkantoor", org="Zorgkantoor Groningen"
        ).token
        session.commit()
    for path, p50, p95 in asyncio.run(measure(engine, token, args.requests)):
        print(f"{url.split(':')[0]:10} {path:28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
