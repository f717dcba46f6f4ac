"""The Reminders page in Debian's Chromium at 360 px: reachable from the menu, no sideways scroll,
44 px tap targets, a choice saved."""
import pytest

from tests.e2e.facility.test_facility_browser import browser, login, phone, server, shot  # noqa: F401

pytestmark = pytest.mark.e2e


def test_reminders_page_at_360(server, browser, tmp_path):  # noqa: F811
    app, url, base = server
    context = phone(browser)
    page = context.new_page()
    login(page, base)
    page.get_by_role("link", name="Nhắc việc").click()
    page.wait_for_url(base + "/facility/reminders")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    digest = page.locator("label[for=digest]")
    box = digest.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360, box
    assert not page.locator("#digest").is_checked()
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)  # the label's far end
    assert page.locator("#digest").is_checked()
    shot(page, tmp_path, "reminders-360")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("#digest").is_checked() and page.locator("#problems").is_checked()
    context.close()
