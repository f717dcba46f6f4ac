"""Ed25519 signatures of the daily proof PDFs (docs/PROOF.md).

A signed proof is the PDF exactly as written, followed by one signature line after its ``%%EOF``::

    \\n%accommnotify-proof-sig:v1:ed25519:<key id, 16 hex>:<signature, 128 lowercase hex>\\n

The signature covers every byte before the signature hex: the whole PDF and the line's own prefix
with the key id. ``verify`` takes the last ``TRAILER_LEN`` bytes as that line, demands it exactly
(fixed text, lowercase hex, fixed length), the key id of the public key it is given, and a valid
signature; so any changed, added or removed byte anywhere in the file fails. PDF readers ignore a
comment line after ``%%EOF``.

The signing key: ``PROOF_SIGNING_KEY`` (random text, 32 bytes or more), or a text generated on first
start into ``PROOF_SIGNING_KEY_FILE`` (var/proof_signing_key, 0600: secret_key.read_or_create); the
Ed25519 private key is derived from it with HKDF-SHA256. Never a constant.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..secret_key import InsecureSecretKey, configured_or_generated

EXTENSION = "accommnotify.proof_signer"
PREFIX = b"\n%accommnotify-proof-sig:v1:ed25519:"
KEY_ID_HEX = 16
SIG_HEX = 128
TRAILER_LEN = len(PREFIX) + KEY_ID_HEX + 1 + SIG_HEX + 1
_TRAILER = re.compile(re.escape(PREFIX) + rb"([0-9a-f]{16}):([0-9a-f]{128})\n")


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(b"accommnotify proof key|" + raw).hexdigest()[:KEY_ID_HEX]


class ProofSigner:
    def __init__(self, secret: str):
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"accommnotify",
                    info=b"ed25519 daily proof signing v1").derive(secret.encode("utf-8"))
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._private.public_key()
        self.key_id = key_id(self.public_key)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    def sign(self, pdf: bytes) -> bytes:
        """The PDF with its signature line appended."""
        head = pdf + PREFIX + self.key_id.encode("ascii") + b":"
        return head + self._private.sign(head).hex().encode("ascii") + b"\n"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    key_id: str | None = None


def verify(data: bytes, public_key: Ed25519PublicKey) -> Verdict:
    """Whether `data` is a proof, unchanged, signed by the key of `public_key`."""
    expected = key_id(public_key)
    if len(data) <= TRAILER_LEN or not data.startswith(b"%PDF-"):
        return Verdict(False, "not a signed proof PDF")
    signed, trailer = data[:-TRAILER_LEN], data[-TRAILER_LEN:]
    match = _TRAILER.fullmatch(trailer)
    if match is None:
        return Verdict(False, "no intact signature line at the end of the file (changed, cut or extended)")
    found = match.group(1).decode("ascii")
    if found != expected:
        return Verdict(False, f"signed with key {found}, not with the given key {expected}", found)
    message = signed + trailer[:len(PREFIX) + KEY_ID_HEX + 1]
    try:
        public_key.verify(bytes.fromhex(match.group(2).decode("ascii")), message)
    except InvalidSignature:
        return Verdict(False, "the signature does not match the content: the file was changed", found)
    return Verdict(True, "signature valid", found)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (ValueError for anything else)."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def resolve(settings: dict, project_root: Path, other_secrets: tuple = ()) -> ProofSigner:
    """The signer of this process from the settings (raises InsecureSecretKey for a weak key)."""
    secret = configured_or_generated(settings, project_root, "PROOF_SIGNING_KEY", "var/proof_signing_key")
    if secret in other_secrets:
        raise InsecureSecretKey("ACCOMMNOTIFY_PROOF_SIGNING_KEY must differ from the secret key and the data key")
    return ProofSigner(secret)


def signer(app=None) -> ProofSigner:
    from flask import current_app
    return (app or current_app).extensions[EXTENSION]
