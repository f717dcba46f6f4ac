"""Personal numbers at rest: AES-GCM in the application, and a keyed blind index for exact search.

ID numbers, passport / document numbers and MRZ lines are stored as ``e1.<key id>.<base64url(nonce
‖ ciphertext ‖ tag)>`` (AES-256-GCM, a random 96-bit nonce per value). The key id (8 hex digits,
derived from the key) says which key a value was written with, so values of an old key stay
readable while ``flask --app wsgi keys rotate`` re-encrypts them to the current one.

Exact-number search never decrypts: the inbox keeps ``HMAC-SHA256(index key, number)`` (the first
128 bits, hex) next to each encrypted number, and a search compares indexes. The encryption key and
the index key are two different keys derived (HKDF-SHA256) from one configured data key.

Keys: ``ACCOMMNOTIFY_DATA_KEY`` (32 bytes or more of text, random), or, when it is empty, a key
generated on first start into ``DATA_KEY_FILE`` (var/data_key, mode 0600, written atomically: see
secret_key.read_or_create). ``ACCOMMNOTIFY_DATA_KEYS_OLD`` (a TOML array) lists keys that are still
read but never written: the keys before a rotation, until `keys rotate` has run.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .secret_key import InsecureSecretKey, check_key, configured_or_generated

PREFIX = "e1"
_AAD = b"accommnotify personal number v1"
EXTENSION = "accommnotify.keyring"


class DataKeyError(RuntimeError):
    """A stored value cannot be read with the configured keys (unknown key id, or not ours)."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"accommnotify", info=info).derive(master)


class _Key:
    __slots__ = ("kid", "aead", "index_key")

    def __init__(self, master: bytes):
        self.kid = hashlib.sha256(b"accommnotify key id|" + master).hexdigest()[:8]
        self.aead = AESGCM(_derive(master, b"aes-256-gcm"))
        self.index_key = _derive(master, b"blind-index-hmac-sha256")


class Keyring:
    """The current key (encrypts, indexes) and older keys (still decrypt, still match an index)."""

    def __init__(self, current: str, old: list[str] | tuple = ()):
        self.current = _Key(current.encode("utf-8"))
        self.keys = {self.current.kid: self.current}
        for text in old:
            key = _Key(text.encode("utf-8"))
            self.keys.setdefault(key.kid, key)
        self._by_prefix = {f"{PREFIX}.{kid}.": key for kid, key in self.keys.items()}

    @property
    def current_id(self) -> str:
        return self.current.kid

    def encrypt(self, plain: str | None) -> str | None:
        if plain is None:
            return None
        nonce = os.urandom(12)
        sealed = self.current.aead.encrypt(nonce, plain.encode("utf-8"), _AAD)
        return f"{PREFIX}.{self.current.kid}." + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        key = self._by_prefix.get(token[:12])
        if key is None:
            raise DataKeyError(f"a stored number has key id {key_id(token)!r}, which is not configured "
                               "(ACCOMMNOTIFY_DATA_KEY / ACCOMMNOTIFY_DATA_KEYS_OLD)")
        try:
            raw = base64.urlsafe_b64decode(token[12:])
            return key.aead.decrypt(raw[:12], raw[12:], _AAD).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            raise DataKeyError("a stored number does not decrypt with its key (wrong key or damaged value)") from None

    def needs_rotation(self, token: str | None) -> bool:
        return token is not None and not token.startswith(f"{PREFIX}.{self.current.kid}.")

    def blind_index(self, value: str | None) -> str | None:
        """The current key's index of an exact value (what is stored)."""
        if value is None:
            return None
        return hmac.new(self.current.index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def blind_indexes(self, value: str) -> list[str]:
        """The value's index under every configured key (what a search matches: rows not yet rotated
        carry an older key's index)."""
        data = value.encode("utf-8")
        return [hmac.new(k.index_key, data, hashlib.sha256).hexdigest()[:32] for k in self.keys.values()]


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ".") and value.count(".") == 2


def key_id(token: str) -> str:
    parts = token.split(".")
    return parts[1] if len(parts) == 3 else "?"


def resolve(settings: dict, project_root: Path, secret_key: str | None = None) -> Keyring:
    """The keyring of this process from the settings (raises InsecureSecretKey for a weak key)."""
    current = configured_or_generated(settings, project_root, "DATA_KEY", "var/data_key")
    if secret_key is not None and current == secret_key:
        raise InsecureSecretKey("ACCOMMNOTIFY_DATA_KEY must not be the session secret key; set a different one")
    old = settings.get("DATA_KEYS_OLD") or []
    if isinstance(old, str):
        old = [k for k in old.split(",") if k.strip()]
    old = [check_key(k.strip(), "a key of ACCOMMNOTIFY_DATA_KEYS_OLD") for k in old]
    return Keyring(current, old)


def keyring(app=None) -> Keyring:
    from flask import current_app
    return (app or current_app).extensions[EXTENSION]


def keyring_of(connection) -> Keyring:
    """The keyring of the app whose engine made `connection` (create_app sets it on the engine's
    dialect), for code that holds a connection but maybe no app context."""
    keys = getattr(connection.dialect, "accommnotify_keyring", None)
    return keys if keys is not None else keyring()


def redact_search(filters: dict, keys: Keyring) -> dict:
    """What the audit log keeps of a search (`q` in `filters`): the text when it is a name, the
    blind index ``<key id>:<index>`` of a number (or of any text with a digit in it), never the
    number. A supervisor finds who searched for a number by computing its index again."""
    q = filters.get("q")
    if not isinstance(q, str) or not any(c.isdigit() for c in q):
        return filters
    out = {k: v for k, v in filters.items() if k != "q"}
    out["q_index"] = f"{keys.current_id}:{keys.blind_index(normal_number(q))}"
    return out


def normal_number(text: str) -> str:
    """An ID / passport number as it is indexed: no spaces, upper case (ID numbers are digits)."""
    return text.replace(" ", "").upper()
