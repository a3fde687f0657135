"""Every activity the worker registers, built once with its dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from activities.notifications import NotificationActivities
from activities.read_model import ReadModelActivities
from core.config import Settings


def build_activities(engine: Engine, settings: Settings) -> list[Callable[..., Any]]:
    read_model = ReadModelActivities(engine, settings)
    notifications = NotificationActivities(engine, settings)
    return [
        read_model.apply_changes,
        read_model.write_read_model,
        read_model.write_read_model_and_outbox,
        read_model.apply_signal_changes,
        notifications.enqueue_notifications,
        notifications.deliver_notification,
        notifications.record_notification_failure,
        notifications.build_digests,
        notifications.settle_digests,
    ]
