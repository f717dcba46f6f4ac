"""The clock on the facility home page (issue 12, item 4): open notifications with the minutes to
their deadline from the (frozen) clock, soonest first; guests past a deadline counted against the
Decree 282/2025 brackets, as information; Vietnamese first, English on request."""
import re
from datetime import timedelta

from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.models import Notification
from tests import factories


def _stay(api, **kw):
    response = api.post("/stays", json=factories.stay(**kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _clock(page: str) -> str:
    return page.split('id="clock-title"')[1].split("</section>", 1)[0]


def test_open_notifications_show_minutes_to_their_deadline_soonest_first(app, api, staff):
    # 14:00 in Vietnam: a citizen's arrival is due at 23:00 (540 min), a foreigner's 12 h later (720 min)
    _stay(api, room="201", guests=[factories.foreigner(full_name="Anna Lind")])
    _stay(api, room="105", guests=[factories.citizen(full_name="Lê Thị Hoa")])
    clock = _clock(staff.get("/facility/").get_data(as_text=True))
    assert re.findall(r'data-minutes="(-?\d+)"', clock) == ["540", "720"]
    assert clock.index("Lê Thị Hoa") < clock.index("Anna Lind")
    assert "còn 540 phút" in clock and "còn 720 phút" in clock and "hạn 27/11/2026 23:00" in clock
    assert "quá hạn" not in clock  # nobody late yet

    english = _clock(staff.get("/facility/?lang=en").get_data(as_text=True))
    assert "540 minutes left" in english and "Notification deadlines" in english


def test_accepted_notifications_leave_the_clock(app, api, staff):
    stay = _stay(api, guests=[factories.citizen(full_name="Phan Văn Đã Gửi")])
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.stay_id == stay["id"]).values(status="accepted"))
        db.session.commit()
    clock = _clock(staff.get("/facility/").get_data(as_text=True))
    assert "Phan Văn Đã Gửi" not in clock and "Không có thông báo nào đang chờ gửi" in clock


def test_late_guests_are_counted_against_the_decree_brackets(app, api, staff, clock):
    for n in range(4):
        _stay(api, guests=[factories.citizen(full_name=f"Khách Trễ {'ABCD'[n]}")])
    _stay(api, guests=[factories.foreigner(full_name="Anna Lind")])  # due at 02:00: not late at 23:10
    clock.shift(timedelta(hours=9, minutes=10))  # 23:10: the citizens are 10 minutes late
    page = staff.get("/facility/").get_data(as_text=True)
    part = _clock(page)
    assert part.count("trễ 10 phút") == 4 and "còn 170 phút" in part
    assert "4 khách đã quá hạn thông báo." in part
    assert 'aria-current="true">từ 4 đến 8 khách</span>' in part
    assert "từ 1 đến 3 khách" in part and "từ 9 khách trở lên" in part
    assert "không phải tư vấn pháp lý" in part and "Nghị định 282/2025/NĐ-CP" in part

    english = _clock(staff.get("/facility/?lang=en").get_data(as_text=True))
    assert "4 guests are past a notification deadline." in english and "late by 10 minutes" in english
    assert "Information, not legal advice" in english and "Decree 282/2025/ND-CP" in english


def test_the_clock_shows_only_the_facilitys_own_notifications(app, client, api, staff):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    from tests.conftest import ApiClient
    with app.app_context():
        key = create_api_key(create_facility(code="HOTEL-2", name="Khác", kind="tourist_accommodation",
                                             ward_code="16681"), "other")
    _stay(ApiClient(client, key), guests=[factories.citizen(full_name="Khách Nơi Khác")])
    assert "Khách Nơi Khác" not in staff.get("/facility/").get_data(as_text=True)
