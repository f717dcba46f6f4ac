"""Chains (issue 13, item 3): the facility switcher in Debian's Chromium at 360 px, JavaScript off: a
user of two facilities switches and sees only the chosen facility's guests; the page does not scroll
sideways. FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshot to docs/screenshots/."""
import pytest

from accommnotify.extensions import db
from tests import factories
from tests.e2e.facility.test_facility_browser import (EMAIL, add_stay, browser, login, phone, server,  # noqa: F401
                                                       shot)

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]


def test_switch_facility_at_360px_without_javascript(server, browser, tmp_path):  # noqa: F811
    app, _url, base = server
    from accommnotify.facility.memberships import add_membership
    from accommnotify.intake import service
    from accommnotify.intake.facilities import create_facility
    from accommnotify.models import FacilityRef
    with app.app_context():
        second = FacilityRef.of(create_facility(code="KS-SEN-2", name="Khách sạn Sen Hồ Tây",
                                                kind="tourist_accommodation", ward_code="16681", address="2 Hồ Tây"))
        add_membership(EMAIL, "KS-SEN-2", "staff")
        service.create_stay(second, factories.stay(room="502", guests=[factories.citizen(full_name="Khách Hồ Tây")]))
        db.session.remove()
    add_stay(app, room="101", guests=[factories.citizen(full_name="Khách Hoa Mai")])

    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    login(page, base)
    main = page.locator("main")
    assert "Khách Hoa Mai" in main.inner_text() and "Khách Hồ Tây" not in main.inner_text()

    page.get_by_label("Cơ sở lưu trú").select_option(label="Khách sạn Sen Hồ Tây")
    page.get_by_role("button", name="Chuyển").click()
    page.wait_for_url(base + "/facility/")
    assert "Khách Hồ Tây" in main.inner_text() and "Khách Hoa Mai" not in main.inner_text()
    assert page.locator(".brand").inner_text().strip() == "Khách sạn Sen Hồ Tây"
    assert page.get_by_role("link", name="Nhập từ tệp").count() == 0  # staff here: no file import
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, tmp_path, "switcher")

    page.get_by_role("link", name="Tất cả cơ sở của tôi").click()
    page.wait_for_url(base + "/facility/all")
    assert "Khách Hồ Tây" in main.inner_text() and "Khách Hoa Mai" in main.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
