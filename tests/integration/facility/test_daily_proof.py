"""Daily proofs end to end in the app (issue 12, item 3; docs/PROOF.md): the CLI (daily, verify,
public-key), GET /api/v1/proofs/{date}, the download on the facility pages; the PDF read back with
pypdf: Vietnamese with its diacritics, masked numbers, totals, only the facility's own day."""
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.intake import service
from accommnotify.intake.facilities import create_facility
from accommnotify.models import FacilityRef, Notification
from accommnotify.ops.keys import create_api_key
from accommnotify.proof import signing
from accommnotify.timeutil import utcnow
from tests import factories
from tests.conftest import ApiClient

from .conftest import login, make_user

DAY = "2026-11-27"  # the frozen clock's day (14:00 in Vietnam)
# Wider than their columns: the name wraps at spaces, the receipt (no space) is cut.
FOREIGNER = "Søren Aabye Kierkegård Hamsun Ibsen Bjørnson"
RECEIPT = "BN-2026-0042/" + "A1B2C3D4E5" * 6


def pdf_text(data: bytes) -> str:
    """The text of every page, white space (a cell's line breaks too) as single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _stay(api, **kw):
    response = api.post("/stays", json=factories.stay(**kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _day_of_two_guests(app, api):
    """A citizen (accepted late, with a receipt) and a foreigner (pending) arrive today; a stay of
    yesterday is not of the day."""
    citizen = factories.citizen(full_name="Trần Thị Thủy Tiên")
    stay = _stay(api, guests=[citizen, factories.foreigner(full_name=FOREIGNER)])
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.guest_id == stay["guests"][0]["id"]).values(
            status="accepted", delivered_at=utcnow(), receipt=RECEIPT, late=True))
        db.session.commit()
    return citizen["id_number"], stay


def _other_facility(app, client):
    with app.app_context():
        other = create_facility(code="HOTEL-2", name="Nhà nghỉ Khác", kind="tourist_accommodation",
                                ward_code="16681", address="1 Khác")
        key = create_api_key(other, "other")
    api = ApiClient(client, key)
    _stay(api, guests=[factories.citizen(full_name="Người Của Cơ Sở Khác")])
    return api


def test_cli_writes_a_proof_that_verifies_and_any_change_is_caught(app, api, runner, tmp_path):
    number, _ = _day_of_two_guests(app, api)
    out = tmp_path / "proof.pdf"
    result = runner.invoke(args=["proof", "daily", "--facility", "HOTEL-1", "--date", DAY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()

    text = pdf_text(data)
    assert "Bảng xác nhận thông báo lưu trú ngày 27/11/2026" in text
    assert "Trần Thị Thủy Tiên" in text and "Khách sạn Sen" in text
    assert FOREIGNER in text and RECEIPT in text.replace(" ", "")
    assert "****" + number[-4:] in text and number not in text and number[:8] not in text
    assert "****02C3" in text and "L898902C3" not in text  # the foreigner's passport
    assert "BN-2026-0042" in text and "Đã tiếp nhận" in text and "Chờ gửi" in text
    assert "Tổng cộng: 2 thông báo · 1 đã tiếp nhận · 1 chưa được tiếp nhận · 0 bị từ chối · 0 đã rút lại · " \
           "1 trễ hạn" in text

    verify = runner.invoke(args=["proof", "verify", str(out)])
    assert verify.exit_code == 0 and "OK" in verify.output
    for position in (len(data) // 3, len(data) - 40):
        changed = bytearray(data)
        changed[position] ^= 0x01
        out.write_bytes(bytes(changed))
        assert runner.invoke(args=["proof", "verify", str(out)]).exit_code == 1
    out.write_bytes(data + b"\n")
    assert runner.invoke(args=["proof", "verify", str(out)]).exit_code == 1


def test_public_key_command_prints_the_pem_that_verify_accepts(app, facility, runner, tmp_path):
    out, pem = tmp_path / "p.pdf", tmp_path / "key.pem"
    assert runner.invoke(args=["proof", "daily", "--facility", "HOTEL-1", "--date", DAY, "--out", str(out)]).exit_code == 0
    printed = runner.invoke(args=["proof", "public-key"])
    assert printed.exit_code == 0 and printed.output.startswith("-----BEGIN PUBLIC KEY-----")
    pem.write_text(printed.output)
    assert runner.invoke(args=["proof", "verify", str(out), "--public-key", str(pem)]).exit_code == 0
    stranger = tmp_path / "stranger.pem"
    stranger.write_text(signing.ProofSigner("x" * 40).public_pem())
    refused = runner.invoke(args=["proof", "verify", str(out), "--public-key", str(stranger)])
    assert refused.exit_code == 1 and "not with the given key" in refused.output
    not_a_key = runner.invoke(args=["proof", "verify", str(out), "--public-key", str(out)])
    assert not_a_key.exit_code != 0 and "Traceback" not in not_a_key.output


def test_cli_refuses_an_unknown_facility_or_a_bad_date(facility, runner, tmp_path):
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["proof", "daily", "--facility", "NOPE", "--date", DAY, "--out", str(out)])
    assert result.exit_code != 0 and "no facility" in result.output and not out.exists()
    for bad, code in (("27/11/2026", "format"), ("2026-11-28", "proof.date_in_future")):
        result = runner.invoke(args=["proof", "daily", "--facility", "HOTEL-1", "--date", bad, "--out", str(out)])
        assert result.exit_code != 0 and f"--date: {code}" in result.output and not out.exists()


def test_a_missing_font_is_named_not_a_traceback(app, facility, runner, tmp_path):
    app.config["PROOF_FONT"] = str(tmp_path / "no-such-font.ttf")
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["proof", "daily", "--facility", "HOTEL-1", "--date", DAY, "--out", str(out)])
    assert result.exit_code != 0 and "fonts-dejavu-core" in result.output and not out.exists()


def test_api_gives_the_facilitys_own_signed_proof(app, client, api):
    number, _ = _day_of_two_guests(app, api)
    other = _other_facility(app, client)
    response = api.get(f"/proofs/{DAY}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="bang-xac-nhan-HOTEL-1-2026-11-27.pdf"' in response.headers["Content-Disposition"]
    with app.app_context():
        assert signing.verify(response.data, signing.signer().public_key).ok
    text = pdf_text(response.data)
    assert "Trần Thị Thủy Tiên" in text and "Người Của Cơ Sở Khác" not in text and number not in text

    theirs = pdf_text(other.get(f"/proofs/{DAY}").data)
    assert "Người Của Cơ Sở Khác" in theirs and "Trần Thị Thủy Tiên" not in theirs and "Khách sạn Sen" not in theirs


def test_api_names_the_field_of_a_bad_or_future_date(api, client):
    for raw, code in (("2026-02-30", "format"), ("tomorrow", "format"), ("2026-11-28", "proof.date_in_future"),
                      ("1999-01-01", "out_of_range"), ("9" * 300, "format")):
        response = api.get(f"/proofs/{raw}")
        assert response.status_code == 422, raw
        assert response.mimetype == "application/problem+json"
        assert [(e["field"], e["code"]) for e in response.get_json()["errors"]] == [("date", code)]
    assert client.get(f"/api/v1/proofs/{DAY}").status_code == 401


def test_a_day_without_notifications_and_yesterdays_stays(app, api, clock):
    _stay(api, guests=[factories.citizen(full_name="Khách Hôm Qua")])
    clock.shift(timedelta(days=1))
    text = pdf_text(api.get("/proofs/2026-11-28").data)
    assert "Không có thông báo nào được ghi nhận trong ngày này." in text and "Khách Hôm Qua" not in text
    assert "Khách Hôm Qua" in pdf_text(api.get(f"/proofs/{DAY}").data)


def test_facility_pages_list_recent_days_and_download_the_proof(app, client, api):
    _day_of_two_guests(app, api)
    _other_facility(app, client)
    make_user(app)
    staff = login(client)
    page = staff.get("/facility/proofs").get_data(as_text=True)
    assert "Bảng xác nhận hằng ngày" in page and "27/11/2026" in page and "26/11/2026" in page
    assert f"/facility/proofs/pdf?date={DAY}" in page

    response = staff.get(f"/facility/proofs/pdf?date={DAY}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    with app.app_context():
        assert signing.verify(response.data, signing.signer().public_key).ok
    text = pdf_text(response.data)
    assert "Trần Thị Thủy Tiên" in text and "Người Của Cơ Sở Khác" not in text

    bad = staff.get("/facility/proofs/pdf?date=2026-12-01")
    assert bad.status_code == 422 and "Ngày này chưa đến" in bad.get_data(as_text=True)
    assert staff.get("/facility/proofs/pdf?date=x").status_code == 422
    assert staff.get("/facility/proofs/pdf").status_code == 422
    client.post("/facility/logout", data={"csrf_token": staff.token})
    assert client.get(f"/facility/proofs/pdf?date={DAY}").status_code == 302  # to the login page


def test_proof_of_500_notifications_lists_every_row(app, facility):
    """Five hundred rows of one day (the benchmark's size) all reach the PDF, over several pages."""
    ref = facility[0]
    with app.app_context():
        for start in (0, service.MAX_BULK):
            result = service.create_stays_bulk(ref, {"stays": [factories.stay(guests=[factories.citizen(
                full_name=f"Khách {_letters(n)}")]) for n in range(start, min(start + service.MAX_BULK, 500))]})
            assert all(r["status"] == "created" for r in result), result[0]
        from accommnotify import proof
        from accommnotify.timeutil import VN_TZ
        now = utcnow()
        data = proof.build(FacilityRef(*ref), now.astimezone(VN_TZ).date(), now)
    assert len(PdfReader(io.BytesIO(data)).pages) > 5
    text = pdf_text(data)
    assert f"Khách {_letters(0)} " in text and f"Khách {_letters(499)} " in text
    assert "Tổng cộng: 500 thông báo" in text


def _letters(n: int) -> str:
    """A name part from a number (names take letters only): 0 -> "Aa", 499 -> "Tf"."""
    return chr(ord("A") + n // 26) + chr(ord("a") + n % 26)
