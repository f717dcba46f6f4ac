"""Pluggable police-side receivers (SPEC §4 "Receivers").

Adapters: ``inbox`` (police inbox in the same database), ``http`` (Standard Webhooks signed
JSON), ``file`` (CSV + JSON Lines for portal upload), ``email`` (SMTP, CSV attached); third
parties add their own through the entry-point group ``accommnotify.receivers`` or a dotted path.
Adapter modules are imported lazily (see :mod:`.registry`).
"""

from .base import Batch, Delivery, Outcome, Receiver, ReceiverConfigError
from .config import (
    CATEGORIES,
    NoRouteError,
    ReceiversConfig,
    Route,
    load_receivers_config,
    loads_receivers_config,
    parse_receivers_config,
)
from .registry import BUILTIN_ADAPTERS, ENTRY_POINT_GROUP, load_adapter_class

__all__ = [
    "Batch",
    "Delivery",
    "Outcome",
    "Receiver",
    "ReceiverConfigError",
    "CATEGORIES",
    "NoRouteError",
    "ReceiversConfig",
    "Route",
    "load_receivers_config",
    "loads_receivers_config",
    "parse_receivers_config",
    "BUILTIN_ADAPTERS",
    "ENTRY_POINT_GROUP",
    "load_adapter_class",
]
