"""The value every rule returns: one problem found in the input."""

from __future__ import annotations

from dataclasses import dataclass, field as _field
from typing import Iterable


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem.

    ``field`` is a path relative to what was checked ("id_number", "document.number",
    later prefixed by the caller to "guests[1].id_number"); ``code`` is a stable code of
    SPEC §5; ``params`` are values for the message template (never personal data).
    """

    field: str
    code: str
    params: dict = _field(default_factory=dict, hash=False)

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "params": dict(self.params)}


def prefix(issues: Iterable[Issue], prefix: str) -> list[Issue]:
    """Return ``issues`` with ``prefix`` put in front of each field path.

    ``prefix(issues, "guests[1].")`` turns "id_number" into "guests[1].id_number".
    A prefix without a trailing "." or "[" gets a "." separator ("document" + "number" ->
    "document.number"); a field that already starts with "." or "[" is joined as is.
    An empty field becomes the prefix itself (without a trailing dot).
    """
    out: list[Issue] = []
    for issue in issues:
        f = issue.field
        if not prefix:
            path = f
        elif not f:
            path = prefix.rstrip(".")
        elif prefix.endswith((".", "[")) or f.startswith((".", "[")):
            path = prefix + f
        else:
            path = prefix + "." + f
        out.append(Issue(path, issue.code, issue.params))
    return out
