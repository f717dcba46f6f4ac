"""Complete before submit (issue 9 §3): what the receiver of a stay's notifications needs.

A receiver may declare ``required_fields`` = {category: (field, …)} (vn_portal: the portal needs
an expected departure date and a document number for citizens). When a stay's notifications route
to such a receiver, the stay is refused at submit — API, form and import alike, since all of them
go through :func:`accommnotify.intake.prepare.check` — with the usual problem+json codes
(``expected_departure.required_by_receiver``, ``id_number.required_by_receiver``), instead of
the row failing hours later at the portal. Stays routed elsewhere keep today's rules.
"""
from __future__ import annotations

from flask import current_app

from ..rules.deadlines import category_for
from ..rules.issues import Issue

__all__ = ["receiver_issues", "required_fields_for"]


def required_fields_for(category: str, province_code: str, ward_code: str) -> tuple[str, ...]:
    """The fields the receiver of (category, place) requires (cached per process with the routes)."""
    from ..routing import receiver_for, receivers_config
    cache = current_app.extensions.setdefault("accommnotify.receiver_requirements", {})
    key = (category, province_code, ward_code)
    fields = cache.get(key)
    if fields is None:
        receiver = receivers_config().receivers.get(receiver_for(category, province_code, ward_code))
        declared = getattr(receiver, "required_fields", None) or {}
        fields = cache[key] = tuple(declared.get(category, ()))
    return fields


def receiver_issues(data: dict, facility) -> list[Issue]:
    issues: list[Issue] = []
    need_departure = False
    for i, guest in enumerate(data.get("guests") or ()):
        fields = required_fields_for(category_for(guest.get("nationality")), facility.province_code,
                                     facility.ward_code)
        if "expected_departure" in fields:
            need_departure = True
        if "document_number" in fields and not (guest.get("id_number") or guest.get("passport_number")
                                                 or (guest.get("document") or {}).get("number")):
            issues.append(Issue(f"guests[{i}].id_number", "id_number.required_by_receiver"))
    if need_departure and not data.get("expected_departure"):
        issues.insert(0, Issue("expected_departure", "expected_departure.required_by_receiver"))
    return issues
