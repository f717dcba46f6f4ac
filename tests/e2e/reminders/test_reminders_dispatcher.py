"""A real `flask dispatcher run` process sends a reminder on its own, to a real SMTP server
(aiosmtpd on loopback, started by the test)."""
import pytest

from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import start_dispatcher, stop, wait_for
from tests.integration.reminders.conftest import smtp  # noqa: F401  (fixture)
from tests.integration.reminders.support import (add_stays, add_user, make_facility, set_notifications,
                                                 stay_notifications)

pytestmark = pytest.mark.e2e


@pytest.mark.real_clock
def test_the_dispatcher_process_sends_reminders(database_url, smtp, tmp_path):
    sink, smtp_port = smtp
    app = make_app(database_url)
    hotel = make_facility(app)
    add_stays(app, hotel, 1)
    set_notifications(app, stay_notifications(app), status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    proc = start_dispatcher(database_url, "config/receivers.toml", tmp_path / "d.log", DISPATCH_INTERVAL=1,
                            REMINDER_INTERVAL=1, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    try:
        wait_for(lambda: sink.messages, timeout=30, message="a reminder mail from the dispatcher")
    finally:
        assert stop(proc) == 0, (tmp_path / "d.log").read_text()
    assert len(sink.messages) == 1
    assert "reminders by email" in (tmp_path / "d.log").read_text()
