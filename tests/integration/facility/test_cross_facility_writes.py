"""Staff of one facility cannot change another facility's stay through the pages: check-out (the whole
stay or one guest), cancel, undoing a check-out and correction answer 404 and leave the other stay
exactly as it was.

The 404 alone proves nothing: the stay is read back through the facility filter after the change is
committed, so a write path without the filter would still answer 404 -- after changing the stay.
These tests look at the stored rows; the same requests from the owner's staff do change the stay.
"""
import re

import pytest
from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.models import Notification
from tests import factories
from tests.integration.stored_rows import stay_snapshot

from .conftest import login, make_user

OTHER_EMAIL = "le-tan@example.com"
FORM_INPUT = re.compile(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"')


@pytest.fixture(params=[False, True], ids=["arrival-pending", "arrival-accepted"])
def theirs(request, app, facility):
    """Another facility (same ward) with a two-guest stay in room 201 and its own staff account.

    With "arrival-accepted" the police have the arrivals, so a change would add amendment or
    departure rows rather than edit the pending ones. Returns (stay, the owner's logged-in Staff).
    """
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stay
    from accommnotify.models import FacilityRef
    with app.app_context():
        other = FacilityRef.of(create_facility(code="OTHER-2", name="Nhà nghỉ Khác", kind="rental_rooms",
                                               ward_code="16681", address="1 Khác"))
        stay = create_stay(other, factories.stay(room="201", guests=[
            factories.citizen(full_name="Người Khác Một"), factories.citizen(full_name="Người Khác Hai")])).stay
        if request.param:
            db.session.execute(update(Notification).where(Notification.stay_id == stay["id"])
                               .values(status="accepted", receipt="RCPT-1"))
            db.session.commit()
    make_user(app, code="OTHER-2", email=OTHER_EMAIL)
    return stay, login(app.test_client(), OTHER_EMAIL)


def _assert_untouched(app, stay, before):
    after = stay_snapshot(app, stay["id"])
    [row] = after["stay"]
    assert (row["status"], row["departed_at"], row["room"]) == ("in_house", None, "201")
    assert [g["departed_at"] for g in after["guests"]] == [None, None]
    assert [n["event"] for n in after["notifications"]] == ["arrival", "arrival"]
    assert after == before


@pytest.mark.parametrize("who", ["whole-stay", "one-guest"])
def test_checking_out_another_facilitys_stay_changes_nothing(app, staff, theirs, who):
    stay, owner = theirs
    form = {"guest_id": stay["guests"][0]["id"]} if who == "one-guest" else {}
    form["next"] = "/facility/"
    before = stay_snapshot(app, stay["id"])

    response = staff.post(f"/facility/stays/{stay['id']}/departure", form)

    assert response.status_code == 404
    assert "Người Khác" not in response.get_data(as_text=True)
    _assert_untouched(app, stay, before)
    assert "Người Khác Một" not in staff.get("/facility/").get_data(as_text=True)
    # the same form from the owner's staff checks out
    assert owner.post(f"/facility/stays/{stay['id']}/departure", form).status_code == 302
    assert stay_snapshot(app, stay["id"])["guests"][0]["departed_at"] is not None


def test_correcting_another_facilitys_stay_changes_nothing(app, staff, theirs):
    stay, owner = theirs
    # the owner's own correction form, filled as the owner would: room 201 -> 999, a name corrected
    page = owner.get(f"/facility/stays/{stay['id']}/correct")
    assert page.status_code == 200
    values = dict(FORM_INPUT.findall(page.get_data(as_text=True)))
    values.update({"reason": stay["reason"], "room": "999", "g-0-full_name": "Người Khác Đã Sửa"})
    for i, guest in enumerate(stay["guests"]):
        values.update({f"g-{i}-kind": "citizen", f"g-{i}-sex": guest["sex"], f"g-{i}-id": guest["id"]})
    before = stay_snapshot(app, stay["id"])

    response = staff.post(f"/facility/stays/{stay['id']}/correct", values)

    _assert_untouched(app, stay, before)
    assert response.status_code == 404
    assert "Người Khác" not in response.get_data(as_text=True)
    assert staff.get(f"/facility/stays/{stay['id']}/correct").status_code == 404
    # the same form from the owner's staff corrects the stay
    assert owner.post(f"/facility/stays/{stay['id']}/correct", values).status_code == 302
    after = stay_snapshot(app, stay["id"])
    assert after["stay"][0]["room"] == "999" and after["guests"][0]["full_name"] == "Người Khác Đã Sửa"


def test_cancelling_another_facilitys_stay_changes_nothing(app, staff, theirs):
    stay, owner = theirs
    before = stay_snapshot(app, stay["id"])

    response = staff.post(f"/facility/stays/{stay['id']}/cancel", {"reason": "nhầm"})

    assert response.status_code == 404
    assert "Người Khác" not in response.get_data(as_text=True)
    _assert_untouched(app, stay, before)
    # the same form from the owner's staff cancels it
    assert owner.post(f"/facility/stays/{stay['id']}/cancel", {"reason": "nhầm"}).status_code == 302
    assert stay_snapshot(app, stay["id"])["stay"][0]["status"] == "cancelled"


def test_undoing_another_facilitys_check_out_changes_nothing(app, staff, theirs):
    stay, owner = theirs
    assert owner.post(f"/facility/stays/{stay['id']}/departure", {"next": "/facility/"}).status_code == 302
    checked_out = stay_snapshot(app, stay["id"])
    assert checked_out["stay"][0]["status"] == "departed"

    response = staff.post(f"/facility/stays/{stay['id']}/departure/undo", {"next": "/facility/"})

    assert response.status_code == 404
    assert stay_snapshot(app, stay["id"]) == checked_out
