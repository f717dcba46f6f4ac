"""The "Tệp cổng khai báo" page and the in-house banner, through the test client (no JavaScript)."""
from datetime import timedelta

import pytest

from accommnotify.dispatch.core import Dispatcher
from tests import factories
from tests.integration.dispatch.dispatch_support import status_counts
from tests.integration.facility.conftest import login, make_user
from tests.integration.portal.test_portal_files import files, portal, post_stays  # noqa: F401 (fixture)


@pytest.fixture
def staff_portal(portal):
    app, api, other = portal
    make_user(app)
    return app, api, login(app.test_client())


def test_page_confirm_and_mismatch_in_vietnamese(staff_portal):
    app, api, staff = staff_portal
    post_stays(api, 2, foreigner=False)
    Dispatcher(app).run_pass(flush=True)
    [f] = files(api)
    page = staff.get("/facility/portal").get_data(as_text=True)
    assert "Tệp cổng khai báo" in page and "Tôi đã tải lên: cổng hiển thị" in page and "bản ghi" in page
    assert f"/facility/portal/{f['id']}/download" in page and "Nguy" not in page.split("Lịch sử")[0].split("<main")[0]
    r = staff.get(f"/facility/portal/{f['id']}/download")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert f['filename'] in r.headers["Content-Disposition"]
    # a wrong count: mismatch, what to check, nothing accepted
    r = staff.post(f"/facility/portal/{f['id']}/confirm", {"records_shown": "0"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "Cổng hiển thị 0 bản ghi nhưng tệp có 2" in text
    assert status_counts(app) == {"awaiting_upload": 2}
    # not a number: the field's error on the page, no 5xx
    r = staff.post(f"/facility/portal/{f['id']}/confirm", {"records_shown": "abc"}, follow_redirects=True)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.get_data(as_text=True)
    # the right count
    r = staff.post(f"/facility/portal/{f['id']}/confirm", {"records_shown": "2"}, follow_redirects=True)
    assert "Đã xác nhận" in r.get_data(as_text=True)
    assert status_counts(app) == {"accepted": 2}
    # another facility's file is a 404
    assert staff.post("/facility/portal/pf_doesnotexist/confirm", {"records_shown": "1"}).status_code == 404


def test_banner_when_a_file_waits_and_its_deadline_is_near(staff_portal, clock):
    app, api, staff = staff_portal
    post_stays(api, 1, foreigner=True)  # the foreigner's deadline is 12 h away, the citizen's 23:00 (or 08:00)
    Dispatcher(app).run_pass(flush=True)
    [f] = [f for f in files(api) if f["kind"] == "foreigners"]
    assert "portal-banner" not in staff.get("/facility/").get_data(as_text=True)
    clock.shift(timedelta(hours=11))
    page = staff.get("/facility/").get_data(as_text=True)
    assert "portal-banner" in page and "Tệp cổng khai báo" in page
    english = staff.get("/facility/?lang=en").get_data(as_text=True)
    assert "A portal file is waiting to be uploaded" in english


def test_the_form_refuses_a_stay_the_portal_could_not_take(staff_portal):
    from tests.integration.facility.test_new_stay import error_of, family_form
    app, api, staff = staff_portal
    form = family_form(**{"g-1-id_number": ""})
    page = staff.post("/facility/stays/new", form).get_data(as_text=True)
    assert error_of(page, "expected_departure") == "Cổng khai báo yêu cầu ngày đi dự kiến."
    assert "Cổng khai báo yêu cầu số giấy tờ cho mỗi khách" in error_of(page, "g-1-id_number")
    assert status_counts(app) == {}


def test_scanning_a_new_identity_card_fills_which_card(staff_portal):
    from datetime import date
    from accommnotify.rules.id_number import make_id_number
    from tests.integration.facility.test_new_stay import family_form, field_value
    app, api, staff = staff_portal
    qr = f"{make_id_number('001', 'male', date(1985, 1, 2), tail='777777')}||Phạm Quốc Bảo|02011985|Nam|5 Trần Phú|15082025"
    page = staff.post("/facility/stays/new", family_form(**{"g-0-scan": qr, "action": "fill:0"})).get_data(as_text=True)
    assert field_value(page, "g-0-document_kind") == "can_cuoc"
    assert "Thẻ Căn cước (từ 1/7/2024)" in page


def test_the_import_preview_refuses_rows_the_portal_could_not_take(staff_portal):
    from tests.integration.facility.test_import import confirm, csv_bytes, row, upload
    app, api, staff = staff_portal
    departure = (factories.local_now() + timedelta(days=2)).strftime("%d/%m/%Y %H:%M")
    rows = [row(**{"Mã đặt phòng": "BK-1", "Ngày giờ dự kiến đi": departure}),
            row(**{"Mã đặt phòng": "BK-2", "Họ và tên": "Trần Thị Na"})]  # no expected departure
    page = upload(staff, csv_bytes(rows), "khach.csv").get_data(as_text=True)
    assert "Cổng khai báo yêu cầu ngày đi dự kiến." in page
    assert "có thể nhập 1 lần lưu trú" in page
    confirm(staff, page)
    assert status_counts(app) == {"pending": 1}
