"""Every read of the inbox goes through here, and every query here starts from the officer's scope.

`scoped(officer)` is the only way to get a SELECT on inbox rows in the police package; a row
outside the scope does not exist for that officer (404, not counted, not exported).

The reading functions take an optional `session`: the views pass the read replica's when the read
may be a little behind (accommnotify/replica.py, docs/REPLICA.md); without one they use the primary.
Writes (`acknowledge`) always run on the primary's `db.session`.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, func, literal, literal_column, or_, select

from ..crypto import keyring, normal_number, redact_search
from ..extensions import db
from ..intake.vocab import CATEGORIES, EVENTS
from ..models.inbox import InboxNotification as N
from ..rules.stay import EARLIEST_ARRIVAL
from ..rules.text import fold
from ..timeutil import UTC, VN_TZ, utcnow

PAGE_SIZE = 50
# The dates a filter accepts: the intake's earliest arrival, and an end far enough that a typing
# mistake ("9999-12-31") is refused instead of overflowing the day arithmetic (a 500 before).
EARLIEST_DATE = EARLIEST_ARRIVAL.date()
LATEST_DATE = date(2100, 12, 31)
_NUMBER = re.compile(r"[A-Za-z0-9]{5,20}")


def vn_today() -> date:
    return datetime.now(VN_TZ).date()


def vn_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ).astimezone(UTC)


def _on(session):
    """The given read session, or the primary's."""
    return db.session if session is None else session


def scope_clause(officer):
    """The officer's jurisdiction as a WHERE clause; no scope at all means no rows."""
    parts = []
    wards, provinces = officer.wards, officer.provinces
    if wards:
        parts.append(N.ward_code == wards[0] if len(wards) == 1 else N.ward_code.in_(wards))
    if provinces:
        parts.append(N.province_code == provinces[0] if len(provinces) == 1 else N.province_code.in_(provinces))
    if not parts:
        return false()
    return parts[0] if len(parts) == 1 else or_(*parts)


def scoped(officer, *columns):
    return select(*(columns or (N,))).where(scope_clause(officer))


def get_in_scope(officer, notification_id: str, session=None):
    if not isinstance(notification_id, str) or len(notification_id) > 32:
        return None
    return _on(session).scalar(scoped(officer).where(N.id == notification_id))


def amended_version(officer, row, session=None):
    """What an amendment changed: the latest earlier amendment of the same arrival in scope, else the
    arrival itself (`amends` names the arrival); None when it is not in this inbox. Two indexed
    reads: the arrival by id, then that facility's rows received between the arrival and this one."""
    if row.event != "amendment" or not row.amends:
        return None
    arrival = get_in_scope(officer, row.amends, session)
    if arrival is None:
        return None
    earlier = _on(session).scalar(
        scoped(officer).where(N.facility_code == row.facility_code, N.received_at >= arrival.received_at,
                              N.received_at <= row.received_at, N.amends == row.amends,
                              N.event == "amendment", N.id != row.id,
                              or_(N.received_at < row.received_at, N.id < row.id))
        .order_by(N.received_at.desc(), N.id.desc()).limit(1))
    return earlier or arrival


@dataclass(frozen=True)
class TakenBack:
    """What a cancellation takes back: the arrival (None when not in this inbox), and how many other
    people of the same stay this inbox still has registered (arrivals not cancelled)."""
    arrival: object
    others_registered: int


def taken_back(officer, row, session=None) -> TakenBack | None:
    """For a `cancellation`: one person removed from a stay (entered by mistake) or, with no one
    left, the whole stay. One indexed read of that facility's rows of the same stay and sender."""
    if row.event != "cancellation":
        return None
    same_stay = _on(session).scalars(scoped(officer).where(
        N.facility_code == row.facility_code, N.stay_id == row.stay_id, N.source == row.source,
        N.event.in_(("arrival", "cancellation")))).all()
    arrivals = {r.id: r for r in same_stay if r.event == "arrival"}
    cancelled = {r.amends for r in same_stay if r.event == "cancellation"}
    return TakenBack(arrivals.get(row.amends), len(set(arrivals) - cancelled - {row.amends}))


@dataclass
class Filters:
    """An inbox filter as the officer gave it (dates are Vietnam dates, inclusive)."""
    date_from: date | None = None
    date_to: date | None = None
    facility: str = ""
    category: str = ""
    event: str = ""
    late: bool = False
    unack: bool = False
    q: str = ""
    s: str = ""          # the session handle that `q` came from (what links carry instead of the text)
    errors: list = field(default_factory=list)
    out_of_range: list = field(default_factory=list)  # the names in `errors` that were dates outside the bounds
    # True when the dates are today's default, not the officer's: the form then shows empty date
    # fields, so a search typed into it looks across all dates (a pre-filled today would narrow it).
    dates_defaulted: bool = False

    @classmethod
    def from_args(cls, args, default_today: bool = True, *, q_from_args: bool = False) -> "Filters":
        """Parses filter values. The search text is never taken from a page URL: a handle `s` is
        resolved from the session (`searches`), and an unknown handle means no search. `q` itself is
        read only where `args` is a POST body (the search form, the export) or the token API
        (`q_from_args=True`); in an inbox URL it is ignored."""
        f = cls()
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    day = date.fromisoformat(raw)
                except ValueError:
                    f.errors.append(name)
                    continue
                if EARLIEST_DATE <= day <= LATEST_DATE:
                    setattr(f, name, day)
                else:
                    f.errors.append(name)
                    f.out_of_range.append(name)
        f.facility = (args.get("facility") or "").strip().upper()[:32]
        f.category = args.get("category") if args.get("category") in CATEGORIES else ""
        f.event = args.get("event") if args.get("event") in EVENTS else ""
        f.late = (args.get("late") or "") in ("1", "on", "true", "yes")
        f.unack = (args.get("unack") or "") in ("1", "on", "true", "yes")
        if q_from_args:
            f.q = _clean_q(args.get("q"))
        if not f.q and args.get("s"):
            from .searches import lookup
            f.q = _clean_q(lookup(args.get("s")))
            f.s = args.get("s") if f.q else ""
        # Today by default; a search looks across all dates unless dates are given.
        if default_today and not f.q and f.date_from is None and f.date_to is None:
            f.date_from = f.date_to = vn_today()
            f.dates_defaulted = True
        return f

    def search_kind(self) -> str:
        if not self.q:
            return ""
        compact = self.q.replace(" ", "")
        if _NUMBER.fullmatch(compact) and any(c.isdigit() for c in compact):
            return "number"
        return "name" if fold(self.q) else ""

    def as_args(self) -> dict:
        """The filter as query-string / hidden-field values (for links and the export form). The
        search is its session handle `s`, never the text."""
        out = {}
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        for name in ("facility", "category", "event", "s"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.late:
            out["late"] = "1"
        if self.unack:
            out["unack"] = "1"
        return out

    def for_audit(self) -> dict:
        """What the audit log keeps of the filter: all of it, including who was searched for (the
        point of an audit is to know who looked for whom) -- a name as typed, a number only as its
        blind index (crypto.redact_search: the log never holds a personal number)."""
        data = {k: v for k, v in asdict(self).items() if v not in ("", None, False, []) and k not in ("errors", "out_of_range", "s", "dates_defaulted")}
        for k in ("date_from", "date_to"):
            if k in data:
                data[k] = data[k].isoformat()
        if self.q:
            data["search"] = self.search_kind()
            data = redact_search(data, keyring())
        return data


def _clean_q(text) -> str:
    return " ".join((text or "").split())[:100]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filters(stmt, f: Filters):
    if f.date_from:
        stmt = stmt.where(N.received_at >= vn_day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(N.received_at < vn_day_start(f.date_to + timedelta(days=1)))
    if f.facility:
        stmt = stmt.where(N.facility_code == f.facility)
    if f.category:
        stmt = stmt.where(N.category == f.category)
    if f.event:
        stmt = stmt.where(N.event == f.event)
    if f.late:
        stmt = stmt.where(N.late.is_(True))
    if f.unack:
        stmt = stmt.where(N.acknowledged_at.is_(None))
    kind = f.search_kind()
    if kind == "number":
        # Exact match on the keyed blind index (the numbers themselves are encrypted); every
        # configured key's index, so rows not yet re-encrypted by `keys rotate` are still found.
        indexes = keyring().blind_indexes(normal_number(f.q))
        stmt = stmt.where(or_(N.id_number_bidx.in_(indexes), N.document_number_bidx.in_(indexes)))
    elif kind == "name":
        stmt = stmt.where(*name_match(f.q))
    return stmt


def name_match(text: str) -> list:
    """The WHERE clauses of a name search: the folded words, whole and in this order, somewhere in
    the folded name ("van an" finds "Nguyễn Văn An", not "Nguyễn Văn Anh"). The phrase test is the
    rule on both databases; PostgreSQL first narrows by its index of the name's words (migration
    0022). Only letters-only words go to that index: such a word between spaces in a name is always
    one of its index words, so the index never drops a name the phrase test would keep."""
    words = fold(text).split()
    spaced = literal(" ") + N.name_search + literal(" ")
    clauses = [spaced.like(f"% {_like_escape(' '.join(words))} %", escape="\\")]
    indexed = [w for w in words if w.isascii() and w.isalpha()]
    if indexed and db.engine.dialect.name == "postgresql":  # pragma: postgresql
        clauses.append(func.to_tsvector(literal_column("'simple'::regconfig"), N.name_search)
                       .op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), " & ".join(indexed))))
    return clauses


def newest_first(stmt):
    return stmt.order_by(N.received_at.desc(), N.id.desc())


def inbox_page(officer, f: Filters, page: int = 1, size: int = PAGE_SIZE, session=None):
    """(rows, has_next) for one page, newest first. No COUNT(*): a page costs one indexed read."""
    page = max(1, min(page, 10_000))
    session = _on(session)
    stmt = newest_first(apply_filters(scoped(officer), f))
    offset = (page - 1) * size
    need = offset + size + 1
    if (f.search_kind() == "name" and need <= MONTH_BY_MONTH_ROWS
            and session.get_bind().dialect.name == "postgresql"):  # pragma: postgresql
        rows = month_by_month(session, stmt, need)[offset:]
    else:
        rows = session.scalars(stmt.offset(offset).limit(size + 1)).all()
    return rows[:size], len(rows) > size


# A name search newest first, month by month (PostgreSQL). Each month's index of words costs a few
# ms however few of its rows are in scope, and a common name matches thousands of rows a year whose
# pages must all be read before sorting: a province's search cost ~300 ms as one query. The inbox is
# partitioned by the notification's month (docs/PARTITIONS.md), so a search bounded to one month of
# notification ids reads one partition; the newest months usually fill the page.
SEARCH_MONTHS = 15   # months searched one by one before the rest in one go (retention is ~13)
# Rows held in the process while reading: the first pages. A deep page (up to 10,000 × 50 rows in)
# is left to the database's own OFFSET instead of loading every row before it.
MONTH_BY_MONTH_ROWS = 2_000


def month_by_month(session, stmt, need: int) -> list:  # pragma: postgresql
    """The first `need` rows of `stmt` (ordered by received_at, id, newest first), exactly as the one
    query would give them, reading the newest months of notification ids first.

    Rows are ordered by when the police received them, partitions are by when the notification was
    made, and a notification can arrive months late (a receiver down). So after the months from
    `bound` up are read, one more query fetches the rows from before `bound` received since `bound`
    (a range of the scope's received_at index, late rows only): every row not read yet was then
    received before `bound`, and the rows read that were received since are final once there are
    `need` of them."""
    from ..ops.partitions import BY_NAME, add_months, first_of_month, month_start_utc
    inbox = BY_NAME[N.__tablename__]
    found: dict = {}

    def read(*where):
        for row in session.scalars(stmt.where(*where).limit(need)):
            found.setdefault(row.id, row)

    month = first_of_month(utcnow())
    upper = None
    for _ in range(SEARCH_MONTHS):
        bound = inbox.bound(month)
        read(N.notification_id >= bound, *([N.notification_id < upper] if upper else []))
        if len(found) >= need:
            since = month_start_utc(month)
            read(N.notification_id < bound, N.received_at >= since)
            if sum(1 for r in found.values() if r.received_at >= since) >= need:
                break
        month, upper = add_months(month, -1), bound
    else:
        read(N.notification_id < upper)
    return sorted(found.values(), key=lambda r: (r.received_at, r.id), reverse=True)[:need]


def export_rows(officer, f: Filters, limit: int, session=None):
    stmt = newest_first(apply_filters(scoped(officer), f)).limit(limit)
    return _on(session).scalars(stmt).all()


def acknowledge(officer, ids: list[str]) -> int:
    """Acknowledges the given notifications that are in scope and not yet acknowledged."""
    ids = [i for i in ids if isinstance(i, str) and 0 < len(i) <= 32][:500]
    if not ids:
        return 0
    from sqlalchemy import update
    result = db.session.execute(
        update(N).where(scope_clause(officer), N.id.in_(ids), N.acknowledged_at.is_(None))
        .values(acknowledged_at=utcnow(), acknowledged_by=officer.username)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


_FACILITY_CACHE: dict = {}
FACILITY_CACHE_SECONDS = 300
FACILITY_SELECT_MAX = 300


def facilities_in_scope(officer, session=None) -> list[tuple[str, str]]:
    """(code, name) of every facility that has sent anything into the officer's scope.

    For the filter's drop-down only: a GROUP BY over all of a scope's rows costs tens of ms at a
    million rows, so the list is kept per scope for a few minutes in the process (codes and names of
    facilities, no personal data). Results are never taken from it: every query applies the scope.
    """
    import time as _time
    from flask import current_app
    ttl = float(current_app.config.get("POLICE_FACILITY_CACHE_SECONDS", FACILITY_CACHE_SECONDS))
    key = (str(db.engine.url), tuple(sorted(officer.wards)), tuple(sorted(officer.provinces)))
    hit = _FACILITY_CACHE.get(key)
    if ttl > 0 and hit is not None and hit[0] > _time.monotonic():
        return hit[1]
    rows = _on(session).execute(
        scoped(officer, N.facility_code, func.max(N.facility_name)).group_by(N.facility_code)
        .order_by(N.facility_code)).all()
    value = [(r[0], r[1]) for r in rows]
    if len(_FACILITY_CACHE) > 1000:
        _FACILITY_CACHE.clear()
    _FACILITY_CACHE[key] = (_time.monotonic() + ttl, value)
    return value


def facility_choices(officer, session=None) -> list[tuple[str, str]] | None:
    """The facility filter's drop-down, or None when the scope has more facilities than a page
    should list (a province has thousands: the officer types the code instead)."""
    from flask import current_app
    facilities = facilities_in_scope(officer, session)
    limit = int(current_app.config.get("POLICE_FACILITY_SELECT_MAX", FACILITY_SELECT_MAX))
    return facilities if len(facilities) <= limit else None


# --- compliance -------------------------------------------------------------------------------

def _vn_date_expr():
    if db.engine.dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", N.received_at))
    return func.date(N.received_at, literal_column("'+7 hours'"))


def counts_per_facility_day(officer, date_from: date, date_to: date, session=None):
    """{facility_code: {"name": …, "days": {date: count}, "total": n}} for received notifications."""
    day = _vn_date_expr().label("day")
    stmt = (scoped(officer, N.facility_code, func.max(N.facility_name), day, func.count())
            .where(N.received_at >= vn_day_start(date_from),
                   N.received_at < vn_day_start(date_to + timedelta(days=1)))
            .group_by(N.facility_code, day).order_by(N.facility_code))
    out: dict = {}
    for code, name, d, count in _on(session).execute(stmt).all():
        d = d if isinstance(d, date) else date.fromisoformat(str(d))
        entry = out.setdefault(code, {"name": name, "days": {}, "total": 0})
        entry["days"][d] = count
        entry["total"] += count
    return out


def silent_facilities(officer, days: int, session=None):
    """Facilities known in scope whose last notification came more than `days` days ago."""
    cutoff = utcnow() - timedelta(days=days)
    last = func.max(N.received_at)
    stmt = (scoped(officer, N.facility_code, func.max(N.facility_name), func.max(N.ward_code), last)
            .group_by(N.facility_code).having(last < cutoff).order_by(last))
    return _on(session).execute(stmt).all()


def late_page(officer, date_from: date, date_to: date, page: int = 1, size: int = PAGE_SIZE, session=None):
    f = Filters(date_from=date_from, date_to=date_to, late=True)
    return inbox_page(officer, f, page, size, session)


def lateness(row) -> timedelta | None:
    if row.received_at is None or row.deadline_at is None:
        return None
    delta = row.received_at - row.deadline_at
    return delta if delta > timedelta(0) else timedelta(0)


# --- API cursor pagination --------------------------------------------------------------------

def api_page(officer, f: Filters, after: tuple[datetime, str] | None, limit: int, settle_seconds: int = 0,
             session=None):
    """Oldest first by (received_at, id) after the cursor: a police system polls for what is new.

    Rows received in the last `settle_seconds` are held back: a transaction that stamped an earlier
    received_at but committed later would otherwise fall behind a cursor already given out.
    """
    stmt = apply_filters(scoped(officer), f)
    if settle_seconds > 0:
        stmt = stmt.where(N.received_at <= utcnow() - timedelta(seconds=settle_seconds))
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(N.received_at > at, and_(N.received_at == at, N.id > last_id)))
    stmt = stmt.order_by(N.received_at.asc(), N.id.asc()).limit(limit + 1)
    rows = _on(session).scalars(stmt).all()
    return rows[:limit], len(rows) > limit
