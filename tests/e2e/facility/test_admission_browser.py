"""Hospitals (issue 13 item 1): a night admission of a patient with two relatives, in Debian's Chromium at
360 px: the patient and one relative filled from chip-ID QR scans (form.js, the server's parser), the other
typed; one tap adds each relative. FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshot to
docs/screenshots/hospital-night-admission-360.png."""
import os
import shutil
from datetime import date

import pytest
from playwright.sync_api import expect

from accommnotify.extensions import db
from accommnotify.rules.id_number import make_id_number
from tests.e2e.facility.test_facility_browser import DOCS, browser, phone, server  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

NURSE, PASSWORD = "dieuduong@example.com", "mật khẩu trực đêm 2026"
PATIENT_QR = f"{make_id_number('001', 'male', date(1950, 4, 2), tail='515151')}||Trần Văn Bệnh|02041950|Nam|5 Trần Phú|10102021"
SON_QR = f"{make_id_number('079', 'male', date(1980, 1, 2), tail='525252')}||Trần Quốc Con|02011980|Nam|5 Trần Phú|10102021"


def test_night_admission_with_two_companions_at_360px(server, browser, tmp_path):  # noqa: F811
    app, _url, base = server
    from accommnotify.facility.accounts import create_user
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="BV-SEN", name="Bệnh viện Sen", kind="medical_facility", ward_code="16681",
                        address="1 Lê Lợi")
        create_user(NURSE, PASSWORD, "BV-SEN")
        db.session.remove()
    context = phone(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/facility/")
    page.get_by_label("Thư điện tử").fill(NURSE)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/facility/")

    page.get_by_role("link", name="Nhập viện nhanh").click()
    page.wait_for_url(base + "/facility/admissions/new")
    assert page.locator("#arrived_at").input_value()          # now, prefilled
    page.get_by_label("Khoa", exact=True).fill("Hồi sức")
    page.get_by_label("Giường", exact=True).fill("12")
    page.locator("#g-0-scan").fill(PATIENT_QR)                   # the scanner types; form.js fills at once
    expect(page.locator("#g-0-full_name")).to_have_value("Trần Văn Bệnh")
    assert page.locator("#g-0-date_of_birth").input_value() == "1950-04-02"

    page.get_by_role("button", name="+ Thêm người nhà").click()   # one tap: a box for the relative
    page.wait_for_selector("#g-1-full_name")
    assert page.locator("#g-0-full_name").input_value() == "Trần Văn Bệnh"  # nothing typed is lost
    page.locator("#g-1-full_name").fill("Nguyễn Thị Vợ")
    page.locator("#g-1-date_of_birth").fill("1953-07-09")
    page.locator("#g-1-sex").select_option("female")
    page.locator("#g-1-id_number").fill(make_id_number("001", "female", date(1953, 7, 9), tail="535353"))

    page.get_by_role("button", name="+ Thêm người nhà").click()
    page.wait_for_selector("#g-2-scan")
    page.locator("#g-2-scan").fill(SON_QR)
    expect(page.locator("#g-2-full_name")).to_have_value("Trần Quốc Con")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    target = tmp_path / "hospital-night-admission-360.png"
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("FACILITY_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, DOCS / target.name)

    page.locator("#send").click()
    page.wait_for_url("**/facility/stays/st_*")
    main = page.locator("main").inner_text()
    assert main.count("Người nhà của Trần Văn Bệnh") == 2, main
    assert "Khoa / Giường Hồi sức / 12" in main and "Nhập viện" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Đang lưu trú").click()
    home = page.locator("main").inner_text()
    assert "Khoa / Giường Hồi sức / 12" in home and "Ra viện tất cả" in home
    assert errors == []
    context.close()
