"""The home page clock in Debian's Chromium at 360 px (issue 12, item 4), and today's proof
downloaded from its link and verified (item 3). The server runs in this process on the frozen clock
(14:00 in Vietnam), so a citizen who arrived now has 540 minutes left."""
import pytest

from accommnotify.extensions import db
from accommnotify.intake import service
from accommnotify.models import Facility, FacilityRef
from accommnotify.proof import signing
from tests import factories

from .test_facility_browser import browser, login, phone, server, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def test_clock_at_360px_shows_minutes_and_todays_proof_verifies(server, browser, tmp_path):  # noqa: F811
    app, _url, base = server
    with app.app_context():
        facility = FacilityRef.of(db.session.query(Facility).filter_by(code="NN-HOAMAI").one())
        service.create_stay(facility, factories.stay(room="3", guests=[factories.citizen(full_name="Đặng Thị Ngọc Ánh")]))
        service.create_stay(facility, factories.stay(room="4", guests=[factories.foreigner(full_name="Ola Nordmann")]))
        public_key = signing.signer().public_key
        db.session.remove()
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    items = page.locator(".clock-item")
    assert items.count() == 2
    assert "còn 540 phút" in items.nth(0).inner_text() and "Đặng Thị Ngọc Ánh" in items.nth(0).inner_text()
    assert "còn 720 phút" in items.nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    box = page.locator(".clock").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    shot(page, tmp_path, "clock-360")

    with page.expect_download() as info:
        page.get_by_role("link", name="Bảng xác nhận hôm nay (PDF)").click()
    data = open(info.value.path(), "rb").read()
    assert info.value.suggested_filename == "bang-xac-nhan-NN-HOAMAI-2026-11-27.pdf"
    assert signing.verify(data, public_key).ok
    context.close()
