"""Per-case data keys (envelope encryption) in the table ``case_keys``.

Every case has a random 256-bit data key. It encrypts the case's Temporal payloads
(``core/codec.py``) and its sealed columns (``db/sealing.py``) and is stored only
wrapped (AES-GCM) under a key derived from a master key of the key ring (``kek_id``).
Rotating the ring re-wraps these few bytes per case; nothing else is re-encrypted.
Retention destroys a case's data key (``shred``): the case's payloads and columns are
then noise, while the rows themselves (counts, phases, dates) remain.

Unwrapped keys are cached per process for ``CACHE_SECONDS`` (the inbox decrypts task
rows on every request: one dictionary lookup per case); a shredded key therefore
disappears from running processes within that time.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core.config import Settings, get_settings
from core.keys import CASE_KEY_WRAP, KEY_BYTES, CaseShredded, KeyRing, key_ring
from db.engine import engine_for
from db.models import CaseKey

CACHE_SECONDS = 300.0
CACHE_SIZE = 50_000
NONCE = 12
_TABLE = CaseKey.__table__  # type: ignore[attr-defined]


class CaseKeyBroken(Exception):
    """A wrapped key that no key of the ring unwraps (a missing or wrong master key)."""


@dataclass
class _Entry:
    expires: float
    aead: AESGCM | None  # None: shredded


def _aad(case_id: str) -> bytes:
    return f"casusregie-case-key:{case_id}".encode()


def wrap(ring: KeyRing, case_id: str, dek: bytes) -> tuple[str, str]:
    kek = AESGCM(ring.derive(CASE_KEY_WRAP))
    nonce = os.urandom(NONCE)
    blob = nonce + kek.encrypt(nonce, dek, _aad(case_id))
    return ring.active.id, base64.b64encode(blob).decode()


def unwrap(ring: KeyRing, case_id: str, kek_id: str, wrapped: str) -> bytes:
    if ring.get(kek_id) is None:
        raise CaseKeyBroken(f"case {case_id}: key {kek_id!r} is not in the key ring")
    blob = base64.b64decode(wrapped)
    try:
        return AESGCM(ring.derive(CASE_KEY_WRAP, kek_id)).decrypt(
            blob[:NONCE], blob[NONCE:], _aad(case_id)
        )
    except InvalidTag:
        raise CaseKeyBroken(f"case {case_id}: its data key does not unwrap") from None


class CaseKeyStore:
    """The data keys of one database (implements ``core.keys.CaseKeySource``)."""

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self._settings = settings
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        # keys that came with an export file (``import_wrapped``), for replaying it
        self.imported: dict[str, AESGCM] = {}

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    def ring(self, *, refresh: bool = False) -> KeyRing:
        return key_ring(self.settings, refresh=refresh)

    # -- lookups ---------------------------------------------------------------------------

    def cached(self, case_id: str) -> _Entry | None:
        with self._lock:
            entry = self._cache.get(case_id)
            if entry is None:
                return None
            if entry.expires < time.monotonic():
                del self._cache[case_id]
                return None
            self._cache.move_to_end(case_id)
            return entry

    def remember(self, case_id: str, aead: AESGCM | None) -> None:
        with self._lock:
            self._cache[case_id] = _Entry(time.monotonic() + CACHE_SECONDS, aead)
            self._cache.move_to_end(case_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def forget(self, case_id: str | None = None) -> None:
        with self._lock:
            if case_id is None:
                self._cache.clear()
            else:
                self._cache.pop(case_id, None)

    def aead(self, case_id: str, *, create: bool = False) -> AESGCM | None:
        """The case's data key; None when it has none (and not ``create``); raises
        ``CaseShredded`` when it was destroyed. Looks up committed keys only (and caches
        them); ``create`` makes one in its own transaction."""
        if case_id in self.imported:
            return self.imported[case_id]
        entry = self.cached(case_id)
        if entry is not None:
            if entry.aead is None:
                raise CaseShredded(case_id)
            return entry.aead
        with self.engine.connect() as conn:
            aead = self._lookup(conn, case_id)
        if aead is None and create:
            try:
                with self.engine.begin() as conn:
                    aead = self.create_in(conn, case_id)
                self.remember(case_id, aead)
            except IntegrityError:  # another process created it first
                with self.engine.connect() as conn:
                    aead = self._lookup(conn, case_id)
        return aead

    def _lookup(self, conn: Connection, case_id: str) -> AESGCM | None:
        row = conn.execute(
            select(_TABLE.c.kek_id, _TABLE.c.wrapped_key).where(_TABLE.c.case_id == case_id)
        ).first()
        if row is None:
            return None
        if row.wrapped_key is None:
            self.remember(case_id, None)
            raise CaseShredded(case_id)
        ring = self.ring()
        if ring.get(row.kek_id) is None:
            ring = self.ring(refresh=True)  # a key added since this process started
        aead = AESGCM(unwrap(ring, case_id, row.kek_id, row.wrapped_key))
        self.remember(case_id, aead)
        return aead

    def exported(self, case_id: str) -> dict[str, str] | None:
        """The case's wrapped data key for an encrypted export (``kek_id``,
        ``wrapped_key``): the export replays wherever the key ring is known."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_TABLE.c.kek_id, _TABLE.c.wrapped_key).where(_TABLE.c.case_id == case_id)
            ).first()
        if row is None or row.wrapped_key is None:
            return None
        return {"kek_id": row.kek_id, "wrapped_key": row.wrapped_key}

    def import_wrapped(self, case_id: str, kek_id: str, wrapped: str) -> None:
        """Trust the wrapped key of an export file (it unwraps only under our ring)."""
        ring = self.ring()
        if ring.get(kek_id) is None:
            ring = self.ring(refresh=True)
        self.imported[case_id] = AESGCM(unwrap(ring, case_id, kek_id, wrapped))

    def create_in(self, conn: Connection, case_id: str) -> AESGCM:
        """A new data key for the case, inserted in ``conn``'s transaction (not cached:
        the caller remembers it once that transaction committed)."""
        dek = secrets.token_bytes(KEY_BYTES)
        kek_id, wrapped = wrap(self.ring(), case_id, dek)
        conn.execute(
            insert(_TABLE).values(
                case_id=case_id,
                kek_id=kek_id,
                wrapped_key=wrapped,
                created_at=datetime.now(UTC),
            )
        )
        return AESGCM(dek)

    # -- administration (rotation, retention) ----------------------------------------------

    def is_shredded(self, case_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_TABLE.c.wrapped_key).where(_TABLE.c.case_id == case_id)
            ).first()
        return row is not None and row.wrapped_key is None

    def shred(self, conn: Connection, case_id: str) -> None:
        """Destroy the case's data key in ``conn``'s transaction (a case without one gets
        a shredded entry, so that none is ever made for it)."""
        now = datetime.now(UTC)
        exists = conn.execute(select(_TABLE.c.case_id).where(_TABLE.c.case_id == case_id)).first()
        if exists is None:
            conn.execute(
                insert(_TABLE).values(
                    case_id=case_id, kek_id="", wrapped_key=None, created_at=now, shredded_at=now
                )
            )
        else:
            conn.execute(
                update(_TABLE)
                .where(_TABLE.c.case_id == case_id, _TABLE.c.wrapped_key.is_not(None))
                .values(wrapped_key=None, shredded_at=now)
            )
        self.remember(case_id, None)

    def rewrap_all(self) -> int:
        """Re-wrap every data key that is not under the active master key; returns how
        many were re-wrapped."""
        ring = self.ring(refresh=True)
        count = 0
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(_TABLE.c.case_id, _TABLE.c.kek_id, _TABLE.c.wrapped_key).where(
                    _TABLE.c.wrapped_key.is_not(None), _TABLE.c.kek_id != ring.active.id
                )
            ).all()
            for row in rows:
                dek = unwrap(ring, row.case_id, row.kek_id, row.wrapped_key)
                kek_id, wrapped = wrap(ring, row.case_id, dek)
                conn.execute(
                    update(_TABLE)
                    .where(_TABLE.c.case_id == row.case_id)
                    .values(kek_id=kek_id, wrapped_key=wrapped, rewrapped_at=datetime.now(UTC))
                )
                count += 1
        return count

    def kek_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_TABLE.c.kek_id, _TABLE.c.wrapped_key).where(
                    _TABLE.c.wrapped_key.is_not(None)
                )
            ).all()
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.kek_id] = counts.get(row.kek_id, 0) + 1
        return counts


_stores: dict[int, tuple[Engine, CaseKeyStore]] = {}
_stores_lock = threading.Lock()


def store_for(engine: Engine) -> CaseKeyStore:
    """One store (and cache) per engine."""
    with _stores_lock:
        found = _stores.get(id(engine))
        if found is None or found[0] is not engine:
            found = _stores[id(engine)] = (engine, CaseKeyStore(engine))
        return found[1]


def store_for_settings(settings: Settings) -> CaseKeyStore:
    return store_for(engine_for(settings.effective_database_url))


def key_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(_TABLE))]
