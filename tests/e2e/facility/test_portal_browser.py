"""The "Tệp cổng khai báo" page in Debian's Chromium (Playwright) at 360 px, JavaScript off:
download the file, report a wrong count (mismatch, what to check), then the right one (confirmed).
FACILITY_UPDATE_SCREENSHOTS=1 copies the screenshot to docs/screenshots/."""
import shutil
import threading
from datetime import timedelta

import openpyxl
import pytest
from werkzeug.serving import make_server

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from tests import factories
from tests import portal_support as ps
from tests.conftest import make_app
from tests.e2e.facility.test_facility_browser import EMAIL, PASSWORD, browser, login, phone, shot  # noqa: F401
from tests.integration.dispatch.dispatch_support import status_counts

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]


@pytest.fixture
def portal_server(sqlite_template, tmp_path):
    path = tmp_path / "portal.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    template = tmp_path / "tblt_vn_import.xlsx"
    ps.build_template(template)
    receivers = ps.portal_receivers_toml(tmp_path, template=template, directory=tmp_path / "portal")
    app = make_app(url, RECEIVERS=receivers, DISPATCH_LANES=1)
    from accommnotify.facility.accounts import create_user
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stays_bulk
    from accommnotify.models import FacilityRef
    with app.app_context():
        f = create_facility(code="NN-HOAMAI", name="Nhà nghỉ Hoa Mai", kind="tourist_accommodation",
                            ward_code="16681", address="8 Hàng Bè")
        create_user(EMAIL, PASSWORD, "NN-HOAMAI")
        departure = (factories.local_now() + timedelta(days=2)).isoformat()
        results = create_stays_bulk(FacilityRef.of(f), {"stays": [
            factories.stay(expected_departure=departure, room=str(200 + i)) for i in range(3)]})
        assert {r["status"] for r in results} == {"created"}
        db.session.remove()
    Dispatcher(app).run_pass(flush=True)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def test_confirm_and_mismatch_at_360px_without_javascript(portal_server, browser, tmp_path):  # noqa: F811
    app, base = portal_server
    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    login(page, base)
    page.get_by_role("link", name="Tệp cổng khai báo").click()
    page.wait_for_url(base + "/facility/portal")
    card = page.locator("article.portal-file")
    assert card.count() == 1
    assert "3 bản ghi" in card.inner_text() and "Tải lên trước" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải tệp về").click()
    download = info.value
    assert download.suggested_filename.startswith("NN-HOAMAI_khach-viet-nam_")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    ws = openpyxl.load_workbook(saved)["DS_KHACH_VIET_NAM_LUU_TRU"]
    assert ws["A4"].value == "[EXAMPLE]" and [ws[f"A{r}"].value for r in (5, 6, 7)] == [1, 2, 3]

    # the portal said "import successful" and lists nothing
    page.get_by_label("Tôi đã tải lên: cổng hiển thị").fill("0")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert "Cổng hiển thị 0 bản ghi nhưng tệp có 3" in page.locator("main").inner_text()
    assert status_counts(app) == {"awaiting_upload": 3}
    shot(page, tmp_path, "portal-mismatch")

    page.get_by_label("Tôi đã tải lên: cổng hiển thị").fill("3")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Đã xác nhận: cổng hiển thị đủ 3 bản ghi" in main and "Không có tệp nào cần tải lên." in main
    assert status_counts(app) == {"accepted": 3}
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, tmp_path, "portal-confirmed")
    context.close()
