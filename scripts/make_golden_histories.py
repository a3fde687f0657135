"""Record the golden histories in tests/histories/: run every scenario of
tests/audit/scenarios.py on the time-skipping test server with the real workflow and
the real read-model activity (SQLite in a temporary directory), and save each case's
Temporal history with its payloads encrypted as Temporal stores them (under the
fixed key ring of the tests, tests/keys.py; the older files: the development secret of
earlier versions), ready for ``casusregie replay --file`` and tests/audit/test_golden_histories.py.

    .venv/bin/python scripts/make_golden_histories.py            # all scenarios
    .venv/bin/python scripts/make_golden_histories.py withdrawn  # some

Regenerate only a history whose cases no longer run anywhere: a saved history is the
promise that the current code still replays old cases (docs/versioning.md).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "histories"


async def record(names: list[str], out: Path) -> list[Path]:
    from temporalio.testing import WorkflowEnvironment

    from audit.history import export_history, write_json
    from core.config import get_settings
    from db.engine import engine_for
    from db.migrate import upgrade_to_head
    from tests.audit.scenarios import SCENARIOS, play
    from tests.workflows.harness import case_input, running_worker, start_case

    url = f"sqlite:///{Path(os.environ['CASUSREGIE_DATA_DIR']) / 'golden.db'}"
    os.environ["CASUSREGIE_DATABASE_URL"] = url  # the case keys live there too
    get_settings.cache_clear()
    upgrade_to_head(url)
    engine = engine_for(url)
    server = Path(sys.executable).parent / "temporal-test-server"
    written: list[Path] = []
    task_queue = f"golden-{uuid.uuid4()}"
    async with (
        await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(server)) as env,
        running_worker(env, engine, task_queue) as client,
    ):
        for name in names:
            inp = case_input(case_id=f"golden-{name}", **SCENARIOS[name].inputs)
            case = await start_case(client, env, engine, task_queue, inp)
            await play(name, case)
            path = out / f"{name}.json"
            write_json(await export_history(client, case.case_id, decode=False), path)
            written.append(path)
            print(f"{name}: {path}", flush=True)
    return written


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        os.environ.update(CASUSREGIE_DATA_DIR=tmp, CASUSREGIE_ENVIRONMENT="development")
        for name in (
            "CASUSREGIE_SECRET_KEY",
            "CASUSREGIE_KEY_FILE",
            "CASUSREGIE_DATABASE_URL",
            "CASUSREGIE_TEMPORAL_ADDRESS",
        ):
            os.environ.pop(name, None)
        # golden histories are encrypted under the tests' fixed ring; each file carries
        # its case key wrapped by it (audit/history.py), so it replays without a database
        from tests.keys import TEST_SECRET_KEYS

        os.environ["CASUSREGIE_SECRET_KEYS"] = TEST_SECRET_KEYS
        from tests.audit.scenarios import SCENARIOS

        unknown = [n for n in argv if n not in SCENARIOS]
        if unknown:
            print(f"unknown scenarios {unknown}; known: {sorted(SCENARIOS)}", file=sys.stderr)
            return 2
        OUT.mkdir(parents=True, exist_ok=True)
        asyncio.run(record(argv or list(SCENARIOS), OUT))
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main(sys.argv[1:]))
