"""Encryption of a text under the key ring (Fernet, with the key derived for columns):
for values that belong to no case. Case data is sealed by the ORM (``db/sealing.py``)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.config import Settings, get_settings
from core.keys import COLUMNS, key_ring


def _fernet(settings: Settings | None = None) -> MultiFernet:
    ring = key_ring(settings or get_settings())
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(ring.derive(COLUMNS, key_id))) for key_id in ring.ids]
    )


def encrypt_text(plain: str, settings: Settings | None = None) -> str:
    return _fernet(settings).encrypt(plain.encode()).decode()


def decrypt_text(token: str, settings: Settings | None = None) -> str:
    """Under any key of the ring (``InvalidToken`` when none decrypts it)."""
    return _fernet(settings).decrypt(token.encode()).decode()


__all__ = ["InvalidToken", "decrypt_text", "encrypt_text"]
