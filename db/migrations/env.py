"""Alembic environment: the URL comes from core.config (or the caller), the target schema
from the SQLModel metadata (db.migrate.target_metadata)."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy.engine import Connection

from core.config import get_settings
from core.logging import configure_logging
from db.migrate import migration_engine, target_metadata

config = context.config
metadata = target_metadata()


def _url() -> str:
    return config.attributes.get("url") or get_settings().effective_database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things: batch mode copies the table instead
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called from db.migrate with an open connection
        _run(connection)
        return
    if not logging.getLogger().handlers:  # the `alembic` command line
        configure_logging(get_settings())
    with migration_engine(_url()).connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
