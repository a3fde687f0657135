"""The alembic revisions produce exactly the SQLModel schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from core.config import get_settings
from db.engine import engine_for
from db.migrate import head_revisions, target_metadata, upgrade_to_head


def _pending_diff(url: str) -> list:
    with engine_for(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, target_metadata())


def test_single_head() -> None:
    assert len(head_revisions()) == 1, "two revisions share a parent: re-point down_revision"


def test_sqlite_empty_db_to_head_has_no_pending_diff() -> None:
    url = get_settings().effective_database_url
    assert upgrade_to_head() == head_revisions()[0]
    assert _pending_diff(url) == []
    tables = set(inspect(engine_for(url)).get_table_names())
    assert set(target_metadata().tables) <= tables


def test_upgrade_is_idempotent() -> None:
    first = upgrade_to_head()
    assert upgrade_to_head() == first


def test_postgres_empty_db_to_head_has_no_pending_diff(postgres_url: str) -> None:
    assert upgrade_to_head(postgres_url) == head_revisions()[0]
    assert _pending_diff(postgres_url) == []
