from datetime import datetime, timezone

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC out, on both databases.

    PostgreSQL keeps `timestamptz`; SQLite has no zone, so UTC is stored naive and the zone put back
    on the way out. Comparisons in SQL stay correct because every stored value is UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the database layer")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EncryptedText(TypeDecorator):
    """A personal number (ID, passport / document number, MRZ lines): plain text in the application,
    AES-GCM ciphertext with its key id in the database (accommnotify.crypto). Values are encrypted
    when bound and decrypted when read through the column; SQL that reads the column raw gets the
    ciphertext and must decrypt it itself (dispatch.wire, the PostgreSQL payload)."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return _keys(dialect).encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return _keys(dialect).decrypt(value)


def _keys(dialect):
    """The keyring of the app whose engine this is (set by create_app on the engine's dialect, so
    code holding only an engine works too), else the current app's."""
    keys = getattr(dialect, "accommnotify_keyring", None)
    if keys is None:
        from ..crypto import keyring
        keys = keyring()
    return keys
