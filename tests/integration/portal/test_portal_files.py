"""The vn_portal receiver end to end in one process: dispatcher → portal files → API → confirm.

SQLite always, PostgreSQL when configured. The template is built in code (tests/portal_support).
"""
import io
import os
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import PortalFile, PortalFileRow
from accommnotify.timeutil import utcnow
from tests import factories
from tests import portal_support as ps
from tests.conftest import ApiClient, make_app
from tests.integration.dispatch.dispatch_support import notification_rows, status_counts


@pytest.fixture
def portal(database_url, tmp_path):
    template = tmp_path / "tblt_vn_import.xlsx"
    ps.build_template(template)
    receivers = ps.portal_receivers_toml(tmp_path, template=template, directory=tmp_path / "portal")
    app = make_app(database_url, RECEIVERS=receivers, DISPATCH_LANES=1, DEADLINE_MARGIN=0, BATCH_MAX_WAIT=300,
                   LEASE_SECONDS=120)
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key = create_api_key(create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation",
                                             ward_code="16681", address="12 Lê Lợi"), "test")
        other = create_api_key(create_facility(code="HOTEL-2", name="Nhà nghỉ Mai", kind="household",
                                               ward_code="16681", address="3 Lê Lợi"), "test")
    client = app.test_client()
    app.template_path = template
    return app, ApiClient(client, key), ApiClient(client, other)


def departure_in(days=2):
    return (factories.local_now() + timedelta(days=days)).isoformat()


def post_stays(api, n=2, foreigner=True):
    for i in range(n):
        r = api.post("/stays", json=factories.stay(expected_departure=departure_in()))
        assert r.status_code == 201, r.get_json()
    if foreigner:
        r = api.post("/stays", json=factories.stay(expected_departure=departure_in(),
                                                   guests=[factories.foreigner(nationality="AUS")]))
        assert r.status_code == 201, r.get_json()


def files(api, **params):
    r = api.get("/portal-files", query_string=params)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["portal_files"]


def test_files_are_records_confirmed_with_the_count_the_portal_showed(portal):
    app, api, other = portal
    post_stays(api, 2)
    report = Dispatcher(app).run_pass(flush=True)
    assert report.receivers["portal"].awaiting_upload == 3
    assert status_counts(app) == {"awaiting_upload": 3}
    listed = files(api)
    assert sorted((f["kind"], f["format"], f["row_count"], f["status"]) for f in listed) == [
        ("citizens", "xlsx", 2, "ready"), ("foreigners", "xml", 1, "ready")]
    citizens = next(f for f in listed if f["kind"] == "citizens")
    assert citizens["earliest_deadline"].endswith("+07:00")

    # download: the right type, a readable name without personal data, the recorded bytes
    r = api.get(f"/portal-files/{citizens['id']}/content")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{citizens["filename"]}"' in r.headers["Content-Disposition"]
    assert citizens["filename"].startswith("HOTEL-1_khach-viet-nam_")
    ws = openpyxl.load_workbook(io.BytesIO(r.data))["DS_KHACH_VIET_NAM_LUU_TRU"]
    assert ws["A4"].value == "[EXAMPLE]" and ws["B5"].value == "Nguyễn Văn An" and ws["B6"].value == "Nguyễn Văn An"
    assert ws["H5"].data_type == "s" and len(ws["H5"].value) == 12
    xml_file = next(f for f in listed if f["kind"] == "foreigners")
    assert api.get(f"/portal-files/{xml_file['id']}/content").mimetype == "application/xml"

    # another facility's file is a 404, everywhere
    for path in ("", "/content"):
        assert other.get(f"/portal-files/{citizens['id']}{path}").status_code == 404
    assert other.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 2}).status_code == 404
    assert files(other) == []

    # bad input: problem+json naming the field
    r = api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": "two"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.get_json()["errors"][0]["field"] == "records_shown"
    r = api.post(f"/portal-files/{citizens['id']}/confirm", json={})
    assert r.status_code == 422 and r.get_json()["errors"][0]["code"] == "required"
    r = api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": -1})
    assert r.status_code == 422

    # the portal said "import successful" but lists 0 records: mismatch, nothing accepted
    r = api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 0},
                 headers={"Accept-Language": "en"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["result"] == "mismatch" and body["portal_file"]["status"] == "mismatch"
    assert "shows 0 records but the file has 2" in body["message"] and "row 5" in body["message"]
    assert status_counts(app) == {"awaiting_upload": 3}
    assert [f["status"] for f in files(api, status="mismatch")] == ["mismatch"]

    # uploaded again, the portal lists 2: confirmed, its notifications accepted with the row receipt
    r = api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 2})
    assert r.get_json()["result"] == "confirmed"
    detail = api.get(f"/portal-files/{citizens['id']}").get_json()
    assert detail["status"] == "confirmed" and detail["records_shown"] == 2
    assert [(row["row"], row["status"]) for row in detail["rows"]] == [(1, "accepted"), (2, "accepted")]
    by_id = {n["id"]: n for n in notification_rows(app)}
    for row in detail["rows"]:
        n = by_id[row["notification_id"]]
        assert n["receipt"] == f"portal:{citizens['id']}:{row['row']}" and not n["late"]
    assert status_counts(app) == {"accepted": 2, "awaiting_upload": 1}
    # confirming again with the same count is harmless; another count is a conflict
    assert api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 2}).status_code == 200
    assert api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 1}).status_code == 409
    # the stay shows the notification's status
    r = api.get("/notifications", query_string={"status": "awaiting_upload"})
    assert r.status_code == 200 and len(r.get_json()["notifications"]) == 1


def test_deadline_keeps_running_while_awaiting_upload(portal, clock):
    app, api, _ = portal
    post_stays(api, 1, foreigner=False)
    Dispatcher(app).run_pass(flush=True)
    [f] = files(api)
    clock.shift(timedelta(hours=12))  # past 23:00 (or 08:00) of the arrival
    assert api.post(f"/portal-files/{f['id']}/confirm", json={"records_shown": 1}).get_json()["result"] == "confirmed"
    [n] = notification_rows(app)
    assert n["status"] == "accepted" and n["late"]


def test_a_changed_template_pauses_the_receiver_nothing_is_lost(portal):
    app, api, _ = portal
    post_stays(api, 1)
    ps.build_template(app.template_path, reasons=ps.REASONS[:-1])
    os.utime(app.template_path, ns=(1, 1))
    report = Dispatcher(app).run_pass(flush=True)
    assert report.receivers["portal"].skipped == "paused"
    assert status_counts(app) == {"pending": 2}
    [n] = [n for n in notification_rows(app)][:1]
    assert n["attempts"] == 0
    client = app.test_client()
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'accommnotify_receiver_paused{receiver="portal"} 1' in metrics
    assert 'accommnotify_receiver_alert{receiver="portal"} 1' in metrics
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "degraded" and "list reason: expected 20 entries, found 19" in ready["paused_receivers"]["portal"]
    # the operator puts the right template back: the next pass writes the files
    ps.build_template(app.template_path)
    os.utime(app.template_path, ns=(2, 2))
    assert Dispatcher(app).run_pass(flush=True).receivers["portal"].awaiting_upload == 2
    assert client.get("/readyz").get_json()["status"] == "ok"
    assert 'accommnotify_receiver_paused{receiver="portal"} 0' in client.get("/metrics").get_data(as_text=True)


def test_a_dispatcher_whose_lease_expired_records_no_file(portal, clock):
    """Two dispatchers never put one notification in two files: the late one's file is not recorded."""
    app, api, _ = portal
    post_stays(api, 2, foreigner=False)
    late, fresh = Dispatcher(app, owner="late"), Dispatcher(app, owner="fresh")
    receiver = late.config.receivers["portal"]
    now = utcnow()
    claimed = late.claim(receiver, now)
    delivery = late.send(receiver, claimed)  # the file is written ...
    # ... but the lease runs out before the results are recorded; another dispatcher takes over
    later = now + timedelta(seconds=121)
    clock.move_to(later)
    fresh.run_pass(now=later, flush=True)
    stats = late.record(claimed, delivery, later)
    assert stats["lost_leases"] == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PortalFile)) == 1
        per_notification = db.session.execute(
            select(PortalFileRow.notification_id, func.count()).group_by(PortalFileRow.notification_id)).all()
        db.session.rollback()
    assert sorted(c for _, c in per_notification) == [1, 1]
    assert status_counts(app) == {"awaiting_upload": 2}


def test_departure_and_cancellation_write_no_row(portal):
    app, api, _ = portal
    r = api.post("/stays", json=factories.stay(expected_departure=departure_in()))
    stay = r.get_json()
    Dispatcher(app).run_pass(flush=True)
    assert api.post(f"/stays/{stay['id']}/cancel", json={"reason": "nhầm"}).status_code == 200
    Dispatcher(app).run_pass(flush=True)
    assert len(files(api)) == 1
    events = {(n["event"], n["status"], n["receipt"]) for n in notification_rows(app)}
    assert ("cancellation", "accepted", "portal:no-row") in events


def test_cli_files_and_check_template(portal, tmp_path):
    app, api, _ = portal
    post_stays(api, 1)
    Dispatcher(app).run_pass(flush=True)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "files", "--facility", "HOTEL-1"])
    assert result.exit_code == 0 and "HOTEL-1" in result.output and "citizens" in result.output
    assert "Nguy" not in result.output
    assert "no portal files" in runner.invoke(args=["portal", "files", "--facility", "HOTEL-2"]).output
    ok = runner.invoke(args=["portal", "check-template", str(app.template_path)])
    assert ok.exit_code == 0 and "reason: 20 entries" in ok.output and "nationality: 205 entries" in ok.output
    bad = tmp_path / "new.xlsx"
    ps.build_template(bad, sexes=["M - Nam", "F - Nữ", "K - Khác"])
    result = runner.invoke(args=["portal", "check-template", str(bad)])
    assert result.exit_code == 1 and "list sex: expected 2 entries, found 3" in result.output


def test_complete_before_submit_when_routed_to_the_portal(portal):
    """The portal needs an expected departure and a document number: refused at submit, not hours later."""
    app, api, _ = portal
    r = api.post("/stays", json=factories.stay(), headers={"Accept-Language": "en"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert {(e["field"], e["code"]) for e in r.get_json()["errors"]} == {
        ("expected_departure", "expected_departure.required_by_receiver")}
    assert "portal" in r.get_json()["errors"][0]["message"]
    # a child without a number is fine elsewhere (an adult guardian has one), but not for the portal
    r = api.post("/stays", json=factories.stay(expected_departure=departure_in(),
                                               guests=[factories.citizen(), factories.child()]))
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.get_json()["errors"]] == [
        ("guests[1].id_number", "id_number.required_by_receiver")]
    # bulk: each stay on its own
    r = api.post("/stays/bulk", json={"stays": [factories.stay(), factories.stay(expected_departure=departure_in())]})
    assert [x["status"] for x in r.get_json()["results"]] == ["invalid", "created"]
    # an amendment cannot take the date away
    stay = r.get_json()["results"][1]["stay"]
    r = api.patch(f"/stays/{stay['id']}", json={"expected_departure": None})
    assert r.status_code == 422 and r.get_json()["errors"][0]["code"] == "expected_departure.required_by_receiver"
    # foreigners: the XML has no required departure date
    r = api.post("/stays", json=factories.stay(guests=[factories.foreigner(nationality="AUS")]))
    assert r.status_code == 201


def test_stays_routed_elsewhere_keep_todays_rules(api):
    r = api.post("/stays", json=factories.stay(guests=[factories.citizen(), factories.child()]))
    assert r.status_code == 201


def test_which_card_goes_to_column_f(portal):
    app, api, _ = portal
    guests = [factories.citizen(document_kind="can_cuoc"), factories.citizen(),
              factories.citizen(id_number=None, passport_number="C7654321", document_kind="passport"),
              factories.citizen(document_kind="other", document_name="Giấy xác nhận nhân thân")]
    r = api.post("/stays", json=factories.stay(expected_departure=departure_in(), guests=guests))
    assert r.status_code == 201, r.get_json()
    assert [g["document_kind"] for g in r.get_json()["guests"]] == ["can_cuoc", None, "passport", "other"]
    Dispatcher(app).run_pass(flush=True)
    [f] = files(api)
    ws = openpyxl.load_workbook(io.BytesIO(api.get(f"/portal-files/{f['id']}/content").data))["DS_KHACH_VIET_NAM_LUU_TRU"]
    assert [ws[f"F{r}"].value for r in range(5, 9)] == ["8 - Thẻ Căn Cước", "1 - Thẻ CCCD", "4 - Hộ chiếu",
                                                       "9 - Giấy tờ khác"]
    assert ws["H7"].value == "C7654321" and ws["G8"].value == "Giấy xác nhận nhân thân" and ws["G5"].value is None
    r = api.post("/stays", json=factories.stay(expected_departure=departure_in(),
                                               guests=[factories.citizen(document_kind="passport")]))
    assert r.status_code == 422 and r.get_json()["errors"][0] == {
        "field": "guests[0].document_kind", "code": "document_kind.mismatch", "message": r.get_json()["errors"][0]["message"]}


def test_default_card_is_configurable(database_url, tmp_path):
    template = tmp_path / "t.xlsx"
    ps.build_template(template)
    receivers = ps.portal_receivers_toml(tmp_path, template=template, directory=tmp_path / "p",
                                         extra='default_document_kind = "can_cuoc"')
    app = make_app(database_url, RECEIVERS=receivers, DISPATCH_LANES=1)
    from tests.integration.dispatch.dispatch_support import make_facility
    facility = make_facility(app)
    from accommnotify.intake.service import create_stay
    with app.app_context():
        create_stay(facility, factories.stay(expected_departure=departure_in()))
    Dispatcher(app).run_pass(flush=True)
    [path] = list((tmp_path / "p").rglob("*.xlsx"))
    assert openpyxl.load_workbook(path)["DS_KHACH_VIET_NAM_LUU_TRU"]["F5"].value == "8 - Thẻ Căn Cước"


def test_a_foreigner_gets_a_file_at_the_next_pass_citizens_wait_for_batching(portal):
    app, api, _ = portal
    post_stays(api, 1, foreigner=False)
    assert Dispatcher(app).run_pass().receivers["portal"].batches == 0  # citizens: batching waits
    r = api.post("/stays", json=factories.stay(guests=[factories.foreigner(nationality="AUS")]))
    assert r.status_code == 201
    Dispatcher(app).run_pass()  # no flush: a foreigner's arrival is never held back
    kinds = sorted(f["kind"] for f in files(api))
    assert "foreigners" in kinds


def test_metrics_count_awaiting_upload_and_watch_its_deadline(portal):
    app, api, _ = portal
    post_stays(api, 1, foreigner=False)
    Dispatcher(app).run_pass(flush=True)
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'accommnotify_notifications_awaiting_upload{receiver="portal"} 1' in text
    assert 'accommnotify_nearest_deadline_seconds{receiver="portal"}' in text


def test_an_organisation_key_reaches_its_facilitys_portal_files_only(portal):
    """Chains (issue 13, item 3): the list takes ?facility_code=, a file by id names its facility."""
    from accommnotify.ops.organisations import attach_facility, create_organisation, create_organisation_key
    app, api, other = portal
    post_stays(api, 1, foreigner=False)
    post_stays(other, 1, foreigner=False)
    Dispatcher(app).run_pass(flush=True)
    with app.app_context():
        create_organisation("SEN", "Chuỗi Sen")
        attach_facility("SEN", "HOTEL-1")
        org = ApiClient(api.client, create_organisation_key("SEN"))
    ours, theirs = files(api)[0], files(other)[0]
    assert [f["id"] for f in files(org, facility_code="HOTEL-1")] == [ours["id"]]
    assert org.get("/portal-files", query_string={"facility_code": "HOTEL-2"}).status_code == 404
    assert org.get("/portal-files").status_code == 422
    assert org.get(f"/portal-files/{ours['id']}").status_code == 200
    assert org.get(f"/portal-files/{theirs['id']}/content").status_code == 404
    assert org.post(f"/portal-files/{theirs['id']}/confirm", json={"records_shown": 1}).status_code == 404
    assert files(other)[0]["status"] == "ready"
