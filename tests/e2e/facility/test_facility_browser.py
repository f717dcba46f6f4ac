"""The facility pages in Debian's Chromium (Playwright) at 360 px, against a real server on 127.0.0.1.

A guesthouse morning: log in, add a family with a child without an ID number (the adult filled from
a chip-ID QR string, instantly by form.js), send, see it pending, run `dispatcher once --flush` on
the same database, see it accepted; a wrong ID keeps every typed value; the same form
without JavaScript (add a guest and fill from a scan by server round trips); import an XLSX with one
bad row; check out. CSRF stays on. FACILITY_UPDATE_SCREENSHOTS=1 copies screenshots to docs/screenshots/.
"""
import os
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from openpyxl import Workbook
from werkzeug.serving import make_server

from accommnotify.extensions import db
from accommnotify.facility.importer import COLUMNS
from accommnotify.rules.id_number import make_id_number
from tests import factories
from tests.conftest import make_app

pytestmark = pytest.mark.e2e  # the server runs in this process, on the frozen clock
ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DOCS = ROOT / "docs" / "screenshots"
EMAIL, PASSWORD = "letan@example.com", "mật khẩu lễ tân 2026"
ADULT_ID = make_id_number("001", "male", date(1985, 1, 2), tail="777777")
QR = f"{ADULT_ID}||Phạm Quốc Bảo|02011985|Nam|5 Trần Phú, Ba Đình|10102021"


@pytest.fixture
def server(sqlite_template, tmp_path):
    path = tmp_path / "facility.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = make_app(url, SESSION_COOKIE_SECURE=False)  # CSRF on; plain http
    from accommnotify.facility.accounts import create_user
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="NN-HOAMAI", name="Nhà nghỉ Hoa Mai", kind="tourist_accommodation",
                        ward_code="16681", address="8 Hàng Bè")
        create_user(EMAIL, PASSWORD, "NN-HOAMAI")
        db.session.remove()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, url, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def phone(browser, **kw):
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, locale="vi-VN",
                                  accept_downloads=True, **kw)
    context.set_default_timeout(10_000)
    return context


def login(page, base):
    page.goto(base + "/facility/")
    page.get_by_label("Thư điện tử").fill(EMAIL)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/facility/")


def dispatch_flush(app):
    """`flask dispatcher once --flush` on the server's database, in this process: on the test's frozen
    clock, so what is delivered is on time whatever the hour the suite runs."""
    result = app.test_cli_runner().invoke(args=["dispatcher", "once", "--flush"])
    assert result.exit_code == 0, result.output


def shot(page, tmp_path, name):
    target = tmp_path / f"facility-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("FACILITY_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, DOCS / target.name)
    return target


def guest_list_xlsx(path):
    head = [vi for _, vi, _ in COLUMNS]
    arrived = (factories.local_now() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")

    def row(**v):
        base = {"Phòng": "301", "Lý do lưu trú": "Du lịch", "Ngày giờ đến": arrived, "Giới tính": "Nữ",
                "Quốc tịch": "VNM"}
        base.update(v)
        return [base.get(h, "") for h in head]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(head)
    sheet.append(row(**{"Mã đặt phòng": "DP-1", "Họ và tên": "Bùi Thị Thu", "Ngày sinh": "09/03/1988",
                        "Số định danh cá nhân": make_id_number("079", "female", date(1988, 3, 9), tail="300003")}))
    sheet.append(row(**{"Mã đặt phòng": "DP-2", "Họ và tên": "Lý Thị Sai Số", "Ngày sinh": "09/03/1988",
                        "Số định danh cá nhân": "079399300004"}))
    sheet.append(row(**{"Mã đặt phòng": "DP-3", "Phòng": "302", "Họ và tên": "Kim Thị Hà", "Ngày sinh": "01/12/1995",
                        "Số định danh cá nhân": make_id_number("040", "female", date(1995, 12, 1), tail="400005")}))
    workbook.save(path)


def test_guesthouse_morning(server, browser, tmp_path):
    app, url, base = server
    context = phone(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base)

    # --- a family: the father from a QR scan (filled instantly), a child without an ID number
    page.get_by_role("link", name="Khai báo mới", exact=True).click()
    page.get_by_label("Phòng", exact=True).fill("203")
    page.locator("#g-0-scan").fill(QR)
    expect(page.locator("#g-0-full_name")).to_have_value("Phạm Quốc Bảo")
    assert page.locator("#g-0-id_number").input_value() == ADULT_ID
    assert page.locator("#g-0-date_of_birth").input_value() == "1985-01-02"
    assert page.locator("#g-0-sex").input_value() == "male"
    assert page.locator("#g-0-scan").input_value() == ""
    # a malformed scan says so and fills nothing
    page.locator("#g-0-scan").fill("001085777777||Phạm Quốc Bảo|0201")
    page.locator("#g-0-box").get_by_role("button", name="Điền từ mã quét").click()
    expect(page.locator("#g-0-scan-status")).to_contain_text("Không đọc được")
    assert page.locator("#g-0-full_name").input_value() == "Phạm Quốc Bảo"
    page.locator("#g-0-scan").fill("")

    url_before = page.url
    page.get_by_role("button", name="+ Thêm khách").click()          # instant, no round trip
    assert page.url == url_before
    child = page.locator("#g-1-box")
    child.get_by_label("Họ và tên").fill("Phạm Minh An")
    child.get_by_label("Ngày sinh").fill(f"{date.today().year - 5}-04-30")
    child.get_by_label("Giới tính").select_option("male")
    assert child.get_by_label("Quốc tịch (mã 3 chữ cái)").is_hidden()  # citizen: no foreigner fields
    shot(page, tmp_path, "new-stay-360")
    page.get_by_role("button", name="Gửi thông báo").click()
    page.wait_for_url("**/facility/stays/st_*")
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator(".status-pending").count() == 2            # see it pending

    dispatch_flush(app)
    page.reload()
    assert page.locator(".status-accepted").count() == 2           # see it accepted
    assert page.get_by_text("Mã tiếp nhận").count() == 2
    assert page.get_by_text("trễ hạn").count() == 0                  # delivered within the deadline
    detail_url = page.url

    # --- a wrong ID keeps every typed value
    page.goto(base + "/facility/stays/new")
    typed = {"#room": "105", "#g-0-full_name": "Đặng Thị Lụa", "#g-0-date_of_birth": "1992-07-15",
             "#g-0-id_number": "001099012345"}
    for selector, value in typed.items():
        page.locator(selector).fill(value)
    page.locator("#g-0-sex").select_option("female")
    page.locator("#g-0-box details.more summary").click()
    page.locator("#g-0-phone").fill("0912 345 678")
    page.locator("#g-0-permanent_address").fill("Số 3, ngõ 5, phố Huế")
    page.get_by_role("button", name="Gửi thông báo").click()
    page.wait_for_selector("#g-0-id_number-error")
    assert "năm sinh" in page.locator("#g-0-id_number-error").inner_text().lower()
    for selector, value in {**typed, "#g-0-phone": "0912 345 678", "#g-0-permanent_address": "Số 3, ngõ 5, phố Huế",
                            "#g-0-sex": "female"}.items():
        assert page.locator(selector).input_value() == value, selector
    assert page.locator("#g-0-id_number").get_attribute("aria-invalid") == "true"
    shot(page, tmp_path, "error-360")

    # --- import an XLSX with one bad row
    xlsx = tmp_path / "khach.xlsx"
    guest_list_xlsx(xlsx)
    page.get_by_role("link", name="Nhập từ tệp").click()
    page.get_by_label("Danh sách khách (CSV hoặc Excel .xlsx)").set_input_files(str(xlsx))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("tr.bad")).to_have_count(1)
    assert "năm sinh" in page.locator("tr.bad td.cell-error").inner_text().lower()
    shot(page, tmp_path, "import-360")
    page.get_by_role("button", name="Nhập 2 lần lưu trú").click()
    expect(page.get_by_text("Lần lưu trú mới: 2")).to_be_visible()

    # --- check out: the child alone, then the family
    page.get_by_role("link", name="Đang lưu trú").click()
    expect(page.locator(".room").get_by_text("Kim Thị Hà")).to_be_visible()  # (the clock above lists her too)
    page.get_by_role("button", name="Trả phòng cho Phạm Minh An").click()
    page.get_by_role("button", name="Xác nhận trả phòng").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.get_by_role("button", name="Trả phòng cho Phạm Minh An").count() == 0
    shot(page, tmp_path, "in-house-360")
    family = page.locator("article.stay", has_text="Phạm Quốc Bảo")
    family.get_by_role("button", name="Trả phòng cả đoàn").click()
    page.get_by_role("button", name="Xác nhận trả phòng").click()
    expect(page.locator("article.stay", has_text="Phạm Quốc Bảo")).to_have_count(0)  # the undo offer still names him
    page.goto(detail_url)
    assert page.get_by_text("Rời đi", exact=True).count() == 2 and page.locator(".badge.stay-departed").count() == 1

    # --- English switch
    page.get_by_role("link", name="English").click()
    # The switch reloads the same address, so there is no new URL to wait for: wait for the English text.
    expect(page.get_by_role("link", name="History")).to_be_visible()
    assert errors == []
    context.close()


def test_the_form_works_without_javascript(server, browser):
    app, url, base = server
    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    login(page, base)
    page.goto(base + "/facility/stays/new")
    page.locator("#g-0-full_name").fill("Tô Thị Ngọc")
    page.get_by_role("button", name="+ Thêm khách").click()               # server re-renders
    page.wait_for_selector("#g-1-full_name")
    assert page.url.endswith("/facility/stays/new#g-1-box")                  # lands on the new guest
    box = page.locator("#g-1-box").bounding_box()                          # scrolled to it, not at the top
    assert -2 < box["y"] < 100, box
    assert page.locator("#g-0-full_name").input_value() == "Tô Thị Ngọc"
    page.locator("#g-1-scan").fill(QR)
    page.locator("#g-1-box").get_by_role("button", name="Điền từ mã quét").click()
    page.wait_for_selector("p.notice")
    assert page.locator("#g-1-full_name").input_value() == "Phạm Quốc Bảo"
    assert page.locator("#g-1-id_number").input_value() == ADULT_ID
    assert page.locator("#g-0-full_name").input_value() == "Tô Thị Ngọc"
    page.locator("#g-0-box").get_by_role("button", name="Xóa khách này").click()
    page.wait_for_selector("#g-1-full_name", state="detached")
    assert page.locator("#g-0-full_name").input_value() == "Phạm Quốc Bảo"
    # foreigner fields appear when "Foreigner" is chosen, by CSS alone
    page.locator("#g-0-box").get_by_role("radio", name="Người nước ngoài").check()
    expect(page.locator("#g-0-nationality")).to_be_visible()
    expect(page.locator("#g-0-id_number")).to_be_hidden()
    page.locator("#g-0-box").get_by_role("radio", name="Công dân Việt Nam").check()
    page.get_by_role("button", name="Gửi thông báo").click()
    page.wait_for_url("**/facility/stays/st_*")
    assert page.locator(".status-pending").count() == 1
    context.close()


def add_stay(app, **kw):
    """A stay stored through the intake service, as the API stores it; returns its id."""
    from accommnotify.intake import service
    from accommnotify.models import Facility, FacilityRef
    with app.app_context():
        facility = FacilityRef.of(db.session.execute(db.select(Facility).filter_by(code="NN-HOAMAI")).scalar_one())
        stay_id = service.create_stay(facility, factories.stay(**kw)).stay["id"]
        db.session.remove()
    return stay_id


def test_cancel_a_stay_entered_by_mistake(server, browser, tmp_path):
    app, url, base = server
    stay_id = add_stay(app, room="404", guests=[factories.citizen(full_name="Khách Khai Nhầm")])
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    page.goto(base + f"/facility/stays/{stay_id}")
    page.get_by_role("link", name="Hủy lần lưu trú này (khai báo nhầm)").click()
    page.wait_for_url(f"**/facility/stays/{stay_id}/cancel")
    page.get_by_role("button", name="Đồng ý, hủy lần lưu trú này").click()     # no reason yet
    page.wait_for_selector("#reason-error")
    assert page.locator(".badge.stay-in_house").count() == 1
    page.get_by_label("Lý do hủy").fill("Khai báo hai lần")
    shot(page, tmp_path, "cancel-360")
    page.get_by_role("button", name="Đồng ý, hủy lần lưu trú này").click()
    page.wait_for_url(f"**/facility/stays/{stay_id}")
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator(".badge.stay-cancelled").count() == 1
    assert page.locator(".status-withdrawn").count() == 1
    page.goto(base + "/facility/")
    assert page.get_by_text("Khách Khai Nhầm").count() == 0
    context.close()


def test_check_out_earlier_confirm_then_undo(server, browser, tmp_path):
    app, url, base = server
    stay_id = add_stay(app, room="205", arrived_at="2026-11-26T21:00:00+07:00",
                       guests=[factories.citizen(full_name="Khách Đi Sáng Sớm")])
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    page.locator(f'article[data-stay="{stay_id}"]').get_by_role("button", name="Trả phòng").click()
    page.wait_for_url(f"**/facility/stays/{stay_id}/departure*")
    expect(page.get_by_text("Khách Đi Sáng Sớm")).to_be_visible()
    page.get_by_label("Thời điểm rời đi").fill("2026-11-27T18:00")          # in the future: refused
    page.get_by_role("button", name="Xác nhận trả phòng").click()
    page.wait_for_selector("#departed_at-error")
    assert page.get_by_label("Thời điểm rời đi").input_value() == "2026-11-27T18:00"
    page.get_by_label("Thời điểm rời đi").fill("2026-11-27T06:00")          # left at 06:00, recorded at 14:00
    shot(page, tmp_path, "checkout-360")
    page.get_by_role("button", name="Xác nhận trả phòng").click()
    page.wait_for_url(base + "/facility/")
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator(f'article[data-stay="{stay_id}"]').count() == 0
    shot(page, tmp_path, "undo-360")
    page.goto(base + f"/facility/stays/{stay_id}")
    assert page.get_by_text("27/11/2026 06:00").count() >= 1
    page.get_by_role("button", name="Hoàn tác trả phòng").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator(".badge.stay-in_house").count() == 1
    assert page.locator(".status-withdrawn").count() == 1
    page.goto(base + "/facility/")
    assert page.locator(f'article[data-stay="{stay_id}"]').count() == 1
    context.close()


def test_the_owner_removes_a_guest_entered_by_mistake_from_a_family(server, browser, tmp_path):
    """Issue 11 item 11, without JavaScript at 360 px: the family's arrivals reached the police; the
    owner removes the guest entered by mistake (confirming first); the police read the removal."""
    app, url, base = server
    stay_id = add_stay(app, room="302", guests=[
        factories.citizen(full_name="Hoàng Văn Bố"), factories.child(full_name="Hoàng Thị Con"),
        factories.citizen(full_name="Khách Nhập Nhầm", id_number="001090000123")])
    dispatch_flush(app)                                           # the three arrivals reach the inbox
    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    login(page, base)
    page.goto(base + f"/facility/stays/{stay_id}")
    page.get_by_role("link", name="Sửa thông tin").click()
    page.wait_for_url(f"**/facility/stays/{stay_id}/correct")
    remove = page.locator("#g-2-box").get_by_role("button", name="Xóa khách này (nhập nhầm)")
    box = remove.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    remove.click()
    confirm = page.locator("#g-2-removed")
    confirm.wait_for()
    assert "#g-2-removed" in page.url                             # lands on the question, not the top
    expect(confirm.get_by_text("Xóa Khách Nhập Nhầm khỏi lần lưu trú này?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, tmp_path, "remove-guest-360")
    confirm.get_by_role("button", name="Có, xóa khách này").click()
    page.wait_for_url(f"**/facility/stays/{stay_id}")
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator("li.removed del.name").inner_text() == "Khách Nhập Nhầm"
    page.goto(base + "/facility/")
    # no longer in house (the clock above may still list the pending cancellation of that person)
    assert page.locator(".room").get_by_text("Khách Nhập Nhầm").count() == 0
    expect(page.locator(".room").get_by_text("Hoàng Thị Con")).to_be_visible()
    context.close()

    dispatch_flush(app)                                           # the cancellation of that one person
    from accommnotify.models.inbox import InboxNotification
    from accommnotify.police.accounts import create_officer
    with app.app_context():
        create_officer("cong-an-phuong", ["ward:16681"], role="officer", password=PASSWORD)
        removal = db.session.execute(db.select(InboxNotification).filter_by(event="cancellation")).scalar_one()
        removal_id = removal.id
        db.session.remove()
    context = phone(browser)
    page = context.new_page()
    page.goto(base + "/police/login")
    page.get_by_label("Tên đăng nhập").fill("cong-an-phuong")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/police/")
    page.goto(base + f"/police/n/{removal_id}")
    section = page.locator("section.taken-back")
    expect(section.get_by_text("Đã xóa khỏi lần lưu trú")).to_be_visible()
    expect(section.get_by_text("2 người khác của cùng lần lưu trú vẫn còn")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, tmp_path, "police-removed-360")
    context.close()


def contrast(page, selector) -> float:
    """WCAG contrast ratio of an element's text colour on its background (both computed)."""
    return page.evaluate("""(sel) => {
      const el = document.querySelector(sel), cs = getComputedStyle(el);
      const rgb = (s) => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                  .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
      const a = lum(rgb(cs.color)), b = lum(rgb(cs.backgroundColor));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""", selector)


def test_tap_targets_are_at_least_44_px_at_360(server, browser):
    app, url, base = server
    add_stay(app, room="101", guests=[factories.citizen(full_name="Khách Một"), factories.citizen(full_name="Khách Hai")])
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    box = page.get_by_role("button", name="Trả phòng cho Khách Một").bounding_box()   # one guest's check-out
    assert box["width"] >= 44 and box["height"] >= 44, box
    page.goto(base + "/facility/stays/new")
    targets = {"language link": page.get_by_role("link", name="English"),
               "log out": page.get_by_role("button", name="Đăng xuất"),
               "citizen radio": page.locator("#g-0-box label", has=page.locator("input.kind-citizen")),
               "foreigner radio": page.locator("#g-0-box label", has=page.locator("input.kind-foreigner"))}
    for name, locator in targets.items():
        box = locator.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (name, box)
    # tapping anywhere on the radio's 44 px label chooses it
    targets["foreigner radio"].scroll_into_view_if_needed()
    label = targets["foreigner radio"].bounding_box()
    page.mouse.click(label["x"] + label["width"] - 4, label["y"] + label["height"] - 4)
    assert page.locator("#g-0-box input.kind-foreigner").is_checked()
    context.close()
