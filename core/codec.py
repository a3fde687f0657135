"""Payload codec: every Temporal payload is AES-GCM encrypted before it leaves the
process, and decoding accepts **only** payloads encrypted with a known key.

- A payload of a case workflow (id ``case-<case id>``, known from Temporal's
  serialization context) is encrypted under that case's data key (envelope encryption:
  ``db/case_keys.py``; destroyed by retention, ``CaseShredded``). Its metadata names the
  case (``encryption-key-id: case:<case id>``), so decoding needs no context.
- Any other payload is encrypted under the key ring's active key (``<key id>``).
- The key id and case are bound as associated data: a ciphertext of one case is not
  accepted in another case's workflow.

Decoding a payload that is not authentic (plain JSON sent by someone who reached the
Temporal frontend, an unknown key, a forged or moved ciphertext) yields a payload of
encoding ``binary/rejected`` that no converter accepts: an update carrying it is
rejected before its validator runs, a signal is dropped, nothing is recorded, and the
workflow goes on. (Raising instead would fail the workflow task again and again.)

Allow-list: ``PLAINTEXT_WORKFLOW_IDS`` names workflows whose histories were recorded
before encryption; their plain payloads are accepted. It is empty: casusregie encrypted
payloads from its first version on (the golden histories are encrypted too). The only
other plain payloads accepted are those of a *decoded export file* an auditor replays
offline (``audit/replay.py`` adds its workflow id to ``plaintext_ok`` of the replayer's
own codec); a worker's or the API's codec never accepts any.
(Search attributes are not payloads: only opaque ids go there.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

from core.keys import PAYLOADS, CaseKeySource, KeyRing

log = structlog.get_logger(__name__)

ENCODING = b"binary/encrypted"
REJECTED = b"binary/rejected"
KEY_ID_META = "encryption-key-id"
REASON_META = "rejected-reason"
CASE_PREFIX = "case:"
WORKFLOW_PREFIX = "case-"  # domain.messages.workflow_id_for
NONCE = 12

PLAINTEXT_WORKFLOW_IDS: frozenset[str] = frozenset()


def case_of_workflow(workflow_id: str | None) -> str | None:
    if workflow_id and workflow_id.startswith(WORKFLOW_PREFIX):
        return workflow_id.removeprefix(WORKFLOW_PREFIX)
    return None


def case_of_payload(payload: Payload) -> str | None:
    """The case a payload is encrypted for (None: ring key, or not ours)."""
    key_id = payload.metadata.get(KEY_ID_META, b"").decode(errors="replace")
    return key_id.removeprefix(CASE_PREFIX) if key_id.startswith(CASE_PREFIX) else None


def rejected(reason: str) -> Payload:
    return Payload(metadata={"encoding": REJECTED, REASON_META: reason.encode()})


def is_rejected(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == REJECTED


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    def __init__(
        self,
        ring: KeyRing,
        case_keys: CaseKeySource,
        workflow_id: str | None = None,
        refresh: object = None,
        plaintext_ok: set[str] | None = None,
    ) -> None:
        self.ring = ring
        self.case_keys = case_keys
        self.workflow_id = workflow_id
        # called with no arguments when a ring key id is unknown: returns the re-read ring
        self._refresh = refresh
        # workflow ids whose plain payloads are accepted (shared with the context copies)
        self.plaintext_ok = set(PLAINTEXT_WORKFLOW_IDS) if plaintext_ok is None else plaintext_ok

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        workflow_id = None
        if isinstance(context, WorkflowSerializationContext | ActivitySerializationContext):
            workflow_id = context.workflow_id
        return EncryptionCodec(
            self.ring, self.case_keys, workflow_id, self._refresh, self.plaintext_ok
        )

    @property
    def key_id(self) -> str:
        return self.ring.active.id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        case_id = case_of_workflow(self.workflow_id)
        if case_id is not None:
            aead = self.case_keys.aead(case_id, create=True)
            assert aead is not None
            key_id = CASE_PREFIX + case_id
        else:
            key = self.ring.active
            aead, key_id = AESGCM(self.ring.derive(PAYLOADS, key.id)), key.id
        aad = None if self._legacy(key_id) else _aad(key_id)
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID_META: key_id.encode()},
                data=_encrypt(aead, p.SerializeToString(), aad),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode_one(p) for p in payloads]

    def _decode_one(self, p: Payload) -> Payload:
        if p.metadata.get("encoding", b"") != ENCODING:
            if is_rejected(p) or (self.workflow_id and self.workflow_id in self.plaintext_ok):
                return p
            return self._reject("not encrypted")
        key_id = p.metadata.get(KEY_ID_META, b"").decode(errors="replace")
        case_id = case_of_payload(p)
        if case_id is not None:
            context_case = case_of_workflow(self.workflow_id)
            if context_case is not None and context_case != case_id:
                return self._reject("encrypted for another case")
            aead = self.case_keys.aead(case_id)  # CaseShredded propagates
            if aead is None:
                return self._reject("no data key for this case")
        else:
            aead = self._ring_aead(key_id)
            if aead is None:
                return self._reject("unknown key")
        try:
            plain = aead.decrypt(p.data[:NONCE], p.data[NONCE:], _aad_for(self, key_id))
        except InvalidTag:
            return self._reject("not authentic")
        return Payload.FromString(plain)

    def _ring_aead(self, key_id: str) -> AESGCM | None:
        if self.ring.get(key_id) is None and callable(self._refresh):
            self.ring = self._refresh()
        if self.ring.get(key_id) is None:
            return None
        return AESGCM(self.ring.derive(PAYLOADS, key_id))

    def _legacy(self, key_id: str) -> bool:
        key = self.ring.get(key_id)
        return key is not None and key.legacy

    def _reject(self, reason: str) -> Payload:
        log.warning("payload_rejected", reason=reason, workflow_id=self.workflow_id)
        return rejected(reason)


def _aad(key_id: str) -> bytes:
    return f"casusregie-payload:{key_id}".encode()


def _aad_for(codec: EncryptionCodec, key_id: str) -> bytes | None:
    # the single secret of earlier versions encrypted without associated data
    return None if codec._legacy(key_id) else _aad(key_id)


def _encrypt(aead: AESGCM, data: bytes, aad: bytes | None) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + aead.encrypt(nonce, data, aad)
