"""One logging set-up for worker, API and CLI: structlog, JSON off a TTY, console on one.

Modules only call ``structlog.get_logger()``. Standard-library loggers (uvicorn,
temporalio, alembic, sqlalchemy, warnings) go through ``ProcessorFormatter`` to the same
renderer, so every line of a process has one format. Context (``request_id``,
``case_id``, ``workflow_id``) is bound with contextvars and merged into every line.

Never log client data: ids, organisation names and task keys only.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, WrappedLogger

from core.config import Settings, get_settings
from domain.messages import workflow_id_for

# stdlib loggers that must render like ours (their own handlers are removed)
ROUTED_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "temporalio",
    "alembic",
    "sqlalchemy",
    "py.warnings",
)
# chatty libraries: warnings and up only
QUIET_LOGGERS = {"sqlalchemy": logging.WARNING, "httpx": logging.WARNING}

SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _drop_color_message(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """uvicorn passes an ANSI-coloured copy of its message as an extra: not for logs."""
    event_dict.pop("color_message", None)
    return event_dict


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is *now* (pytest's capture swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _wants_json(settings: Settings, json: bool | None) -> bool:
    if json is not None:
        return json
    if settings.log_json is not None:
        return settings.log_json
    return not sys.stderr.isatty()


def configure_logging(settings: Settings | None = None, json: bool | None = None) -> None:
    """Configure structlog and the stdlib root logger; safe to call more than once."""
    settings = settings or get_settings()
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    if _wants_json(settings, json):
        final: list[Any] = [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ]
    else:
        final = [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder(), _drop_color_message],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)

    for name in ROUTED_LOGGERS:  # undo what e.g. uvicorn's own dictConfig set up
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.disabled = False
        logger.setLevel(logging.NOTSET)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(quiet, level))
    logging.captureWarnings(True)


def bind_request(request_id: str | None = None, **extra: Any) -> str:
    """Start a fresh log context for one request/command; returns the request id."""
    request_id = request_id or uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, **extra)
    return request_id


def bind_case(case_id: str, workflow_id: str | None = None) -> None:
    """Add the case (and its workflow id) to every following log line of this context."""
    structlog.contextvars.bind_contextvars(
        case_id=case_id, workflow_id=workflow_id or workflow_id_for(case_id)
    )


def unbind_case() -> None:
    structlog.contextvars.unbind_contextvars("case_id", "workflow_id")
