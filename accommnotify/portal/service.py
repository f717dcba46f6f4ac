"""Portal files as the facility sees them: list, read, download, confirm the count the portal showed.

Confirming with the file's row count is the only way a vn_portal notification becomes
``accepted`` (receipt ``portal:<file id>:<row>``, ``late`` when confirmed after its deadline).
Any other count marks the file ``mismatch`` and leaves its notifications ``awaiting_upload``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, or_, select, update

from ..extensions import db
from ..intake.errors import Conflict, NotFound
from ..models import Facility, Notification, PortalFile, PortalFileRow
from ..receivers.vn_portal import CONTENT_TYPES
from ..rules.issues import Issue
from ..rules.messages import message
from ..timeutil import utcnow, vn_iso
from ..webhooks import events as webhook_events

PF, PFR, N = PortalFile.__table__, PortalFileRow.__table__, Notification.__table__
BANNER_WINDOW = timedelta(hours=2)


def file_view(f, rows=None) -> dict:
    out = {"id": f.id, "kind": f.kind, "format": f.format, "filename": f.filename, "status": f.status,
           "row_count": f.row_count, "records_shown": f.records_shown, "sha256": f.sha256, "size": f.size,
           "created_at": vn_iso(f.created_at), "earliest_deadline": vn_iso(f.earliest_deadline),
           "confirmed_at": vn_iso(f.confirmed_at), "content_url": f"/api/v1/portal-files/{f.id}/content"}
    if rows is not None:
        out["rows"] = [{"row": r.row, "notification_id": r.notification_id, "status": r.status} for r in rows]
    return out


def list_files(facility_id: int, status: str | None = None, limit: int = 50):
    stmt = select(PF).where(PF.c.facility_id == facility_id)
    if status:
        stmt = stmt.where(PF.c.status == status)
    rows = db.session.execute(stmt.order_by(PF.c.created_at.desc(), PF.c.id.desc()).limit(limit)).all()
    db.session.rollback()
    return rows


def waiting_files(facility_id: int, limit: int = 100):
    """Files not confirmed yet, the most urgent first (at most ``limit``)."""
    rows = db.session.execute(select(PF).where(PF.c.facility_id == facility_id, PF.c.status != "confirmed")
                              .order_by(PF.c.earliest_deadline, PF.c.created_at).limit(limit)).all()
    db.session.rollback()
    return rows


def banner_file(facility_id: int, now=None):
    """The waiting file whose earliest deadline is within two hours (or past), if any."""
    now = now or utcnow()
    for f in waiting_files(facility_id):
        if f.earliest_deadline is not None and f.earliest_deadline <= now + BANNER_WINDOW:
            return f
    return None


def get_file(facility_id: int, file_id: str):
    """The file of this facility, or NotFound (another facility's file is a 404 too)."""
    row = db.session.execute(select(PF).where(PF.c.id == file_id, PF.c.facility_id == facility_id)).first()
    if row is None:
        db.session.rollback()
        raise NotFound("No such portal file.")
    return row


def file_rows(file_id: str):
    rows = db.session.execute(select(PFR.c.row, PFR.c.notification_id, N.c.status)
                              .join(N, N.c.id == PFR.c.notification_id)
                              .where(PFR.c.file_id == file_id).order_by(PFR.c.row)).all()
    db.session.rollback()
    return rows


def content(f) -> tuple[bytes, str]:
    """The file's bytes (checked against the recorded SHA-256) and its content type."""
    import hashlib
    try:
        with open(f.path, "rb") as fh:
            data = fh.read()
    except OSError:
        raise NotFound("The file is not on this server (see the operator).")
    if hashlib.sha256(data).hexdigest() != f.sha256:
        raise Conflict("The file on disk is not the one that was written; ask the operator.",
                       [Issue("portal_file", "portal_file.changed")])
    return data, CONTENT_TYPES.get(f.format, "application/octet-stream")


@dataclass
class ConfirmResult:
    result: str       # confirmed | mismatch
    message: str
    file: object


def confirm(facility_id: int, file_id: str, records_shown: int, lang: str = "vi", now=None) -> ConfirmResult:
    now = now or utcnow()
    f = get_file(facility_id, file_id)
    if f.status == "confirmed":
        db.session.rollback()
        if records_shown == f.row_count:
            return ConfirmResult("confirmed", message("portal_file.already_confirmed", lang, expected=f.row_count), f)
        raise Conflict(message("portal_file.already_confirmed", lang, expected=f.row_count),
                       [Issue("records_shown", "portal_file.already_confirmed", {"expected": f.row_count})])
    if records_shown != f.row_count:
        changed = db.session.execute(update(PF).where(PF.c.id == file_id, PF.c.status != "confirmed")
                                     .values(status="mismatch", records_shown=records_shown, updated_at=now)).rowcount
        if changed:  # the facility's software hears of it in this transaction
            webhook_events.enqueue_portal_file(db.session.connection(), facility_id, "portal_file.mismatch",
                                               _webhook_data(f, "mismatch", records_shown), now)
        db.session.commit()
        text = message("portal_file.mismatch", lang, shown=records_shown, expected=f.row_count)
        return ConfirmResult("mismatch", text, get_file(facility_id, file_id))
    rows = db.session.execute(select(PFR.c.row, PFR.c.notification_id).where(PFR.c.file_id == file_id)).all()
    changed = db.session.execute(update(PF).where(PF.c.id == file_id, PF.c.status != "confirmed").values(
        status="confirmed", records_shown=records_shown, confirmed_at=now, updated_at=now)).rowcount
    if changed:
        stmt = (update(N).where(N.c.id == bindparam("nid"), N.c.status == "awaiting_upload")
                .values(status="accepted", receipt=bindparam("receipt"), delivered_at=now, updated_at=now,
                        late=or_(N.c.late, N.c.deadline_at < now)))
        db.session.execute(stmt, [{"nid": r.notification_id, "receipt": f"portal:{file_id}:{r.row}"} for r in rows])
        webhook_events.enqueue_notifications(
            db.session.connection(),
            and_(N.c.id.in_(select(PFR.c.notification_id).where(PFR.c.file_id == file_id)),
                 N.c.delivered_at == now), now)
    db.session.commit()
    return ConfirmResult("confirmed", "", get_file(facility_id, file_id))


def _webhook_data(f, status: str, records_shown) -> dict:
    code = db.session.execute(select(Facility.__table__.c.code).where(Facility.__table__.c.id == f.facility_id)).scalar()
    return webhook_events.portal_file_data(file_id=f.id, facility_code=code, kind=f.kind, format=f.format,
                                           status=status, row_count=f.row_count,
                                           earliest_deadline=f.earliest_deadline, records_shown=records_shown)


def facility_files(code: str | None = None):
    """For the CLI: (facility code, file) of every facility or one, newest first."""
    stmt = select(Facility.__table__.c.code, PF).join(Facility.__table__, Facility.__table__.c.id == PF.c.facility_id)
    if code:
        stmt = stmt.where(Facility.__table__.c.code == code)
    rows = db.session.execute(stmt.order_by(PF.c.created_at.desc())).all()
    db.session.rollback()
    return rows


def cancelled_after_file(facility_id: int, limit: int = 20):
    """Guests whose stay was cancelled after their arrival went into a portal file: staff remove them
    on the portal if they uploaded that file. (guest name, file name, cancelled at), newest first."""
    from ..models import Guest
    G = Guest.__table__
    arrival = N.alias("arrival")
    rows = db.session.execute(
        select(G.c.full_name, PF.c.filename, N.c.created_at)
        .select_from(N)
        .join(arrival, arrival.c.id == N.c.amends)
        .join(PFR, PFR.c.notification_id == arrival.c.id)
        .join(PF, PF.c.id == PFR.c.file_id)
        .join(G, G.c.id == N.c.guest_id)
        .where(N.c.facility_id == facility_id, N.c.event == "cancellation")
        .order_by(N.c.created_at.desc()).limit(limit)).all()
    db.session.rollback()
    return rows
