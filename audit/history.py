"""Export of a case's Temporal event history, and reading such exports back.

An export is the JSON Temporal itself produces (``WorkflowHistory.to_json_dict``:
``{"events": [...]}``, readable by ``WorkflowHistory.from_json`` and the Temporal
CLI/UI) plus a few top-level fields of ours:

- ``format``, ``case_id``, ``workflow_id``, ``exported_at``;
- ``payloads``: ``"encrypted"`` (as Temporal stores them: AES-GCM, replayable with the
  secret) or ``"decoded"`` (decrypted through the data converter's codec, for auditors;
  each payload then also carries ``"decoded"``: its JSON value, which Temporal's parser
  ignores, so a decoded export still replays);
- ``previous_runs``: earlier runs of the case when it continued as new (oldest first);
- ``case_key`` (encrypted exports): the case's data key *wrapped* by the key ring
  (``kek_id``, ``wrapped_key``), so that the file replays wherever the ring is known
  (``load_histories`` trusts it); without the ring it is noise. Like any copy, an
  exported file is not reached by the shredding of the case in the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from core.codec import ENCODING
from core.config import get_settings
from db.case_keys import store_for_settings
from domain.messages import workflow_id_for

FORMAT = "casusregie-history/1"
ENCRYPTED: Final = "encrypted"
DECODED: Final = "decoded"
_PAYLOAD = Payload.DESCRIPTOR.full_name


async def fetch_runs(client: Client, case_id: str) -> list[WorkflowHistory]:
    """Every run of the case's workflow, oldest first (more than one only after
    continue-as-new)."""
    workflow_id = workflow_id_for(case_id)
    runs: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.insert(0, history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return runs


async def export_history(
    client: Client, case_id: str, *, decode: bool, converter: DataConverter | None = None
) -> dict[str, Any]:
    """The export document of a case; ``decode`` decrypts payloads with ``converter``
    (default: the client's)."""
    runs = await fetch_runs(client, case_id)
    if decode:
        runs = [await decode_history(h, converter or client.data_converter) for h in runs]
    doc = history_document(case_id, runs, payloads=DECODED if decode else ENCRYPTED)
    if not decode:
        wrapped = store_for_settings(get_settings()).exported(case_id)
        if wrapped is not None:
            doc["case_key"] = wrapped
    return doc


def history_document(case_id: str, runs: list[WorkflowHistory], *, payloads: str) -> dict[str, Any]:
    *previous, latest = runs
    doc: dict[str, Any] = {
        "format": FORMAT,
        "case_id": case_id,
        "workflow_id": latest.workflow_id,
        "run_id": latest.run_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "payloads": payloads,
        "events": _events_json(latest, payloads),
    }
    if previous:
        doc["previous_runs"] = [
            {"run_id": h.run_id, "events": _events_json(h, payloads)} for h in previous
        ]
    return doc


async def decode_history(history: WorkflowHistory, converter: DataConverter) -> WorkflowHistory:
    """A copy of ``history`` with every payload passed through the converter's codec."""
    proto = History(events=history.events)
    copy = History()
    copy.CopyFrom(proto)
    # only what our codec encrypted: the SDK writes some payloads itself in plain JSON
    # (the details of patch markers), which are shown as they are
    payloads = [p for p in _payloads_in(copy) if p.metadata.get("encoding") == ENCODING]
    if converter.payload_codec and payloads:
        decoded = await converter.payload_codec.decode(payloads)
        for target, plain in zip(payloads, decoded, strict=True):
            target.CopyFrom(plain)
    return WorkflowHistory(history.workflow_id, list(copy.events))


def load_histories(path: Path) -> list[WorkflowHistory]:
    """The runs in an export file (ours, or Temporal's own ``{"events": [...]}``);
    the workflow id falls back to the file name. A wrapped case key in the file is
    unwrapped with the key ring and used to decode this case's payloads."""
    doc = json.loads(Path(path).read_text())
    workflow_id = doc.get("workflow_id") or Path(path).stem
    wrapped = doc.get("case_key")
    if isinstance(wrapped, dict) and doc.get("case_id"):
        store_for_settings(get_settings()).import_wrapped(
            doc["case_id"], wrapped["kek_id"], wrapped["wrapped_key"]
        )
    runs = [WorkflowHistory.from_json(workflow_id, r) for r in doc.get("previous_runs", [])]
    return [*runs, WorkflowHistory.from_json(workflow_id, doc)]


def write_json(doc: dict[str, Any], path: Path) -> None:
    Path(path).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _events_json(history: WorkflowHistory, payloads: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = history.to_json_dict().get("events", [])
    if payloads == DECODED:
        _annotate(events)
    return events


def _payloads_in(message: Message) -> Iterator[Payload]:
    """Every Payload in a protobuf message tree (fields, repeated fields, maps)."""
    if message.DESCRIPTOR.full_name == _PAYLOAD:
        yield message  # type: ignore[misc]
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].message_type is not None:
                for item in value.values():
                    yield from _payloads_in(item)
        elif field.is_repeated:
            for item in value:
                yield from _payloads_in(item)
        else:
            yield from _payloads_in(value)


def _annotate(node: Any) -> None:
    """Add ``"decoded"`` (the JSON value) to every plain-JSON payload in a history dict."""
    if isinstance(node, list):
        for item in node:
            _annotate(item)
        return
    if not isinstance(node, dict):
        return
    metadata = node.get("metadata")
    if isinstance(metadata, dict) and "encoding" in metadata:
        encoding = _b64(metadata["encoding"])
        if encoding in (b"json/plain", b"json/protobuf"):
            node["decoded"] = json.loads(_b64(node.get("data", "")) or b"null")
        elif encoding == b"binary/null":
            node["decoded"] = None
        return
    for value in node.values():
        _annotate(value)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        return b""
