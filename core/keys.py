"""The key ring: the master keys (key-encryption keys) everything else is derived from.

Where the keys come from, first match wins (``docs/security.md``):

1. ``CASUSREGIE_SECRET_KEYS``: ``id:key`` entries separated by commas; ``key`` is 32
   random bytes, base64url (``casusregie keys generate`` prints one). The **first**
   entry is the active key: new data is encrypted under it; the others only decrypt.
2. ``CASUSREGIE_KEY_FILE``: a JSON file ``{"active": id, "keys": {id: key, ...}}``
   (mode 0600), which ``casusregie keys rotate`` maintains.
3. development only: ``<data_dir>/keys.json``, generated with a random key on first use.

``CASUSREGIE_SECRET_KEY`` (the single secret of earlier versions) is always added as the
key ``casusregie-1`` with its original derivation, so that histories and columns written
under it keep decrypting; it is the active key only when nothing else is configured.
Production refuses to start without a configured key (``Settings`` and ``key_ring``).

Each master key is used only through per-purpose keys derived from it (HKDF-SHA256,
``info = "casusregie:" + purpose``); the case data keys are wrapped by the active one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from core.config import Settings

LEGACY_KEY_ID = "casusregie-1"  # CASUSREGIE_SECRET_KEY, as every version before the ring
KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
DEV_KEY_FILE = "keys.json"

# purposes of derived keys (a purpose is never reused for another use)
PAYLOADS = "temporal-payloads"  # payloads that belong to no case
COLUMNS = "db-column"  # columns that belong to no case (webhook secrets)
CASE_KEY_WRAP = "case-key-wrap"  # wraps the per-case data keys
SEARCH_HASH = "search-hash"  # keyed hashes for exact search (client_ref)


class KeyRingError(ValueError):
    """The keys are missing, malformed or refused."""


class CaseShredded(Exception):
    """The case's data key was destroyed (retention): its data is unreadable by design."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} is shredded: its data key was destroyed")
        self.case_id = case_id


class CaseKeySource(Protocol):
    """The per-case data keys (implemented in ``db/case_keys.py``)."""

    def aead(self, case_id: str, *, create: bool = False) -> AESGCM | None:
        """The case's data key as an AEAD; None when the case has none (and ``create``
        is false); raises ``CaseShredded`` when it was destroyed."""
        ...


@dataclass(frozen=True)
class MasterKey:
    id: str
    material: bytes
    legacy: bool = False  # CASUSREGIE_SECRET_KEY: sha256("<purpose>:<secret>")

    def derive(self, purpose: str) -> bytes:
        if self.legacy:
            return hashlib.sha256(f"{purpose}:".encode() + self.material).digest()
        return HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=f"casusregie:{purpose}".encode(),
        ).derive(self.material)

    def __repr__(self) -> str:  # never the material
        return f"MasterKey({self.id!r}{', legacy' if self.legacy else ''})"


class KeyRing:
    """The master keys by id, the active one first."""

    def __init__(self, keys: Iterable[MasterKey], source: str, path: Path | None = None) -> None:
        ordered = list(keys)
        if not ordered:
            raise KeyRingError("the key ring is empty")
        self.active = ordered[0]
        self.keys = {k.id: k for k in reversed(ordered)} | {self.active.id: self.active}
        self.source = source  # "env", "file" or "secret"
        self.path = path
        self._derived: dict[tuple[str, str], bytes] = {}

    @property
    def ids(self) -> list[str]:
        return [self.active.id, *sorted(k for k in self.keys if k != self.active.id)]

    def get(self, key_id: str) -> MasterKey | None:
        return self.keys.get(key_id)

    def derive(self, purpose: str, key_id: str | None = None) -> bytes:
        key = self.active if key_id is None else self.keys[key_id]
        cached = self._derived.get((key.id, purpose))
        if cached is None:
            cached = self._derived[(key.id, purpose)] = key.derive(purpose)
        return cached

    def fingerprint(self) -> str:
        """Identifies the ring's contents without revealing them (cache keys)."""
        digest = hashlib.sha256()
        for key_id in self.ids:
            digest.update(key_id.encode() + b"\0" + self.keys[key_id].material + b"\0")
        return digest.hexdigest()[:16]


# -- loading -----------------------------------------------------------------------------


def new_key_material() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")


def new_key_id(existing: Iterable[str] = ()) -> str:
    taken = set(existing)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    for n in range(1, 1000):
        candidate = f"k{stamp}-{n}"
        if candidate not in taken:
            return candidate
    raise KeyRingError("no free key id today")  # pragma: no cover


def _material(key_id: str, encoded: str) -> bytes:
    if not KEY_ID.match(key_id) or key_id == LEGACY_KEY_ID:
        raise KeyRingError(
            f"key id {key_id!r}: letters, digits, '.', '_' or '-' (at most 40), "
            f"not {LEGACY_KEY_ID!r} (reserved for CASUSREGIE_SECRET_KEY)"
        )
    try:
        raw = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {key_id!r} is not base64url") from None
    if len(raw) < KEY_BYTES:
        raise KeyRingError(f"key {key_id!r} has {len(raw)} bytes; at least {KEY_BYTES} needed")
    return raw


def parse_env_keys(value: str) -> list[MasterKey]:
    """``id:key,id:key`` (first is active)."""
    keys: list[MasterKey] = []
    for entry in filter(None, (e.strip() for e in value.replace("\n", ",").split(","))):
        key_id, sep, encoded = entry.partition(":")
        if not sep:
            raise KeyRingError("CASUSREGIE_SECRET_KEYS: entries are 'id:base64url-key'")
        keys.append(MasterKey(key_id.strip(), _material(key_id.strip(), encoded)))
    if len({k.id for k in keys}) != len(keys):
        raise KeyRingError("CASUSREGIE_SECRET_KEYS: duplicate key id")
    if not keys:
        raise KeyRingError("CASUSREGIE_SECRET_KEYS is empty")
    return keys


def read_key_file(path: Path) -> list[MasterKey]:
    try:
        doc = json.loads(path.read_text())
        active, entries = doc["active"], doc["keys"]
    except FileNotFoundError:
        raise KeyRingError(f"key file {path} does not exist") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyRingError(f"key file {path} is not a key ring: {exc}") from None
    if not isinstance(entries, dict) or active not in entries:
        raise KeyRingError(f"key file {path}: 'active' must name one of 'keys'")
    keys = [MasterKey(active, _material(active, entries[active]))]
    keys += [MasterKey(i, _material(i, v)) for i, v in entries.items() if i != active]
    return keys


def write_key_file(path: Path, active: str, entries: dict[str, str]) -> None:
    """Atomically replace ``path`` (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"active": active, "keys": entries}, out, indent=2)
        out.write("\n")
    tmp.replace(path)


def key_file_entries(path: Path) -> tuple[str, dict[str, str]]:
    doc = json.loads(path.read_text())
    return str(doc["active"]), {str(k): str(v) for k, v in doc["keys"].items()}


def _generate_dev_key_file(path: Path) -> None:
    """Create ``path`` with one random key unless it exists; concurrent processes (the
    API and the worker of ``casusregie up``) end up with the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = new_key_id()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"active": key_id, "keys": {key_id: new_key_material()}}, out, indent=2)
    try:
        os.link(tmp, path)  # atomic, and fails when another process was first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def key_file_path(settings: Settings) -> Path | None:
    """The key file in use (explicit, or the development default), if any."""
    if _secret(settings.secret_keys):
        return None
    if settings.key_file:
        return settings.key_file
    if _secret(settings.secret_key) or settings.environment != "development":
        return None
    return settings.data_dir / DEV_KEY_FILE


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def load_key_ring(settings: Settings) -> KeyRing:
    legacy = (
        [MasterKey(LEGACY_KEY_ID, _secret(settings.secret_key).encode(), legacy=True)]
        if _secret(settings.secret_key)
        else []
    )
    if _secret(settings.secret_keys):
        return KeyRing([*parse_env_keys(_secret(settings.secret_keys)), *legacy], "env")
    path = key_file_path(settings)
    if path is not None:
        if not path.exists() and settings.environment == "development":
            _generate_dev_key_file(path)
        return KeyRing([*read_key_file(path), *legacy], "file", path)
    if legacy:
        return KeyRing(legacy, "secret")
    raise KeyRingError(
        "no encryption key: set CASUSREGIE_SECRET_KEYS or CASUSREGIE_KEY_FILE "
        "(production never generates one)"
    )


_rings: dict[tuple[object, ...], KeyRing] = {}
_rings_lock = threading.Lock()


def key_ring(settings: Settings, *, refresh: bool = False) -> KeyRing:
    """The ring of these settings, loaded once per process; ``refresh`` re-reads it (a
    key id that is not in the ring makes the readers refresh once: a key added by
    ``casusregie keys rotate`` is picked up without a restart)."""
    path = key_file_path(settings)
    ident = (
        settings.environment,
        _secret(settings.secret_keys),
        _secret(settings.secret_key),
        str(path),
    )
    with _rings_lock:
        ring = _rings.get(ident)
        if ring is None or refresh:
            ring = _rings[ident] = load_key_ring(settings)
        return ring


# -- the per-case data keys' source, registered by the database layer ----------------------

CaseKeyFactory = Callable[[Settings], CaseKeySource]
_case_key_factory: list[CaseKeyFactory] = []


def set_case_key_source(factory: CaseKeyFactory) -> None:
    """Called by ``db`` on import (``core`` may not import ``db``)."""
    _case_key_factory[:] = [factory]


def case_key_source(settings: Settings) -> CaseKeySource:
    if not _case_key_factory:
        raise RuntimeError("no case key source: import db (db/case_keys.py registers it)")
    return _case_key_factory[0](settings)
