"""Payload codec: every Temporal payload is AES-GCM encrypted before it leaves the
process, so motivations and notes never sit in plaintext in the Temporal database.
(Search attributes are not payloads: only opaque ids go there.)"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_META = "encryption-key-id"


class EncryptionCodec(PayloadCodec):
    def __init__(self, key: bytes, key_id: str = "casusregie-1") -> None:
        self.key_id = key_id
        self._aes = AESGCM(key)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID_META: self.key_id.encode()},
                data=self._encrypt(p.SerializeToString()),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out: list[Payload] = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                out.append(p)  # not ours (e.g. written before encryption): pass through
                continue
            key_id = p.metadata.get(KEY_ID_META, b"").decode()
            if key_id != self.key_id:
                raise ValueError(f"payload encrypted with unknown key id {key_id!r}")
            out.append(Payload.FromString(self._decrypt(p.data)))
        return out

    def _encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aes.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._aes.decrypt(data[:12], data[12:], None)
