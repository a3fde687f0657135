"""configure_logging: JSON lines off a TTY with the bound context; stdlib loggers
rendered the same way."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from structlog.testing import capture_logs

from core.config import get_settings
from core.logging import bind_case, bind_request, configure_logging


@pytest.fixture(autouse=True)
def _reset_context():
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_carry_request_and_case(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(get_settings(), json=True)
    request_id = bind_request()
    bind_case("c-1")
    structlog.get_logger("casusregie.test").info("task_completed", task_key="decide")
    logging.getLogger("uvicorn.access").info(
        '%s - "GET %s"', "127.0.0.1", "/healthz", extra={"color_message": "\x1b[1mGET"}
    )

    ours, uvicorn = _json_lines(capsys.readouterr().err)
    assert ours["event"] == "task_completed"
    assert ours["request_id"] == request_id
    assert (ours["case_id"], ours["workflow_id"]) == ("c-1", "case-c-1")
    assert ours["level"] == "info" and ours["timestamp"].endswith("Z")
    assert uvicorn["event"] == '127.0.0.1 - "GET /healthz"'
    assert uvicorn["request_id"] == request_id and uvicorn["logger"] == "uvicorn.access"
    assert "color_message" not in uvicorn


def test_exceptions_are_rendered_into_the_json_line(capsys) -> None:
    configure_logging(get_settings(), json=True)
    try:
        raise ValueError("kapot")
    except ValueError:
        structlog.get_logger().exception("failed")
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["level"] == "error" and "ValueError: kapot" in line["exception"]


def test_console_renderer_on_request(capsys) -> None:
    configure_logging(get_settings(), json=False)
    structlog.get_logger().info("hallo", n=1)
    err = capsys.readouterr().err
    assert "hallo" in err and "n=1" in err and not err.lstrip().startswith("{")


def test_not_a_tty_means_json(capsys, monkeypatch) -> None:
    monkeypatch.delenv("CASUSREGIE_LOG_JSON", raising=False)
    configure_logging(get_settings())  # pytest's captured stderr is not a TTY
    structlog.get_logger().info("x")
    assert _json_lines(capsys.readouterr().err)[0]["event"] == "x"


def test_capture_logs_sees_bound_context() -> None:
    configure_logging(get_settings(), json=True)
    bind_request("req-42")
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        structlog.get_logger().warning("overdue", task_id="t1")
    assert logs == [
        {"event": "overdue", "task_id": "t1", "request_id": "req-42", "log_level": "warning"}
    ]


def test_reconfigure_undoes_uvicorns_own_logging_config(capsys) -> None:
    import uvicorn

    uvicorn.Config("api.main:app", log_level="warning")  # dictConfig: own handlers/levels
    configure_logging(get_settings(), json=True)
    logging.getLogger("uvicorn.access").info("GET /healthz")
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["logger"] == "uvicorn.access"
