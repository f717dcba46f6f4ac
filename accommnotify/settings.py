"""Settings: config/defaults.toml, then ACCOMMNOTIFY_* environment variables, then test overrides."""
import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "defaults.toml"
ENV_PREFIX = "ACCOMMNOTIFY_"


class SettingsError(ValueError):
    """An ACCOMMNOTIFY_* variable whose value does not fit the setting's type."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _coerce(name: str, raw: str, like):
    """``raw`` (an environment value) as the type of the default ``like``; SettingsError names the
    variable and the expected type (and never echoes a list or table, which may hold secrets)."""
    variable = ENV_PREFIX + name
    if isinstance(like, bool):
        value = raw.strip().lower()
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        raise SettingsError(f"{variable}={raw!r} is not a boolean (use 1/0, true/false, yes/no or on/off)")
    if isinstance(like, (int, float)):
        kind = int if isinstance(like, int) else float
        try:
            return kind(raw.strip())
        except ValueError:
            raise SettingsError(f"{variable}={raw!r} is not {'an integer' if kind is int else 'a number'}") from None
    if isinstance(like, (list, dict)):
        # TOML syntax, as in config/defaults.toml: ["a", "b"] or {key = "value"}
        try:
            value = tomllib.loads(f"value = {raw}")["value"]
        except tomllib.TOMLDecodeError:
            value = None
        if not isinstance(value, type(like)):
            expected = 'a TOML array, e.g. ["a", "b"]' if isinstance(like, list) else 'a TOML table, e.g. {a = "b"}'
            raise SettingsError(f"{variable} is not {expected}")
        return value
    return raw


def load_settings(overrides: dict | None = None) -> dict:
    with open(DEFAULTS_FILE, "rb") as fh:
        settings = tomllib.load(fh)
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):]
            settings[name] = _coerce(name, value, settings[name]) if name in settings else value
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
