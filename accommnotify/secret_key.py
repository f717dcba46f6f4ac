"""The key that signs sessions, CSRF tokens and import previews: never a constant.

`ACCOMMNOTIFY_SECRET_KEY` when set (at least MIN_BYTES bytes, not a published placeholder); otherwise
a random key generated on first start and kept in `SECRET_KEY_FILE` (default `var/secret_key`,
mode 0600), which every later start on this machine reuses. The file is written under a temporary
name and linked into place, so two processes starting at once end up with the same key.
Anything else refuses to start (web, dispatcher and commands alike): `InsecureSecretKey`.
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

MIN_BYTES = 32
# Values that were published (defaults, docs, tests, benchmarks): anyone could sign with them.
KNOWN_DEFAULTS = frozenset({
    "dev-only-change-me", "change-me", "changeme", "secret", "dev", "development", "test",
    "test-secret", "bench", "default", "please-change-me", "replace-me",
})


class InsecureSecretKey(RuntimeError):
    """The configured or stored secret key must not be used."""


def check_key(key: str, source: str) -> str:
    if key.strip() in KNOWN_DEFAULTS or key.strip().lower() in KNOWN_DEFAULTS:
        raise InsecureSecretKey(f"{source} is a published default value; set a random one "
                                f"(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if len(key.encode("utf-8")) < MIN_BYTES:
        raise InsecureSecretKey(f"{source} has fewer than {MIN_BYTES} bytes; set a random one "
                                f"(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    return key


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InsecureSecretKey(f"the secret key file {path} is readable by others "
                                f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it")
    return check_key(path.read_text(encoding="utf-8").strip(), f"the secret key file {path}")


def read_or_create(path: Path) -> str:
    """The key stored at `path`, made (random, 0600, atomically) when there is none yet."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (secrets.token_urlsafe(48) + "\n").encode("ascii"))
        os.fsync(fd)
        os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process stored first
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def configured_or_generated(settings: dict, project_root: Path, name: str, default_file: str) -> str:
    """Setting `name` when set (checked), else the key kept in setting `name`_FILE (default
    `default_file`, relative to the project), generated there on first use. Raises InsecureSecretKey."""
    configured = settings.get(name) or ""
    if configured:
        return check_key(configured, f"ACCOMMNOTIFY_{name}")
    path = Path(settings.get(f"{name}_FILE") or default_file)
    return read_or_create(path if path.is_absolute() else project_root / path)


def resolve(settings: dict, project_root: Path) -> str:
    """The secret key for this process from the settings (raises InsecureSecretKey)."""
    return configured_or_generated(settings, project_root, "SECRET_KEY", "var/secret_key")
