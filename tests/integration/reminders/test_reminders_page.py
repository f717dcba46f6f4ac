"""The facility page "Reminders": a user's choices are saved and used by the scan; CSRF; bounded input."""
from accommnotify.extensions import db
from accommnotify.models import ReminderSettings
from accommnotify.reminders import service
from tests.conftest import make_app
from tests.integration.facility.conftest import login, make_user
from tests.integration.police.helpers import FAST_HASH


def test_the_page_in_vietnamese_with_the_defaults(staff):
    page = staff.get("/facility/reminders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nhắc việc" in html and "Sắp đến hạn mà khách chưa được thông báo" in html
    assert 'name="problems" value="y" checked' in html and 'name="deadline" value="y" checked' in html
    assert 'name="digest" value="y">' in html  # off by default
    assert "staff@example.com" in html  # only e-mail configured: no channel choice, the address shown


def test_saved_choices_are_what_the_scan_uses(app, staff):
    response = staff.post("/facility/reminders", {"digest": "y", "language": "en", "channel": "email"})
    assert response.status_code == 302
    page = staff.get("/facility/reminders")
    assert "Đã lưu cài đặt nhắc việc." in page.get_data(as_text=True)
    with app.app_context():
        person, = service.recipients()
        assert person.kinds == {"digest"} and person.language == "en"


def test_http_channel_needs_a_valid_phone(database_url, facility):
    app = make_app(database_url, SMTP_URL="smtp://127.0.0.1:9", REMINDER_HTTP={"url": "http://127.0.0.1:9/send"},
                   **FAST_HASH)
    make_user(app)
    staff = login(app.test_client())
    html = staff.get("/facility/reminders").get_data(as_text=True)
    assert 'value="http"' in html and "Tin nhắn (SMS / Zalo)" in html
    response = staff.post("/facility/reminders", {"problems": "y", "language": "vi", "channel": "http", "phone": ""})
    assert response.status_code == 400
    assert "Hãy nhập số điện thoại để nhận tin nhắn." in response.get_data(as_text=True)
    response = staff.post("/facility/reminders", {"language": "vi", "channel": "http", "phone": "09<script>" * 5})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = staff.post("/facility/reminders", {"language": "fr", "channel": "sms"})
    assert response.status_code == 400
    response = staff.post("/facility/reminders", {"problems": "y", "language": "vi", "channel": "http",
                                                   "phone": "+84 901 234 567"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(ReminderSettings, 1)
        assert (row.channel, row.phone, row.problems, row.deadline) == ("http", "+84 901 234 567", True, False)


def test_a_post_without_the_csrf_token_is_refused(app, staff):
    response = staff.client.post("/facility/reminders", data={"digest": "y", "language": "en", "channel": "email"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ReminderSettings, 1) is None


def test_the_page_needs_a_login(client):
    response = client.get("/facility/reminders")
    assert response.status_code == 302 and "/facility/login" in response.headers["Location"]
