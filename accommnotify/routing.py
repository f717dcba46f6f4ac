"""Which receiver a notification goes to, from the receivers TOML file (loaded once per process)."""
from flask import current_app

from .receivers.config import load_receivers_config

_KEY = "accommnotify.receivers"


def receivers_config(app=None):
    app = app or current_app
    config = app.extensions.get(_KEY)
    if config is None:
        config = app.extensions[_KEY] = load_receivers_config(app.config["RECEIVERS"])
    return config


def receiver_for(category: str, province_code: str, ward_code: str) -> str:
    """Routes are evaluated once per (category, place) and remembered: this is on the hot path."""
    cache = current_app.extensions.setdefault("accommnotify.route_cache", {})
    key = (category, province_code, ward_code)
    name = cache.get(key)
    if name is None:
        name = cache[key] = receivers_config().route_for(category, province_code, ward_code)
    return name
