"""Rate limits per user for case actions (``CASUSREGIE_RATE_LIMIT_ACTIONS``) and, on
top, for stagnation signals (``CASUSREGIE_RATE_LIMIT_SIGNALS``): each signal opens a
task and sends mail. A refusal is a 429 with ``Retry-After`` (seconds).

Counted with the ``limits`` library (moving window) in ``CASUSREGIE_RATE_LIMIT_STORAGE``:
in memory per API process by default, ``redis://...`` to share it between processes.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from core.config import Settings
from domain.messages import CaseActionKind


@lru_cache(maxsize=4)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(storage_uri))


def reset(storage_uri: str = "memory://") -> None:
    """Forget all counts (tests)."""
    _limiter(storage_uri).storage.reset()


def _hit(settings: Settings, rule: str, *keys: str) -> None:
    limiter = _limiter(settings.rate_limit_storage)
    item = parse(rule)
    if limiter.hit(item, *keys):
        return
    reset_at = limiter.get_window_stats(item, *keys).reset_time
    retry = max(1, math.ceil(reset_at - time.time()))
    raise ApiError(
        429,
        f"too many requests: at most {rule} per user; retry in {retry} s",
        headers={"Retry-After": str(retry)},
    )


def check_case_action(settings: Settings, user_id: str, action: str) -> None:
    _hit(settings, settings.rate_limit_actions, "case_action", user_id)
    if action == CaseActionKind.SIGNAL_STAGNATION:
        _hit(settings, settings.rate_limit_signals, "signal", user_id)
