"""Signed webhooks: a small JSON body (ids, Dutch title, link; no client data) POSTed to
the organisation's URL with ``X-Casusregie-Signature: t=<unix>,v1=<hex>``, where
``<hex>`` is HMAC-SHA256 over ``"<t>.<body>"`` with the organisation's webhook secret.

Receivers verify with :func:`verify_signature` (or its few lines in their language),
reject stale timestamps, and may deduplicate on ``X-Casusregie-Delivery`` (= body ``id``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from db.models import NotificationOutbox
from notifications.context import MessageContext
from notifications.errors import PermanentDeliveryError, TransientDeliveryError

SIGNATURE_HEADER = "X-Casusregie-Signature"
DELIVERY_HEADER = "X-Casusregie-Delivery"
EVENT_HEADER = "X-Casusregie-Event"
WEBHOOK_TIMEOUT = 20.0  # seconds per socket operation
SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept a timestamp for
RETRYABLE_HTTP = {408, 425, 429}


def webhook_body(outbox_id: str, ctx: MessageContext, title: str) -> str:
    """The exact JSON that is signed and posted (stored in the outbox row)."""
    return json.dumps(
        {
            "id": outbox_id,
            "event": ctx.event,
            "title": title,
            "case_id": ctx.case_id,
            "task_id": ctx.task_id,
            "link": ctx.case_url,
            "organisation": ctx.recipient,
            "occurred_at": ctx.at.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is not older than tolerance."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).partition(",v1=")[2]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Webhook:
    def __init__(self, secret: str | None, require_https: bool) -> None:
        self.secret = secret
        self.require_https = require_https

    def was_handed_over(self, row: NotificationOutbox) -> bool | None:
        return None  # the receiver cannot be asked afterwards

    async def send(self, row: NotificationOutbox, before_handover: Callable[[], None]) -> None:
        if not row.address:
            raise PermanentDeliveryError(f"geen webhook-URL bekend voor {row.recipient}")
        if not self.secret:
            raise PermanentDeliveryError(f"geen webhook-geheim ingesteld voor {row.recipient}")
        url = urlsplit(row.address)
        allowed = ("https",) if self.require_https else ("https", "http")
        if url.scheme not in allowed or not url.hostname:
            raise PermanentDeliveryError(f"ongeldige webhook-URL voor {row.recipient}")
        body = (row.webhook_body or "").encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "casusregie-webhook/1",
            EVENT_HEADER: row.event,
            DELIVERY_HEADER: row.id,
            SIGNATURE_HEADER: signature(self.secret, body, int(time.time())),
        }
        status = await asyncio.to_thread(_post, url, body, headers, before_handover)
        if 200 <= status < 300:
            return
        message = f"webhook antwoordde HTTP {status}"
        if status >= 500 or status in RETRYABLE_HTTP:
            raise TransientDeliveryError(message)
        raise PermanentDeliveryError(message)


def _post(
    url: SplitResult, body: bytes, headers: dict[str, str], before_handover: Callable[[], None]
) -> int:
    assert url.hostname  # send() refuses a URL without host before calling this
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = cls(url.hostname, url.port, timeout=WEBHOOK_TIMEOUT)
    try:
        conn.connect()  # a refused connection fails here, before the fence: safe to retry
        before_handover()
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
