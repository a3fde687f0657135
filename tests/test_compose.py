"""docker-compose.yml (the scale-out path) stays consistent with the code: Docker is not
available here, so check its structure and that it only uses real settings."""

from __future__ import annotations

from pathlib import Path

import yaml

from core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "worker", "api")


def test_services_and_health_ordering() -> None:
    assert {"postgres", "temporal", "temporal-ui", *APP_SERVICES} <= set(SERVICES)
    for name, service in SERVICES.items():
        for dep, cond in (service.get("depends_on") or {}).items():
            assert dep in SERVICES, (name, dep)
            condition = cond["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[dep], f"{name} waits on {dep}'s health"
            else:
                assert condition == "service_completed_successfully"
                assert SERVICES[dep]["restart"] == "no"
    for name in ("worker", "api"):
        deps = SERVICES[name]["depends_on"]
        assert deps["temporal"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["temporal"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in str(SERVICES["postgres"]["healthcheck"]["test"])


def test_temporal_runs_on_postgres() -> None:
    temporal = SERVICES["temporal"]
    assert temporal["image"].startswith("temporalio/auto-setup:")
    env = temporal["environment"]
    assert env["DB"] == "postgres12" and env["POSTGRES_SEEDS"] == "postgres"
    assert {"DB_PORT", "POSTGRES_USER", "POSTGRES_PWD"} <= set(env)
    assert SERVICES["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_app_env_uses_real_settings_and_no_secret_default() -> None:
    fields = {f"CASUSREGIE_{name.upper()}" for name in Settings.model_fields}
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        assert set(env) <= fields, set(env) - fields
        assert env["CASUSREGIE_ENVIRONMENT"] == "production"
        assert env["CASUSREGIE_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert env["CASUSREGIE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CASUSREGIE_SECRET_KEY"].startswith("${CASUSREGIE_SECRET_KEY:?")
        assert SERVICES[name]["command"][:1] == ["casusregie"]
    assert SERVICES["api"]["environment"]["CASUSREGIE_API_HOST"] == "0.0.0.0"
    assert "casusregie" in (ROOT / "Dockerfile").read_text()
