"""The audit log of reads of personal data: one INSERT per list, search, detail, export, API call.

Written only after the read succeeded (a refused request — 401, 404, invalid — writes nothing), in
the same transaction as nothing else, so a failed audit write fails the request rather than letting
an unrecorded read through.
"""
import json

from sqlalchemy import select

from ..extensions import db
from ..models.police import AuditEntry, Officer
from ..timeutil import utcnow

ACTIONS = ("list", "search", "detail", "export", "late", "acknowledge", "api_list", "api_detail",
           "receive_conflict")


def record(officer, action: str, *, filters: dict | None = None, row_count: int = 0,
           record_id: str | None = None, via: str = "web") -> None:
    db.session.add(AuditEntry(at=utcnow(), officer_id=officer.id, username=officer.username, via=via,
                              action=action, row_count=row_count, record_id=record_id,
                              filters=json.dumps(filters, ensure_ascii=False, sort_keys=True) if filters else None))
    db.session.commit()


def visible_officer_ids(reader) -> list[int] | None:
    """Whose entries a reader may see: an admin all (None); a supervisor those of accounts whose
    every scope lies within the supervisor's own scope."""
    if reader.role == "admin":
        return None
    wards, provinces = set(reader.wards), set(reader.provinces)
    from ..rules.geography import ward_province
    ids = []
    for officer in db.session.scalars(select(Officer)).all():
        inside = officer.scopes and all(
            (s.kind == "ward" and (s.code in wards or ward_province(s.code) in provinces))
            or (s.kind == "province" and s.code in provinces) for s in officer.scopes)
        if inside or officer.id == reader.id:
            ids.append(officer.id)
    return ids


def entries_page(reader, *, username: str = "", action: str = "", page: int = 1, size: int = 50):
    stmt = select(AuditEntry)
    ids = visible_officer_ids(reader)
    if ids is not None:
        stmt = stmt.where(AuditEntry.officer_id.in_(ids))
    if username:
        stmt = stmt.where(AuditEntry.username == username.strip().lower())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    page = max(1, min(page, 10_000))
    rows = db.session.scalars(stmt.order_by(AuditEntry.id.desc()).offset((page - 1) * size).limit(size + 1)).all()
    return rows[:size], len(rows) > size
