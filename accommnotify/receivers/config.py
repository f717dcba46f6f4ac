"""The receivers TOML file (SPEC §4): receiver tables and routes.

```toml
[receivers.ward-police]
adapter = "http"
url = "https://police.example/police/api/v1/batches"
secret = "whsec_…"
max_batch = 500

[[routes]]                 # first match wins
category = "residence"     # "residence" | "foreigner"
receiver = "ward-police"
province_code = "40"       # optional filter (2 digits; an int is zero-padded)
ward_code = "16681"        # optional filter (5 digits; an int is zero-padded)
```

Everything is validated at load time; all problems are reported together in one
:class:`ReceiverConfigError` that names the file, the receiver or route, and the problem.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from typing import Any

from .base import Receiver, ReceiverConfigError
from .registry import load_adapter_class
from ..rules.deadlines import CATEGORIES

__all__ = [
    "CATEGORIES",
    "Route",
    "ReceiversConfig",
    "NoRouteError",
    "load_receivers_config",
    "loads_receivers_config",
    "parse_receivers_config",
]

_ROUTE_KEYS = {"category", "receiver", "province_code", "ward_code"}
_TOP_KEYS = {"receivers", "routes"}


class NoRouteError(LookupError):
    """No route matches a notification (only possible for an unknown category)."""


def _normalize_code(value: Any, digits: int) -> str | None:
    """``value`` as a zero-padded string of ``digits`` digits, or None if it is not one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if value < 0:
            return None
        value = str(value).zfill(digits)
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit() and value.isascii() and len(value) <= digits:
            return value.zfill(digits)
    return None


def _code_for_match(value: Any, digits: int) -> str | None:
    """Lenient normalisation of a facility's code for matching (None when absent)."""
    if value is None or value == "":
        return None
    norm = _normalize_code(value, digits)
    return norm if norm is not None else str(value)


@dataclass(frozen=True)
class Route:
    category: str
    receiver: str
    province_code: str | None = None
    ward_code: str | None = None

    @property
    def catch_all(self) -> bool:
        return self.province_code is None and self.ward_code is None

    def matches(self, category: str, province_code: Any = None, ward_code: Any = None) -> bool:
        if category != self.category:
            return False
        if self.province_code is not None and _code_for_match(province_code, 2) != self.province_code:
            return False
        if self.ward_code is not None and _code_for_match(ward_code, 5) != self.ward_code:
            return False
        return True

    def describe(self) -> str:
        parts = [f"category {self.category!r}"]
        if self.province_code is not None:
            parts.append(f"province_code {self.province_code!r}")
        if self.ward_code is not None:
            parts.append(f"ward_code {self.ward_code!r}")
        return ", ".join(parts) + f" -> {self.receiver!r}"


@dataclass
class ReceiversConfig:
    receivers: dict[str, Receiver]
    routes: list[Route]
    path: str = "<string>"
    warnings: list[str] = field(default_factory=list)

    def route_for(self, category: str, province_code: Any = None, ward_code: Any = None) -> str:
        """The receiver name for a notification; first matching route wins."""
        for route in self.routes:
            if route.matches(category, province_code, ward_code):
                return route.receiver
        raise NoRouteError(
            f"no route in {self.path} for category {category!r} "
            f"(province_code={province_code!r}, ward_code={ward_code!r})"
        )

    def receiver_for(self, category: str, province_code: Any = None, ward_code: Any = None) -> Receiver:
        return self.receivers[self.route_for(category, province_code, ward_code)]

    def close(self) -> None:
        for receiver in self.receivers.values():
            close = getattr(receiver, "close", None)
            if callable(close):
                close()


def _build_receiver(name: str, table: Any, problems: list[str]) -> Receiver | None:
    label = f"receiver {name!r}"
    if not isinstance(table, dict):
        problems.append(f"{label}: must be a table ([receivers.{name}]), got {type(table).__name__}")
        return None
    options = dict(table)
    adapter = options.pop("adapter", None)
    if adapter is None:
        problems.append(f"{label}: missing 'adapter' (one of inbox, http, file, email, vn_portal, or a dotted path)")
        return None
    label = f"receiver {name!r} (adapter {adapter!r})"
    try:
        cls = load_adapter_class(adapter)
    except ReceiverConfigError as exc:
        problems.append(f"{label}: {exc}")
        return None
    try:
        receiver = cls(name, **options)
    except ReceiverConfigError as exc:
        problems.extend(f"{label}: {p}" for p in exc.problems)
        return None
    except Exception as exc:  # noqa: BLE001 - third-party adapters may raise anything
        problems.append(f"{label}: cannot be created ({type(exc).__name__}: {exc})")
        return None
    missing = [a for a in ("name", "max_batch", "send") if not hasattr(receiver, a)]
    if missing:
        problems.append(f"{label}: the adapter instance lacks {', '.join(missing)}")
        return None
    return receiver


def _build_route(index: int, table: Any, receiver_names: set[str], problems: list[str]) -> Route | None:
    label = f"route #{index} ([[routes]] number {index})"
    if not isinstance(table, dict):
        problems.append(f"{label}: must be a table, got {type(table).__name__}")
        return None
    ok = True
    unknown = sorted(set(table) - _ROUTE_KEYS)
    if unknown:
        problems.append(
            f"{label}: unknown key(s) {', '.join(map(repr, unknown))} "
            f"(allowed: {', '.join(sorted(_ROUTE_KEYS))})"
        )
        ok = False
    category = table.get("category")
    if category is None:
        problems.append(f"{label}: missing 'category' (one of {', '.join(CATEGORIES)})")
        ok = False
    elif category not in CATEGORIES:
        problems.append(f"{label}: unknown category {category!r} (one of {', '.join(CATEGORIES)})")
        ok = False
    receiver = table.get("receiver")
    if receiver is None:
        problems.append(f"{label}: missing 'receiver'")
        ok = False
    elif not isinstance(receiver, str) or receiver not in receiver_names:
        defined = ", ".join(sorted(receiver_names)) or "none"
        problems.append(f"{label}: unknown receiver {receiver!r} (defined receivers: {defined})")
        ok = False
    province = ward = None
    if "province_code" in table:
        province = _normalize_code(table["province_code"], 2)
        if province is None:
            problems.append(f"{label}: province_code {table['province_code']!r} is not a 2-digit code")
            ok = False
    if "ward_code" in table:
        ward = _normalize_code(table["ward_code"], 5)
        if ward is None:
            problems.append(f"{label}: ward_code {table['ward_code']!r} is not a 5-digit code")
            ok = False
    if not ok:
        return None
    return Route(category=category, receiver=receiver, province_code=province, ward_code=ward)


def parse_receivers_config(data: dict, source: str = "<string>") -> ReceiversConfig:
    """Build and validate a :class:`ReceiversConfig` from already-parsed TOML ``data``."""
    problems: list[str] = []
    unknown_top = sorted(set(data) - _TOP_KEYS)
    if unknown_top:
        problems.append(
            f"unknown top-level key(s) {', '.join(map(repr, unknown_top))} "
            "(expected [receivers.NAME] tables and [[routes]])"
        )

    raw_receivers = data.get("receivers", {})
    receivers: dict[str, Receiver] = {}
    receiver_names: set[str] = set()
    if not isinstance(raw_receivers, dict):
        problems.append("'receivers' must be a set of [receivers.NAME] tables")
    elif not raw_receivers:
        problems.append("no receivers defined (add a [receivers.NAME] table)")
    else:
        receiver_names = set(raw_receivers)
        for name, table in raw_receivers.items():
            built = _build_receiver(name, table, problems)
            if built is not None:
                receivers[name] = built

    raw_routes = data.get("routes", [])
    routes: list[Route] = []
    all_routes_ok = True
    if not isinstance(raw_routes, list):
        problems.append("'routes' must be an array of tables ([[routes]])")
        all_routes_ok = False
    else:
        for i, table in enumerate(raw_routes, start=1):
            route = _build_route(i, table, receiver_names, problems)
            if route is None:
                all_routes_ok = False
            else:
                routes.append(route)

    warnings: list[str] = []
    if all_routes_ok:  # coverage is only meaningful when every route was understood
        for category in CATEGORIES:
            if not any(r.category == category and r.catch_all for r in routes):
                problems.append(
                    f"no route serves category {category!r} for every facility "
                    f"(add a [[routes]] entry with category = \"{category}\" and no "
                    "province_code / ward_code filter)"
                )
        for i, route in enumerate(routes, start=1):
            shadow = next(
                (j for j, r in enumerate(routes[: i - 1], start=1)
                 if r.category == route.category and r.catch_all),
                None,
            )
            if shadow is not None:
                warnings.append(
                    f"{source}: route #{i} ({route.describe()}) is never used: route #{shadow} "
                    f"already serves every facility of category {route.category!r}"
                )

    if problems:
        for receiver in receivers.values():
            close = getattr(receiver, "close", None)
            if callable(close):
                close()
        raise ReceiverConfigError(
            f"invalid receivers config {source}:\n" + "\n".join(f"  - {p}" for p in problems),
            [f"{source}: {p}" for p in problems],
        )
    return ReceiversConfig(receivers=receivers, routes=routes, path=source, warnings=warnings)


def loads_receivers_config(text: str, source: str = "<string>") -> ReceiversConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReceiverConfigError(f"invalid receivers config {source}: not valid TOML ({exc})") from exc
    return parse_receivers_config(data, source)


def load_receivers_config(path: str | os.PathLike[str]) -> ReceiversConfig:
    """Read and validate the receivers TOML file at ``path``."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError as exc:
        raise ReceiverConfigError(
            f"receivers config {source} not found (set ACCOMMNOTIFY_RECEIVERS to its path)"
        ) from exc
    except OSError as exc:
        raise ReceiverConfigError(f"receivers config {source} cannot be read ({exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReceiverConfigError(f"invalid receivers config {source}: not UTF-8 ({exc})") from exc
    return loads_receivers_config(text, source)
