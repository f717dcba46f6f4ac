"""Settings: config/defaults.toml, then ACCOMMNOTIFY_* environment variables, then test overrides."""
import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "defaults.toml"
ENV_PREFIX = "ACCOMMNOTIFY_"


def _coerce(raw: str, like):
    if isinstance(like, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, float):
        return float(raw)
    return raw


def load_settings(overrides: dict | None = None) -> dict:
    with open(DEFAULTS_FILE, "rb") as fh:
        settings = tomllib.load(fh)
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):]
            settings[name] = _coerce(value, settings[name]) if name in settings else value
    settings.update(overrides or {})
    settings["DATABASE_URL"] = _absolute_sqlite(settings["DATABASE_URL"])
    settings["RECEIVERS"] = str(_from_root(settings["RECEIVERS"]))
    return settings


def _from_root(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def _absolute_sqlite(url: str) -> str:
    """A relative SQLite path means relative to the project, whatever the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        path = _from_root(url[len(prefix):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url
