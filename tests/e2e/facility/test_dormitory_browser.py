"""Student dormitories (issue 13 item 2, docs/DORMITORIES.md) in Debian's Chromium at 360 px, CSRF on: a
warden creates a term, imports its roster of 300 students from one file, sees them on the 30-day list,
then declares the returning students for the next term in one step, unticking two who left.
FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshots to docs/screenshots/."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from accommnotify.extensions import db
from tests.conftest import make_app
from tests.e2e.facility.test_facility_browser import DOCS, browser, phone  # noqa: F401
from tests.integration.facility.test_dormitory import ROSTER_HEAD, roster_csv, students

pytestmark = pytest.mark.e2e  # the server runs in this process, on the frozen clock (27/11/2026 14:00)
EMAIL, PASSWORD = "ktx@example.com", "mật khẩu ký túc xá 2026"


@pytest.fixture
def dorm_server(sqlite_template, tmp_path):
    path = tmp_path / "dorm.db"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", SESSION_COOKIE_SECURE=False)  # CSRF on; plain http
    from accommnotify.facility.accounts import create_user
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="KTX-A", name="Ký túc xá Khu A", kind="student_dormitory", ward_code="16681",
                        address="1 Võ Văn Ngân")
        create_user(EMAIL, PASSWORD, "KTX-A")
        db.session.remove()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def shot(page, tmp_path, name):
    """The first screen (what a phone shows), not the 300 rows below it."""
    target = tmp_path / f"dormitory-{name}-360.png"
    page.screenshot(path=str(target))
    if os.environ.get("FACILITY_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, DOCS / target.name)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def new_term(page, base, name, first, last):
    page.goto(base + "/facility/terms")
    page.get_by_label("Tên học kỳ (ví dụ HK1 2026-2027)").fill(name)
    page.get_by_label("Ngày đầu").fill(first)
    page.get_by_label("Ngày cuối").fill(last)
    page.get_by_role("button", name="Tạo học kỳ").click()
    page.wait_for_url(base + "/facility/terms/trm_*")


def test_a_dormitory_term_at_360px(dorm_server, browser, tmp_path):  # noqa: F811
    app, base = dorm_server
    roster = tmp_path / "hk1-2026-2027.csv"
    roster.write_bytes(roster_csv(students(300), ROSTER_HEAD))
    context = phone(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/facility/")
    page.get_by_label("Thư điện tử").fill(EMAIL)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/facility/")

    # the menu of a dormitory has its terms and the 30-day list
    page.get_by_role("link", name="Học kỳ").click()
    page.wait_for_url(base + "/facility/terms")
    new_term(page, base, "HK1 2026-2027", "2026-09-05", "2027-01-15")
    page.get_by_label("Danh sách sinh viên (CSV hoặc Excel .xlsx)").set_input_files(str(roster))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    status = page.get_by_role("status").first
    assert "300 lần lưu trú" in status.inner_text()
    assert page.locator("tr.ok").count() == 300 and page.locator("tr.bad").count() == 0
    no_sideways_scroll(page)
    shot(page, tmp_path, "roster")
    page.locator("#confirm-import").click()
    page.wait_for_url(base + "/facility/terms/*/import/confirm")
    assert "Lần lưu trú mới: 300" in page.locator("main").inner_text()

    # 300 students since 05/09/2026, expected to leave 15/01/2027 (132 days): all need a temporary-residence registration
    page.get_by_role("link", name="Từ 30 ngày").first.click()
    page.wait_for_url(base + "/facility/long-stays")
    main = page.locator("main").inner_text()
    assert "cần đăng ký tạm trú" in main and "Điều 27" in main
    first = page.locator("#long-stays tbody tr").first.inner_text()
    assert students(1)[0][1] in first and "05/09/2026" in first and first.endswith("132")   # to the expected departure
    assert page.locator("#long-stays tbody tr").count() == 300
    no_sideways_scroll(page)
    shot(page, tmp_path, "long-stays")

    # the next term (started a week ago): last term's students, all ticked; two left
    new_term(page, base, "HK2 2026-2027", "2026-11-20", "2027-03-15")
    page.get_by_role("link", name="Khai báo sinh viên ở tiếp từ HK1 2026-2027").click()
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 300
    assert all(boxes.nth(i).is_checked() for i in (0, 150, 299))
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    no_sideways_scroll(page)
    shot(page, tmp_path, "returning")
    page.get_by_role("button", name="Khai báo các sinh viên đã chọn").click()
    page.wait_for_url(base + "/facility/terms/*/returning")
    assert "Lần lưu trú mới: 298" in page.locator("main").inner_text()
    page.get_by_role("link", name="Về học kỳ").click()
    assert "298 lần lưu trú của sinh viên" in page.locator("main").inner_text()
    assert errors == []
    context.close()
