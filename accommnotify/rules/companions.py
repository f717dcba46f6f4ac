"""Companions of a patient (issue 13, item 1: hospitals): who accompanies whom within one stay.

A guest may name the guest of the same stay they accompany (người nhà, người chăm sóc). Here the
link is an index into the stay's guest list (what the API's POST gives; a PATCH's guest id is turned
into an index by the service before the rules run). One level only: the person accompanied must not
accompany someone else, so "who is the patient" never needs a walk along a chain.
"""
from __future__ import annotations

from .issues import Issue


def check_companions(guests: list[dict]) -> list[Issue]:
    """Issues of the `accompanies` links of a stay's guests (paths "guests[i].accompanies")."""
    errors: list[Issue] = []
    for i, guest in enumerate(guests):
        target = guest.get("accompanies")
        if target is None:
            continue
        field = f"guests[{i}].accompanies"
        if type(target) is not int or not 0 <= target < len(guests):
            errors.append(Issue(field, "guests.accompanies.unknown"))
        elif target == i:
            errors.append(Issue(field, "guests.accompanies.self"))
        elif guests[target].get("accompanies") is not None:
            errors.append(Issue(field, "guests.accompanies.chain"))
    return errors


def companions_of(guests: list[dict], index: int) -> list[int]:
    """Positions of the guests who accompany the guest at ``index``."""
    return [i for i, g in enumerate(guests) if g.get("accompanies") == index]
