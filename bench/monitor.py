"""Benchmark (not a test): are the monitor and the reflection report fast on a large
read model, on SQLite and on PostgreSQL?

Builds a read model of 50 000 cases (``bench/caseload.py``: open and closed cases that
lived through the step plan, with their tasks, declines, registration rounds, meetings,
stalls and audit log) in a fresh database, then times the monitor and the reflection
report for a zorgkantoor user of one region (Groningen: its own and its region's cases)
through the real app (in-process ASGI client, no Temporal needed): p50, p95 and max per
request.

    .venv/bin/python bench/monitor.py [--database sqlite|postgresql|both] [--cases 50000]
        [--requests 50] [--json results.json] [--csv results.csv] [--dump DIR]

PostgreSQL is a throwaway server like the tests' (``tests/postgres.py``: initdb in a
temporary directory, stopped at the end). Goal: p95 < 100 ms on both databases.
Method and results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CASUSREGIE_DATA_DIR", tempfile.mkdtemp(prefix="casusregie-bench-"))
os.environ.setdefault("CASUSREGIE_LOG_JSON", "false")

from bench.caseload import fill
from bench.inbox import throwaway_database

USER_ORG, REGION = "Zorgkantoor Groningen", "Groningen"
# what a zorgkantoor manager opens: the monitor (JSON and page), a list behind one of its
# numbers, the reflection report (JSON, CSV, page) and the anonymised digest
REQUESTS = (
    ("monitor", "/api/monitor"),
    ("monitor page", "/monitor"),
    ("cases behind a number", "/api/cases?cohort=overdue"),
    ("reflection", "/api/reports/reflection"),
    ("reflection csv", "/api/reports/reflection?format=csv"),
    ("reflection page", "/reflectie"),
    ("digest", "/api/reports/digest"),
)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def database(kind: str, url: str | None) -> Iterator[str]:
    """A URL of an empty database of ``kind``: a given one, a new SQLite file, or a
    database on a throwaway PostgreSQL server."""
    if url:
        yield url
    elif kind == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='casusregie-bench-')}/bench.db"
    else:
        with throwaway_database() as throwaway:
            yield throwaway


def build(url: str, cases: int, now: datetime, analyze: bool) -> dict[str, Any]:
    from db.engine import engine_for
    from db.migrate import upgrade_to_head

    upgrade_to_head(url)
    engine = engine_for(url)
    with engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    if existing:  # --database-url of an earlier run: measure it as it is
        return {"cases": existing, "reused": True}
    started = time.perf_counter()
    with Progress(transient=True) as bar:
        job = bar.add_task(f"{cases} cases", total=cases)
        counts = fill(engine, cases, now=now, progress=lambda n: bar.advance(job, n))
    filled = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        elif analyze:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return counts | {
        "fill_seconds": round(filled, 1),
        "analyze_seconds": round(time.perf_counter() - started, 1),
    }


def scope_sizes(url: str) -> dict[str, int]:
    from db.engine import engine_for

    with engine_for(url).connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) FROM cases "
                "WHERE zorgkantoor_org = :org OR region = :region"
            ),
            {"org": USER_ORG, "region": REGION},
        ).one()
    return {"cases_in_scope": int(row[0]), "open_in_scope": int(row[1])}


async def measure(url: str, requests: int, dump: Path | None, label: str) -> list[dict[str, Any]]:
    from sqlmodel import Session

    from api.deps import get_db_engine
    from api.main import create_app
    from core.heap import freeze_startup_objects
    from db.accounts import add_user
    from db.engine import engine_for

    engine = engine_for(url)
    with Session(engine) as session:
        token = add_user(session, name="Bench", role="zorgkantoor", org=USER_ORG).token
        session.commit()
    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    freeze_startup_objects()  # as ``casusregie api`` does before it serves (core/heap.py)
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        login = await http.get("/")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf, "no CSRF field on the sign-in page"
        r = await http.post("/login", data={"token": token, "csrf_token": csrf.group(1)})
        assert r.status_code == 303, r.text
        headers = {"Authorization": f"Bearer {token}"}
        for name, path in REQUESTS:
            r = await http.get(path, headers=headers)  # warm-up, and a sanity check
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            if dump:
                suffix = "json" if "json" in r.headers["content-type"] else "txt"
                slug = re.sub(r"\W+", "-", name)
                (dump / f"{label}-{slug}.{suffix}").write_text(r.text)
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                r = await http.get(path, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200
            results.append(
                {
                    "request": name,
                    "path": path,
                    "p50_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(percentile(samples, 0.95), 1),
                    "max_ms": round(max(samples), 1),
                }
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--database-url", help="a database to fill, or one filled before (one --database)"
    )
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per request")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--analyze", action="store_true", help="ANALYZE the SQLite file (production does not)"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--csv", type=Path, help="write the timings here")
    parser.add_argument("--dump", type=Path, help="write each response body into this dir")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if args.database_url and len(kinds) > 1:
        parser.error("--database-url needs --database sqlite or postgresql")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)  # the same read model on both databases
    report: dict[str, Any] = {
        "started": now.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "cases": args.cases,
        "requests": args.requests,
        "runs": [],
    }
    for kind in kinds:
        with database(kind, args.database_url) as url:
            print(f"{kind}: building {args.cases} cases ...", flush=True)
            built = build(url, args.cases, now, args.analyze)
            built |= scope_sizes(url)
            print(f"{kind}: {json.dumps(built)}", flush=True)
            load = os.getloadavg()[0]
            timings = asyncio.run(measure(url, args.requests, args.dump, kind))
            if kind == "postgresql":
                from db.engine import engine_for

                with engine_for(url).connect() as conn:
                    built["server"] = conn.execute(text("SHOW server_version")).scalar()
                engine_for(url).dispose()
            report["runs"].append(
                {
                    "database": kind,
                    "read_model": built,
                    "load_during": [round(load, 2), round(os.getloadavg()[0], 2)],
                    "timings": timings,
                }
            )
            print(f"\n| {kind} | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
            for t in timings:
                print(f"| `GET {t['path']}` | {t['p50_ms']} | {t['p95_ms']} | {t['max_ms']} |")
            print(flush=True)
    report["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.csv:
        with args.csv.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["database", "request", "path", "p50_ms", "p95_ms", "max_ms"])
            for run in report["runs"]:
                for t in run["timings"]:
                    writer.writerow(
                        [
                            run["database"],
                            t["request"],
                            t["path"],
                            t["p50_ms"],
                            t["p95_ms"],
                            t["max_ms"],
                        ]
                    )


if __name__ == "__main__":
    main()
