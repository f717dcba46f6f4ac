"""The intake service: every write stores a stay, its guests and notifications in one transaction.

Views (API, facility pages, file import) call these functions and never touch tables themselves.
"""
from dataclasses import dataclass

from sqlalchemy import ARRAY, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from ..database import read_only
from ..extensions import db
from ..rules.issues import Issue
from ..timeutil import utcnow
from ..webhooks import events as webhook_events
from . import fastwrite, views
from .errors import Conflict, IntakeError, InvalidInput
from .prepare import load, prepare_stay, request_hash
from .rows import rows_for_new_stay
from .schemas import MAX_BULK, BulkSchema

STAYS, GUESTS, NOTIFICATIONS = views.STAYS, views.GUESTS, views.NOTIFICATIONS
_BULK_SCHEMA = BulkSchema()


@dataclass
class Created:
    stay: dict
    replayed: bool = False


# Built once and compiled once. The dialect-specific ON CONFLICT constructs are not cacheable in
# SQLAlchemy and were compiled on every request; this SQL is the same on SQLite and PostgreSQL.
_INSERT_STAY_IF_NEW = text(
    f"INSERT INTO stays ({', '.join(c.name for c in STAYS.c)}) "
    f"VALUES ({', '.join(':' + c.name for c in STAYS.c)}) "
    "ON CONFLICT (facility_id, external_ref) DO NOTHING RETURNING id"
).bindparams(*(bindparam(c.name, type_=c.type) for c in STAYS.c))
_INSERT_GUESTS = insert(GUESTS)
_INSERT_NOTIFICATIONS = insert(NOTIFICATIONS)


def _insert_stay_ignoring_duplicate(connection, row: dict):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: a duplicate ref costs no exception or rollback."""
    return connection.execute(_INSERT_STAY_IF_NEW, row).scalar()


# PostgreSQL: one unique-index probe per ref, whatever the planner believes. With `IN (…500 refs)`
# a table that was never analyzed (autovacuum off) was read whole on every bulk request, and the
# cost grew with the table: 100 ms per request at 30,000 stays.
_EXISTING_BY_PROBES = text(
    f"SELECT {', '.join('s.' + c.name for c in STAYS.c)} FROM unnest(:refs) AS r(ref) CROSS JOIN LATERAL "
    "(SELECT * FROM stays WHERE facility_id = :facility_id AND external_ref = r.ref LIMIT 1) AS s"
).bindparams(bindparam("refs", type_=ARRAY(STAYS.c.external_ref.type))).columns(*STAYS.c)


def _existing(facility, external_refs):
    refs = list(external_refs)
    if db.engine.dialect.name == "postgresql":
        stmt = _EXISTING_BY_PROBES.bindparams(refs=refs, facility_id=facility.id)
    else:
        stmt = select(STAYS).where(STAYS.c.facility_id == facility.id, STAYS.c.external_ref.in_(refs))
    rows = db.session.execute(stmt).mappings().all()
    return {r["external_ref"]: r for r in rows}


def _conflict_issue() -> Issue:
    return Issue("external_ref", "external_ref.conflict")


def create_stay(facility, payload, *, source: str = "api", now=None) -> Created:
    now = now or utcnow()
    data, warnings = prepare_stay(payload, now, facility)
    digest = request_hash(data)
    stay, guests, notes = rows_for_new_stay(facility, data, warnings, digest, now, source)
    engine = db.engine
    # A stay entered on the form (not by the API caller, who knows already) is a `stay.created` webhook
    # event, written in the stay's own transaction: such stays take the plain path at the end.
    announce = source in webhook_events.STAY_CREATED_SOURCES
    if (not announce and engine.dialect.name == "postgresql" and fastwrite.supported(engine)
            and not db.session().in_transaction()):
        # Nothing open in this request: a pooled connection of our own skips the ORM session's
        # bookkeeping, and one autocommitted statement writes the whole stay. PostgreSQL only: on SQLite the
        # session may hold the write lock, and a second connection would wait for it forever.
        with engine.connect() as connection:
            try:
                fastwrite.write_new_stay_autocommit(connection, stay, guests, notes)
            except fastwrite.StayExists as exc:
                return _replay_or_conflict(facility, data, digest, cause=exc)
        return Created(_view_from_rows(facility, stay, guests, notes))
    # The session's own connection: a page may already hold a transaction (on SQLite, the write
    # lock) in this thread, and a second connection would wait for it forever.
    connection = db.session.connection()
    if fastwrite.supported(connection) and not announce:
        # Anything the session still holds goes first, so one COMMIT (maybe the pipeline's) covers it.
        db.session.flush()
        try:
            fastwrite.write_new_stay(connection, stay, guests, notes)
        except fastwrite.StayExists as exc:
            db.session.rollback()  # nothing was written; read the stored stay in a fresh transaction
            return _replay_or_conflict(facility, data, digest, cause=exc)
        db.session.commit()  # after a PostgreSQL pipeline commit, the driver sends nothing more
        return Created(_view_from_rows(facility, stay, guests, notes))
    if _insert_stay_ignoring_duplicate(connection, stay) is not None:
        connection.execute(_INSERT_GUESTS, guests)
        connection.execute(_INSERT_NOTIFICATIONS, notes)
        if announce:
            webhook_events.enqueue_stays_created(connection, facility, [stay], notes, now)
        db.session.commit()
        return Created(_view_from_rows(facility, stay, guests, notes))
    return _replay_or_conflict(facility, data, digest)


def _replay_or_conflict(facility, data, digest, cause=None) -> Created:
    existing = _existing(facility, [data["external_ref"]]).get(data["external_ref"])
    if existing is None:  # not a taken ref after all (or it was rolled back meanwhile)
        db.session.rollback()
        raise RuntimeError(f"stay {data['external_ref']!r} was neither stored nor found") from cause
    if existing["request_hash"] != digest:
        db.session.rollback()
        raise Conflict("A stay with this external_ref exists with different content.", [_conflict_issue()])
    view = views.load_stay_views([existing], facility.code)[0]
    db.session.rollback()
    return Created(view, replayed=True)


def _view_from_rows(facility, stay, guests, notes) -> dict:
    by_guest = {}
    for n in notes:
        by_guest.setdefault(n["guest_id"], []).append(n)
    return views.stay_view(stay, facility.code, guests, by_guest)


def create_stays_bulk(facility, payload, *, source: str = "api", now=None) -> list[dict]:
    """Each stay is checked on its own; the valid ones are stored together in one transaction."""
    now = now or utcnow()
    items = load(_BULK_SCHEMA, payload)["stays"]  # at most MAX_BULK, counted before the items
    for attempt in (1, 2):
        try:
            # First pass: taken refs are looked up before the write transaction (on SQLite, before the
            # write lock), so other writers wait only for the INSERTs. A ref stored in between fails the
            # INSERT; the second pass then looks up and writes in one transaction.
            return _bulk_once(facility, items, source, now, lookup_first=attempt == 1)
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise


def _bulk_once(facility, items, source, now, lookup_first: bool) -> list[dict]:
    results: list[dict | None] = [None] * len(items)
    prepared = {}  # index -> (data, warnings, digest)
    for index, item in enumerate(items):
        try:
            data, warnings = prepare_stay(item, now, facility)
        except IntakeError as exc:
            results[index] = {"index": index, "status": "invalid", "issues": exc.issues}
            continue
        prepared[index] = (data, warnings, request_hash(data))

    existing = {}
    if prepared:
        refs = {d["external_ref"] for d, _, _ in prepared.values()}
        if lookup_first and not db.session().in_transaction():
            with read_only():
                existing = _existing(facility, refs)
            db.session.rollback()  # ends the read; the write below begins its own transaction
        else:
            existing = _existing(facility, refs)
    first_in_request: dict[str, tuple[int, str]] = {}
    new_stays, new_guests, new_notes, created_views = [], [], [], {}
    duplicates: dict[int, dict] = {}
    for index, (data, warnings, digest) in prepared.items():
        ref = data["external_ref"]
        if ref in existing:
            if existing[ref]["request_hash"] == digest:
                duplicates[index] = existing[ref]
            else:
                results[index] = {"index": index, "status": "invalid", "issues": [_conflict_issue()]}
            continue
        if ref in first_in_request:
            first_index, first_digest = first_in_request[ref]
            if first_digest == digest:
                results[index] = {"index": index, "status": "duplicate", "same_as": first_index}
            else:
                results[index] = {"index": index, "status": "invalid", "issues": [_conflict_issue()]}
            continue
        first_in_request[ref] = (index, digest)
        stay, guests, notes = rows_for_new_stay(facility, data, warnings, digest, now, source)
        new_stays.append(stay)
        new_guests.extend(guests)
        new_notes.extend(notes)
        created_views[index] = (stay, guests, notes)
        results[index] = {"index": index, "status": "created"}

    if new_stays:
        connection = db.session.connection()
        if fastwrite.supported(connection):
            fastwrite.write_new_stays(connection, new_stays, new_guests, new_notes)
        else:
            connection.execute(insert(STAYS), new_stays)
            connection.execute(_INSERT_GUESTS, new_guests)
            connection.execute(_INSERT_NOTIFICATIONS, new_notes)
        if source in webhook_events.STAY_CREATED_SOURCES:
            webhook_events.enqueue_stays_created(connection, facility, new_stays, new_notes, now)
    db.session.commit()

    duplicate_views = dict(zip(duplicates, views.load_stay_views(duplicates.values(), facility.code)))
    for index, (stay, guests, notes) in created_views.items():
        results[index]["stay"] = _view_from_rows(facility, stay, guests, notes)
    for index, view in duplicate_views.items():
        results[index] = {"index": index, "status": "duplicate", "stay": view}
    for result in results:
        if result.get("same_as") is not None:
            result["stay"] = results[result.pop("same_as")]["stay"]
    return results


# ---- reading -------------------------------------------------------------------------------

def stored_before(facility, payloads, *, now=None) -> list[str]:
    """What create_stays_bulk would do with each stay, without storing anything: "new", "duplicate"
    (the same stay was stored before under its ref: it would be replayed), "conflict" (the ref is
    taken by a different stay) or "invalid". The same comparison as the bulk write (request_hash)."""
    now = now or utcnow()
    digests: list[tuple[str, str] | None] = []
    for payload in payloads:
        try:
            data, _warnings = prepare_stay(payload, now, facility)
        except IntakeError:
            digests.append(None)
        else:
            digests.append((data["external_ref"], request_hash(data)))
    refs = {d[0] for d in digests if d}
    existing = _existing(facility, refs) if refs else {}
    out = []
    for d in digests:
        if d is None:
            out.append("invalid")
        elif d[0] not in existing:
            out.append("new")
        else:
            out.append("duplicate" if existing[d[0]]["request_hash"] == d[1] else "conflict")
    return out


def get_stay(facility, stay_id: str) -> dict:
    view = views.load_stay_views([views.stay_row(facility, stay_id)], facility.code)[0]
    db.session.rollback()
    return view


def list_stays(facility, *, status=None, arrived_from=None, arrived_to=None, cursor=None, limit=50):
    """Newest first; the cursor is the id of the last stay of the previous page."""
    stmt = select(STAYS).where(STAYS.c.facility_id == facility.id)
    if status:
        stmt = stmt.where(STAYS.c.status == status)
    if arrived_from:
        stmt = stmt.where(STAYS.c.arrived_at >= arrived_from)
    if arrived_to:
        stmt = stmt.where(STAYS.c.arrived_at < arrived_to)
    if cursor:
        stmt = stmt.where(STAYS.c.id < cursor)
    rows = db.session.execute(stmt.order_by(STAYS.c.id.desc()).limit(limit + 1)).mappings().all()
    page = rows[:limit]
    result = views.load_stay_views(page, facility.code)
    db.session.rollback()
    return result, (page[-1]["id"] if len(rows) > limit else None)


def list_notifications(facility, *, status=None, cursor=None, limit=50, actionable=False):
    """What needs the facility's attention, newest first. ``actionable``: only what a correction can
    still fix (the pages' "needs a correction" lists): not a cancelled stay's, nor a removed guest's
    (entered by mistake: their cancellation went to the police instead). The API lists everything."""
    stmt = (select(NOTIFICATIONS, STAYS.c.external_ref, GUESTS.c.full_name)
            .join(STAYS, STAYS.c.id == NOTIFICATIONS.c.stay_id)
            .join(GUESTS, GUESTS.c.id == NOTIFICATIONS.c.guest_id)
            .where(NOTIFICATIONS.c.facility_id == facility.id))
    if actionable:
        stmt = stmt.where(STAYS.c.status != "cancelled", GUESTS.c.removed_at.is_(None))
    if status:
        stmt = stmt.where(NOTIFICATIONS.c.status == status)
    if cursor:
        stmt = stmt.where(NOTIFICATIONS.c.id < cursor)
    rows = db.session.execute(stmt.order_by(NOTIFICATIONS.c.id.desc()).limit(limit + 1)).mappings().all()
    page = rows[:limit]
    items = []
    for row in page:
        item = views.notification_view(row)
        item.update(stay_id=row["stay_id"], guest_id=row["guest_id"], external_ref=row["external_ref"],
                    full_name=row["full_name"])
        items.append(item)
    db.session.rollback()
    return items, (page[-1]["id"] if len(rows) > limit else None)
