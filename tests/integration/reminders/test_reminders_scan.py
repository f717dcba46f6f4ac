"""The reminders scan on both databases: what is due at a given `now`, opt-in/out, language,
the ledger's dedupe (two processes, a failed send, a restart)."""
from datetime import datetime

import pytest
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import SentReminder
from accommnotify.reminders import service
from accommnotify.timeutil import VN_TZ, utcnow
from tests.integration.reminders.support import (Recorder, add_stays, add_user, make_facility, minutes,
                                                 set_notifications, stay_notifications)


def run(app, now=None, channels=None, owner="proc-a"):
    with app.app_context():
        return service.run_once(now or utcnow(), app.config, owner=owner, channels=channels)


@pytest.fixture
def hotel(app):
    facility = make_facility(app)
    add_stays(app, facility, 2)
    return facility


def test_deadline_reminder_due_at_59_minutes_not_at_61(app, hotel, clock):
    first, second = stay_notifications(app)
    now = utcnow()
    set_notifications(app, [first], deadline_at=now + minutes(59), created_at=now - minutes(10))
    set_notifications(app, [second], deadline_at=now + minutes(61), created_at=now - minutes(10))
    add_user(app, hotel.id, "le.tan@example.vn")
    mail = Recorder()
    report = run(app, channels={"email": mail})
    assert report.sent == {"deadline": 1}
    (address, message), = mail.sent
    assert address == "le.tan@example.vn"
    assert "1 thông báo chưa được gửi" in message.text
    # two minutes later the second one is 59 minutes away: its own reminder, the first not again
    clock.shift(120)
    mail.sent.clear()
    assert run(app, channels={"email": mail}).sent == {"deadline": 1}
    assert len(mail.sent) == 1
    # delivered or past notifications are never due
    clock.shift(3600 * 2)
    assert run(app, channels={"email": mail}).sent == {}


def test_a_just_entered_notification_is_left_to_the_next_pass(app, hotel, clock):
    """Pending for less than two dispatch intervals: the dispatcher sends it (its deadline margin
    forces it out); one that is retrying is reminded at once."""
    first, second = stay_notifications(app)
    set_notifications(app, [first, second], deadline_at=utcnow() + minutes(50))
    set_notifications(app, [second], status="retrying")
    add_user(app, hotel.id, "le.tan@example.vn")
    mail = Recorder()
    run(app, channels={"email": mail})
    assert "1 thông báo chưa được gửi" in mail.sent[-1][1].text
    clock.shift(2 * app.config["DISPATCH_INTERVAL"])
    run(app, channels={"email": mail})
    assert len(mail.sent) == 2 and "1 thông báo chưa được gửi" in mail.sent[-1][1].text


def test_opt_out_and_disabled_users_get_nothing(app, hotel):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], deadline_at=utcnow() + minutes(30), status="retrying")
    add_user(app, hotel.id, "wants@example.vn")
    add_user(app, hotel.id, "no.deadline@example.vn", deadline=False)
    gone = add_user(app, hotel.id, "gone@example.vn")
    with app.app_context():
        from accommnotify.models import FacilityUser
        db.session.get(FacilityUser, gone).disabled_at = utcnow()
        db.session.commit()
    other = make_facility(app, code="OTHER-1")
    add_user(app, other.id, "other.hotel@example.vn")
    mail = Recorder()
    run(app, channels={"email": mail})
    assert [a for a, _ in mail.sent] == ["wants@example.vn"]


def test_each_user_in_their_language(app, hotel):
    first, second = stay_notifications(app)
    set_notifications(app, [first], status="rejected", rejection_code="id_number.invalid", updated_at=utcnow())
    set_notifications(app, [second], status="dead", updated_at=utcnow())
    add_user(app, hotel.id, "vi@example.vn")
    add_user(app, hotel.id, "en@example.vn", language="en")
    mail = Recorder()
    assert run(app, channels={"email": mail}).sent == {"problems": 2}
    by = {a: m for a, m in mail.sent}
    assert by["en@example.vn"].subject == "2 notifications need your attention"
    assert "1 notification was rejected by the police." in by["en@example.vn"].text
    assert by["en@example.vn"].lang == "en"
    assert by["vi@example.vn"].subject == "2 thông báo cần bạn xử lý"
    assert "bị công an từ chối" in by["vi@example.vn"].text
    # a room, never a guest's name or number
    assert "101" in by["vi@example.vn"].text
    assert "Nguyễn" not in by["vi@example.vn"].text and "Nguyễn" not in by["en@example.vn"].text


def test_problems_before_the_lookback_are_not_sent(app, hotel):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow() - minutes(25 * 60))
    add_user(app, hotel.id, "le.tan@example.vn")
    mail = Recorder()
    run(app, channels={"email": mail})
    assert mail.sent == []


def test_sent_once_across_processes_and_retried_after_a_failed_send(app, hotel, clock):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="dead", updated_at=utcnow())
    user = add_user(app, hotel.id, "le.tan@example.vn")
    mail = Recorder()
    mail.fail = True
    assert run(app, channels={"email": mail}, owner="proc-a").failed == {"problems": 1}
    # another process right after: the claim is still live, nothing sent
    mail.fail = False
    assert run(app, channels={"email": mail}, owner="proc-b").sent == {}
    # after the lease the failed claim is taken again and sent, once
    clock.shift(app.config["LEASE_SECONDS"] + 1)
    assert run(app, channels={"email": mail}, owner="proc-b").sent == {"problems": 1}
    assert run(app, channels={"email": mail}, owner="proc-a").sent == {}
    assert len(mail.sent) == 1
    with app.app_context():
        row = db.session.execute(select(SentReminder)).scalar_one()
        assert (row.user_id, row.kind, row.subject, row.tries, row.owner) == (user, "problems", first, 2, "proc-b")
        assert row.sent_at is not None and row.error is None


def test_a_claim_stops_a_second_process_mid_scan(app, hotel):
    """The claim is the lock: a process that found the reminder due but claims after another
    process's claim sends nothing."""
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    with app.app_context():
        due_a = service.due_reminders(utcnow(), app.config)
        due_b = service.due_reminders(utcnow(), app.config)
        assert service.claim(due_a[0], "email", utcnow(), "proc-a", 120) == [first]
        assert service.claim(due_b[0], "email", utcnow(), "proc-b", 120) == []


def test_given_up_after_three_tries(app, hotel, clock):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    mail = Recorder()
    mail.fail = True
    for _ in range(service.MAX_TRIES):
        assert run(app, channels={"email": mail}).failed == {"problems": 1}
        clock.shift(app.config["LEASE_SECONDS"] + 1)
    assert run(app, channels={"email": mail}) .failed == {}


def test_user_on_the_http_channel_without_a_phone_is_unreachable(app, hotel):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "sms@example.vn", channel="http")
    add_user(app, hotel.id, "sms2@example.vn", channel="http", phone="+84901234567")
    sms = Recorder("http")
    report = run(app, channels={"email": Recorder(), "http": sms})
    assert report.unreachable == 1
    assert [a for a, _ in sms.sent] == ["+84901234567"]


def test_digest_at_seven_counts_yesterday(app, hotel, clock):
    first, second = stay_notifications(app)  # entered 27/11 14:00
    add_stays(app, hotel, 1)
    third = stay_notifications(app)[-1]
    at = lambda h, m=0: datetime(2026, 11, 27, h, m, tzinfo=VN_TZ)  # noqa: E731
    set_notifications(app, [first], status="accepted", delivered_at=at(15), late=False)
    set_notifications(app, [second], status="retrying", deadline_at=at(23))       # late and still open
    set_notifications(app, [third], status="accepted", delivered_at=at(23, 30), late=True)
    add_user(app, hotel.id, "digest@example.vn", digest=True, deadline=False, problems=False)
    add_user(app, hotel.id, "no.digest@example.vn", deadline=False, problems=False)
    mail = Recorder()
    clock.move_to(datetime(2026, 11, 28, 6, 59, tzinfo=VN_TZ))
    assert run(app, channels={"email": mail}).sent == {}
    clock.move_to(datetime(2026, 11, 28, 7, 0, tzinfo=VN_TZ))
    assert run(app, channels={"email": mail}).sent == {"digest": 1}
    (address, message), = mail.sent
    assert address == "digest@example.vn"
    assert message.subject == "Tổng hợp ngày 27/11/2026"
    assert "Đã khai báo: 2" in message.text and "Trễ hạn: 2" in message.text
    assert "Còn chưa xong: 1" in message.text
    with app.app_context():
        assert service.digest_counts([hotel.id], datetime(2026, 11, 27).date(), utcnow()) == {
            hotel.id: {"declared": 2, "late": 2, "still_open": 1}}
    clock.move_to(datetime(2026, 11, 28, 18, 0, tzinfo=VN_TZ))
    assert run(app, channels={"email": mail}).sent == {}  # once a day


def test_purge_removes_old_ledger_rows(app, hotel, clock):
    from accommnotify.ops.purge import purge
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    run(app, channels={"email": Recorder()})
    with app.app_context():
        purge(30)
        assert db.session.query(SentReminder).count() == 1
        purge(30, now=utcnow() + minutes(31 * 24 * 60))
        assert db.session.query(SentReminder).count() == 0


def test_no_channel_no_scan(app, hotel):
    first, _ = stay_notifications(app)
    set_notifications(app, [first], status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    assert run(app).totals() == {"sent": {}, "failed": {}, "unreachable": 0}


def test_a_portal_file_not_uploaded_stands_for_its_notifications(app, hotel):
    """Notifications in a portal file are reminded once, through the file ("upload it")."""
    from accommnotify.models import PortalFile
    first, second = stay_notifications(app)
    now = utcnow()
    set_notifications(app, [first, second], status="awaiting_upload", deadline_at=now + minutes(45),
                      created_at=now - minutes(30))
    with app.app_context():
        for file_id, status in (("pf_waiting", "ready"), ("pf_done", "confirmed")):
            db.session.add(PortalFile(id=file_id, facility_id=hotel.id, receiver="portal", batch_id="bat_1",
                                      kind="citizens", format="xlsx", filename=f"{file_id}.xlsx", path="/nowhere",
                                      row_count=2, size=1, sha256="0" * 64, status=status,
                                      earliest_deadline=now + minutes(45), created_at=now, updated_at=now))
        db.session.commit()
    add_user(app, hotel.id, "le.tan@example.vn", language="en")
    mail = Recorder()
    assert run(app, channels={"email": mail}).sent == {"deadline": 1}
    (_, message), = mail.sent
    assert "1 portal file is not uploaded yet." in message.text
    assert "notification" not in message.text
    with app.app_context():
        assert [r.subject for r in db.session.query(SentReminder)] == ["pf_waiting"]


def test_chain_staff_hear_about_every_facility_they_work_for(app, hotel, clock):
    from accommnotify.models import FacilityMembership
    other = make_facility(app, code="HOTEL-2")
    add_stays(app, other, 1)
    first, second, third = stay_notifications(app)
    now = utcnow()
    set_notifications(app, [first, third], deadline_at=now + minutes(30), created_at=now - minutes(10))
    member = add_user(app, hotel.id, "chain@example.vn", digest=True)
    add_user(app, other.id, "own.only@example.vn", digest=True, deadline=False)
    with app.app_context():
        from accommnotify.models import Facility
        db.session.get(Facility, other.id).name = "Nhà nghỉ Mai"
        db.session.add(FacilityMembership(user_id=member, facility_id=other.id, role="staff", created_at=now))
        db.session.commit()
    mail = Recorder()
    assert run(app, channels={"email": mail}).sent["deadline"] == 2  # (and yesterday's digests, as at any hour)
    deadlines = [(a, m.text) for a, m in mail.sent if "thông báo chưa được gửi" in m.text]
    assert [a for a, _ in deadlines] == ["chain@example.vn", "chain@example.vn"]  # one per facility
    assert sorted(("Khách sạn Sen" in t, "Nhà nghỉ Mai" in t) for _, t in deadlines) == [(False, True), (True, False)]
    mail.sent.clear()
    clock.move_to(datetime(2026, 11, 28, 7, 0, tzinfo=VN_TZ))
    assert run(app, channels={"email": mail}).sent == {"digest": 3}  # two for the chain's user, one for the other
    assert sorted(a for a, _ in mail.sent) == ["chain@example.vn", "chain@example.vn", "own.only@example.vn"]
    clock.move_to(datetime(2026, 11, 28, 9, 0, tzinfo=VN_TZ))
    assert run(app, channels={"email": mail}).sent == {}  # each once a day
