"""Find a receiver adapter class by name.

Lookup order for ``adapter = "…"`` in the receivers TOML:

1. built-in names (:data:`BUILTIN_ADAPTERS`), imported lazily;
2. entry points in the group ``accommnotify.receivers`` (third-party packages);
3. a dotted path, ``"pkg.mod:Class"`` or ``"pkg.mod.Class"``.
"""

from __future__ import annotations

import importlib
import importlib.metadata

from .base import Receiver, ReceiverConfigError

__all__ = ["ENTRY_POINT_GROUP", "BUILTIN_ADAPTERS", "load_adapter_class", "import_dotted"]

ENTRY_POINT_GROUP = "accommnotify.receivers"

BUILTIN_ADAPTERS: dict[str, str] = {
    "inbox": "accommnotify.receivers.inbox:InboxReceiver",
    "http": "accommnotify.receivers.http:HttpReceiver",
    "file": "accommnotify.receivers.file:FileReceiver",
    "email": "accommnotify.receivers.email:EmailReceiver",
    "vn_portal": "accommnotify.receivers.vn_portal:VnPortalReceiver",
}


def import_dotted(path: str) -> object:
    """Import ``"pkg.mod:Attr"`` (or ``"pkg.mod.Attr"``) and return the attribute."""
    if ":" in path:
        module_name, _, attr = path.partition(":")
    else:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise ReceiverConfigError(
            f"adapter {path!r} is not a dotted path of the form 'package.module:Class'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ReceiverConfigError(
            f"adapter {path!r}: cannot import module {module_name!r} ({exc})"
        ) from exc
    obj: object = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ReceiverConfigError(
                f"adapter {path!r}: module {module_name!r} has no attribute {attr!r}"
            ) from exc
    return obj


def _entry_point(adapter: str):
    try:
        eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # a broken distribution must not hide the built-ins  # noqa: BLE001
        return None
    for ep in eps:
        if ep.name == adapter:
            return ep
    return None


def _check_adapter_class(adapter: str, obj: object, origin: str) -> type[Receiver]:
    if not isinstance(obj, type):
        raise ReceiverConfigError(
            f"adapter {adapter!r} ({origin}) is not a class but {type(obj).__name__}"
        )
    if issubclass(obj, Receiver):
        return obj
    if callable(getattr(obj, "send", None)):  # duck-typed adapter
        return obj  # type: ignore[return-value]
    raise ReceiverConfigError(
        f"adapter {adapter!r} ({origin}): {obj.__module__}.{obj.__qualname__} is neither a "
        "subclass of accommnotify.receivers.base.Receiver nor has a send(batch) method"
    )


def load_adapter_class(adapter: str) -> type[Receiver]:
    """The class for ``adapter``; :class:`ReceiverConfigError` when not found or unusable."""
    if not isinstance(adapter, str) or not adapter.strip():
        raise ReceiverConfigError(f"adapter must be a non-empty string, got {adapter!r}")
    adapter = adapter.strip()

    builtin = BUILTIN_ADAPTERS.get(adapter)
    if builtin is not None:
        return _check_adapter_class(adapter, import_dotted(builtin), f"built-in {builtin}")

    ep = _entry_point(adapter)
    if ep is not None:
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code
            raise ReceiverConfigError(
                f"adapter {adapter!r}: entry point {ep.value!r} of group "
                f"{ENTRY_POINT_GROUP!r} failed to load ({type(exc).__name__}: {exc})"
            ) from exc
        return _check_adapter_class(adapter, obj, f"entry point {ep.value}")

    if ":" in adapter or "." in adapter:
        return _check_adapter_class(adapter, import_dotted(adapter), "dotted path")

    raise ReceiverConfigError(
        f"unknown adapter {adapter!r}: not a built-in ({', '.join(BUILTIN_ADAPTERS)}), "
        f"no entry point of that name in group {ENTRY_POINT_GROUP!r}, "
        "and not a dotted path like 'package.module:Class'"
    )
