"""Encryption of sensitive free text stored in the database (case summary)."""

from __future__ import annotations

from cryptography.fernet import Fernet

from core.config import Settings, get_settings


def _fernet(settings: Settings | None = None) -> Fernet:
    return Fernet((settings or get_settings()).fernet_key("db-column"))


def encrypt_text(plain: str, settings: Settings | None = None) -> str:
    return _fernet(settings).encrypt(plain.encode()).decode()


def decrypt_text(token: str, settings: Settings | None = None) -> str:
    return _fernet(settings).decrypt(token.encode()).decode()
