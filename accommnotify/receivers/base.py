"""The receiver interface: what the dispatcher hands an adapter and what it gets back.

The dispatcher claims notifications, builds a :class:`Batch` of wire-format notification dicts
(SPEC §4 "Wire format") and calls ``receiver.send(batch)``. The adapter answers with a
:class:`Delivery`: one :class:`Outcome` per notification of the batch plus facts about the
attempt (HTTP status, error class, a bounded excerpt) and flags for operators.

``send()`` never raises for network or server problems: they become ``retry`` outcomes with
``error_class`` set. It may raise for programming errors (a malformed batch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

__all__ = [
    "ACCEPTED",
    "REJECTED",
    "RETRY",
    "AWAITING_UPLOAD",
    "STATUSES",
    "EXCERPT_LIMIT",
    "VN_OFFSET",
    "Outcome",
    "Batch",
    "Delivery",
    "WrittenFile",
    "Receiver",
    "ReceiverConfigError",
    "bounded",
]

ACCEPTED = "accepted"
REJECTED = "rejected"
RETRY = "retry"
#: Written into a file that staff upload by hand (vn_portal): not delivered until the facility
#: confirms the count the portal showed (the file is a ``WrittenFile`` of the Delivery).
AWAITING_UPLOAD = "awaiting_upload"
STATUSES = frozenset({ACCEPTED, REJECTED, RETRY, AWAITING_UPLOAD})

#: Upper bound of ``Delivery.excerpt`` (characters).
EXCERPT_LIMIT = 2000

#: Vietnam has no DST: a fixed +07:00 offset renders every wire datetime.
VN_OFFSET = timezone(timedelta(hours=7), "ICT")

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ReceiverConfigError(Exception):
    """A receiver or the receivers file is misconfigured.

    ``problems`` lists the individual problems (each a short sentence); ``str(err)`` is the
    full, human-readable message.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


def bounded(text: Any, limit: int = EXCERPT_LIMIT) -> str | None:
    """``text`` as a string cut to ``limit`` characters (None stays None)."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text[: limit * 4]).decode("utf-8", errors="replace")
    text = str(text)
    return text if len(text) <= limit else text[:limit]


@dataclass(frozen=True)
class Outcome:
    """What happened to one notification."""

    status: str  # "accepted" | "rejected" | "retry" | "awaiting_upload"
    receipt: str | None = None  # accepted: the receiver's receipt, if it gave one
    code: str | None = None  # rejected: a stable code from the receiver
    message: str | None = None  # rejected: the receiver's explanation

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")

    @classmethod
    def accepted(cls, receipt: str | None = None) -> Outcome:
        return cls(ACCEPTED, receipt=receipt)

    @classmethod
    def rejected(cls, code: str | None = None, message: str | None = None) -> Outcome:
        return cls(REJECTED, code=code or "rejected", message=message)

    @classmethod
    def retry(cls) -> Outcome:
        return cls(RETRY)

    @classmethod
    def awaiting_upload(cls) -> Outcome:
        """In a file of the Delivery's ``files``; the dispatcher records the file with the outcomes."""
        return cls(AWAITING_UPLOAD)


@dataclass
class WrittenFile:
    """A file an adapter published for staff to upload (vn_portal). The dispatcher stores it in
    ``portal_files`` in the same transaction as the outcomes, and only if its lease still holds
    every notification of the file (otherwise they are retried and go into another file)."""

    id: str
    facility_code: str
    kind: str                 # "citizens" | "foreigners"
    format: str               # "xlsx" | "xml"
    filename: str             # readable, no personal data
    path: str                 # absolute
    sha256: str
    size: int
    rows: list[tuple[str, int]]  # (notification id, record number 1..n) in file order
    earliest_deadline: str | None = None  # ISO 8601, of the notifications in the file

    @property
    def row_count(self) -> int:
        return len(self.rows)


@dataclass
class Batch:
    """Up to ``max_batch`` wire-format notifications for one receiver."""

    id: str
    receiver: str
    sender: str
    sent_at: datetime  # aware
    notifications: list[dict] = field(default_factory=list)
    # Optional: the same notifications already encoded as JSON (same order), so an adapter that
    # sends JSON can use them as they are instead of encoding the dicts again.
    encoded: list[str] | None = None

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("Batch.sent_at must be an aware datetime")

    @property
    def ids(self) -> list[str]:
        return [n["id"] for n in self.notifications]

    def to_wire(self) -> dict:
        """The JSON body of SPEC §4 (``sent_at`` rendered with +07:00)."""
        return {
            "batch_id": self.id,
            "sent_at": self.sent_at.astimezone(VN_OFFSET).isoformat(timespec="seconds"),
            "sender": self.sender,
            "notifications": self.notifications,
        }


@dataclass
class Delivery:
    """What one ``send()`` attempt produced."""

    outcomes: dict[str, Outcome]  # by notification id; every notification of the batch
    http_status: int | None = None
    error_class: str | None = None  # e.g. "ConnectTimeout", "SMTPServerDisconnected"
    excerpt: str | None = None  # <= EXCERPT_LIMIT chars of the response / error text
    retry_after: float | None = None  # seconds (from Retry-After)
    disable_receiver: bool = False  # 410 Gone
    alert: str | None = None  # operator-facing: a configuration problem
    files: list[WrittenFile] = field(default_factory=list)  # vn_portal: the files written

    def __post_init__(self) -> None:
        self.excerpt = bounded(self.excerpt)

    @classmethod
    def all(
        cls,
        batch: Batch,
        status: str,
        *,
        receipt: str | None = None,
        code: str | None = None,
        message: str | None = None,
        **kw: Any,
    ) -> Delivery:
        """The same outcome for every notification of ``batch``; ``kw`` go to the Delivery."""
        if status == REJECTED:
            outcome = Outcome.rejected(code, message)
        else:
            outcome = Outcome(status, receipt=receipt, code=code, message=message)
        return cls(outcomes={nid: outcome for nid in batch.ids}, **kw)

    def counts(self) -> dict[str, int]:
        out = {ACCEPTED: 0, REJECTED: 0, RETRY: 0}
        for o in self.outcomes.values():
            out[o.status] = out.get(o.status, 0) + 1
        return out

    def ids_with(self, status: str) -> list[str]:
        return [nid for nid, o in self.outcomes.items() if o.status == status]


class Receiver:
    """Base class of receiver adapters.

    Subclasses set ``adapter`` (the name used in the TOML ``adapter = …`` key), take their own
    options as keyword arguments, and pass what is left to ``super().__init__`` which rejects
    unknown options with :class:`ReceiverConfigError`.
    """

    adapter: ClassVar[str] = ""
    name: str
    max_batch: int = 500

    def __init__(self, name: str, max_batch: int = 500, **options: Any):
        self.raise_problems(self._init_base(name, max_batch, options))

    def _init_base(self, name: str, max_batch: Any, options: dict[str, Any]) -> list[str]:
        """Set ``name`` and ``max_batch``; return the problems found (unknown options too).

        Subclasses call this first, add their own problems, then :meth:`raise_problems`, so that
        one error lists everything wrong with a receiver table.
        """
        problems: list[str] = []
        if not isinstance(name, str) or not _NAME_RE.match(name):
            problems.append(
                "receiver name must be 1-64 characters of letters, digits, '-', '_' or '.'"
            )
        if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
            problems.append(f"max_batch must be a positive integer, got {max_batch!r}")
        if options:
            problems.append("unknown option(s): " + ", ".join(sorted(repr(k) for k in options)))
        self.name = name
        self.max_batch = max_batch
        return problems

    def raise_problems(self, problems: list[str]) -> None:
        """Raise one ReceiverConfigError listing ``problems`` (if any)."""
        if problems:
            label = f"receiver {getattr(self, 'name', '?')!r}"
            if self.adapter:
                label += f" (adapter {self.adapter!r})"
            raise ReceiverConfigError(f"{label}: " + "; ".join(problems), problems)

    def send(self, batch: Batch) -> Delivery:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (sessions, connections). Safe to call twice."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} max_batch={self.max_batch}>"
