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
        assert env["CASUSREGIE_SECRET_KEYS"].startswith("${CASUSREGIE_SECRET_KEYS:?")
        assert SERVICES[name]["command"][:1] == ["casusregie"]
    assert SERVICES["api"]["environment"]["CASUSREGIE_API_HOST"] == "0.0.0.0"
    assert "casusregie" in (ROOT / "Dockerfile").read_text()


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
