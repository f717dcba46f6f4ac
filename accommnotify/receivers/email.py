"""``email`` adapter: one message per batch with the CSV attached, over SMTP.

The body gives counts only (Vietnamese first, then English) - never personal data; the guests
are in the attached ``<batch_id>.csv`` (UTF-8 with BOM). The ``Message-ID`` is derived from the
batch id, so a retried batch carries the same Message-ID and the police side can spot a resend.
Any SMTP or network failure → every item retries; success → accepted, receipt = the Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
import ssl as ssl_module
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .base import ACCEPTED, VN_OFFSET, Batch, Delivery, Receiver, bounded
from .flatten import batch_csv_bytes

__all__ = ["EmailReceiver", "SmtpServer", "build_message", "message_id_for"]

log = logging.getLogger(__name__)

_CATEGORY_VI = {"residence": "lưu trú (công dân)", "foreigner": "tạm trú (người nước ngoài)"}
_EVENT_VI = {
    "arrival": "đến",
    "amendment": "sửa đổi",
    "departure": "đi",
    "cancellation": "hủy",
}


def _valid_address(addr: Any) -> bool:
    if not isinstance(addr, str):
        return False
    _, email = parseaddr(addr)
    return "@" in email and not any(c.isspace() for c in email)


def message_id_for(batch_id: str, from_addr: str) -> str:
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "accommnotify.invalid"
    return f"<{batch_id}.accommnotify@{domain}>"


def build_message(batch: Batch, from_addr: str, to: list[str]) -> EmailMessage:
    n = len(batch.notifications)
    by_category = Counter(x.get("category", "?") for x in batch.notifications)
    by_event = Counter(x.get("event", "?") for x in batch.notifications)
    sent_vn = batch.sent_at.astimezone(VN_OFFSET).strftime("%Y-%m-%d %H:%M (UTC+7)")
    csv_name = f"{batch.id}.csv"

    msg = EmailMessage()
    msg["Subject"] = f"[accommnotify] Thông báo lưu trú / Accommodation notifications {batch.id} ({n})"
    msg["From"] = from_addr
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(batch.sent_at)
    msg["Message-ID"] = message_id_for(batch.id, from_addr)
    msg["X-Accommnotify-Batch"] = batch.id

    vi_lines = [
        f"Lô {batch.id} gồm {n} thông báo, gửi từ {batch.sender} lúc {sent_vn}.",
        *(f"  - {_CATEGORY_VI.get(c, c)}: {k}" for c, k in sorted(by_category.items())),
        *(f"  - sự kiện {_EVENT_VI.get(e, e)}: {k}" for e, k in sorted(by_event.items())),
        f"Danh sách chi tiết trong tệp đính kèm {csv_name} (CSV, UTF-8).",
        "Thư này được gửi tự động; mỗi thông báo có mã riêng (cột id), gửi lại sẽ giữ nguyên mã.",
    ]
    en_lines = [
        f"Batch {batch.id} holds {n} notifications from {batch.sender}, sent {sent_vn}.",
        *(f"  - {c}: {k}" for c, k in sorted(by_category.items())),
        *(f"  - event {e}: {k}" for e, k in sorted(by_event.items())),
        f"The details are in the attached {csv_name} (CSV, UTF-8).",
        "This message is automatic; each notification has a stable id (column id) across resends.",
    ]
    msg.set_content("\n".join(vi_lines) + "\n\n---\n\n" + "\n".join(en_lines) + "\n")
    msg.add_attachment(
        batch_csv_bytes(batch.notifications), maintype="text", subtype="csv", filename=csv_name
    )
    return msg


class EmailReceiver(Receiver):
    adapter = "email"

    def __init__(
        self,
        name: str,
        *,
        host: str | None = None,
        port: int | None = None,
        to: str | list[str] | None = None,
        from_addr: str = "accommnotify@localhost",
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        ssl: bool = False,
        timeout: float = 30,
        max_batch: int = 500,
        **options: Any,
    ):
        if "from" in options:  # "from" is a Python keyword: the TOML key maps to from_addr
            from_addr = options.pop("from")
        problems = self._init_base(name, max_batch, options)
        if not host or not isinstance(host, str):
            problems.append("missing required option 'host' (the SMTP server)")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
            problems.append(f"port must be an integer 1-65535, got {port!r}")
        recipients = [to] if isinstance(to, str) else to
        if not recipients:
            problems.append("missing required option 'to' (an address or a list of addresses)")
        elif not isinstance(recipients, list) or not all(_valid_address(a) for a in recipients):
            problems.append(f"'to' must be an e-mail address or a list of them, got {to!r}")
        if not _valid_address(from_addr):
            problems.append(f"'from' must be an e-mail address, got {from_addr!r}")
        if (username is None) != (password is None):
            problems.append("give both 'username' and 'password', or neither")
        if not isinstance(starttls, bool) or not isinstance(ssl, bool):
            problems.append("'starttls' and 'ssl' must be true or false")
        elif starttls and ssl:
            problems.append("'starttls' and 'ssl' exclude each other (ssl = implicit TLS, port 465)")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            problems.append(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.raise_problems(problems)

        self.host: str = host  # type: ignore[assignment]
        self.port: int = port if port is not None else (465 if ssl else 25)
        self.to: list[str] = list(recipients)  # type: ignore[arg-type]
        self.from_addr = from_addr
        self.username = username
        self._password = password
        self.starttls = starttls
        self.ssl = ssl
        self.timeout = float(timeout)

    def __repr__(self) -> str:  # never the password
        return f"<EmailReceiver {self.name!r} {self.host}:{self.port} to={self.to!r}>"

    @property
    def server(self) -> "SmtpServer":
        return SmtpServer(self.host, self.port, self.username, self._password, self.starttls, self.ssl, self.timeout)

    def send(self, batch: Batch) -> Delivery:
        msg = build_message(batch, self.from_addr, self.to)
        message_id = msg["Message-ID"]
        try:
            refused = self.server.send(msg, self.from_addr, self.to)
        except (smtplib.SMTPException, OSError) as exc:
            alert = None
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                alert = f"receiver {self.name!r}: SMTP login refused by {self.host}: check username/password"
            elif isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)):
                alert = f"receiver {self.name!r}: {self.host} refused the sender or recipients: check 'from'/'to'"
            log.info("receiver %s batch %s: SMTP failure %s", self.name, batch.id, type(exc).__name__)
            return Delivery.all(
                batch, "retry", error_class=type(exc).__name__, excerpt=bounded(_smtp_text(exc)), alert=alert
            )
        alert = None
        if refused:
            alert = (
                f"receiver {self.name!r}: {self.host} refused some recipients "
                f"({', '.join(sorted(refused))}); the others got batch {batch.id}"
            )
        log.info("receiver %s batch %s (%d items): mailed", self.name, batch.id, len(batch.notifications))
        return Delivery.all(
            batch, ACCEPTED, receipt=message_id,
            excerpt=f"sent {message_id} to {len(self.to) - len(refused or {})} recipient(s)", alert=alert,
        )


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand a message over by SMTP; shared by this adapter and the reminders'
    e-mail channel (accommnotify.reminders.channels.email)."""
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr or a log
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0) -> "SmtpServer":
        """``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://…`` (implicit TLS, 465).
        ValueError names what is wrong, never the password."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("the SMTP URL must look like smtp://host:port or smtps://host:port")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the SMTP URL has an invalid port") from None
        ssl = parts.scheme == "smtps"
        starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes", "on")
        if ssl and starttls:
            raise ValueError("smtps:// (implicit TLS) and ?starttls=1 exclude each other")
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        return cls(parts.hostname, port or (465 if ssl else 25), username, password, starttls, ssl, timeout)

    def _connect(self) -> smtplib.SMTP:
        if self.ssl:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl_module.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, msg: EmailMessage, from_addr: str, to: list[str]) -> dict:
        """Hands ``msg`` over; returns the recipients refused (the others got it). Raises
        smtplib.SMTPException or OSError when nothing was sent."""
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._connect()
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ssl_module.create_default_context())
                smtp.ehlo()
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(msg, from_addr=from_addr, to_addrs=to)
        except (smtplib.SMTPException, OSError):
            if smtp is not None:
                try:
                    smtp.close()
                except Exception:  # noqa: BLE001
                    pass
            raise
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the message was accepted already; a failed QUIT changes nothing
        return refused


def _smtp_text(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        err = exc.smtp_error
        text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__
