"""The police inbox in Debian's Chromium (Playwright), against a real server on 127.0.0.1.

Log in, search without accents, open a detail, acknowledge, export (a download), a refused
cross-ward URL, and screenshots of the inbox at 360 px and 1280 px. CSRF stays ON here.
Set POLICE_UPDATE_SCREENSHOTS=1 to copy the screenshots to docs/screenshots/.
"""
import csv
import io
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from accommnotify.extensions import db
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.police.helpers import (FAST_HASH, PASSWORD, WARD_A, WARD_B, add_notification, add_officer,
                                              audit_rows)

pytestmark = pytest.mark.e2e  # the server runs in this process, on the frozen clock
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def server(sqlite_template, tmp_path):
    path = tmp_path / "browser.db"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", SESSION_COOKIE_SECURE=False, **FAST_HASH)  # CSRF on; plain http
    with app.app_context():
        now = utcnow()
        ids = {
            "duc": add_notification(WARD_A, full_name="Nguyễn Văn Đức", id_number="040090001234",
                                    received_at=now - timedelta(minutes=1), facility_code="KS-SEN", facility_name="Khách sạn Sen", room="203"),
            "anh": add_notification(WARD_A, full_name="Nguyễn Thị Ánh", received_at=now - timedelta(minutes=7),
                                    facility_code="KS-SEN", facility_name="Khách sạn Sen", late=True),
            "anna": add_notification(WARD_A, full_name="Anna Maria Eriksson", document_number="L898902C3",
                                     received_at=now - timedelta(minutes=15), facility_code="NN-HOA", facility_name="Nhà nghỉ Hoa Mai",
                                     acknowledged=True),
            "huy": add_notification(WARD_A, full_name="Đặng Quang Huy", received_at=now - timedelta(minutes=40),
                                    facility_code="NN-HOA", facility_name="Nhà nghỉ Hoa Mai", event="departure"),
            "other": add_notification(WARD_B, full_name="Trần Thị Bình", received_at=now - timedelta(minutes=3)),
        }
        add_officer("ward-a", f"ward:{WARD_A}")
        db.session.remove()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}", ids
    srv.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser_context(tmp_path):
    # A missing browser is a broken setup, not a reason to pass quietly: `make test` installs it.
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
        context.set_default_timeout(10_000)
        yield context
        context.close()


def test_officer_journey(server, browser_context, tmp_path):
    app, base, ids = server
    page = browser_context.new_page()

    # log in (Vietnamese by default), landing on the inbox
    page.goto(base + "/police/")
    assert "/police/login" in page.url
    page.get_by_label("Tên đăng nhập").fill("ward-a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/police/")
    expect(page.get_by_role("heading", name="Hộp thư")).to_be_visible()
    expect(page.get_by_role("link", name="Nguyễn Văn Đức")).to_be_visible()
    assert page.get_by_text("Trần Thị Bình").count() == 0          # another ward

    # screenshots at desktop and phone widths
    shots = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 780})
        page.reload()
        shots[width] = tmp_path / f"police-inbox-{width}.png"
        page.screenshot(path=str(shots[width]), full_page=True)
        # nothing wider than the screen at 360 px
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (width, scroll_width)
    if os.environ.get("POLICE_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        for width, shot in shots.items():
            shutil.copy(shot, DOCS / f"police-inbox-{width}.png")

    # search without accents: the form posts, the text stays out of the URL (a handle `s` instead)
    page.get_by_label("Tìm: họ tên").fill("nguyen van duc")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(lambda url: "/police/?" in url and "s=" in url)
    expect(page.get_by_role("link", name="Nguyễn Văn Đức")).to_be_visible()
    assert page.get_by_role("link", name="Nguyễn Thị Ánh").count() == 0
    for part in ("nguyen", "van+duc", "van%20duc", "Nguy%E1%BB%85n", "040090001234"):
        assert part.lower() not in page.url.lower(), page.url
    assert page.get_by_label("Tìm: họ tên").input_value() == "nguyen van duc"
    search_url = page.url
    # reloading the result page repeats the search from the session, no resubmission
    page.reload()
    assert page.url == search_url and page.get_by_role("link", name="Nguyễn Thị Ánh").count() == 0

    # open the detail and acknowledge (the detail is shown, so audited, again after the redirect)
    page.get_by_role("link", name="Nguyễn Văn Đức").click()
    page.wait_for_url(f"**/police/n/{ids['duc']}")
    expect(page.get_by_role("heading", name="Nguyễn Văn Đức")).to_be_visible()
    expect(page.get_by_text("040090001234")).to_be_visible()
    page.get_by_role("button", name="Xác nhận đã xem").click()
    page.wait_for_url(f"**/police/n/{ids['duc']}")
    expect(page.get_by_text("Đã xác nhận lúc")).to_be_visible()
    # "← Hộp thư" returns to the search, by its handle
    page.get_by_role("link", name="← Hộp thư").click()
    page.wait_for_url(search_url)
    expect(page.get_by_role("link", name="Nguyễn Văn Đức")).to_be_visible()
    assert page.get_by_role("link", name="Nguyễn Thị Ánh").count() == 0

    # acknowledge many from the list
    page.goto(base + "/police/?unack=1")
    page.get_by_label("Chọn Nguyễn Thị Ánh").check()
    page.get_by_label("Chọn Đặng Quang Huy").check()
    page.get_by_role("button", name="Xác nhận các mục đã chọn").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Đã xác nhận 2 thông báo.")).to_be_visible()

    # export the filtered view (a download)
    page.goto(base + "/police/?facility=KS-SEN")
    with page.expect_download() as info:
        page.get_by_role("button", name="Xuất CSV").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    names = {r[rows[0].index("Họ và tên")] for r in rows[1:]}
    assert names == {"Nguyễn Văn Đức", "Nguyễn Thị Ánh"}

    # a guessed URL of another ward's notification is refused
    response = page.goto(base + f"/police/n/{ids['other']}")
    assert response.status == 404
    assert "Trần Thị Bình" not in page.content()

    # English switch
    page.goto(base + "/police/")
    page.get_by_role("link", name="English").click()
    # The switch reloads the same address, so there is no new URL to wait for: wait for the English text.
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    with app.app_context():
        actions = [r.action for r in audit_rows()]
        db.session.remove()
    assert actions.count("detail") == 2 and actions.count("export") == 1 and "search" in actions


def test_tap_targets_and_zero_cells_at_360(server, browser_context):
    from tests.e2e.facility.test_facility_browser import contrast
    app, base, ids = server
    page = browser_context.new_page()
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(base + "/police/login")
    page.get_by_label("Tên đăng nhập").fill("ward-a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/police/")
    for name, locator in {"language link": page.get_by_role("link", name="English"),
                          "log out": page.get_by_role("button", name="Đăng xuất")}.items():
        box = locator.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (name, box)
    page.goto(base + "/police/compliance")
    assert page.locator("td.zero").count() > 0
    assert contrast(page, "td.zero") >= 4.5
