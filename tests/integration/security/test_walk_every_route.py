"""The security walk of issue 10, as a test: every route of the app's URL map, every method, hostile inputs.

For each route the right kind of user (a facility's staff and its API key, a ward officer's session and
token, a signed sender) and a stranger (logged out) send NUL bytes, lone surrogates (raw bytes and JSON
escapes), over-long strings, huge and negative numbers, dates of year 1 and 9999 with ±14:00 offsets,
bodies that are not objects, nested 10,000 deep, duplicate keys, arrays where text is expected, the
wrong content type, empty bodies, bad cursors, bad ids in paths, and broken uploads. Asserted:

* no answer is a 5xx;
* no answer to tenant A shows tenant B's data (another facility's guests, a ward outside the officer's);
* each object route answers 404 to another tenant's id (another facility's stay or portal file, a
  notification outside the officer's ward).

The routes come from the URL map: a route added later without an entry in WALK fails
`test_every_route_has_a_walk_entry`, so it is walked from the day it exists.
Re-run: `.venv/bin/python -m pytest -q tests/integration/security/test_walk_every_route.py`.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

import accommnotify
from accommnotify.extensions import db
from accommnotify.facility.forms import GUEST_FIELDS, STAY_FIELDS
from tests import factories
from tests.conftest import make_app
from tests.integration.facility.conftest import login as facility_login
from tests.integration.facility.conftest import make_user
from tests.integration.facility.test_import import csv_bytes, good_rows, xlsx_bytes
from tests.integration.police.helpers import FAST_HASH, WARD_A, WARD_HN, add_notification, add_officer, login
from tests.integration.police.wire_samples import SECRET_A, batch, signed, wire_notification

# -- what is walked ------------------------------------------------------------------------------
# The surfaces, by who uses them: each decides the client, its credentials and the kind of body.
PUBLIC, FACILITY_PAGE, FACILITY_API, POLICE_PAGE, POLICE_API, RECEIVING = (
    "public", "facility page", "facility API", "police page", "police API", "receiving")


@dataclass(frozen=True)
class Walk:
    surface: str
    body: str = "form"            # form | json | upload | wire | none (how a write of this route is sent)
    base: dict | None = None      # for json: a valid body whose every value is replaced in turn
    # path argument -> key of World.ids: the value of tenant A, and which key is tenant B's (404 expected)
    ids: dict = field(default_factory=dict)
    args: dict = field(default_factory=dict)   # other path arguments: a value that exists


STAY = {"stay_id": "stay"}
WEBHOOK = {"webhook_id": "webhook"}
PORTAL_FILE = {"file_id": "portal_file"}
NOTIFICATION = {"notification_id": "notification"}
ROOM = {"room_id": "room"}
TERM = {"term_id": "term"}
CHECKIN_ENTRY = {"entry_id": "checkin"}
WALK_CHECKIN_TOKEN = "b-" + "Walk" * 8     # a per-booking link of facility A (World makes it)
WALK_DISPLAY_ARGS = {"token": "made-by-World"}  # facility A's reception display token (World fills it in)

WALK: dict[str, Walk] = {
    "landing.index": Walk(PUBLIC),
    "static": Walk(PUBLIC, args={"filename": "landing.css"}),
    "police.static": Walk(PUBLIC, args={"filename": "police.css"}),
    "i18n.switch_language": Walk(PUBLIC, args={"code": "en"}),
    "health.healthz": Walk(PUBLIC),
    "health.readyz": Walk(PUBLIC),
    "metrics.metrics": Walk(PUBLIC),
    # facility pages
    "facility.login": Walk(PUBLIC),   # a logout ends every session of the user (revocable sessions)
    "facility.logout": Walk(PUBLIC),   # a logout ends every session of the user (revocable sessions)
    "facility.index": Walk(FACILITY_PAGE),
    "facility.history": Walk(FACILITY_PAGE),
    "facility.new_stay": Walk(FACILITY_PAGE),
    "facility.create_stay": Walk(FACILITY_PAGE),
    # hospitals only (a 404 for the walker's hotel; tests/integration/facility/test_admission.py walks them
    # as a hospital with hostile values)
    "facility.new_admission": Walk(FACILITY_PAGE),
    "facility.create_admission": Walk(FACILITY_PAGE),
    "facility.stay_detail": Walk(FACILITY_PAGE, ids=STAY),
    "facility.cancel_stay": Walk(FACILITY_PAGE, ids=STAY),
    "facility.correct_stay": Walk(FACILITY_PAGE, ids=STAY),
    "facility.departure": Walk(FACILITY_PAGE, ids=STAY),
    "facility.undo_departure": Walk(FACILITY_PAGE, ids=STAY),
    "facility.scan": Walk(FACILITY_PAGE, body="json", base={"text": "IDVNM0901000001001090100000<<1"}),
    "facility.import_form": Walk(FACILITY_PAGE),
    "facility.import_preview": Walk(FACILITY_PAGE, body="upload"),
    "facility.import_confirm": Walk(FACILITY_PAGE),
    "facility.import_template": Walk(FACILITY_PAGE, args={"ext": "xlsx"}),
    "facility.portal_files": Walk(FACILITY_PAGE),
    "facility.portal_download": Walk(FACILITY_PAGE, ids=PORTAL_FILE),
    "facility.portal_confirm": Walk(FACILITY_PAGE, ids=PORTAL_FILE),
    "facility.proofs": Walk(FACILITY_PAGE),
    "facility.proof_pdf": Walk(FACILITY_PAGE),
    "facility.reminders": Walk(FACILITY_PAGE),
    "facility.switch_facility": Walk(FACILITY_PAGE),
    "facility.all_in_house": Walk(FACILITY_PAGE),
    "facility.rooms_page": Walk(FACILITY_PAGE),
    "facility.add_rooms": Walk(FACILITY_PAGE),
    "facility.edit_room": Walk(FACILITY_PAGE, ids=ROOM),
    "facility.retire_room": Walk(FACILITY_PAGE, ids=ROOM),
    "facility.restore_room": Walk(FACILITY_PAGE, ids=ROOM),
    # dormitories (docs/DORMITORIES.md)
    "facility.terms_page": Walk(FACILITY_PAGE),
    "facility.create_term": Walk(FACILITY_PAGE),
    "facility.term_detail": Walk(FACILITY_PAGE, ids=TERM),
    "facility.term_import_preview": Walk(FACILITY_PAGE, body="upload", ids=TERM),
    "facility.term_import_confirm": Walk(FACILITY_PAGE, ids=TERM),
    "facility.term_returning": Walk(FACILITY_PAGE, ids=TERM),
    "facility.long_stays": Walk(FACILITY_PAGE),
    "facility.checkins": Walk(FACILITY_PAGE),
    "facility.checkin_qr": Walk(FACILITY_PAGE),
    "facility.create_checkin_link": Walk(FACILITY_PAGE),
    "facility.confirm_checkin": Walk(FACILITY_PAGE, ids=CHECKIN_ENTRY),
    "facility.reject_checkin": Walk(FACILITY_PAGE, ids=CHECKIN_ENTRY),
    "facility.stop_checkin_displays": Walk(FACILITY_PAGE),
    # guest self check-in (public: the token is the only key)
    "checkin.form": Walk(PUBLIC, args={"token": WALK_CHECKIN_TOKEN}),
    "checkin.submit": Walk(PUBLIC, args={"token": WALK_CHECKIN_TOKEN}),
    "checkin.sent": Walk(PUBLIC),
    # the reception display (public: a signed token of the facility and its display generation)
    "checkin_display.show": Walk(PUBLIC, args=WALK_DISPLAY_ARGS),
    # facility API
    "api.docs": Walk(FACILITY_API),
    "api.openapi_json": Walk(FACILITY_API),
    "api.list_stays": Walk(FACILITY_API),
    "api.create_stay": Walk(FACILITY_API, body="json", base="stay"),
    "api.create_stays_bulk": Walk(FACILITY_API, body="json", base="bulk"),
    "api.get_stay": Walk(FACILITY_API, ids=STAY),
    "api.amend_stay": Walk(FACILITY_API, body="json", base="amend", ids=STAY),
    "api.cancel_stay": Walk(FACILITY_API, body="json", base={"reason": "nhầm phòng"}, ids=STAY),
    "api.record_departure": Walk(FACILITY_API, body="json", base="departure", ids=STAY),
    "api.list_notifications": Walk(FACILITY_API),
    "api.list_long_stays": Walk(FACILITY_API),
    "api.list_portal_files": Walk(FACILITY_API),
    "api.get_portal_file": Walk(FACILITY_API, ids=PORTAL_FILE),
    "api.portal_file_content": Walk(FACILITY_API, ids=PORTAL_FILE),
    "api.confirm_portal_file": Walk(FACILITY_API, body="json", base={"records_shown": 1}, ids=PORTAL_FILE),
    "api.daily_proof": Walk(FACILITY_API, args={"day": "2026-11-26"}),
    "api.create_webhook": Walk(FACILITY_API, body="json",
                               base={"url": "https://pms.example.com/hooks", "events": ["notification.rejected"]}),
    "api.list_webhooks": Walk(FACILITY_API),
    "api.create_checkin_link": Walk(FACILITY_API, body="json", base={"booking_ref": "BK-1"}),
    "api.get_webhook": Walk(FACILITY_API, ids=WEBHOOK),
    "api.delete_webhook": Walk(FACILITY_API, ids=WEBHOOK),
    "api.list_rooms": Walk(FACILITY_API),
    "api.create_room": Walk(FACILITY_API, body="json", base={"name": "501", "section": "Tầng 5", "capacity": 2}),
    "api.update_room": Walk(FACILITY_API, body="json", ids=ROOM,
                            base={"name": "101", "section": "Tầng 1", "capacity": 2, "retired": False}),
    # police pages
    "police.login": Walk(PUBLIC),   # a logout ends every session of the user (revocable sessions)
    "police.logout": Walk(PUBLIC),   # a logout ends every session of the user (revocable sessions)
    "police.inbox": Walk(POLICE_PAGE),
    "police.search": Walk(POLICE_PAGE),
    "police.export": Walk(POLICE_PAGE),
    "police.acknowledge_many": Walk(POLICE_PAGE),
    "police.detail": Walk(POLICE_PAGE, ids=NOTIFICATION),
    "police.acknowledge_one": Walk(POLICE_PAGE, ids=NOTIFICATION),
    "police.audit_log": Walk(POLICE_PAGE),
    "police.compliance": Walk(POLICE_PAGE),
    "police.late": Walk(POLICE_PAGE),
    "police.silent": Walk(POLICE_PAGE),
    # police API (an officer's token) and the receiving endpoint (a sender's signature)
    "police_read_api.list_notifications": Walk(POLICE_API),
    "police_read_api.get_notification": Walk(POLICE_API, ids=NOTIFICATION),
    "police_read_api.search_notifications": Walk(POLICE_API, body="json",
                                                 base={"q": "nguyen", "facility": "F-1", "received_from": "2026-11-01",
                                                       "received_to": "2026-11-30", "cursor": None, "limit": 10}),
    "police_receiving.receive_batch": Walk(RECEIVING, body="wire"),
}

# -- hostile values ------------------------------------------------------------------------------
SURROGATE = "%ED%A0%80"          # U+D800 as (invalid) UTF-8 bytes, percent-encoded
QUERY_VALUES = ["%00", SURROGATE, "%FF%FE", "A" * 2_000, "9" * 400, "-1", "1e400", "0001-01-01",
                "0001-01-01T00:00%2B14:00", "9999-12-31T23:59:59-14:00",
                base64.urlsafe_b64encode(b'["0001-01-01T00:00:00+14:00", "x"]').decode(),
                base64.urlsafe_b64encode(b"\x00\xff" * 40).decode(), "%0d%0aSet-Cookie:x=1"]
ONE_PARAM_VALUES = ["a%00b", "9" * 400, "0001-01-01T00:00%2B14:00"]
PATH_VALUES = ["%00", SURROGATE, "%FF", "x" * 5_000, "..", "st_" + "A" * 26, "pf_%00"]
# Every name a handler reads from a query string or a form (grepped, plus the stay form's own names).
PARAMS = sorted({"action", "alert", "arrived_at", "back", "booking_ref", "category", "cursor", "date_from",
                 "date_of_birth", "date_to", "days", "departed_at", "email", "entry_date", "event",
                 "expected_departure", "facility", "file", "form_ref", "guest_id", "id_number", "ids", "lang",
                 "late", "limit", "nationality", "next", "page", "passport_number", "password", "q", "reason",
                 "received_from", "received_to", "records_shown", "room", "s", "sex", "status", "token", "unack",
                 "unacknowledged", "username", "visa_kind", "visa_number", "visa_valid_until", "kind", "since",
                 "until", "external_ref", "guest_ids", "text", "names", "name", "section", "capacity", "stay",
                 "starts_on", "ends_on"}
                | set(STAY_FIELDS) | {f"g-{i}-{name}" for i in (0, 1) for name in (*GUEST_FIELDS, "id")})
FORM_VALUES = ["\x00", "A" * 5_000, "9" * 400, "-1", "1e400", "0001-01-01", "0001-01-01T00:00+14:00",
               "9999-12-31T23:59:59-14:00", "remove:²", "remove:" + "1" * 5000, "<script>alert(1)</script>",
               "https://evil.example/", "\r\nX: y"]
RAW_FORM_VALUES = [SURROGATE, "%FF%FE", "%C0%80"]   # bytes a str cannot hold: sent as a raw body
JSON_VALUES = ["\x00", "\ud800", "A" * 100_000, 10 ** 400, -1, 2 ** 64, True, None, [], {"a": "b"},
               "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01", "", "²"]
HEADER_VARIANTS = [
    {"Accept-Language": "x" * 5_000}, {"Accept-Language": "vi;q=abc, en;q=1e400, *;q=-1, ;;;, zz-ZZ-x-private-tag"},
    {"Authorization": "Bearer " + "A" * 5_000}, {"Authorization": "Bearer \u00e9\u00e8"}, {"Authorization": "Basic Og=="},
    {"X-Forwarded-For": "1.2.3.4, ::1, garbage"}, {"X-Forwarded-Proto": "gopher"}, {"Cookie": "session=" + "A" * 4_000},
    {"Cookie": "session=.eJwrSS0uUbBSMDJQ0lFQqkpMyc4vKlGyMjQzMLU0NzIxMjQx.AAAA.BBBB"},   # signed with some other key
    {"Idempotency-Key": "\u00e9" * 300},
]
RAW_JSON_BODIES = [b"", b"[]", b'"x"', b"1", b"true", b"null", b"[1, 2]", b"{", b"{}}", b"\xff\xfe{}", b"\xef\xbb\xbf{}",
                   b'{"a": "\xed\xa0\x80"}', b'{"\\ud800": 1}', b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 1e400}',
                   b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
                   b'{"reason": "a", "reason": "\\u0000"}', b'{"q": "x", "q": ["x"]}', b"A" * 100_000]


# -- the world: two tenants of each kind ------------------------------------------------------------
B_GUEST = "Phạm Thị Bímật"                 # a guest of facility B only
HN_GUEST = "Đỗ Văn Hànội"                  # a notification of a Hà Nội ward only
HN_ID_NUMBER, HN_FACILITY = "001190098765", f"F-{WARD_HN}"
# what only the other tenant's rows hold; a marker the request itself carried (a search echoed) is no leak
SECRETS_OF_B = (B_GUEST, "Bímật", "bimat", HN_GUEST, "Hànội", "hanoi", "PORTAL-FILE-OF-B", HN_ID_NUMBER,
                "Nhà nghỉ Khác", "Nhà nghỉ Bắcxa", "ROOM-HN-77")


class World:
    """Facility A (the walker) and B (the other tenant), each with a stay and a portal file; officer A of
    ward WARD_A with a notification, and a notification of a Hà Nội ward outside his scope."""

    def __init__(self, app, tmp_path: Path):
        from accommnotify.intake import service
        from accommnotify.intake.facilities import create_facility
        from accommnotify.models import FacilityRef
        from accommnotify.ops.keys import create_api_key
        from accommnotify.police.accounts import create_token
        from accommnotify.models.police import Officer
        from accommnotify.webhooks import subscriptions as webhook_subscriptions
        self.app = app
        with app.app_context():
            a = create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation", ward_code=WARD_A,
                                address="12 Lê Lợi")
            b = create_facility(code="HOTEL-B", name="Nhà nghỉ Khác", kind="rental_rooms", ward_code=WARD_HN,
                                address="3 Hàng Bạc")
            self.key_a, self.key_b = create_api_key(a, "walk"), create_api_key(b, "walk")
            stay_a = service.create_stay(FacilityRef.of(a), factories.stay()).stay
            guest_b = factories.citizen(full_name=B_GUEST)
            stay_b = service.create_stay(FacilityRef.of(b), factories.stay(external_ref="REF-OF-B", guests=[guest_b])).stay
            files = {name: self._portal_file(f, tmp_path, name) for name, f in (("A", a), ("B", b))}
            hook_a = webhook_subscriptions.create(a.id, "https://pms-a.example.com/hooks", ["notification.rejected"])
            hook_b = webhook_subscriptions.create(b.id, "https://bimat.example.com/hooks", ["notification.rejected"])
            from accommnotify.rooms import service as rooms
            room_a = rooms.add_rooms(a.id, ["101"], section="Tầng 1", capacity=2)[0][0].id
            room_b = rooms.add_rooms(b.id, ["Phòng Bímật"], capacity=3)[0][0].id
            # terms: A has two (its second one can declare returning students from the first, whose roster
            # holds A's stay); B's one holds B's stay
            from accommnotify.facility import terms
            term_a1 = terms.create_term(a.id, "HK1 2026-2027", "2026-09-05", "2027-01-15")
            term_a = terms.create_term(a.id, "HK2 2026-2027", "2026-11-20", "2027-03-15").id
            terms.link(term_a1.id, [stay_a["id"]])
            term_b = terms.create_term(b.id, "HK Bímật", "2026-09-05", "2027-01-15").id
            terms.link(term_b, [stay_b["id"]])
            add_officer("an.officer", f"ward:{WARD_A}", role="supervisor")   # supervisors see the audit log too
            n_a = add_notification(WARD_A)
            n_hn = add_notification(WARD_HN, full_name=HN_GUEST, facility_name="Nhà nghỉ Bắcxa", id_number=HN_ID_NUMBER,
                                    room="ROOM-HN-77")
            self.police_token = create_token(db.session.query(Officer).filter_by(username="an.officer").one())
            entries = self._checkin_entries(a, b)
            db.session.remove()
        self.ids = {"stay": stay_a["id"], "stay.other": stay_b["id"], "portal_file": files["A"],
                    "portal_file.other": files["B"], "notification": n_a, "notification.other": n_hn,
                    "webhook": hook_a["id"], "webhook.other": hook_b["id"], "room": room_a, "room.other": room_b,
                    "term": term_a, "term.other": term_b, "checkin": entries["A"], "checkin.other": entries["B"]}
        self.guest_a, self.b_id_number = stay_a["guests"][0]["id"], guest_b["id_number"]
        self.guest_b = stay_b["guests"][0]["id"]
        make_user(app, code="HOTEL-1")

    def fresh_stay(self) -> str:
        """A new in-house stay of facility A (a route walked before may have cancelled the last one)."""
        from accommnotify.intake import service
        from accommnotify.models import Facility, FacilityRef
        with self.app.app_context():
            facility = FacilityRef.of(db.session.query(Facility).filter_by(code="HOTEL-1").one())
            stay = service.create_stay(facility, factories.stay()).stay
            db.session.remove()
        self.ids["stay"], self.guest_a = stay["id"], stay["guests"][0]["id"]
        return stay["id"]

    @staticmethod
    def _checkin_entries(a, b):
        """A self check-in link of A (the walked token) and an entry waiting at each facility."""
        from accommnotify.checkin import service as checkin
        from accommnotify.models import FacilityRef
        checkin.create_link(a.id, "BK-WALK", token=WALK_CHECKIN_TOKEN)
        from accommnotify.checkin import display
        WALK_DISPLAY_ARGS["token"] = display.display_token(a.id)
        return {name: checkin.submit(checkin.Access(FacilityRef.of(f), "desk"), [guest], "tourism", "vi")
                for name, f, guest in (("A", a, factories.citizen()), ("B", b, factories.citizen(full_name=B_GUEST)))}

    @staticmethod
    def _portal_file(facility, tmp_path, name):
        from accommnotify.ids import new_id
        from accommnotify.models import PortalFile
        from accommnotify.timeutil import utcnow
        content = f"PORTAL-FILE-OF-{name}".encode()
        path = tmp_path / f"portal-{name}.xlsx"
        path.write_bytes(content)
        now = utcnow()
        row = PortalFile(id=new_id("pf"), facility_id=facility.id, receiver="vn_portal", batch_id=new_id("b"),
                         kind="citizens", format="xlsx", filename=f"khach-{name}.xlsx", path=str(path), row_count=1,
                         size=len(content), sha256=hashlib.sha256(content).hexdigest(), status="ready",
                         earliest_deadline=now + timedelta(hours=3), created_at=now, updated_at=now)
        db.session.add(row)
        db.session.commit()
        return row.id

    # the walker's clients, fresh for each request where a hostile input may log it out
    def facility_client(self):
        return facility_login(self.app.test_client()).client

    def police_client(self):
        client = self.app.test_client()
        assert login(client, "an.officer").status_code == 302
        return client

    def headers(self, surface):
        if surface == FACILITY_API:
            return {"Authorization": f"Bearer {self.key_a}"}
        if surface == POLICE_API:
            return {"Authorization": f"Bearer {self.police_token}"}
        return {}

    def base_body(self, name):
        if name == "stay":
            return factories.stay()
        if name == "amend":
            return {"room": "102", "guests": [factories.citizen()]}
        if name == "bulk":
            return {"stays": [factories.stay()]}
        if name == "departure":
            return {"departed_at": factories.local_now().isoformat(), "guest_ids": [self.guest_a]}
        return name


@pytest.fixture
def world(database_url, tmp_path):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, POLICE_API_SETTLE_SECONDS=0, POLICE_FACILITY_CACHE_SECONDS=0,
                   INBOUND_SECRETS={"sender-a": {"secret": SECRET_A, "wards": [WARD_A]}}, **FAST_HASH)
    yield World(app, tmp_path)
    with app.app_context():
        db.engine.dispose()


SOURCES = {PUBLIC: ["landing.py", "i18n.py", "web_auth.py", "ops", "checkin"], FACILITY_PAGE: ["facility", "web_auth.py"],
           FACILITY_API: ["api", "intake", "portal"], POLICE_PAGE: ["police", "web_auth.py"], POLICE_API: ["police"],
           RECEIVING: ["police"]}
_READ = re.compile(r"""\bargs(?:\.get|\.getlist|\.pop)?\(?\[?["']([a-z_]+)["']""")


@functools.cache
def params_read_by(surface) -> tuple[str, ...]:
    """The query names the surface's code reads (so a parameter added later is walked too)."""
    if surface == FACILITY_API:   # strict schemas: the fields of its *Query schemas (any other name is a 422)
        from accommnotify.intake import schemas
        return tuple(sorted({name for cls_name, cls in vars(schemas).items() if cls_name.endswith("Query")
                             for name in cls().fields}))
    root = Path(accommnotify.__file__).parent
    files = [f for name in SOURCES[surface] for f in ([root / name] if name.endswith(".py") else (root / name).rglob("*.py"))]
    return tuple(sorted({m for f in files for m in _READ.findall(f.read_text(encoding="utf-8"))}))


def walked_rules(app):
    """(rule, methods) of every route, HEAD and OPTIONS aside (Flask answers those itself)."""
    return sorted(((rule, sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})) for rule in app.url_map.iter_rules()),
                  key=lambda item: (item[0].rule, item[0].endpoint))


def path_of(rule, values: dict) -> str:
    """The rule's path with the given (already percent-encoded) argument values, as a client sends it."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def good_args(world, rule, walk) -> dict:
    return {name: world.ids[walk.ids[name]] if name in walk.ids else walk.args[name] for name in rule.arguments}


# -- bodies -------------------------------------------------------------------------------------
def leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from leaves(item, path + (i,))
    else:
        yield path


def replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def json_bodies(base):
    """(description, raw bytes) of hostile JSON bodies built from a valid one."""
    for raw in RAW_JSON_BODIES:
        yield f"raw {raw[:30]!r}", raw
    for path in list(leaves(base)):
        for value in JSON_VALUES:
            body = replaced(base, path, value)
            yield f"{'.'.join(map(str, path))}={str(value)[:30]!r}", json.dumps(body).encode()
    for key in ("extra", "\x00", "\ud800"):
        yield f"unknown key {key!r}", json.dumps({**base, key: 1}).encode() if isinstance(base, dict) else b"{}"


def upload_bodies():
    """(description, multipart data) of broken uploads to the import form."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 30_000_000 + b">")
    not_xml = io.BytesIO()
    with zipfile.ZipFile(not_xml, "w") as z:
        z.writestr("xl/workbook.xml", b"\x00\xff not xml")
    good_csv = csv_bytes(good_rows())
    files = {
        "not a zip": (b"this is not a zip", "khach.xlsx"),
        "zip bomb": (bomb.getvalue(), "khach.xlsx"),
        "zip of junk": (not_xml.getvalue(), "khach.xlsx"),
        "truncated xlsx": (xlsx_bytes(good_rows())[:500], "khach.xlsx"),
        "csv huge cell": (b"a,b\n" + b"x" * 300_000 + b",y\n", "khach.csv"),
        "csv many blank lines": (b"\n" * 500_000, "khach.csv"),
        "csv utf-16 bom": (good_csv.decode("utf-8-sig").encode("utf-16"), "khach.csv"),
        "csv latin-1": ("Họ tên,x\nÉlodie,ÿ\n".encode("cp1258", "replace") + b"\xff\xfe\x00", "khach.csv"),
        "csv utf-8 bom": (b"\xef\xbb\xbf" + good_csv, "khach.csv"),
        "csv nul": (good_csv.replace(b",", b"\x00,", 3), "khach.csv"),
        "csv surrogate bytes": (good_csv + b"\xed\xa0\x80,\xed\xa0\x80\n", "khach.csv"),
        "empty": (b"", "khach.csv"),
        "no extension": (good_csv, "khach"),
        "name with nul": (good_csv, "kh\x00ach.csv"),
        "name ../": (good_csv, "../../etc/passwd.csv"),
        "xlsx named csv": (xlsx_bytes(good_rows()), "khach.csv"),
    }
    for name, (content, filename) in files.items():
        yield name, {"file": (io.BytesIO(content), filename)}
    yield "no file part", {"x": "y"}
    yield "file as text field", {"file": "not a file"}
    yield "two files", {"file": [(io.BytesIO(good_csv), "a.csv"), (io.BytesIO(b"x"), "b.xlsx")]}


# -- the walk ----------------------------------------------------------------------------------------
class Walker:
    def __init__(self, world):
        self.world = world
        self.findings: list[str] = []
        self.requests = 0
        # logged in once, before any hostile login post can throttle this address
        self._clients = {FACILITY_PAGE: world.facility_client(), POLICE_PAGE: world.police_client()}

    def client(self, surface, anonymous=False):
        if anonymous or surface not in self._clients:
            return self.world.app.test_client()
        return self._clients[surface]

    def send(self, surface, method, url, what, anonymous=False, **kw):
        headers = {} if anonymous else self.world.headers(surface)
        headers.update(kw.pop("headers", {}))
        if surface == RECEIVING and not anonymous and "data" in kw and isinstance(kw["data"], bytes):
            _, signature = signed(kw["data"])
            headers.update(signature)
        where = f"{method} {url[:120]} [{what}]{' logged out' if anonymous else ''}"
        self.requests += 1
        try:
            response = self.client(surface, anonymous).open(url, method=method, headers=headers, **kw)
        except Exception as exc:   # TESTING propagates what would be a 500: one finding, the walk goes on
            self.findings.append(f"{where}: raised {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.findings.append(f"{where}: {response.status_code} {response.get_data()[:200]!r}")
        location = response.headers.get("Location", "")
        if location and not re.match(r"^(/(?![/\\])|http://localhost/)", location):
            self.findings.append(f"{where}: redirects off the site to {location[:80]!r}")
        body = response.get_data().decode("utf-8", "replace")
        sent = f"{url} {kw.get('data')!r} {kw.get('json')!r}"
        leaked = [s for s in SECRETS_OF_B if s in body and s not in sent and repr(s)[1:-1] not in sent]
        if leaked:
            self.findings.append(f"{where}: shows another tenant's data {leaked}")
        if surface in self._clients and not anonymous and response.status_code in (302, 303) and \
                "/login" in response.headers.get("Location", ""):
            self.findings.append(f"{where}: logged the user out")   # the rest of the walk would test nothing
        return response

    def walk_route(self, rule, methods, walk):
        surface = walk.surface
        for method in methods:
            if "stay" in walk.ids.values():
                self.world.fresh_stay()   # each method starts from an in-house stay (a POST may end it)
            args = good_args(self.world, rule, walk)
            good_path = path_of(rule, args)
            # a bad id in each path argument
            for name in rule.arguments:
                for value in PATH_VALUES:
                    self.send(surface, method, path_of(rule, {**args, name: value}), f"path {name}={value[:20]}")
            # hostile query strings (every parameter a handler reads, at once)
            for value in QUERY_VALUES if method == "GET" else QUERY_VALUES[:4]:
                query = "&".join(f"{p}={value}" for p in PARAMS)
                self.send(surface, method, f"{good_path}?{query}", f"query={value[:20]}")
            self.send(surface, method, f"{good_path}?limit=1&limit=2&cursor=a&cursor=b&q[]=x", "duplicate query keys")
            if method == "GET":   # one parameter at a time too: the first refused one hides no other
                for name in params_read_by(surface):
                    for value in ONE_PARAM_VALUES:
                        self.send(surface, method, f"{good_path}?{name}={value}", f"query {name}={value[:20]}")
            # logged out / no credentials; hostile headers
            self.send(surface, method, good_path, "no credentials", anonymous=True)
            for headers in HEADER_VARIANTS:
                self.send(surface, method, good_path, f"header {str(headers)[:40]}", headers=dict(headers))
            if method == "GET":
                continue
            self.walk_body(surface, method, good_path, walk)

    def walk_body(self, surface, method, path, walk):
        form_ct = {"Content-Type": "application/x-www-form-urlencoded"}
        if walk.body in ("json", "wire"):
            base = batch([wire_notification()]) if walk.body == "wire" else self.world.base_body(walk.base)
            for what, raw in json_bodies(base):
                self.send(surface, method, path, what, data=raw, headers={"Content-Type": "application/json"})
            self.send(surface, method, path, "json as text/plain", data=json.dumps(base),
                      headers={"Content-Type": "text/plain"})
            self.send(surface, method, path, "json as a form", data={"a": "b"})
            if walk.body == "wire":
                self.send(surface, method, path, "unsigned", anonymous=True, data=json.dumps(base),
                          headers={"Content-Type": "application/json"})
            return
        if walk.body == "upload":
            for what, data in upload_bodies():
                self.send(surface, method, path, f"upload {what}", data=data, content_type="multipart/form-data")
        for value in FORM_VALUES:
            self.send(surface, method, path, f"form={value[:20]!r}", data={p: value for p in PARAMS})
        for value in RAW_FORM_VALUES:
            raw = "&".join(f"{p}={value}" for p in PARAMS)
            self.send(surface, method, path, f"raw form={value}", data=raw, headers=form_ct)
        long_fields = ("q", "full_name", "g-0-full_name", "reason", "records_shown", "token", "ids", "next", "password")
        self.send(surface, method, path, "over-long fields", data={p: "A" * 100_000 for p in long_fields})
        self.send(surface, method, path, "empty body", data=b"", headers=form_ct)
        self.send(surface, method, path, "duplicate form keys", data="ids=1&ids=2&ids=%00&action=a&action=b",
                  headers=form_ct)
        self.send(surface, method, path, "form as json", data=b'{"q": [1]}', headers={"Content-Type": "application/json"})
        self.send(surface, method, path, "form as multipart", data={p: (io.BytesIO(b"x"), "a.txt") for p in PARAMS[:20]},
                  content_type="multipart/form-data")
        self.send(surface, method, path, "unknown content type", data=b"\x00\xff", headers={"Content-Type": "x/\x00"})


def test_every_route_has_a_walk_entry(world):
    """A new route fails here until WALK says who walks it and how: no route is left out of the walk."""
    endpoints = {rule.endpoint for rule, _ in walked_rules(world.app)}
    assert endpoints - set(WALK) == set(), "routes without a walk entry: add them to WALK"
    assert set(WALK) - endpoints == set(), "walk entries of routes that no longer exist"
    for rule, _ in walked_rules(world.app):
        unknown = set(rule.arguments) - set(WALK[rule.endpoint].ids) - set(WALK[rule.endpoint].args)
        assert not unknown, f"{rule.rule}: say in WALK which object {unknown} names (ids=...) or a value (args=...)"


@pytest.mark.parametrize("surface", [PUBLIC, FACILITY_PAGE, FACILITY_API, POLICE_PAGE, POLICE_API, RECEIVING])
def test_hostile_inputs_on_every_route_answer_below_500_and_show_no_other_tenant(world, surface):
    walker = Walker(world)
    for rule, methods in walked_rules(world.app):
        if WALK[rule.endpoint].surface == surface:
            walker.walk_route(rule, methods, WALK[rule.endpoint])
    print(f"{surface}: {walker.requests} requests, {len(walker.findings)} findings")
    assert walker.findings == []
    assert walker.requests > 100


def test_another_tenants_object_ids_answer_404(world):
    """Another facility's stay and portal file, a notification outside the officer's ward: 404 on every
    route and method that names one, for reads and writes alike; and the object is unchanged."""
    from accommnotify.models import PortalFile
    from accommnotify.models.inbox import InboxNotification
    walker, seen = Walker(world), []
    for rule, methods in walked_rules(world.app):
        walk = WALK[rule.endpoint]
        for name, key in walk.ids.items():
            url = path_of(rule, {**good_args(world, rule, walk), name: world.ids[key + ".other"]})
            for method in methods:
                kwargs = {}
                if walk.body == "json":
                    kwargs = {"json": world.base_body(walk.base)}
                elif method == "POST":
                    kwargs = {"data": {"records_shown": "1", "reason": "nhầm", "departed_at": "", "ids": "x"}}
                response = walker.send(walk.surface, method, url, "another tenant's id", **kwargs)
                assert response is not None and response.status_code == 404, f"{method} {rule.rule} with another tenant's {key}: " \
                                                    f"{response.status_code}"
                seen.append((method, rule.endpoint))
    assert walker.findings == []
    assert len(seen) >= 20
    with world.app.app_context():
        assert db.session.get(PortalFile, world.ids["portal_file.other"]).status == "ready"
        assert db.session.get(InboxNotification, world.ids["notification.other"]).acknowledged_at is None
    hook_b = world.app.test_client().get(f"/api/v1/webhooks/{world.ids['webhook.other']}",
                                         headers={"Authorization": f"Bearer {world.key_b}"})
    assert hook_b.status_code == 200                                   # the DELETE with A's key left it
    rooms_b = world.app.test_client().get("/api/v1/rooms?include_retired=true",
                                          headers={"Authorization": f"Bearer {world.key_b}"}).get_json()["rooms"]
    assert [(r["name"], r["capacity"], r["retired_at"]) for r in rooms_b] == [("Phòng Bímật", 3, None)]
    other = world.app.test_client().get(f"/api/v1/stays/{world.ids['stay.other']}",
                                        headers={"Authorization": f"Bearer {world.key_b}"}).get_json()
    assert other["status"] == "in_house" and other["room"] == "101" and other["guests"][0]["full_name"] == B_GUEST


def test_searches_aimed_at_another_tenant_find_nothing(world):
    """Well-formed searches for the other tenant's guests, numbers and facility: nothing of theirs comes back."""
    walker = Walker(world)
    b_ref = {"external_ref": "REF-OF-B"}
    for q in (HN_GUEST, "hanoi", HN_ID_NUMBER, HN_FACILITY, world.b_id_number):
        for data in ({"q": q}, {"q": q, "facility": HN_FACILITY}, {"facility": HN_FACILITY, "late": "1"}):
            walker.send(POLICE_PAGE, "POST", "/police/search", "search", data=data, follow_redirects=True)
            walker.send(POLICE_PAGE, "POST", "/police/export", "export", data=data)
            walker.send(POLICE_API, "POST", "/police/api/v1/notifications/search", "search", json=data)
        walker.send(POLICE_API, "GET", f"/police/api/v1/notifications?facility={HN_FACILITY}", "filter")
        walker.send(POLICE_PAGE, "GET", f"/police/?facility={HN_FACILITY}&date_from=2026-01-01", "filter")
        walker.send(POLICE_PAGE, "GET", f"/police/compliance/late?facility={HN_FACILITY}", "filter")
    # facility A re-using B's booking ref gets its own stay, never word of B's
    created = walker.send(FACILITY_API, "POST", "/api/v1/stays", "B's ref", json=factories.stay(**b_ref))
    assert created.status_code == 201, created.get_json()
    walker.send(FACILITY_API, "GET", "/api/v1/stays?limit=100", "list")
    walker.send(FACILITY_API, "GET", "/api/v1/notifications?limit=100", "list")
    walker.send(FACILITY_API, "GET", "/api/v1/portal-files", "list")
    walker.send(FACILITY_PAGE, "GET", "/facility/history", "list")
    walker.send(FACILITY_PAGE, "POST", "/facility/import", "B's ref", content_type="multipart/form-data",
                data={"file": (io.BytesIO(csv_bytes(good_rows())), "khach.csv")})
    assert walker.findings == []


def test_writes_naming_another_tenants_rows_inside_ones_own_change_nothing_of_theirs(world):
    """Ids of the other tenant inside a body (not the path): acknowledging a notification outside the ward,
    departing or amending B's guest through A's own stay."""
    from accommnotify.models.inbox import InboxNotification
    walker, own = Walker(world), world.fresh_stay()
    walker.send(POLICE_PAGE, "POST", "/police/acknowledge", "ids of another ward",
                data={"ids": [world.ids["notification.other"], world.ids["notification"]]})
    for body in ({"guest_ids": [world.guest_b]}, {"guest_ids": [world.guest_b, world.guest_a]}):
        response = walker.send(FACILITY_API, "POST", f"/api/v1/stays/{own}/departure", "B's guest", json=body)
        assert response.status_code in (404, 409, 422), response.get_json()
    walker.send(FACILITY_API, "PATCH", f"/api/v1/stays/{own}", "B's guest", json={"guests": [
        {"id": world.guest_b, "full_name": "Đổi Tên", "date_of_birth": "1990-01-01", "sex": "male", "nationality": "VNM",
         "id_number": "001090000123"}]})
    walker.send(FACILITY_PAGE, "POST", f"/facility/stays/{own}/departure", "B's guest",
                data={"guest_id": world.guest_b, "departed_at": ""})
    page = walker.send(FACILITY_PAGE, "GET", f"/facility/stays/{own}/correct", "form")
    values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.get_data(as_text=True)))
    for guest_id in (world.guest_b, world.guest_b + "x"):
        walker.send(FACILITY_PAGE, "POST", f"/facility/stays/{own}/correct", "B's guest id in the form",
                    data=values | {"g-0-id": guest_id, "g-0-full_name": "Đổi Tên", "g-0-room": "999"})
    assert walker.findings == []
    with world.app.app_context():
        assert db.session.get(InboxNotification, world.ids["notification.other"]).acknowledged_at is None
        assert db.session.get(InboxNotification, world.ids["notification"]).acknowledged_at is not None
    other = world.app.test_client().get(f"/api/v1/stays/{world.ids['stay.other']}",
                                        headers={"Authorization": f"Bearer {world.key_b}"}).get_json()
    assert other["status"] == "in_house" and [(g["full_name"], g["departed_at"]) for g in other["guests"]] == [
        (B_GUEST, None)]


def test_a_sender_cannot_store_for_a_ward_outside_its_own(world):
    outside = wire_notification()
    outside["facility"] |= {"ward_code": WARD_HN, "province_code": "01"}
    raw, headers = signed(batch([outside]))
    response = world.app.test_client().post("/police/api/v1/batches", data=raw, headers=headers)
    assert response.status_code == 200 and response.get_json()["results"][0]["status"] == "rejected"
    officer = world.police_client()
    assert officer.get(f"/police/n/{outside['id']}").status_code == 404
