"""Guest self check-in (issue 13 item 5): a guest sends their own details, staff confirm in one tap.

Real app and database (SQLite and PostgreSQL), CSRF on, the suite's frozen clock."""
import re
from datetime import datetime, timedelta

import pytest

from accommnotify.checkin import service as checkin
from accommnotify.extensions import db
from accommnotify.models import CheckinSubmission, Facility
from accommnotify.timeutil import VN_TZ
from tests import factories
from tests.conftest import make_app
from tests.integration.facility.conftest import csrf_of, login, make_user


def desk_token(app, code="HOTEL-1"):
    with app.app_context():
        facility_id = db.session.query(Facility).filter_by(code=code).one().id
        return checkin.desk_token_now(facility_id)


def citizen_fields(i=0, guest=None):
    guest = guest or factories.citizen()
    out = {f"g-{i}-kind": "citizen", f"g-{i}-full_name": guest["full_name"], f"g-{i}-sex": guest["sex"],
           f"g-{i}-date_of_birth": guest["date_of_birth"]}
    if guest.get("id_number"):
        out[f"g-{i}-id_number"] = guest["id_number"]
    return out


def foreigner_fields(i=0):
    g = factories.foreigner()
    return {f"g-{i}-kind": "foreigner", f"g-{i}-full_name": g["full_name"], f"g-{i}-sex": g["sex"],
            f"g-{i}-date_of_birth": g["date_of_birth"], f"g-{i}-nationality": g["nationality"],
            f"g-{i}-document_number": g["document"]["number"], f"g-{i}-visa_kind": "e_visa",
            f"g-{i}-visa_number": "EV12345678", f"g-{i}-visa_valid_until": "2099-01-31",
            f"g-{i}-entry_date": g["entry_date"]}


class Guest:
    """A phone: its own cookies (and address), the form's CSRF token and one-time value (nonce)."""

    def __init__(self, app, token, lang="vi", address="127.0.0.1"):
        self.client, self.token, self.lang = app.test_client(), token, lang
        self.environ = {"REMOTE_ADDR": address}
        self.page = self.client.get(f"/checkin/{token}?lang={lang}", environ_base=self.environ)
        html = self.page.get_data(as_text=True)
        self.csrf = csrf_of(html) if self.page.status_code == 200 else None
        found = re.search(r'name="nonce" value="([^"]+)"', html)
        self.nonce = found.group(1) if found else None

    def send(self, fields, privacy=True, **extra):
        """Without `nonce=` in extra, as a form whose field was lost (the session's value is used)."""
        data = {"csrf_token": self.csrf, "lang": self.lang, "reason": "tourism", **fields, **extra}
        if privacy:
            data["privacy"] = "yes"
        return self.client.post(f"/checkin/{self.token}", data=data, environ_base=self.environ)


def stored(app):
    with app.app_context():
        return db.session.query(CheckinSubmission).order_by(CheckinSubmission.id).all()


def test_a_guest_sends_their_details_and_staff_confirm_in_one_tap(app, client, facility, clock):
    make_user(app)
    guest_data = factories.citizen(full_name="Lê Thị Hoa")
    clock.move_to(datetime(2026, 11, 27, 22, 40, tzinfo=VN_TZ))
    phone = Guest(app, desk_token(app))
    assert phone.page.status_code == 200 and "csrf_token" in phone.page.get_data(as_text=True)
    sent = phone.send(citizen_fields(guest=guest_data))
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/checkin/sent")
    done = phone.client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Lê Thị Hoa" not in done and guest_data["id_number"] not in done
    [entry] = stored(app)
    assert entry.status == "pending" and "Hoa" not in entry.payload and guest_data["id_number"] not in entry.payload

    staff = login(client)
    listing = staff.get("/facility/checkins").get_data(as_text=True)
    assert "Lê Thị Hoa" in listing and guest_data["id_number"] not in listing
    assert "•" * 9 + guest_data["id_number"][-3:] in listing
    clock.move_to(datetime(2026, 11, 27, 23, 10, tzinfo=VN_TZ))     # confirmed after 23:00: 08:00 next day
    confirmed = staff.post(f"/facility/checkins/{entry.id}/confirm", {"room": "204"})
    assert confirmed.status_code == 302
    stay_id = confirmed.headers["Location"].rsplit("/", 1)[1]
    stay = client.get(f"/api/v1/stays/{stay_id}", headers={"Authorization": f"Bearer {facility[1]}"}).get_json()
    assert stay["arrived_at"].startswith("2026-11-27T23:10") and stay["room"] == "204"
    assert stay["external_ref"] == f"CHK-{entry.id}"
    [note] = stay["guests"][0]["notifications"]
    assert note["event"] == "arrival" and note["deadline_at"] == "2026-11-28T08:00:00+07:00"
    [after] = stored(app)
    assert after.status == "confirmed" and after.stay_id == stay_id and after.payload == ""
    assert "Lê Thị Hoa" not in staff.get("/facility/checkins").get_data(as_text=True)
    again = staff.post(f"/facility/checkins/{entry.id}/confirm", {})    # a retry after success: the same stay
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/stays/{stay_id}")


def test_a_family_with_a_child_and_a_foreigner(app, client, facility):
    phone = Guest(app, desk_token(app), lang="en")
    added = phone.send(citizen_fields(0), action="add")
    assert added.status_code == 200 and 'id="g-1-box"' in added.get_data(as_text=True)
    fields = {**citizen_fields(0), **citizen_fields(1, factories.child()), **foreigner_fields(2)}
    assert phone.send(fields).status_code == 302
    [entry] = stored(app)
    assert entry.guest_count == 3
    make_user(app)
    staff = login(client)
    assert staff.post(f"/facility/checkins/{entry.id}/confirm", {}).status_code == 302


@pytest.mark.parametrize("lang,label", [("en", "Personal ID number (12 digits)"), ("vi", "Số định danh cá nhân"),
                                         ("zh", "个人身份号码"), ("ko", "개인 식별 번호")])
def test_the_rule_set_judges_the_entry_and_names_the_field_in_the_guests_language(app, facility, lang, label):
    phone = Guest(app, desk_token(app), lang=lang)
    bad = citizen_fields(guest=factories.citizen(id_number="123456789"))   # an old 9-digit CMND
    answer = phone.send(bad, privacy=False)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="g-0-id_number-error"' in page and label in page
    from accommnotify.checkin.messages import guest_message
    expected = guest_message("id_number.legacy_cmnd", lang)
    assert expected in page and (lang in ("vi", "en") or "CMND" in expected and "12" in expected)
    assert 'id="privacy-error"' in page
    assert stored(app) == []
    assert "123456789" in page   # what was typed comes back (nothing lost)


def test_a_pasted_chip_id_qr_fills_the_guest(app, facility):
    phone = Guest(app, desk_token(app))
    qr = "001090000123|012345678|Nguyễn Văn An|17051990|Nam|12 Lê Lợi, Hà Nội|01012022"
    page = phone.send({"g-0-kind": "citizen", "g-0-scan": qr}, action="scan:0").get_data(as_text=True)
    assert 'value="001090000123"' in page and 'value="1990-05-17"' in page
    # and what the card says besides is kept with the person, for the police (the card's kind, the address)
    assert 'name="g-0-permanent_address" value="12 Lê Lợi, Hà Nội"' in page
    assert 'name="g-0-document_kind" value="cccd"' in page


def test_desk_codes_rotate_and_an_old_one_says_so(app, facility, clock):
    old = desk_token(app)
    assert Guest(app, old).page.status_code == 200
    clock.shift(timedelta(minutes=10))
    assert Guest(app, old).page.status_code == 200          # the previous window still opens the form
    clock.shift(timedelta(minutes=10))
    gone = Guest(app, old).page
    assert gone.status_code == 410 and "csrf_token" not in gone.get_data(as_text=True)
    assert Guest(app, desk_token(app)).page.status_code == 200
    forged = old[:-3] + ("AAA" if not old.endswith("AAA") else "BBB")
    assert Guest(app, forged).page.status_code == 404


def test_a_guest_who_opened_the_form_may_still_send_it_after_the_code_rotated(app, facility, clock):
    phone = Guest(app, desk_token(app))
    clock.shift(timedelta(minutes=45))
    assert phone.send(citizen_fields()).status_code == 302
    clock.shift(timedelta(minutes=30))      # but not past CHECKIN_FORM_MINUTES
    assert phone.send(citizen_fields()).status_code == 410


def test_a_booking_link_expires_and_is_used_up(app, facility, clock):
    with app.app_context():
        token = checkin.create_link(facility[0].id, "BK-77")
    phone = Guest(app, token)
    assert phone.page.status_code == 200
    for _ in range(3):
        assert phone.send(citizen_fields()).status_code == 302
    assert phone.send(citizen_fields()).status_code == 410
    with app.app_context():
        fresh = checkin.create_link(facility[0].id)
    clock.shift(timedelta(hours=48, seconds=1))
    assert Guest(app, fresh).page.status_code == 410
    assert Guest(app, "b-" + "A" * 32).page.status_code == 404
    assert Guest(app, "nonsense").page.status_code == 404


def test_reject_deletes_the_details_and_another_facility_sees_nothing(app, client, facility):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-B", name="Nhà nghỉ Khác", kind="rental_rooms", ward_code="16681", address="3 Hàng Bạc")
    make_user(app, code="HOTEL-B", email="b@example.com")
    assert Guest(app, desk_token(app)).send(citizen_fields(guest=factories.citizen(full_name="Đào Văn Bí"))).status_code == 302
    [entry] = stored(app)
    other = login(app.test_client(), email="b@example.com")
    assert "Đào Văn Bí" not in other.get("/facility/checkins").get_data(as_text=True)
    assert other.post(f"/facility/checkins/{entry.id}/confirm", {}).status_code == 404
    assert other.post(f"/facility/checkins/{entry.id}/reject", {"reason": "x"}).status_code == 404
    assert stored(app)[0].status == "pending"
    make_user(app)
    staff = login(client)
    assert staff.post(f"/facility/checkins/{entry.id}/reject", {"reason": "Không có giấy tờ"}).status_code == 302
    [after] = stored(app)
    assert after.status == "rejected" and after.payload == "" and after.reject_reason == "Không có giấy tờ"
    assert staff.post(f"/facility/checkins/{entry.id}/confirm", {}).status_code == 404


def test_entries_expire_and_purge_deletes_them(app, client, facility, clock):
    assert Guest(app, desk_token(app)).send(citizen_fields()).status_code == 302
    clock.shift(timedelta(hours=24, seconds=1))
    make_user(app)
    staff = login(client)
    [entry] = stored(app)
    assert "checkin-entry" not in staff.get("/facility/checkins").get_data(as_text=True)
    assert staff.post(f"/facility/checkins/{entry.id}/confirm", {}).status_code == 404
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "removed 1 self check-in entry(ies)" in result.output, result.output
    assert stored(app) == []


def test_sending_is_rate_limited_per_token_and_address(database_url, clock):
    app = make_app(database_url, CHECKIN_RATE_PER_TOKEN=2, CHECKIN_RATE_PER_ADDRESS=50)
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation", ward_code="16681",
                        address="12 Lê Lợi")
    phone = Guest(app, desk_token(app))
    assert [phone.send(citizen_fields()).status_code for _ in range(2)] == [302, 302]
    third = phone.send(citizen_fields(guest=factories.citizen(full_name="Vũ Thị Giữ")))
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert 'value="Vũ Thị Giữ"' in third.get_data(as_text=True)       # nothing typed is lost
    assert len(stored(app)) == 2
    clock.shift(timedelta(seconds=int(third.headers["Retry-After"])))
    assert phone.send(citizen_fields()).status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_no_personal_data_in_any_url(app, client, facility):
    guest = factories.citizen(full_name="Hồ Văn Riêng")
    phone = Guest(app, desk_token(app))
    answers = [phone.send(citizen_fields(guest=guest), privacy=False), phone.send(citizen_fields(guest=guest))]
    make_user(app)
    staff = login(client)
    page = staff.get("/facility/checkins").get_data(as_text=True)
    [entry] = stored(app)
    answers.append(staff.post(f"/facility/checkins/{entry.id}/confirm", {}))
    urls = [a.headers.get("Location", "") for a in answers]
    for html in [page] + [a.get_data(as_text=True) for a in answers]:
        urls += re.findall(r'(?:href|action|src)="([^"]*)"', html)
    for url in urls:
        assert "Riêng" not in url and "Ri%C3%AAng" not in url and guest["id_number"] not in url, url


def test_the_desk_qr_page_and_a_booking_link_for_staff(app, client, facility):
    make_user(app)
    staff = login(client)
    page = staff.get("/facility/checkin-qr", follow_redirects=True)   # to the reception display (no menu)
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True) and int(page.headers["Refresh"]) > 0
    made = staff.post("/facility/checkins/links", {"booking_ref": "BK-9"}).get_data(as_text=True)
    url = re.search(r'id="link-url" value="([^"]+)"', made) or re.search(r'value="(http[^"]+/checkin/b-[^"]+)"', made)
    assert url, made[:500]
    path = url.group(1).split("localhost", 1)[1]
    assert app.test_client().get(path).status_code == 200


def test_the_pms_makes_a_booking_link_through_the_api(app, api, facility):
    made = api.post("/checkin-links", json={"booking_ref": "BK-2026-0042"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["booking_ref"] == "BK-2026-0042" and body["uses"] == 3
    assert body["expires_at"].endswith("+07:00") and body["expires_at"].startswith("2026-11-29T14:00")
    path = body["url"].split("localhost", 1)[1]
    assert path.startswith("/checkin/b-") and Guest(app, path.rsplit("/", 1)[1]).page.status_code == 200
    assert api.post("/checkin-links", json={}).status_code == 201
    bad = api.post("/checkin-links", json={"booking_ref": "x" * 65, "room": "1"})
    assert bad.status_code == 422
    codes = {(e["field"], e["code"]) for e in bad.get_json()["errors"]}
    assert ("booking_ref", "too_long") in codes and ("room", "unknown_field") in codes
    assert app.test_client().post("/api/v1/checkin-links", json={}).status_code == 401


def test_at_most_twenty_guests_and_adding_never_sends(app, facility):
    phone = Guest(app, desk_token(app))
    full = {k: v for i in range(20) for k, v in citizen_fields(i).items()}
    page = phone.send(full, action="add")
    assert page.status_code == 200 and 'id="g-19-box"' in page.get_data(as_text=True)
    assert 'id="g-20-box"' not in page.get_data(as_text=True) and 'id="add-guest"' not in page.get_data(as_text=True)
    assert stored(app) == []
    more = {k: v for i in range(25) for k, v in citizen_fields(i).items()}
    refused = phone.send(more)
    from accommnotify.rules.messages import message
    assert refused.status_code == 422 and message("guests.too_many", "vi", max=20) in refused.get_data(as_text=True)
    assert stored(app) == []
    assert phone.send(full).status_code == 302 and stored(app)[0].guest_count == 20


def test_purge_keeps_waiting_entries_and_removes_decided_ones_a_day_later(app, facility, clock):
    from accommnotify.ops.purge import purge
    phone = Guest(app, desk_token(app))
    for _ in range(2):
        assert phone.send(citizen_fields()).status_code == 302
    first, second = stored(app)
    with app.app_context():
        checkin.reject(facility[0], first.id, "nhầm")
        assert purge(30).checkin_entries == 0          # decided a moment ago; the other still waits
    clock.shift(timedelta(hours=23))
    with app.app_context():
        assert purge(30).checkin_entries == 0
    assert [e.status for e in stored(app)] == ["rejected", "pending"]
    clock.shift(timedelta(hours=1, seconds=1))
    with app.app_context():
        assert purge(30).checkin_entries == 2           # the rejected row a day on; the waiting one expired
    assert stored(app) == []


def test_a_visa_that_expired_while_waiting_keeps_the_entry_pending_and_says_why(app, client, facility, clock):
    phone = Guest(app, desk_token(app), lang="en")
    fields = foreigner_fields(0) | {"g-0-visa_valid_until": "2026-11-28"}
    assert phone.send(fields).status_code == 302
    [entry] = stored(app)
    clock.shift(timedelta(days=1, hours=23))     # two days on, 13:00: the visa ran out the day before
    with app.app_context():
        waiting = db.session.query(CheckinSubmission).one()
        waiting.expires_at += timedelta(days=2)              # (a longer CHECKIN_PENDING_HOURS)
        db.session.commit()
    make_user(app)
    staff = login(client)
    answer = staff.post(f"/facility/checkins/{entry.id}/confirm", {}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    from accommnotify.rules.messages import message
    assert answer.request.path == "/facility/checkins" and message("visa.expired", "vi") in page
    assert "Anna Maria Eriksson" in page                     # still waiting, for a reject or a new try
    [after] = stored(app)
    assert after.status == "pending" and after.decided_at is None and after.stay_id is None
    assert staff.post(f"/facility/checkins/{entry.id}/reject", {"reason": ""}).status_code == 302
    assert stored(app)[0].reject_reason == "Nhân viên từ chối"


def test_a_second_tap_replays_the_same_stay(app, facility, clock):
    assert Guest(app, desk_token(app)).send(citizen_fields()).status_code == 302
    [entry] = stored(app)
    with app.app_context():
        db.session.query(CheckinSubmission).update({"status": "confirming", "decided_at": datetime(
            2026, 11, 27, 13, 55, tzinfo=VN_TZ)})   # claimed, then the process died before the stay was stored
        db.session.commit()
        first = checkin.confirm(facility[0], entry.id)
    assert first["arrived_at"].startswith("2026-11-27T13:55")    # arrival = the claim, not the retry
    with app.app_context():
        assert checkin.confirm(facility[0], entry.id)["id"] == first["id"]   # confirmed: that stay again
        assert db.session.query(CheckinSubmission).one().stay_id == first["id"]
        with pytest.raises(checkin.NotOpen):
            checkin.reject(facility[0], entry.id, "late")


def test_removing_a_companion_keeps_the_others(app, facility):
    phone = Guest(app, desk_token(app))
    first, second = factories.citizen(full_name="Người Thứ Nhất"), factories.citizen(full_name="Người Thứ Hai")
    page = phone.send(citizen_fields(0, first) | citizen_fields(1, second), action="remove:0").get_data(as_text=True)
    assert "Người Thứ Hai" in page and "Người Thứ Nhất" not in page and 'id="g-1-box"' not in page
    page = phone.send(citizen_fields(0, second), action="remove:0").get_data(as_text=True)
    assert "Người Thứ Hai" in page                           # the last guest is never removed
    assert stored(app) == []


def hotel_app(database_url, **settings):
    app = make_app(database_url, **settings)
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation", ward_code="16681",
                        address="12 Lê Lợi")
    return app


def test_a_full_facility_refuses_more_entries_and_staff_see_how_many_wait(database_url, clock):
    app = hotel_app(database_url, CHECKIN_MAX_OPEN=101, CHECKIN_RATE_PER_TOKEN=1000, CHECKIN_RATE_PER_ADDRESS=1000)
    token = desk_token(app)
    with app.app_context():
        access = checkin.resolve(token)
        for _ in range(101):   # a flood, stored through the service (as the form would)
            checkin.submit(access, [factories.citizen()], "tourism", "vi")
    phone = Guest(app, token)
    refused = phone.send(citizen_fields(guest=factories.citizen(full_name="Vũ Thị Giữ")), nonce=phone.nonce)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert 'value="Vũ Thị Giữ"' in page and 'id="throttled"' in page     # nothing typed is lost
    assert len(stored(app)) == 101
    make_user(app)
    staff = login(app.test_client())
    listing = staff.get("/facility/checkins").get_data(as_text=True)
    assert '<span id="open-total">101</span>' in listing and 'id="more-waiting"' in listing
    assert listing.count('class="card checkin-entry"') == 100
    oldest = stored(app)[0].id
    assert f'id="entry-{oldest}"' in listing
    assert staff.post(f"/facility/checkins/{oldest}/reject", {"reason": "x"}).status_code == 302
    assert phone.send(citizen_fields(), nonce=phone.nonce).status_code == 302   # room again
    listing = staff.get("/facility/checkins").get_data(as_text=True)
    assert '<span id="open-total">101</span>' in listing
    with app.app_context():
        db.engine.dispose()


def test_the_address_limit_counts_an_ipv6_network_as_one(database_url, clock):
    app = hotel_app(database_url, CHECKIN_RATE_PER_TOKEN=1000, CHECKIN_RATE_PER_ADDRESS=2)
    token = desk_token(app)
    sent = [Guest(app, token, address=f"2001:db8:1:2::{i}").send(citizen_fields()).status_code for i in (1, 2, 3)]
    assert sent == [302, 302, 429]     # three addresses of one /64: one network
    assert Guest(app, token, address="2001:db8:1:3::1").send(citizen_fields()).status_code == 302
    assert len(stored(app)) == 3
    with app.app_context():
        db.engine.dispose()


def test_a_double_tap_or_a_retry_is_stored_once(app, facility):
    phone = Guest(app, desk_token(app))
    fields = citizen_fields()
    first, second = phone.send(fields, nonce=phone.nonce), phone.send(fields, nonce=phone.nonce)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].startswith("/checkin/sent")
    assert len(stored(app)) == 1 and stored(app)[0].nonce == phone.nonce
    other = Guest(app, desk_token(app))          # the form opened again: a new one-time value, a new entry
    assert other.nonce != phone.nonce and other.send(citizen_fields(), nonce=other.nonce).status_code == 302
    assert len(stored(app)) == 2
    with app.app_context():
        token = checkin.create_link(facility[0].id, "BK-1")
        db.session.query(checkin.CheckinLink).update({"uses_left": 1})
        db.session.commit()
    booked = Guest(app, token)
    assert booked.send(fields, nonce=booked.nonce).status_code == 302
    retry = booked.send(fields, nonce=booked.nonce)          # the link is used up, the retry still says "sent"
    assert retry.status_code == 302 and retry.headers["Location"].startswith("/checkin/sent")
    assert len(stored(app)) == 3
    stranger = Guest(app, desk_token(app))     # a stored nonce through another token: not stored either
    assert stranger.send(fields, nonce=booked.nonce).status_code == 302
    assert len(stored(app)) == 3


def test_the_nonce_column_is_unique(app, facility):
    from sqlalchemy.exc import IntegrityError
    token = desk_token(app)
    with app.app_context():
        access = checkin.resolve(token)
        first = checkin.submit(access, [factories.citizen()], "tourism", "vi", nonce="N" * 32)
        with pytest.raises(checkin.Duplicate):
            checkin.submit(access, [factories.citizen()], "tourism", "vi", nonce="N" * 32)
        entry = db.session.get(CheckinSubmission, first)
        db.session.add(CheckinSubmission(id="cks_twin", facility_id=entry.facility_id, source="desk", status="pending",
                                         guest_count=1, payload="x", lang="vi", created_at=entry.created_at,
                                         expires_at=entry.expires_at, nonce="N" * 32))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_network_that_guessed_too_many_tokens_waits_before_any_look_up(app, facility, clock):
    token = desk_token(app)
    answers = [Guest(app, "b-" + f"{i:032d}").page.status_code for i in range(30)]
    assert set(answers) == {404}
    locked = Guest(app, token).page              # even the real desk code: no look-up while locked
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "csrf_token" not in locked.get_data(as_text=True)
    assert Guest(app, token, address="192.0.2.7").page.status_code == 200     # another network is not slowed
    clock.shift(timedelta(seconds=int(locked.headers["Retry-After"])))
    assert Guest(app, desk_token(app)).page.status_code == 200


def test_a_failed_confirm_never_undoes_a_parallel_success(app, facility, monkeypatch):
    from accommnotify.intake.errors import InvalidInput
    assert Guest(app, desk_token(app)).send(citizen_fields()).status_code == 302
    [entry] = stored(app)

    def confirmed_elsewhere_then_refused(*_args, **_kwargs):   # another worker finished while this one failed
        db.session.query(CheckinSubmission).update({"status": "confirmed", "stay_id": "sty_other", "payload": ""})
        db.session.commit()
        raise InvalidInput("refused")
    monkeypatch.setattr(checkin.intake, "create_stay", confirmed_elsewhere_then_refused)
    with app.app_context():
        with pytest.raises(InvalidInput):
            checkin.confirm(facility[0], entry.id)
    [after] = stored(app)
    assert after.status == "confirmed" and after.stay_id == "sty_other"
