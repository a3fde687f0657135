"""``GET /metrics``: Prometheus text with the read model's counts and update latency."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Api


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_count_cases_tasks_and_update_latency(api: Api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    r = await api.as_(
        "aanbieder", "POST", f"/api/tasks/{task['id']}/complete", json={"outcome": "accepted"}
    )
    assert r.status_code == 200, r.text
    refused = await api.as_(
        "aanbieder", "POST", f"/api/tasks/{task['id']}/complete", json={"outcome": "accepted"}
    )
    assert refused.status_code == 409
    r = await api.http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    seen = samples(r.text)
    assert seen[("casusregie_cases", (("outcome", ""), ("status", "open")))] == 1
    assert seen[("casusregie_open_tasks", (("phase", "dossierhouder_search"),))] >= 2
    assert seen[("casusregie_overdue_tasks", ())] == 0
    ok = ("casusregie_update_seconds_count", (("result", "ok"), ("update", "complete_task")))
    assert seen[ok] >= 1
    assert "CR-2026-0001" not in r.text  # counts only
