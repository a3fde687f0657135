"""The alembic revisions produce exactly the SQLModel schema, on SQLite and PostgreSQL,
and every revision's downgrade undoes its upgrade."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.config import get_settings
from db.engine import engine_for
from db.migrate import (
    alembic_config,
    current_revision,
    head_revisions,
    target_metadata,
    upgrade_to_head,
)


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


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest) -> str:
    """A database without any table: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return get_settings().effective_database_url
    return request.getfixturevalue("postgres_url")


def _migrate(url: str, action: str, revision: str) -> None:
    config = alembic_config(url)
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _tables(url: str) -> set[str]:
    return set(inspect(engine_for(url)).get_table_names()) - {"alembic_version"}


def test_every_revision_downgrades_and_upgrades_again(empty_url: str) -> None:
    """The stairway: up one revision, down one, up again (a downgrade that leaves
    something behind makes the second upgrade fail); then down to base and back to head."""
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    for revision in reversed(revisions):  # oldest first
        _migrate(empty_url, "upgrade", revision)
        _migrate(empty_url, "downgrade", "-1")
        _migrate(empty_url, "upgrade", revision)
        assert current_revision(engine_for(empty_url)) == revision
    assert _pending_diff(empty_url) == []

    _migrate(empty_url, "downgrade", "base")
    assert current_revision(engine_for(empty_url)) is None
    assert _tables(empty_url) == set()
    assert upgrade_to_head(empty_url) == head_revisions()[0]
    assert _pending_diff(empty_url) == []
