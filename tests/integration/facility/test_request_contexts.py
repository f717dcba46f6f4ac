"""Each request to the facility pages runs in its own app context, as in production: nothing of one
request or one client (`g.user`, `g.facility`, Flask-Login's loaded user) carries over to the next."""
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.models import Notification, Stay
from accommnotify.models.facility_users import FacilityUser
from accommnotify.timeutil import utcnow
from tests import factories

from .conftest import Staff, login, make_user

OTHER_EMAIL = "le-tan@example.com"


def _to_login(response):
    return response.status_code == 302 and "/facility/login" in response.headers["Location"]


def _post_stay(api, name):
    response = api.post("/stays", json=factories.stay(guests=[factories.citizen(full_name=name)]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _other_facility_with_staff(app, guest_name):
    """A second facility, a stay of its own and a staff account: (its stay, its logged-in Staff)."""
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stay
    from accommnotify.models import FacilityRef
    with app.app_context():
        other = FacilityRef.of(create_facility(code="OTHER-2", name="Nhà nghỉ Khác", kind="rental_rooms",
                                               ward_code="16681", address="1 Khác"))
        theirs = create_stay(other, factories.stay(guests=[factories.citizen(full_name=guest_name)])).stay
    make_user(app, code="OTHER-2", email=OTHER_EMAIL)
    return theirs, login(app.test_client(), OTHER_EMAIL)


def _counts(app, stay_id):
    with app.app_context():
        status = db.session.get(Stay, stay_id).status
        notes = db.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.stay_id == stay_id))
        return status, notes


def test_a_client_without_a_cookie_is_sent_to_login_after_another_logged_in(app, staff, api):
    stay = _post_stay(api, "Khách Đang Ở")
    anon = Staff(app.test_client())   # sends its own session's CSRF token, so only the login check stops it
    for path in ("/facility/", "/facility/history", f"/facility/stays/{stay['id']}",
                 f"/facility/stays/{stay['id']}/correct", "/facility/stays/new", "/facility/import"):
        # the staff request just before loads the user; the next client must not get it
        assert staff.get(path).status_code == 200, path
        response = anon.get(path)
        assert _to_login(response), (path, response.status_code)
        assert "Khách Đang Ở" not in response.get_data(as_text=True)
    before = _counts(app, stay["id"])
    assert staff.get("/facility/").status_code == 200
    assert _to_login(anon.post(f"/facility/stays/{stay['id']}/departure"))
    assert staff.get("/facility/").status_code == 200
    assert _to_login(anon.post("/facility/stays/new", {"room": "9", "reason": "tourism"}))
    assert _counts(app, stay["id"]) == before == ("in_house", 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Stay)) == 1


def test_each_client_sees_its_own_facility(app, staff, api):
    _post_stay(api, "Khách Của Tôi")
    _theirs, other_staff = _other_facility_with_staff(app, "Người Khác Cơ Sở")
    for _ in range(2):   # interleaved: each request loads its own client's user and facility
        mine = staff.get("/facility/").get_data(as_text=True)
        theirs = other_staff.get("/facility/").get_data(as_text=True)
        assert "Khách Của Tôi" in mine and "Người Khác Cơ Sở" not in mine
        assert "Người Khác Cơ Sở" in theirs and "Khách Của Tôi" not in theirs


def test_logging_out_in_one_client_ends_the_users_other_sessions(app, staff):
    """Logout bumps the user's session version (issue 10, item 5): every session of that user ends,
    in every browser; a new login in one does not revive the other."""
    second = login(app.test_client())
    assert second.get("/facility/").status_code == 200
    assert _to_login(staff.post("/facility/logout"))
    assert _to_login(staff.get("/facility/"))
    assert _to_login(second.get("/facility/"))
    second = login(app.test_client())
    assert second.get("/facility/").status_code == 200
    assert _to_login(staff.get("/facility/"))


def test_a_disabled_account_is_logged_out_on_its_next_request(app, staff):
    """The user is loaded from the session cookie on each request; a disabled one is no one."""
    assert staff.get("/facility/").status_code == 200
    with app.app_context():
        db.session.execute(db.update(FacilityUser).values(disabled_at=utcnow()))
        db.session.commit()
    assert _to_login(staff.get("/facility/"))
