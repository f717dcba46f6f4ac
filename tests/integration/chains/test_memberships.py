"""Chains (issue 13, item 3): a user who works for several facilities switches between them, sees only
the chosen facility's stays, cannot switch to a facility that is not theirs, and a role without a
permission gets 403."""
import pytest

from tests import factories as f
from tests.integration.facility.conftest import EMAIL, login, make_user


@pytest.fixture
def second(app, client, facility, runner):
    """Facility HOTEL-2 with a stay of its own (posted with its key); the user works there as staff."""
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key = create_api_key(create_facility(code="HOTEL-2", name="Nhà nghỉ Thứ Hai", kind="rental_rooms",
                                             ward_code="16681", address="2 Lê Lợi"), "test")
        create_facility(code="HOTEL-3", name="Khách sạn Người Khác", kind="rental_rooms", ward_code="16681")
    response = client.post("/api/v1/stays", headers={"Authorization": f"Bearer {key}"},
                           json=f.stay(room="202", guests=[f.citizen(full_name="Khách Của Hai")]))
    assert response.status_code == 201
    make_user(app)
    result = runner.invoke(args=["facility-user", "add-facility", EMAIL, "--facility", "HOTEL-2", "--role", "staff"])
    assert result.exit_code == 0, result.output


def test_switch_shows_only_the_chosen_facilitys_stays(app, client, api, second):
    assert api.post("/stays", json=f.stay(room="101", guests=[f.citizen(full_name="Khách Của Một")])).status_code == 201
    staff = login(client)
    home = staff.get("/facility/").get_data(as_text=True)
    assert "Khách Của Một" in home and "Khách Của Hai" not in home
    assert 'name="facility"' in home and "Nhà nghỉ Thứ Hai" in home  # the switcher lists both

    response = staff.post("/facility/switch", {"facility": "HOTEL-2"})
    assert response.status_code == 302
    there = staff.get("/facility/").get_data(as_text=True)
    assert "Khách Của Hai" in there and "Khách Của Một" not in there
    history = staff.get("/facility/history").get_data(as_text=True)
    assert "Khách Của Hai" in history and "Khách Của Một" not in history

    staff.post("/facility/switch", {"facility": "HOTEL-1"})
    assert "Khách Của Một" in staff.get("/facility/").get_data(as_text=True)


def test_cannot_switch_to_a_facility_that_is_not_theirs(app, client, api, second):
    staff = login(client)
    assert staff.post("/facility/switch", {"facility": "HOTEL-3"}).status_code == 404
    assert staff.post("/facility/switch", {"facility": "NOWHERE"}).status_code == 404
    page = staff.get("/facility/").get_data(as_text=True)
    assert "Khách Của Hai" not in page and "Khách sạn Người Khác" not in page  # still the user's own


def test_the_switch_needs_the_csrf_token(app, client, second):
    staff = login(client)
    response = client.post("/facility/switch", data={"facility": "HOTEL-2"})
    assert response.status_code == 400
    assert "Khách Của Hai" not in staff.get("/facility/").get_data(as_text=True)


def test_staff_role_gets_403_on_manager_pages(app, client, second):
    staff = login(client)
    assert staff.get("/facility/import").status_code == 200  # manager at their own facility
    staff.post("/facility/switch", {"facility": "HOTEL-2"})
    for path in ("/facility/import", "/facility/portal", "/facility/import/template.csv"):
        assert staff.get(path).status_code == 403, path
    assert staff.post("/facility/import/confirm", {"token": "x"}).status_code == 403
    page = staff.get("/facility/").get_data(as_text=True)
    assert "/facility/import" not in page  # the menu does not offer it
    assert staff.get("/facility/stays/new").status_code == 200  # staff still enter stays


def test_a_user_with_one_facility_sees_no_switcher(app, client, facility):
    make_user(app)
    staff = login(client)
    assert 'action="/facility/switch"' not in staff.get("/facility/").get_data(as_text=True)


def test_see_all_lists_only_the_users_facilities(app, client, api, second):
    from accommnotify.intake import service
    from accommnotify.models import Facility, FacilityRef
    with app.app_context():
        from accommnotify.extensions import db
        third = FacilityRef.of(db.session.execute(db.select(Facility).filter_by(code="HOTEL-3")).scalar_one())
        service.create_stay(third, f.stay(guests=[f.citizen(full_name="Khách Người Lạ")]))
    assert api.post("/stays", json=f.stay(guests=[f.citizen(full_name="Khách Của Một")])).status_code == 201
    staff = login(client)
    page = staff.get("/facility/all")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Khách Của Một" in text and "Khách Của Hai" in text
    assert "Khách Người Lạ" not in text and "Khách sạn Người Khác" not in text
    assert 'href="/facility/all"' in text  # in the menu of a user with several facilities
