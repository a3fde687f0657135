"""E-mail: the MIME message built from an outbox row, and the three mail backends.

- ``smtp``: a real SMTP server from settings (STARTTLS or implicit TLS, credentials);
- ``file`` (development default): ``<data_dir>/mail/<outbox id>.eml``, nothing leaves
  the machine;
- ``console``: logs the subject and recipient only.

Every backend calls ``before_handover()`` right before the irreversible step: for SMTP
after the whole message body is on the wire but *before* the terminating ``.`` (a
server discards a transaction whose data never ended), for the file sink before the
atomic rename that makes the ``.eml`` appear.
"""

from __future__ import annotations

import asyncio
import email.policy
import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import structlog

from core.config import Settings
from db.models import NotificationOutbox
from notifications.errors import PermanentDeliveryError, TransientDeliveryError

log = structlog.get_logger()

SMTP_TIMEOUT = 30.0  # seconds per socket operation; well inside the activity timeout
ICS_FILENAME = "uitnodiging.ics"


def message_id_for(outbox_id: str, mail_from: str) -> str:
    domain = mail_from.rpartition("@")[2] or "casusregie.invalid"
    return f"<{outbox_id}@{domain}>"


def build_email(row: NotificationOutbox, mail_from: str) -> EmailMessage:
    """The message for one outbox row; identical on every attempt (same Message-ID)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = row.subject
    msg["From"] = mail_from
    msg["To"] = row.address or ""
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id or message_id_for(row.id, mail_from)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Casusregie-Event"] = row.event
    msg.set_content(row.body_text, cte="quoted-printable")
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html", cte="quoted-printable")
    if row.attachment_ics:
        msg.add_attachment(
            row.attachment_ics.encode(),
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": "REQUEST", "charset": "utf-8"},
        )
    return msg


def _require_address(row: NotificationOutbox) -> str:
    if not row.address:
        raise PermanentDeliveryError(f"geen e-mailadres bekend voor {row.recipient}")
    return row.address


def _smtp_failure(code: int, reply: bytes | str, step: str) -> Exception:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    message = f"SMTP {step} geweigerd: {code} {text}"
    return PermanentDeliveryError(message) if code >= 500 else TransientDeliveryError(message)


def _expect(answer: tuple[int, bytes], ok: tuple[int, ...], step: str) -> None:
    code, reply = answer
    if code not in ok:
        raise _smtp_failure(code, reply, step)


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, row: NotificationOutbox, before_handover: Callable[[], None]) -> None:
        address = _require_address(row)
        msg = build_email(row, self.settings.mail_from)
        await asyncio.to_thread(self._send, msg.as_bytes(), address, before_handover)

    def was_handed_over(self, row: NotificationOutbox) -> bool | None:
        return None  # SMTP cannot be asked afterwards

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.smtp_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT)
        try:
            smtp.ehlo()
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send(self, data: bytes, address: str, before_handover: Callable[[], None]) -> None:
        try:
            smtp = self._connect()
        except smtplib.SMTPResponseException as exc:  # e.g. 535 authentication failed
            raise _smtp_failure(exc.smtp_code, exc.smtp_error, "aanmelding") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentDeliveryError(f"SMTP-server ondersteunt dit niet: {exc}") from exc
        try:
            _expect(smtp.mail(self.settings.mail_from), (250,), "afzender")
            _expect(smtp.rcpt(address), (250, 251), "ontvanger")
            _expect(smtp.docmd("DATA"), (354,), "DATA")
            # the body, dot-stuffed (RFC 5321 4.5.2), without the terminating "."
            body = re.sub(rb"(?m)^\.", b"..", data)
            smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
            before_handover()
            smtp.send(b".\r\n")
            _expect(smtp.getreply(), (250,), "bericht")
        except BaseException:
            # drop the connection without QUIT: mid-DATA the server then discards the
            # unterminated message; after the "." there is nothing left to say
            smtp.close()
            raise
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class FileMailer:
    """Development sink: one ``.eml`` per outbox row, named by the row id."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = settings.data_dir / "mail"

    def path_for(self, row: NotificationOutbox) -> Path:
        return self.directory / f"{row.id}.eml"

    async def send(self, row: NotificationOutbox, before_handover: Callable[[], None]) -> None:
        _require_address(row)
        data = build_email(row, self.settings.mail_from).as_bytes()
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.path_for(row)
        tmp = final.with_suffix(".eml.tmp")
        tmp.write_bytes(data)
        before_handover()
        tmp.replace(final)  # atomic: the .eml exists completely or not at all
        log.info("notification mail written", outbox_id=row.id, path=str(final))

    def was_handed_over(self, row: NotificationOutbox) -> bool | None:
        return self.path_for(row).exists()


class ConsoleMailer:
    """Logs subject and recipient only (never bodies)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, row: NotificationOutbox, before_handover: Callable[[], None]) -> None:
        address = _require_address(row)
        before_handover()
        log.info("notification mail (console)", outbox_id=row.id, to=address, subject=row.subject)

    def was_handed_over(self, row: NotificationOutbox) -> bool | None:
        return None


MAIL_BACKENDS: dict[str, type[SmtpMailer | FileMailer | ConsoleMailer]] = {
    "smtp": SmtpMailer,
    "file": FileMailer,
    "console": ConsoleMailer,
}


def mailer_for(settings: Settings) -> SmtpMailer | FileMailer | ConsoleMailer:
    backend = MAIL_BACKENDS.get(settings.mail_backend)
    if backend is None:
        raise PermanentDeliveryError(f"onbekende mail_backend {settings.mail_backend!r}")
    return backend(settings)
