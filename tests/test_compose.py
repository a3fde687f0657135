"""docker-compose.yml (the production path) stays what an operator accepts. Docker does
not run here: these tests check the file's structure (images, order, health, exposure)
and run the parts that are ours (``casusregie temporal setup|workers``) against the dev
server; they do not prove that the images start (docs/operations.md says so)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("temporal-setup", "migrate", "worker", "api")
JOBS = ("temporal-schema", "temporal-setup", "migrate")
PINNED = re.compile(r"^[\w./-]+:(\$\{[A-Z_]+:-)?\d+\.\d+(\.\d+)?\}?$")


def long_running(name: str) -> bool:
    return SERVICES[name].get("restart") != "no"


def test_no_auto_setup_and_every_image_pinned() -> None:
    for name, service in SERVICES.items():
        image = service["image"]
        assert "auto-setup" not in image, name
        assert PINNED.match(image), f"{name}: {image} is not pinned to a version"
    assert SERVICES["temporal"]["image"].startswith("temporalio/server:")
    assert SERVICES["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    tag = SERVICES["temporal"]["image"].split(":")[1]
    assert SERVICES["temporal-schema"]["image"].endswith(f":{tag}")  # schema of that version


def test_schema_job_uses_temporal_sql_tool_for_both_databases() -> None:
    job = SERVICES["temporal-schema"]
    assert job["restart"] == "no"
    script = (ROOT / "deploy/temporal/scripts/setup-schema.sh").read_text()
    mounted = [v for v in job["volumes"] if v.startswith("./deploy/temporal/scripts:")]
    assert mounted and job["command"] == ["/scripts/setup-schema.sh"]
    assert "temporal-sql-tool --plugin postgres12" in script and "set -eu" in script
    for db in ("temporal", "temporal_visibility"):
        assert f"--db {db} setup-schema -v 0.0" in script
    for schema in ("temporal", "visibility"):
        assert f'update-schema -d "$schema/{schema}/versioned"' in script
    assert SERVICES["temporal"]["environment"]["DB"] == job["environment"]["DB"] == "postgres12"


def test_start_order_waits_for_health_and_jobs() -> None:
    for name, service in SERVICES.items():
        for dep, cond in (service.get("depends_on") or {}).items():
            assert dep in SERVICES, (name, dep)
            if cond["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dep], f"{name} waits on {dep}'s health"
            else:
                assert cond["condition"] == "service_completed_successfully"
                assert dep in JOBS and SERVICES[dep]["restart"] == "no", (name, dep)

    def waits_for(name: str, dep: str, condition: str) -> bool:
        return SERVICES[name]["depends_on"][dep]["condition"] == condition

    assert waits_for("temporal-schema", "postgres", "service_healthy")
    assert waits_for("temporal", "temporal-schema", "service_completed_successfully")
    assert waits_for("temporal-setup", "temporal", "service_healthy")
    for name in ("worker", "api"):
        assert waits_for(name, "temporal-setup", "service_completed_successfully")
        assert waits_for(name, "migrate", "service_completed_successfully")


def test_search_attributes_and_namespace_are_registered_by_a_job() -> None:
    job = SERVICES["temporal-setup"]
    assert job["command"][:3] == ["casusregie", "temporal", "setup"]
    assert job["restart"] == "no"


async def test_the_setup_job_registers_the_codes_search_attributes(dev_server, monkeypatch):
    """The job registers core/search_attributes.py's list (the one the code uses)."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

    from cli.temporal_admin import setup_namespace
    from core.config import get_settings
    from core.temporal import connect_client

    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", dev_server)
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_NAMESPACE", namespace)
    get_settings.cache_clear()
    wanted = {"CasusregieRegion": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD}
    monkeypatch.setattr("core.search_attributes.CUSTOM_SEARCH_ATTRIBUTES", wanted)
    assert await setup_namespace(retention_days=1) is True
    client = await connect_client(get_settings())
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    assert listed.custom_attributes["CasusregieRegion"] == wanted["CasusregieRegion"]
    assert await setup_namespace(retention_days=1) is False  # idempotent


def test_every_long_running_service_has_a_healthcheck() -> None:
    running = [name for name in SERVICES if long_running(name)]
    assert set(running) == {"postgres", "temporal", "temporal-ui", "worker", "api"}
    for name in running:
        assert SERVICES[name].get("healthcheck", {}).get("test"), name
    assert "/readyz" in str(SERVICES["api"]["healthcheck"]["test"])
    assert SERVICES["worker"]["healthcheck"]["test"] == ["CMD", "casusregie", "temporal", "workers"]


def test_temporal_frontend_and_ui_not_published_by_default() -> None:
    assert "ports" not in SERVICES["temporal"]
    ui = SERVICES["temporal-ui"]
    assert ui["profiles"] == ["ui"]  # not started by a plain `docker compose up`
    assert all(str(p).startswith("127.0.0.1:") for p in ui["ports"])  # and loopback only
    published = [name for name, s in SERVICES.items() if s.get("ports") and not s.get("profiles")]
    assert published == ["api"]


def test_app_env_uses_real_settings_and_no_secret_default() -> None:
    fields = {f"CASUSREGIE_{name.upper()}" for name in Settings.model_fields}
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        assert set(env) <= fields, set(env) - fields
        assert env["CASUSREGIE_ENVIRONMENT"] == "production"
        assert env["CASUSREGIE_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert env["CASUSREGIE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CASUSREGIE_SECRET_KEYS"].startswith("${CASUSREGIE_SECRET_KEYS:?")
        assert SERVICES[name]["command"][:1] == ["casusregie"]
    assert SERVICES["api"]["environment"]["CASUSREGIE_API_HOST"] == "0.0.0.0"
    assert "casusregie" in (ROOT / "Dockerfile").read_text()


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_setup_job_registers_a_namespace_idempotently(dev_server: str) -> None:
    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    env = {"CASUSREGIE_TEMPORAL_ADDRESS": dev_server, "CASUSREGIE_TEMPORAL_NAMESPACE": namespace}
    first = _cli("temporal", "setup", "--retention-days", "7", **env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert f"namespace {namespace} registered" in first.stdout
    again = _cli("temporal", "setup", **env)
    assert again.returncode == 0 and f"namespace {namespace} exists" in again.stdout


def test_the_worker_healthcheck_fails_without_a_polling_worker(dev_server: str) -> None:
    env = {"CASUSREGIE_TEMPORAL_ADDRESS": dev_server, "CASUSREGIE_TASK_QUEUE": "nobody-polls"}
    r = _cli("temporal", "workers", **env)
    assert r.returncode == 1 and "no worker" in r.stdout
    r = _cli("temporal", "workers", CASUSREGIE_TEMPORAL_ADDRESS="127.0.0.1:1")
    assert r.returncode == 1


def _published(service: dict) -> list[str]:
    return [str(p) for p in service.get("ports", [])]


def test_temporal_is_not_published_and_the_ui_only_on_loopback_read_only() -> None:
    """Issue 13: nobody on the network reaches the frontend or the UI; the UI can look
    but not act, and decodes only through the API's codec endpoint."""
    assert _published(SERVICES["temporal"]) == []
    assert _published(SERVICES["postgres"]) == []
    for port in _published(SERVICES["temporal-ui"]):
        assert port.startswith("127.0.0.1:"), port
    ui = SERVICES["temporal-ui"]["environment"]
    assert ui["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    for action in ("TERMINATE", "CANCEL", "SIGNAL", "RESET"):
        assert ui[f"TEMPORAL_WORKFLOW_{action}_DISABLED"] == "true"
    assert ui["TEMPORAL_BATCH_ACTIONS_DISABLED"] == "true"
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    app_env = SERVICES["api"]["environment"]
    assert "CASUSREGIE_TEMPORAL_UI_ORIGIN" in app_env  # the only origin the codec allows


def test_mtls_override_gives_every_client_a_certificate() -> None:
    override = yaml.safe_load((ROOT / "deploy" / "compose.mtls.yml").read_text())["services"]
    assert set(override) <= set(SERVICES)
    temporal = override["temporal"]["environment"]
    assert temporal["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    fields = {f"CASUSREGIE_{name.upper()}" for name in Settings.model_fields}
    for name in ("worker", "api"):
        env = override[name]["environment"]
        assert set(env) <= fields
        assert {
            "CASUSREGIE_TEMPORAL_TLS_CERT",
            "CASUSREGIE_TEMPORAL_TLS_KEY",
            "CASUSREGIE_TEMPORAL_TLS_CA",
        } <= set(env)
    ui = override["temporal-ui"]["environment"]
    assert {"TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY"} <= set(ui)
    assert "deploy/tls/" in (ROOT / ".gitignore").read_text()
