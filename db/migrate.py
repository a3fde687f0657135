"""Schema migrations (alembic) as a function: ``casusregie up``/``migrate`` and tests call
``upgrade_to_head``. The revisions live in ``db/migrations/versions``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from core.config import get_settings
from db.engine import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def target_metadata() -> MetaData:
    """The metadata of every table the migrations must produce.

    A module that defines tables must be imported here (or by ``db.models``)."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401

    return SQLModel.metadata


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url:
        config.attributes["url"] = url
    return config


def migration_engine(url: str | None) -> Engine:
    settings = get_settings()
    url = url or settings.effective_database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return engine_for(url)


def upgrade_to_head(url: str | None = None) -> str | None:
    """Apply every pending revision; returns the revision the database is now at."""
    engine = migration_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
