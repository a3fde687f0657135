"""Notifications (issue 5): rendering, channels (SMTP, webhook, file and console sinks),
the iCalendar invitation and the outbox that makes delivery exactly-once where it can
be and honest where it cannot. See docs/notifications.md."""
