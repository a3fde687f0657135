"""Re-encryption after a key rotation (``casusregie keys reencrypt``).

1. Every case data key not wrapped under the active master key is re-wrapped (a few
   bytes per case: the data under it stays as it is).
2. Sealed columns that are not in the current form are sealed again: values written
   before sealing (plain, or Fernet tokens of the old secret), and values sealed under
   a ring key that is no longer active (webhook secrets); keyed search hashes are
   recomputed under the active key.

Not touched: the append-only audit log (its database triggers refuse any UPDATE: rows
written before sealing stay as they were; rows sealed under a case key need nothing),
and shredded cases. Afterwards a retired master key can be removed from the ring once
``casusregie keys list`` shows that nothing is wrapped under it any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import col

from core.keys import CaseShredded, KeyRing
from db.case_keys import store_for
from db.models import AuditEvent, Case, CaseKey, NotificationOutbox, Organisation, Task, User
from db.sealing import PREFIX, Sealed, search_hash

REKEYED_TABLES: tuple[type[Any], ...] = (Organisation, User, Case, Task, NotificationOutbox)
APPEND_ONLY: tuple[type[Any], ...] = (AuditEvent,)
BATCH = 500


@dataclass
class RekeyReport:
    rewrapped: int = 0
    resealed: dict[str, int] = field(default_factory=dict)
    skipped_shredded: int = 0


def _current(raw: Any, spec: Sealed, ring: KeyRing) -> bool:
    if raw is None:
        return True
    if not isinstance(raw, str) or not raw.startswith(PREFIX):
        return False
    if spec.case is not None:
        return raw.startswith(f"{PREFIX}c:")
    return raw.startswith(f"{PREFIX}r:{ring.active.id}:")


def _stale_ids(engine: Engine, model: type[Any], spec: Sealed, ring: KeyRing) -> list[Any]:
    table = model.__table__
    columns = [table.c[name] for name in spec.columns]
    key = next(iter(table.primary_key.columns))
    stale = []
    with engine.connect() as conn:
        for row in conn.execute(select(key, *columns)):
            if not all(_current(value, spec, ring) for value in row[1:]):
                stale.append(row[0])
    return stale


def reencrypt(engine: Engine) -> RekeyReport:
    store = store_for(engine)
    ring = store.ring(refresh=True)
    report = RekeyReport(rewrapped=store.rewrap_all())
    with Session(engine) as session:
        shredded = set(
            session.execute(
                select(col(CaseKey.case_id)).where(col(CaseKey.wrapped_key).is_(None))
            ).scalars()
        )
    for model in REKEYED_TABLES:
        spec: Sealed = model.__sealed__
        ids = _stale_ids(engine, model, spec, ring)
        if spec.search:  # rows whose search hash is under another key, too
            ids += _stale_hashes(engine, model, spec, ring, set(ids))
        count = 0
        for start in range(0, len(ids), BATCH):
            with Session(engine) as session:
                for row in session.execute(
                    select(model).where(
                        next(iter(model.__table__.primary_key.columns)).in_(
                            ids[start : start + BATCH]
                        )
                    )
                ).scalars():
                    if spec.case is not None and getattr(row, spec.case) in shredded:
                        report.skipped_shredded += 1
                        continue
                    for name in spec.columns:
                        if getattr(row, name) is not None:
                            flag_modified(row, name)
                    count += 1
                try:
                    session.commit()
                except CaseShredded:
                    session.rollback()
                    report.skipped_shredded += 1
        report.resealed[model.__tablename__] = count
    return report


def _stale_hashes(
    engine: Engine, model: type[Any], spec: Sealed, ring: KeyRing, known: set[Any]
) -> list[Any]:
    stale = []
    with Session(engine) as session:
        for row in session.execute(select(model)).scalars():
            for column, hash_column in spec.search.items():
                value = getattr(row, column)
                key = row.id
                if (
                    value is not None
                    and key not in known
                    and getattr(row, hash_column) != search_hash(str(value), ring)
                    and getattr(row, "shredded_at", None) is None
                ):
                    stale.append(key)
    return stale
