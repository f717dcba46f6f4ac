"""Facility staff accounts: the CLI, login with CSRF and a growing delay, and one facility per user."""
from datetime import timedelta

from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.facility.accounts import delay_after
from accommnotify.models.facility_users import FacilityUser
from accommnotify.models.police import LoginThrottle
from accommnotify.security import Throttle
from accommnotify.timeutil import utcnow
from tests import factories

from .conftest import EMAIL, PASSWORD, Staff, csrf_of, login, make_user

EMAIL_KEY = Throttle(namespace="facility:").pair_key(EMAIL, "127.0.0.1")  # the test client's address


def test_cli_creates_a_user_with_the_password_from_stdin(app, runner, facility):
    result = runner.invoke(args=["facility-user", "create", "Desk@Example.com", "--facility", "HOTEL-1"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with app.app_context():
        user = db.session.execute(select(FacilityUser)).scalar_one()
        assert user.email == "desk@example.com"
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    login(app.test_client(), "DESK@example.com", PASSWORD)


def test_cli_refuses_unknown_facility_short_password_and_duplicates(runner, facility):
    bad = runner.invoke(args=["facility-user", "create", "a@example.com", "--facility", "NOPE"], input=PASSWORD + "\n")
    assert bad.exit_code != 0 and "no facility" in bad.output
    short = runner.invoke(args=["facility-user", "create", "a@example.com", "--facility", "HOTEL-1"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    assert runner.invoke(args=["facility-user", "create", "a@example.com", "--facility", "HOTEL-1"],
                         input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=["facility-user", "create", "a@example.com", "--facility", "HOTEL-1"],
                          input=PASSWORD + "\n")
    assert again.exit_code != 0 and "exists" in again.output


def test_demo_hook_prints_a_demo_user_who_can_log_in(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "demo@example.com" in line)
    password = line.rsplit("password ", 1)[1].strip()
    staff = login(app.test_client(), "demo@example.com", password)
    assert staff.get("/facility/").status_code == 200
    assert runner.invoke(args=["demo"]).exit_code == 0  # safe to run again


def test_pages_need_login(client, facility):
    response = client.get("/facility/stays/new")
    assert response.status_code == 302
    assert "/facility/login" in response.headers["Location"]


def test_login_form_needs_csrf(app, client, facility):
    make_user(app)
    response = client.post("/facility/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400


def test_wrong_password_then_growing_delay_then_reset(app, client, facility):
    make_user(app)
    staff = Staff(client)
    for attempt in range(3):
        response = staff.post("/facility/login", {"email": EMAIL, "password": "wrong password!"})
        assert response.status_code == 401
        assert "Sai thư điện tử hoặc mật khẩu" in response.get_data(as_text=True) or attempt == 2
    # Now locked: even the right password is not checked until the delay has passed.
    response = staff.post("/facility/login", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 401
    assert "Hãy đợi" in response.get_data(as_text=True)
    assert [delay_after(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [0, 0, 2, 4, 8]
    assert delay_after(100) == timedelta(minutes=15)
    with app.app_context():
        throttle = db.session.get(LoginThrottle, EMAIL_KEY)  # kept per submitted e-mail
        assert throttle.failures == 3
        throttle.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert staff.post("/facility/login", {"email": EMAIL.upper(), "password": PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.get(LoginThrottle, EMAIL_KEY) is None  # a right password resets it


def test_unknown_email_is_delayed_alike(app, client, facility):
    """The delay is per submitted e-mail, so it does not tell which e-mails have an account."""
    make_user(app)
    answers = {}
    for email in (EMAIL, "nobody@example.com"):
        staff = Staff(app.test_client())
        pages = [staff.post("/facility/login", {"email": email, "password": "wrong password!"})
                 for _ in range(4)]
        answers[email] = [(page.status_code, "Hãy đợi" in page.get_data(as_text=True)) for page in pages]
    assert answers[EMAIL] == answers["nobody@example.com"] == [(401, False), (401, False), (401, True), (401, True)]


def test_set_password_clears_the_delay(app, runner, facility):
    make_user(app)
    staff = Staff(app.test_client())
    for _ in range(3):
        staff.post("/facility/login", {"email": EMAIL, "password": "wrong password!"})
    new_password = "another long password"
    result = runner.invoke(args=["facility-user", "set-password", EMAIL], input=new_password + "\n")
    assert result.exit_code == 0, result.output
    login(app.test_client(), EMAIL, new_password)


def test_unknown_email_gets_the_same_answer(app, client, facility):
    make_user(app)
    staff = Staff(client)
    a = staff.post("/facility/login", {"email": "nobody@example.com", "password": PASSWORD})
    b = staff.post("/facility/login", {"email": EMAIL, "password": "wrong password!"})
    assert a.status_code == b.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu" in a.get_data(as_text=True)


def test_logout_is_a_post_with_csrf(staff):
    assert staff.client.get("/facility/logout").status_code == 405
    assert staff.client.post("/facility/logout").status_code == 400  # no token
    assert staff.post("/facility/logout").status_code == 302
    assert staff.client.get("/facility/").status_code == 302


def test_open_redirect_after_login_is_refused(app, client, facility):
    make_user(app)
    staff = Staff(client)
    response = staff.post("/facility/login", {"email": EMAIL, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["Location"].endswith("/facility/")


def test_a_user_sees_only_their_facility(app, client, staff, api):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stay
    from accommnotify.models import FacilityRef
    with app.app_context():
        other = FacilityRef.of(create_facility(code="OTHER-2", name="Nhà nghỉ Khác", kind="rental_rooms",
                                               ward_code="16681", address="1 Khác"))
        theirs = create_stay(other, factories.stay(guests=[factories.citizen(full_name="Người Khác Cơ Sở")])).stay
    mine = api.post("/stays", json=factories.stay(guests=[factories.citizen(full_name="Khách Của Tôi")])).get_json()
    page = staff.get("/facility/").get_data(as_text=True)
    assert "Khách Của Tôi" in page and "Người Khác Cơ Sở" not in page
    assert "Người Khác Cơ Sở" not in staff.get("/facility/history").get_data(as_text=True)
    assert staff.get(f"/facility/stays/{theirs['id']}").status_code == 404
    assert staff.get(f"/facility/stays/{theirs['id']}/correct").status_code == 404
    assert staff.post(f"/facility/stays/{theirs['id']}/departure").status_code == 404
    assert staff.get(f"/facility/stays/{mine['id']}").status_code == 200


def test_pages_are_not_cached_and_set_security_headers(staff):
    response = staff.get("/facility/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert csrf_of(response.get_data(as_text=True))


def test_vietnamese_pages_have_no_english_words_in_their_frame(app, client, facility):
    from tests.integration.facility.conftest import login, make_user
    login_page = client.get("/facility/login").get_data(as_text=True)
    assert "Thư điện tử" in login_page and "E-mail" not in login_page
    assert "<title>Đăng nhập · Thông báo lưu trú</title>" in login_page and "accommnotify" not in login_page
    make_user(app)
    staff = login(client)
    page = staff.get("/facility/").get_data(as_text=True)
    assert "<title>Đang lưu trú · Thông báo lưu trú</title>" in page
    missing = staff.get("/facility/stays/st_00000000000000000000000000")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert '<html lang="vi">' in text and "Không tìm thấy" in text and "Not Found" not in text
    english = staff.get("/facility/stays/st_00000000000000000000000000?lang=en").get_data(as_text=True)
    assert "<title>Not found · Guest notifications</title>" in english
