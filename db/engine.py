"""One SQLAlchemy engine per database URL; sessions for API routes and activities."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from core.config import get_settings
from db.write_gate import gate_for

BUSY_TIMEOUT_SECONDS = 10.0


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        # connections are cheap; the pool must outlast bursts of concurrent requests
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
        database = make_url(url).database
        if database and database != ":memory:":  # writers take turns (db/write_gate.py)
            connect_args["factory"] = gate_for(database, BUSY_TIMEOUT_SECONDS).connection_class
        engine = create_engine(url, connect_args=connect_args, pool_size=10, max_overflow=40)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_last: tuple[object, Engine] | None = None  # (settings, its engine): every request asks


def get_engine() -> Engine:
    global _last
    settings = get_settings()
    if _last is not None and _last[0] is settings:
        return _last[1]
    url = settings.effective_database_url  # resolves the data dir's path: not free
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine_for(url)
    _last = (settings, engine)
    return engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
