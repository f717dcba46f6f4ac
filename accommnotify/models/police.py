"""Police side: officers (and police systems), their scopes, API tokens, login throttling, audit log.

The audit log is append-only: the app only ever INSERTs into it (an ORM guard refuses updates and
deletes, and migration 0002 adds database triggers that refuse them on SQLite and PostgreSQL).
"""
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .types import EncryptedText, UTCDateTime

ROLES = ("officer", "supervisor", "admin")
SCOPE_KINDS = ("ward", "province")


class Officer(db.Model):
    """A person who logs in to /police, or (kind "system") a police-side system that only uses tokens."""
    __tablename__ = "police_officers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="person")  # person | system
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="officer")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at = mapped_column(UTCDateTime, nullable=False)
    last_login_at = mapped_column(UTCDateTime)
    # Bumped on logout, password change and deactivation: every session made before is refused
    # (web_auth; migration 0008).
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    scopes = relationship("OfficerScope", cascade="all, delete-orphan", lazy="selectin",
                          order_by="OfficerScope.id")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active) and self.kind == "person"

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"officer:{self.id}"

    @validates("active")
    def _deactivating_ends_sessions(self, _key, value):
        if self.active and not value:
            self.session_version = (self.session_version or 0) + 1
        return value

    @property
    def wards(self) -> list[str]:
        return [s.code for s in self.scopes if s.kind == "ward"]

    @property
    def provinces(self) -> list[str]:
        return [s.code for s in self.scopes if s.kind == "province"]

    @property
    def can_read_audit(self) -> bool:
        return self.role in ("supervisor", "admin")


class OfficerScope(db.Model):
    """One ward (5 digits) or one province (2 digits) of the 2025 map an officer may read."""
    __tablename__ = "police_officer_scopes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("police_officers.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    code: Mapped[str] = mapped_column(String(5), nullable=False)
    __table_args__ = (UniqueConstraint("officer_id", "kind", "code", name="uq_police_scope"),)


class PoliceToken(db.Model):
    """Bearer token for GET /police/api/v1/…: shown once, stored as SHA-256, revocable."""
    __tablename__ = "police_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("police_officers.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, nullable=False)
    last_used_at = mapped_column(UTCDateTime)
    revoked_at = mapped_column(UTCDateTime)


class LoginThrottle(db.Model):
    """Failed logins per submitted name, known or not; a success clears the row (security.Throttle).

    `username` is the key: an officer's case-folded username, or "facility:<e-mail>" for facility
    staff (usernames have no ":"). Widened from 64 to 300 characters by migration 0006."""
    __tablename__ = "police_login_throttle"
    username: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at = mapped_column(UTCDateTime)
    locked_until = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """Who read what personal data, when. Never updated, never deleted by the app."""
    __tablename__ = "police_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at = mapped_column(UTCDateTime, nullable=False)
    officer_id: Mapped[int] = mapped_column(Integer, nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    via: Mapped[str] = mapped_column(String(8), nullable=False)      # web | api
    action: Mapped[str] = mapped_column(String(32), nullable=False)  # list, search, detail, export, …
    filters: Mapped[str | None] = mapped_column(Text)                # JSON of the filter as given
    row_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    record_id: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (
        Index("ix_police_audit_at", "at"),
        Index("ix_police_audit_officer_at", "officer_id", "at"),
        Index("ix_police_audit_record", "record_id"),
    )


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
def _no_update(mapper, connection, target):
    raise AppendOnlyError("the police audit log is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _no_delete(mapper, connection, target):
    raise AppendOnlyError("the police audit log is append-only")


class PoliceSearch(db.Model):
    """An inbox search text, kept server-side under a random handle (police.searches): the session
    cookie holds only an opaque owner token. The text is encrypted (it may be an ID number)."""
    __tablename__ = "police_searches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # insertion order: the oldest goes first
    handle: Mapped[str] = mapped_column(String(22), nullable=False, unique=True)
    owner: Mapped[str] = mapped_column(String(43), nullable=False)
    text: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    __table_args__ = (
        Index("ix_police_searches_owner", "owner", "id"),
        Index("ix_police_searches_created", "created_at"),
    )
