"""A completion is never lost when the read model cannot be written: the workflow holds
it, the update still answers, and the read model catches up once the database is back."""

from __future__ import annotations

import asyncio

from tests.workflows.harness import (
    FlakyReadModel,
    activities_with,
    case_input,
    running_worker,
    start_case,
)


async def test_completion_survives_a_read_model_outage(env, engine, task_queue):
    read_model = FlakyReadModel(engine)
    async with running_worker(
        env, engine, task_queue, activities_with(read_model, engine)
    ) as client:
        inp = case_input(sync_wait_seconds=0.5)  # the bounded wait (10 s by default)
        case = await start_case(client, env, engine, task_queue, inp)
        read_model.down = True
        result = await case.complete("decide_dossierhouder", "accepted")
        assert not result.read_model_synced  # answered anyway, after the bounded wait
        state = await case.state()
        assert next(t for t in state.tasks if t.key == "decide_dossierhouder").status == "done"
        row = next(t for t in case.read_model_tasks() if t.key == "decide_dossierhouder")
        assert row.status == "open"  # stale while the database is down

        read_model.down = False
        # the activity's next retry (backoff 1, 2, 4, 8 s: the next one 1 s after the
        # failure) writes the read model; retry backoff is real time on the test server
        for _ in range(300):
            row = next(t for t in case.read_model_tasks() if t.key == "decide_dossierhouder")
            if row.status == "done":
                break
            await asyncio.sleep(0.1)
        await case.assert_read_model_matches()
