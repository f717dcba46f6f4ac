"""The rooms board (issue 13 item 4) in Debian's Chromium at 360 px: a manager adds rooms 101-103,
a new stay picks a free room from the suggestions, the in-house board shows it taken, the check-out
frees it. No page scrolls sideways. FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshots to
docs/screenshots/ (facility-rooms-360.png, facility-rooms-board-360.png)."""
from datetime import date

import pytest
from playwright.sync_api import expect

from accommnotify.rules.id_number import make_id_number
from tests.e2e.facility.test_facility_browser import browser, login, phone, server, shot  # noqa: F401

pytestmark = pytest.mark.e2e


def tile(page, name):
    return page.locator(f'.board li.tile[data-room="{name}"]')


def test_rooms_board_at_360px(server, browser, tmp_path):  # noqa: F811
    _app, _url, base = server
    context = phone(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base)

    # --- a manager lists rooms 101-103 on floor 1, two places each
    page.get_by_role("link", name="Sơ đồ phòng", exact=True).click()
    page.wait_for_url(base + "/facility/rooms")
    expect(page.get_by_text("Chưa có phòng nào trong danh sách.")).to_be_visible()
    page.get_by_label("Tên").fill("101-103")
    page.get_by_label("Tầng hoặc khu").fill("Tầng 1")
    page.get_by_label("Số chỗ (người)").fill("2")
    page.get_by_role("button", name="Thêm phòng").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã thêm: 101, 102, 103.")
    assert page.locator("li.room-row[data-room]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # --- a new stay: the room field suggests the free rooms; the guest goes to 102
    page.get_by_role("link", name="Khai báo mới", exact=True).click()
    options = page.locator("#room-options option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == ["101", "102", "103"]
    assert page.locator("#room").get_attribute("list") == "room-options"
    page.locator("#room").fill("102")
    page.locator("#g-0-full_name").fill("Lê Thị Phòng")
    page.locator("#g-0-date_of_birth").fill("1990-04-30")
    page.locator("#g-0-sex").select_option("female")
    page.locator("#g-0-id_number").fill(make_id_number("079", "female", date(1990, 4, 30), tail="102102"))
    page.get_by_role("button", name="Gửi thông báo").click()
    page.wait_for_url("**/facility/stays/st_*")
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator(".flash-warning, .flash-error").count() == 0

    # --- the in-house board: 102 taken, the others free
    page.get_by_role("link", name="Đang lưu trú").click()
    expect(tile(page, "102")).to_contain_text("1/2 khách")
    expect(tile(page, "101")).to_contain_text("Trống")
    expect(page.locator(".board").get_by_text("Tầng 1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(".board").scroll_into_view_if_needed()
    shot(page, tmp_path, "rooms-board-360")
    # the next stay's suggestions still offer 102 (one place left), the rooms page says it is taken
    page.get_by_role("link", name="Sơ đồ phòng", exact=True).click()
    expect(page.locator('li.room-row[data-room="102"]')).to_contain_text("1/2 khách")
    shot(page, tmp_path, "rooms-360")

    # --- check-out frees the room
    page.get_by_role("link", name="Đang lưu trú").click()
    page.locator("article.stay", has_text="Lê Thị Phòng").get_by_role("button", name="Trả phòng").click()
    page.get_by_role("button", name="Xác nhận trả phòng").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(tile(page, "102")).to_contain_text("Trống")
    assert errors == []
    context.close()
