"""Sealed columns: free text and identifying values are encrypted at rest, declared once
per table and handled by the ORM, so that code reads and writes plain values.

A table declares ``__sealed__ = Sealed("note", "data", case="case_id")``: those columns
are encrypted (AES-GCM) when a row is inserted or updated and decrypted when it is
loaded. ``case`` names the attribute holding the row's case id: the columns are then
sealed under that case's data key (``db/case_keys.py``) and die with it (retention);
without ``case`` they are sealed under the key ring (e.g. webhook secrets).
``search={"client_ref": "client_ref_hash"}`` keeps a keyed hash (HMAC-SHA256 under the
ring) beside a column for exact search (``search_hashes``). Encrypting a new column is
adding its name to the declaration.

Stored form (text; in a JSON column a JSON string): ``enc1:c:<base64url>`` (case key) or
``enc1:r:<key id>:<base64url>`` (ring key); the table, column and case are associated
data, so a value cannot be moved to another column or case. Values written before
sealing (plain, or Fernet tokens of the summary under ``CASUSREGIE_SECRET_KEY``) are
still read; ``casusregie keys reencrypt`` seals them. A shredded case reads as
``SHREDDED`` (text) or nothing (JSON).

Bulk ``UPDATE``/``INSERT`` statements bypass the ORM: they must not touch sealed columns,
unless they seal the values themselves with ``seal_values`` (the same stored form, under
the key ``case_aead_for_write`` gives; the read-model writer does, ``db/read_model.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Connection, Engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session, attributes, object_session
from sqlalchemy.orm.attributes import set_committed_value

from core.config import get_settings
from core.keys import COLUMNS, SEARCH_HASH, CaseShredded, KeyRing, key_ring

if TYPE_CHECKING:
    from db.case_keys import CaseKeyStore

PREFIX = "enc1:"
SHREDDED = "(vernietigd)"
NONCE = 12
_PENDING = "casusregie_new_case_keys"  # session.info: keys made in the open transaction
_STASH = "casusregie_sealed"  # InstanceState.info: plain values during a flush


@dataclass(frozen=True)
class Sealed:
    columns: tuple[str, ...]
    case: str | None = None
    search: Mapping[str, str] = field(default_factory=dict)

    def __init__(
        self, *columns: str, case: str | None = None, search: Mapping[str, str] | None = None
    ) -> None:
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "case", case)
        object.__setattr__(self, "search", dict(search or {}))


class SealBroken(Exception):
    """A sealed value that does not decrypt: tampered with, or a key is missing."""


def _spec(target: object) -> Sealed | None:
    spec = getattr(type(target), "__sealed__", None)
    return spec if isinstance(spec, Sealed) else None


def _ring() -> KeyRing:
    return key_ring(get_settings())


def _store(source: Session | Connection) -> CaseKeyStore:
    from db.case_keys import store_for  # db.case_keys imports db.models, which imports us

    bind = source.get_bind() if isinstance(source, Session) else source
    return store_for(bind if isinstance(bind, Engine) else bind.engine)


@dataclass(frozen=True)
class _Columns:
    """What the hooks need to know of a mapped class (computed once per class)."""

    table: str
    json: frozenset[str]
    nullable: frozenset[str]


_columns: dict[type, _Columns] = {}


def _info(target: object) -> _Columns:
    return _class_info(type(target))


def _class_info(cls: type) -> _Columns:
    found = _columns.get(cls)
    if found is None:
        mapper: Mapper[Any] = sa_inspect(cls)
        columns = mapper.columns
        found = _columns[cls] = _Columns(
            table=str(mapper.persist_selectable.description),
            json=frozenset(c.key for c in columns if isinstance(c.type, JSON)),
            nullable=frozenset(c.key for c in columns if c.nullable),
        )
    return found


def _table(target: object) -> str:
    return _info(target).table


def _is_json(target: object, name: str) -> bool:
    return name in _info(target).json


def _nullable(target: object, name: str) -> bool:
    return name in _info(target).nullable


# -- the primitives --------------------------------------------------------------------------


def _aad(table: str, column: str, case_id: str | None) -> bytes:
    return f"casusregie-column:{table}.{column}:{case_id or ''}".encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_text(plain: str, aad: bytes, *, case_aead: AESGCM | None, ring: KeyRing) -> str:
    nonce = os.urandom(NONCE)
    if case_aead is not None:
        return f"{PREFIX}c:{_b64(nonce + case_aead.encrypt(nonce, plain.encode(), aad))}"
    key = ring.active
    aead = AESGCM(ring.derive(COLUMNS, key.id))
    return f"{PREFIX}r:{key.id}:{_b64(nonce + aead.encrypt(nonce, plain.encode(), aad))}"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def unseal_text(sealed: str, aad: bytes, *, case_aead: AESGCM | None, ring: KeyRing) -> str:
    body = sealed.removeprefix(PREFIX)
    try:
        if body.startswith("c:"):
            if case_aead is None:
                raise SealBroken("sealed under a case key, but the case has none")
            blob = _unb64(body[2:])
            return case_aead.decrypt(blob[:NONCE], blob[NONCE:], aad).decode()
        if body.startswith("r:"):
            key_id, _, data = body[2:].partition(":")
            if ring.get(key_id) is None:
                ring = key_ring(get_settings(), refresh=True)
            if ring.get(key_id) is None:
                raise SealBroken(f"sealed under key {key_id!r}, which is not in the key ring")
            blob = _unb64(data)
            aead = AESGCM(ring.derive(COLUMNS, key_id))
            return aead.decrypt(blob[:NONCE], blob[NONCE:], aad).decode()
    except (InvalidTag, ValueError) as exc:
        raise SealBroken(f"a sealed value does not decrypt: {type(exc).__name__}") from None
    raise SealBroken("unknown sealed format")


def legacy_fernet(token: str, ring: KeyRing) -> str | None:
    """A Fernet token of earlier versions (the case summary), under any ring key."""
    for key_id in ring.ids:
        try:
            key = base64.urlsafe_b64encode(ring.derive(COLUMNS, key_id))
            return Fernet(key).decrypt(token.encode()).decode()
        except InvalidToken:
            continue
    return None


def search_hash(value: str, ring: KeyRing, key_id: str | None = None) -> str:
    key = ring.derive(SEARCH_HASH, key_id)
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()


def search_hashes(value: str) -> list[str]:
    """The hashes of ``value`` under every key of the ring (for ``column IN (...)``):
    rows hashed under an older key are found until ``keys reencrypt`` re-hashed them."""
    ring = _ring()
    return [search_hash(value, ring, key_id) for key_id in ring.ids]


# -- the ORM hooks ---------------------------------------------------------------------------


def _case_id(target: object, spec: Sealed) -> str | None:
    """The row's case (None or "": a row of no case, e.g. a daily digest: the key ring)."""
    return None if spec.case is None else getattr(target, spec.case) or None


def _case_aead_for_write(connection: Connection, target: object, case_id: str) -> AESGCM:
    session = object_session(target)
    pending: dict[str, AESGCM] = session.info.setdefault(_PENDING, {}) if session else {}
    if case_id in pending:
        return pending[case_id]
    store = _store(connection)
    aead = store.aead(case_id)  # raises CaseShredded: a shredded case is never written
    if aead is None:
        aead = store.create_in(connection, case_id)
        pending[case_id] = aead
    return aead


def _seal_row(connection: Connection, target: object, *, inserting: bool) -> None:
    spec = _spec(target)
    if spec is None:
        return
    state = attributes.instance_state(target)
    table = _table(target)
    stash: dict[str, tuple[Any, str]] = state.info.setdefault(_STASH, {})
    case_id = _case_id(target, spec)
    ring = _ring()
    case_aead: AESGCM | None = None
    for name in spec.columns:
        value = getattr(target, name)
        if not inserting and not attributes.get_history(target, name).has_changes():
            continue
        if value is None or (name in stash and value is stash[name][1]):
            continue
        if case_id is not None and case_aead is None:
            case_aead = _case_aead_for_write(connection, target, case_id)
        plain = json.dumps(value) if _is_json(target, name) else str(value)
        sealed = seal_text(plain, _aad(table, name, case_id), case_aead=case_aead, ring=ring)
        stash[name] = (value, sealed)
        if name in spec.search:
            attributes.set_attribute(target, spec.search[name], search_hash(str(value), ring))
        attributes.set_attribute(target, name, sealed)


def case_aead_for_write(session: Session, case_id: str) -> AESGCM:
    """The case's data key for ``seal_values`` in ``session``'s transaction: made in it
    when the case has none yet (remembered once it commits), as the ORM hooks do; raises
    ``CaseShredded``: a shredded case is never written."""
    pending: dict[str, AESGCM] = session.info.setdefault(_PENDING, {})
    if case_id in pending:
        return pending[case_id]
    connection = session.connection()
    store = _store(connection)
    aead = store.aead(case_id)
    if aead is None:
        aead = store.create_in(connection, case_id)
        pending[case_id] = aead
    return aead


def seal_values(
    model: type,
    values: dict[str, Any],
    case_id: str | None,
    case_aead: Callable[[], AESGCM] | None = None,
) -> dict[str, Any]:
    """Seal, in place, the sealed columns of ``model`` in ``values`` (a row of a bulk
    ``INSERT`` or ``UPDATE``): the form the ORM hooks write (a value of None stays None).
    ``case_id``: the row's case (None: the key ring); ``case_aead`` gives its data key,
    asked only when a value is to be sealed (``case_aead_for_write``)."""
    spec = getattr(model, "__sealed__", None)
    if not isinstance(spec, Sealed):
        return values
    info = _class_info(model)
    aead: AESGCM | None = None
    ring: KeyRing | None = None
    for name in spec.columns:
        value = values.get(name)
        if value is None:
            continue
        if case_id is not None and aead is None:
            if case_aead is None:
                raise ValueError(f"{info.table}.{name}: a row of a case needs its data key")
            aead = case_aead()
        if ring is None and (aead is None or name in spec.search):
            ring = _ring()
        plain = json.dumps(value) if name in info.json else str(value)
        aad = _aad(info.table, name, case_id)
        if aead is not None:  # the hot path: seal_text without the ring
            nonce = os.urandom(NONCE)
            values[name] = f"{PREFIX}c:{_b64(nonce + aead.encrypt(nonce, plain.encode(), aad))}"
        else:
            assert ring is not None
            values[name] = seal_text(plain, aad, case_aead=None, ring=ring)
        if name in spec.search:
            assert ring is not None
            values[spec.search[name]] = search_hash(str(value), ring)
    return values


def _restore_row(target: object) -> None:
    state = attributes.instance_state(target)
    stash = state.info.pop(_STASH, None)
    for name, (plain, _sealed) in (stash or {}).items():
        set_committed_value(target, name, plain)


def unseal_value(target: object, name: str, value: Any, case_aead: AESGCM | None) -> Any:
    spec = _spec(target)
    assert spec is not None
    if not is_sealed(value):
        if isinstance(value, str) and value.startswith("gAAAAA"):  # a Fernet token
            plain = legacy_fernet(value, _ring())
            return value if plain is None else plain
        return value  # written before sealing
    aad = _aad(_table(target), name, _case_id(target, spec))
    if case_aead is not None and value.startswith(f"{PREFIX}c:"):  # the hot path
        try:
            blob = _unb64(value[len(PREFIX) + 2 :])
            plain = case_aead.decrypt(blob[:NONCE], blob[NONCE:], aad).decode()
        except (InvalidTag, ValueError):
            raise SealBroken("a sealed value does not decrypt") from None
    else:
        plain = unseal_text(value, aad, case_aead=case_aead, ring=_ring())
    return json.loads(plain) if _is_json(target, name) else plain


def unseal_ring_column(model: type, name: str, value: Any) -> Any:
    """A value of ``model``'s column ``name``, sealed under the key ring (a table without
    ``case``), as a Core select reads it: unsealed as the ORM hooks would load it (a
    value written before sealing as it is)."""
    spec = getattr(model, "__sealed__", None)
    assert isinstance(spec, Sealed)
    assert spec.case is None
    assert name in spec.columns
    if not is_sealed(value):
        if _legacy_token(value):
            plain = legacy_fernet(value, _ring())
            return value if plain is None else plain
        return value
    info = _class_info(model)
    plain = unseal_text(value, _aad(info.table, name, None), case_aead=None, ring=_ring())
    return json.loads(plain) if name in info.json else plain


def _shredded_value(target: object, name: str) -> Any:
    if _is_json(target, name):
        return None if _nullable(target, name) else {}
    return SHREDDED


def _unseal_row(target: object, session: Session | None, names: Any = None) -> None:
    spec = _spec(target)
    if spec is None:
        return
    loaded = attributes.instance_state(target).dict
    wanted = [n for n in spec.columns if n in loaded and (names is None or n in names)]
    if not any(is_sealed(loaded[n]) or _legacy_token(loaded[n]) for n in wanted):
        return
    case_id = _case_id(target, spec)
    case_aead: AESGCM | None = None
    shredded = False
    if case_id is not None:
        pending = session.info.get(_PENDING, {}) if session is not None else {}
        case_aead = pending.get(case_id)
        if case_aead is None and session is not None:
            try:
                case_aead = _store(session).aead(case_id)
            except CaseShredded:
                shredded = True
    for name in wanted:
        value = loaded[name]
        if shredded and is_sealed(value):
            set_committed_value(target, name, _shredded_value(target, name))
        else:
            set_committed_value(target, name, unseal_value(target, name, value, case_aead))


def _legacy_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith("gAAAAA")


def _on_load(target: object, context: Any) -> None:
    _unseal_row(target, getattr(context, "session", None))


def _on_refresh(target: object, context: Any, attrs: Any) -> None:
    _unseal_row(target, getattr(context, "session", None), attrs)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        store = _store(session)
        for case_id, aead in pending.items():
            store.remember(case_id, aead)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Register the hooks on every mapped class and session (idempotent)."""
    if event.contains(Mapper, "before_insert", _before_insert):
        return
    event.listen(Mapper, "before_insert", _before_insert)
    event.listen(Mapper, "before_update", _before_update)
    event.listen(Mapper, "after_insert", _after_write)
    event.listen(Mapper, "after_update", _after_write)
    event.listen(Mapper, "load", _on_load)
    event.listen(Mapper, "refresh", _on_refresh)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def _before_insert(_mapper: Mapper[Any], connection: Connection, target: object) -> None:
    _seal_row(connection, target, inserting=True)


def _before_update(_mapper: Mapper[Any], connection: Connection, target: object) -> None:
    _seal_row(connection, target, inserting=False)


def _after_write(_mapper: Mapper[Any], _connection: Connection, target: object) -> None:
    _restore_row(target)
