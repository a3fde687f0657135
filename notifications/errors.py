"""How a channel reports a definitive outcome other than success.

A channel raises one of these only when the other side answered (or the message cannot
be sent at all). Any other exception is a *lost* answer (timeout, dropped connection,
crash) and is judged by whether the attempt had crossed the hand-over fence.
"""

from __future__ import annotations

from domain.notification_messages import PERMANENT_ERROR_TYPE, TRANSIENT_ERROR_TYPE

__all__ = ["PERMANENT_ERROR_TYPE", "TRANSIENT_ERROR_TYPE"]


class DeliveryError(Exception):
    """A definitive failure; the message (Dutch) is shown to the zorgkantoor."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: no address, 5xx reject, 4xx webhook answer, bad config."""


class TransientDeliveryError(DeliveryError):
    """The other side answered "not now" (SMTP 4xx, HTTP 5xx/429): retry later."""


class HandoverLost(Exception):
    """Another attempt owns the message now; this (stale) attempt must not send."""
