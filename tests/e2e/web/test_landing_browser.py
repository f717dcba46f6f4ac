"""`/` in Debian's Chromium at 360 px: no horizontal scrolling, tap targets of at least 44 px, each
link goes where it says (issue 11 item 12). Set POLICE_UPDATE_SCREENSHOTS=1 to refresh
docs/screenshots/landing-360.png."""
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from accommnotify.extensions import db
from tests.conftest import make_app

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]  # a browser reads the system clock
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def server(sqlite_template, tmp_path):
    path = tmp_path / "landing.db"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def test_landing_page_at_360_px(server, tmp_path):
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
        page.set_default_timeout(10_000)
        page.goto(server + "/")
        expect(page.get_by_role("heading", name="Thông báo lưu trú")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for link in page.locator("a").all():
            box = link.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (link.inner_text(), box)
        shot = tmp_path / "landing-360.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("POLICE_UPDATE_SCREENSHOTS"):
            shutil.copy(shot, DOCS / "landing-360.png")
        page.get_by_role("link", name="Công an").click()
        page.wait_for_url("**/police/login**")
        page.go_back()
        page.get_by_role("link", name="English").click()
        page.wait_for_url(server + "/")
        expect(page.get_by_role("heading", name="Accommodation notifications")).to_be_visible()
        browser.close()
