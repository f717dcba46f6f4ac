"""Guest self check-in in Debian's Chromium at 360 px (issue 13 item 5): guests scan the desk's code and
fill in their own details on a phone -- in Vietnamese (pasting their chip-ID QR, adding a child), in
Chinese and in Korean (foreigners) -- accept the privacy notice and send; the staff confirm one in one
tap. CSRF on, the suite's frozen clock. FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshots to
docs/screenshots/ (self-checkin-guest-zh-360.png, -ko-, -vi-, facility-checkins-360.png,
reception-display-360.png)."""
import os
import shutil
from datetime import date

import pytest
from playwright.sync_api import expect

from accommnotify.extensions import db
from accommnotify.rules.id_number import make_id_number
from tests.e2e.facility.test_facility_browser import DOCS, browser, login, phone, server  # noqa: F401

pytestmark = pytest.mark.e2e
ADULT_ID = make_id_number("079", "female", date(1988, 3, 9), tail="424242")
QR = f"{ADULT_ID}||Trần Thị Mai|09031988|Nữ|14 Lý Tự Trọng, Quận 1|01052021"


def snap(page, tmp_path, name):
    target = tmp_path / name
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("FACILITY_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, DOCS / name)


def guest_phone(browser, locale, **kw):
    """A guest's phone at 360 px whose browser speaks `locale` (the staff's phone() is Vietnamese)."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, locale=locale, **kw)
    context.set_default_timeout(10_000)
    return context


def desk_url(app, base):
    from accommnotify.checkin import service
    from accommnotify.models import Facility
    with app.app_context():
        token = service.desk_token_now(db.session.query(Facility).filter_by(code="NN-HOAMAI").one().id)
        db.session.remove()
    return f"{base}/checkin/{token}"


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def foreigner(page, lang, name, nationality, passport, button):
    page.locator("#g-0-kind-foreigner").check()
    page.locator("#g-0-full_name").fill(name)
    page.locator("#g-0-date_of_birth").fill("1992-04-05")
    page.locator("#g-0-sex").select_option("female")
    page.locator("#g-0-nationality").fill(nationality)
    page.locator("#g-0-document_number").fill(passport)
    page.locator("#g-0-visa_kind").select_option("visa_exempt" if nationality == "KOR" else "e_visa")
    if nationality != "KOR":
        page.locator("#g-0-visa_number").fill("EV20261127")
        page.locator("#g-0-visa_valid_until").fill("2027-01-31")
    page.locator("#g-0-entry_date").fill("2026-11-26")


def test_guests_check_themselves_in_and_staff_confirm_in_one_tap(server, browser, tmp_path):  # noqa: F811
    app, _url, base = server
    url = desk_url(app, base)

    # a Chinese guest: chooses Chinese, fills in, must accept the notice, sends
    context = guest_phone(browser, "en-US")       # the phone speaks English: the page too, until she picks
    page = context.new_page()
    page.goto(url)
    assert page.locator("h1").inner_text() == "Check-in: your details"
    page.get_by_role("link", name="中文").click()
    assert page.locator("h1").inner_text() == "入住登记：您的信息"
    foreigner(page, "zh", "WANG XIAOLI", "CHN", "E12345678", "提交给前台")
    page.get_by_role("button", name="提交给前台").click()
    assert page.locator("#privacy-error").inner_text() == "请阅读隐私声明并勾选同意。"
    assert page.locator("#g-0-full_name").input_value() == "WANG XIAOLI"        # nothing typed is lost
    page.locator("#privacy").check()
    fits(page)
    snap(page, tmp_path, "self-checkin-guest-zh-360.png")
    page.get_by_role("button", name="提交给前台").click()
    page.wait_for_url("**/checkin/sent**")
    assert "已提交，请等待工作人员确认。" in page.locator("main").inner_text()
    assert "WANG" not in page.content() and "E12345678" not in page.content()
    context.close()

    # a Korean guest (visa exempt)
    context = guest_phone(browser, "ko-KR")
    page = context.new_page()
    page.goto(url)                                # the phone speaks Korean: so does the page
    assert page.locator("h1").inner_text() == "체크인: 투숙객 정보"
    foreigner(page, "ko", "KIM MINJI", "KOR", "M87654321", "프런트로 보내기")
    page.locator("#privacy").check()
    fits(page)
    snap(page, tmp_path, "self-checkin-guest-ko-360.png")
    page.get_by_role("button", name="프런트로 보내기").click()
    page.wait_for_url("**/checkin/sent**")
    assert "전송되었습니다" in page.locator("main").inner_text()
    context.close()

    # a Vietnamese mother pastes her chip-ID QR and adds her child (no number: under 14)
    context = guest_phone(browser, "vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    assert page.locator("h1").inner_text() == "Khai báo lưu trú: thông tin của bạn"
    page.locator("#g-0-box summary").click()
    page.locator("#g-0-scan").fill(QR)
    page.get_by_role("button", name="Điền từ mã").click()
    assert page.locator("#g-0-id_number").input_value() == ADULT_ID
    assert page.locator("#g-0-full_name").input_value() == "Trần Thị Mai"
    page.get_by_role("button", name="+ Thêm người đi cùng").click()
    page.locator("#g-1-full_name").fill("Nguyễn Minh Khang")
    page.locator("#g-1-date_of_birth").fill("2019-06-01")
    page.locator("#g-1-sex").select_option("male")
    page.locator("#privacy").check()
    fits(page)
    snap(page, tmp_path, "self-checkin-guest-vi-360.png")
    page.get_by_role("button", name="Gửi cho lễ tân").click()
    page.wait_for_url("**/checkin/sent**")
    assert "Thông tin của 2 khách đã được gửi cho lễ tân." in page.locator("main").inner_text()
    context.close()

    # the staff see three entries (numbers masked) and confirm the family in one tap
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    page.get_by_role("link", name="Khách tự khai báo").click()
    main = page.locator("main")
    assert page.locator(".checkin-entry").count() == 3
    assert "WANG XIAOLI" in main.inner_text() and ADULT_ID not in main.inner_text()
    assert "•" * 9 + ADULT_ID[-3:] in main.inner_text()
    fits(page)
    snap(page, tmp_path, "facility-checkins-360.png")
    family = page.locator(".checkin-entry", has_text="Trần Thị Mai")
    family.get_by_label("Phòng").fill("301")
    family.get_by_role("button", name="Xác nhận nhận phòng").click()
    page.wait_for_url("**/facility/stays/**")
    assert "Đã xác nhận. Thông báo lưu trú sẽ được gửi tới công an." in main.inner_text()
    assert "Trần Thị Mai" in main.inner_text() and "Nguyễn Minh Khang" in main.inner_text()
    page.get_by_role("link", name="Khách tự khai báo").click()
    expect(page.locator(".checkin-entry")).to_have_count(2)

    page.goto(base + "/facility/checkin-qr")      # staff's QR page: now the reception display (no menu)
    assert "/checkin-display/" in page.url
    assert page.locator("#desk-qr svg").count() == 1
    assert page.locator("a").count() == 0 and page.locator("form").count() == 0 and page.locator("nav").count() == 0
    assert "Trần Thị Mai" not in page.inner_text("body")
    fits(page)
    snap(page, tmp_path, "reception-display-360.png")
    context.close()
