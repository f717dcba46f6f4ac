"""The reception display of the desk QR code (docs/SELF_CHECKIN.md, "Reception display"): a public,
signed, revocable link that needs no staff session and shows nothing but the facility's name, the
current desk code and an instruction.

Real app and database (SQLite and PostgreSQL), CSRF on, the suite's frozen clock."""
import re
from datetime import timedelta

from accommnotify.checkin import service as checkin
from accommnotify.extensions import db
from accommnotify.models import Facility
from tests import factories
from tests.integration.facility.conftest import login, make_user
from tests.integration.facility.test_self_checkin import Guest, citizen_fields, desk_token


def display_path(staff):
    page = staff.get("/facility/checkins").get_data(as_text=True)
    match = re.search(r'id="display-link" href="http://localhost(/checkin-display/[^"]+)"', page)
    assert match, page[:2000]
    return match.group(1)


def second_facility(app):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-B", name="Nhà nghỉ Khác", kind="rental_rooms", ward_code="16681", address="3 Hàng Bạc")
    make_user(app, code="HOTEL-B", email="b@example.com")


def test_the_display_works_without_login_and_shows_only_the_name_the_code_and_the_instruction(app, client, facility, clock):
    make_user(app)
    staff = login(client)
    guest = factories.citizen(full_name="Lê Thị Hoa")
    assert Guest(app, desk_token(app)).send(citizen_fields(guest=guest)).status_code == 302   # a pending entry
    path = display_path(staff)
    tablet = app.test_client()                                    # no login at all
    page = tablet.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    assert "Khách sạn Sen" in html and html.count("<svg") == 1 and 'id="desk-qr"' in html
    assert "Quét mã này" in html and "Scan this code with your phone camera" in html   # vi and en
    assert 0 < int(page.headers["Refresh"]) <= 10 * 60 + 2
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in page.headers                       # no session made, none kept alive
    assert "<a " not in html and "<form" not in html and "<nav" not in html        # no link, no menu
    assert re.findall(r'(?:href|action|src)="([^"]*)"', html) == ["/static/facility/app.css"]
    assert "Lê Thị Hoa" not in html and guest["date_of_birth"] not in html and guest["id_number"] not in html
    # the code shown is the desk code of now; it opens the guest form
    with app.app_context():
        token = checkin.desk_token_now(facility[0].id)
    from accommnotify.facility.checkins import _absolute, _qr_svg
    with app.test_request_context():
        assert str(_qr_svg(_absolute(token))) in html
    # it rotates: after the window the page shows the next code
    clock.shift(timedelta(minutes=11))
    later = tablet.get(path).get_data(as_text=True)
    with app.app_context():
        new_token = checkin.desk_token_now(facility[0].id)
    assert new_token != token
    with app.test_request_context():
        assert str(_qr_svg(_absolute(new_token))) in later


def test_the_staff_qr_page_redirects_to_the_display_and_the_display_keeps_no_staff_session_alive(app, client, facility, clock):
    make_user(app)
    staff = login(client)
    moved = staff.get("/facility/checkin-qr")
    assert moved.status_code == 303 and "/checkin-display/" in moved.headers["Location"]
    path = moved.headers["Location"].split("localhost", 1)[1]
    assert path == display_path(staff)
    # the same browser (staff cookie present): the display reads no session and sets no cookie
    for _ in range(3):
        clock.shift(timedelta(minutes=5))
        shown = client.get(path)
        assert shown.status_code == 200 and "Set-Cookie" not in shown.headers
        assert "<a " not in shown.get_data(as_text=True)
    assert client.get("/facility/checkins").status_code == 200     # the session itself still works


def test_stop_all_displays_answers_410_and_a_new_link_works(app, client, facility):
    make_user(app)
    staff = login(client)
    old = display_path(staff)
    assert app.test_client().get(old).status_code == 200
    assert display_path(staff) == old                             # the same link until stopped
    # the stop form has CSRF
    assert client.post("/facility/checkin-displays/stop", data={}).status_code == 400
    assert app.test_client().get(old).status_code == 200
    done = staff.post("/facility/checkin-displays/stop", {})
    assert done.status_code == 302 and done.headers["Location"].endswith("/facility/checkins")
    gone = app.test_client().get(old)
    text = gone.get_data(as_text=True)
    assert gone.status_code == 410 and "<svg" not in text and "Khách sạn Sen" not in text and "<a " not in text
    assert "stopped by the staff" in text
    new = display_path(staff)
    assert new != old and app.test_client().get(new).status_code == 200
    # staff of the facility only: a logged-out visitor cannot stop displays
    assert app.test_client().post("/facility/checkin-displays/stop", data={}).status_code in (302, 400)
    assert app.test_client().get(new).status_code == 200


def test_forged_and_malformed_tokens_answer_404(app, client, facility):
    make_user(app)
    staff = login(client)
    path = display_path(staff)
    token = path.rsplit("/", 1)[1]
    body, _, mac = token.rpartition(".")
    from itsdangerous import URLSafeSerializer
    forged = [
        body + "." + ("A" if mac[0] != "A" else "B") + mac[1:],
        URLSafeSerializer("not the secret", salt="checkin-reception-display").dumps([facility[0].id, 0]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="facility-term-import").dumps([facility[0].id, 0]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="checkin-reception-display").dumps([999999, 0]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="checkin-reception-display").dumps(["1", 0]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="checkin-reception-display").dumps({"f": 1}),
        "x", "A" * 5000, desk_token(app),
    ]
    for bad in forged:
        answer = app.test_client().get(f"/checkin-display/{bad}")
        assert answer.status_code == 404, bad
        html = answer.get_data(as_text=True)
        assert "<svg" not in html and "<a " not in html and "does not work" in html


def test_another_facilitys_token_shows_only_that_facility(app, client, facility):
    second_facility(app)
    make_user(app)
    a = display_path(login(client))
    b = display_path(login(app.test_client(), email="b@example.com"))
    assert a != b
    page_b = app.test_client().get(b).get_data(as_text=True)
    assert "Nhà nghỉ Khác" in page_b and "Khách sạn Sen" not in page_b
    with app.app_context():
        ids = {f.code: f.id for f in db.session.query(Facility).all()}
        token_a, token_b = checkin.desk_token_now(ids["HOTEL-1"]), checkin.desk_token_now(ids["HOTEL-B"])
    from accommnotify.facility.checkins import _absolute, _qr_svg
    with app.test_request_context():
        assert str(_qr_svg(_absolute(token_b))) in page_b and str(_qr_svg(_absolute(token_a))) not in page_b
    # facility B stopping its displays leaves A's working
    staff_b = login(app.test_client(), email="b@example.com")
    staff_b.get("/facility/checkins")
    assert staff_b.post("/facility/checkin-displays/stop", {}).status_code == 302
    assert app.test_client().get(b).status_code == 410 and app.test_client().get(a).status_code == 200
