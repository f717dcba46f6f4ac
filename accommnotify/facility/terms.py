"""Student dormitories (docs/DORMITORIES.md): terms, their rosters, returning students, and the list
of stays long enough to need a temporary-residence registration.

Every stay is written by the intake service (create_stays_bulk, the one rule set); this module only
keeps terms and which stays a term's roster holds (term_stays), and reads.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..ids import new_id
from ..intake import service, views
from ..intake.errors import InvalidInput, NotFound
from ..models import Guest, Stay, Term, TermStay
from ..rules.issues import Issue
from ..rules.residence import needs_temporary_residence, stay_days
from ..rules.term import check_term, roster_arrival, roster_departure
from ..timeutil import VN_TZ, utcnow

LONG_LIST_LIMIT = 1000          # stays shown on the 30-day list (longest first); the count says if more
GUEST_FIELDS = ("full_name", "date_of_birth", "sex", "nationality", "id_number", "passport_number", "document_kind",
                "document_name", "phone", "permanent_address", "entry_date", "entry_port", "purpose")


# ---- terms -------------------------------------------------------------------------------------

def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10]) if raw and raw.strip() else None
    except ValueError:
        return None


def create_term(facility_id: int, name: str, starts_on_raw: str, ends_on_raw: str, *, now=None) -> Term:
    """Raises InvalidInput (field + code) for a bad name or dates, or a name the facility has already."""
    now = now or utcnow()
    starts_on, ends_on = _parse_day(starts_on_raw), _parse_day(ends_on_raw)
    issues = check_term(name, starts_on, ends_on)
    for field, raw, value in (("starts_on", starts_on_raw, starts_on), ("ends_on", ends_on_raw, ends_on)):
        if raw and raw.strip() and value is None:
            issues = [i for i in issues if i.field != field] + [Issue(field, "format")]
    if issues:
        raise InvalidInput("The term is not valid.", issues)
    term = Term(id=new_id("trm"), facility_id=facility_id, name=" ".join(name.split()), starts_on=starts_on,
                ends_on=ends_on, created_at=now)
    db.session.add(term)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput("The term is not valid.", [Issue("name", "term.name_taken")])
    return term


def list_terms(facility_id: int) -> list[dict]:
    """Newest term first, with the number of stays on each roster (two queries)."""
    terms = db.session.scalars(select(Term).where(Term.facility_id == facility_id)
                               .order_by(Term.starts_on.desc(), Term.id.desc())).all()
    counts = dict(db.session.execute(
        select(TermStay.term_id, func.count()).join(Stay, Stay.id == TermStay.stay_id)
        .where(TermStay.term_id.in_([t.id for t in terms]), Stay.status != "cancelled")
        .group_by(TermStay.term_id)).all()) if terms else {}
    out = [{"term": t, "count": counts.get(t.id, 0)} for t in terms]
    db.session.rollback()
    return out


def get_term(facility_id: int, term_id: str) -> Term:
    """The facility's own term; another facility's term is "not found"."""
    term = db.session.scalar(select(Term).where(Term.facility_id == facility_id, Term.id == str(term_id)[:32]))
    if term is None:
        raise NotFound("No such term.")
    return term


def previous_term(facility_id: int, term: Term) -> Term | None:
    """The term that started last before this one."""
    return db.session.scalar(select(Term).where(Term.facility_id == facility_id, Term.id != term.id,
                                                Term.starts_on < term.starts_on)
                             .order_by(Term.starts_on.desc(), Term.id.desc()).limit(1))


def roster_defaults(term: Term, now: datetime) -> dict | None:
    """The stay values a roster row leaves empty, as a cell would hold them; None before the term starts."""
    arrival = roster_arrival(term.starts_on, now)
    if arrival is None:
        return None
    return {"reason": "Học tập",   # study: a cell's word for it (importer.REASON_WORDS)
            "arrived_at": arrival.strftime("%d/%m/%Y %H:%M"),
            "expected_departure": roster_departure(term.ends_on).strftime("%d/%m/%Y %H:%M")}


def link(term_id: str, stay_ids) -> None:
    """Puts stays on a term's roster (a stay already on a roster keeps its term)."""
    ids = sorted(set(stay_ids))
    if not ids:
        return
    taken = set(db.session.scalars(select(TermStay.stay_id).where(TermStay.stay_id.in_(ids))))
    db.session.add_all(TermStay(stay_id=i, term_id=term_id) for i in ids if i not in taken)
    db.session.commit()


def import_to_term(facility, term: Term, stays: list[dict], chunk: int) -> list[dict]:
    """The valid stays of a previewed roster, through the bulk write; created and replayed ones go on
    the roster."""
    results = []
    for start in range(0, len(stays), chunk):
        part = service.create_stays_bulk(facility, {"stays": stays[start:start + chunk]}, source="import")
        for item in part:
            item["index"] += start
        results.extend(part)
    link(term.id, [r["stay"]["id"] for r in results if r["status"] in ("created", "duplicate") and r.get("stay")])
    return results


def roster(facility, term: Term) -> list[dict]:
    """The stays (API views) on a term's roster, cancelled ones aside, by room then arrival."""
    stays = views.STAYS
    rows = db.session.execute(
        select(stays).join(TermStay.__table__, TermStay.__table__.c.stay_id == stays.c.id)
        .where(TermStay.__table__.c.term_id == term.id, stays.c.facility_id == facility.id,
               stays.c.status != "cancelled")
        .order_by(stays.c.room, stays.c.id)).mappings().all()
    out = views.load_stay_views(rows, facility.code)
    db.session.rollback()
    return out


# ---- returning students --------------------------------------------------------------------------

def _guest_payload(guest: dict) -> dict:
    payload = {k: guest[k] for k in GUEST_FIELDS if guest.get(k) not in (None, "")}
    if guest.get("document"):
        payload["document"] = {k: v for k, v in guest["document"].items() if v}
    if guest.get("visa"):
        payload["visa"] = {k: v for k, v in guest["visa"].items() if v}
    return payload


def returning_ref(term: Term, old_stay_id: str) -> str:
    """The new stay's idempotency key: sending the same page twice creates nothing more."""
    return f"RET-{term.id.removeprefix('trm_')}-{old_stay_id}"


def returning_payloads(previous: list[dict], term: Term, now: datetime) -> list[dict]:
    """A new stay for each of last term's stays: the same people (those not removed), room and reason,
    arriving at this term's start and expected to leave at its end."""
    arrival = roster_arrival(term.starts_on, now)
    departure = roster_departure(term.ends_on)
    out = []
    for view in previous:
        guests = [_guest_payload(g) for g in view["guests"] if not g.get("removed_at")]
        payload = {"external_ref": returning_ref(term, view["id"]), "reason": view["reason"],
                   "arrived_at": arrival.isoformat() if arrival else None,
                   "expected_departure": departure.isoformat(), "guests": guests}
        if view.get("room"):
            payload["room"] = view["room"]
        if view.get("reason_note"):
            payload["reason_note"] = view["reason_note"]
        out.append(payload)
    return out


# ---- stays of 30 days or more ------------------------------------------------------------------

def long_stays(facility, *, now=None, limit: int = LONG_LIST_LIMIT) -> tuple[list[dict], int]:
    """In-house stays of 30 days or more (arrival to expected departure, or to now if longer), longest
    first: [{stay_id, external_ref, room, arrived_at, expected_departure, days, guests: [{id, full_name}]}],
    and how many such stays there are in all. Two queries (stays, then their guests in house)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Stay.id, Stay.external_ref, Stay.room, Stay.arrived_at, Stay.expected_departure)
        .where(Stay.facility_id == facility.id, Stay.status == "in_house")).all()
    found = [r for r in rows if needs_temporary_residence(r.arrived_at, r.expected_departure, now)]
    found.sort(key=lambda r: (r.arrived_at, r.id))
    total, shown = len(found), found[:limit]
    guests: dict[str, list] = {}
    if shown:
        for g in db.session.execute(
                select(Guest.id, Guest.stay_id, Guest.full_name)
                .where(Guest.stay_id.in_([r.id for r in shown]), Guest.departed_at.is_(None),
                       Guest.removed_at.is_(None))
                .order_by(Guest.stay_id, Guest.position)):
            guests.setdefault(g.stay_id, []).append({"id": g.id, "full_name": g.full_name})
    db.session.rollback()
    out = []
    for r in shown:
        if not guests.get(r.id):
            continue
        out.append({"stay_id": r.id, "external_ref": r.external_ref, "room": r.room,
                    "arrived_at": r.arrived_at.astimezone(VN_TZ),
                    "expected_departure": r.expected_departure.astimezone(VN_TZ) if r.expected_departure else None,
                    "days": stay_days(r.arrived_at, r.expected_departure, now), "guests": guests[r.id]})
    return out, total
