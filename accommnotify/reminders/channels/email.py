"""The e-mail channel: ACCOMMNOTIFY_SMTP_URL (smtp://host:port, smtps://…, ?starttls=1,
user:password@), sender REMINDER_FROM. The SMTP hand-over is the email receiver's (SmtpServer)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

from ...receivers.email import SmtpServer
from ...receivers.base import bounded
from ...timeutil import utcnow
from . import ChannelConfigError, ChannelError, Message, Recipient


class EmailChannel:
    name = "email"

    def __init__(self, server: SmtpServer, from_addr: str):
        self.server, self.from_addr = server, from_addr

    def address_of(self, recipient: Recipient) -> str | None:
        return recipient.email or None

    def build(self, address: str, message: Message) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = message.subject
        msg["From"] = self.from_addr
        msg["To"] = address
        msg["Date"] = format_datetime(utcnow())
        domain = self.from_addr.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = f"<{message.message_id}@{domain}>"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(message.text)
        msg["Content-Language"] = message.lang  # after set_content, which drops Content-* headers
        return msg

    def send(self, address: str, message: Message) -> None:
        try:
            refused = self.server.send(self.build(address, message), self.from_addr, [address])
        except (smtplib.SMTPException, OSError) as exc:
            # the server's reply may echo the address: keep the class and code only
            code = getattr(exc, "smtp_code", None)
            raise ChannelError(bounded(f"{type(exc).__name__}{f' {code}' if code else ''}", 200)) from None
        if refused:
            raise ChannelError("SMTPRecipientsRefused")


def from_settings(config) -> EmailChannel | None:
    url = str(config.get("SMTP_URL") or "").strip()
    if not url:
        return None
    try:
        server = SmtpServer.from_url(url, timeout=float(config.get("REMINDER_SEND_TIMEOUT", 10)))
    except ValueError as exc:
        raise ChannelConfigError(f"ACCOMMNOTIFY_SMTP_URL: {exc}") from None
    return EmailChannel(server, str(config.get("REMINDER_FROM") or "thongbao@localhost"))

