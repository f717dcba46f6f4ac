"""One audit row per read of personal data; none for a refused request; append-only."""
import json

import pytest
from sqlalchemy import text

from accommnotify.extensions import db
from accommnotify.models.police import AppendOnlyError, AuditEntry, Officer
from accommnotify.police.accounts import create_token

from .helpers import WARD_A, WARD_B, WARD_HN, add_notification, add_officer, audit_rows, in_app, search as search_form


def test_each_kind_of_read_is_audited(papp, as_officer):
    with in_app(papp):
        mine = add_notification(WARD_A, full_name="Nguyễn Văn An", late=True)
        add_notification(WARD_A, full_name="Nguyễn Văn Bảo")
        officer_id = add_officer("ward-a", f"ward:{WARD_A}")
    c = as_officer("ward-a")
    assert audit_rows(papp) == []            # logging in reads no personal data

    c.get("/police/")
    search_form(c, "nguyen van")
    c.get(f"/police/n/{mine}")
    c.post("/police/export", data={"late": "1"})
    c.get("/police/compliance/late")
    c.post(f"/police/n/{mine}/acknowledge")
    with in_app(papp) as session:
        token = create_token(session.get(Officer, officer_id))
    api = papp.test_client()
    api.get("/police/api/v1/notifications?limit=1", headers={"Authorization": f"Bearer {token}"})
    api.get(f"/police/api/v1/notifications/{mine}", headers={"Authorization": f"Bearer {token}"})

    rows = audit_rows(papp)
    assert [r.action for r in rows] == ["list", "search", "detail", "export", "late", "acknowledge",
                                        "api_list", "api_detail"]
    assert all(r.username == "ward-a" and r.officer_id == officer_id and r.at is not None for r in rows)
    lst, search, detail, export, late, ack, api_list, api_detail = rows
    assert lst.row_count == 2 and lst.via == "web" and json.loads(lst.filters)["date_from"]
    assert search.row_count == 2 and json.loads(search.filters)["q"] == "nguyen van"
    assert json.loads(search.filters)["search"] == "name"
    assert detail.record_id == mine and detail.row_count == 1
    assert export.row_count == 1 and json.loads(export.filters)["late"] is True
    assert late.row_count == 1
    assert ack.record_id == mine
    assert api_list.via == "api" and api_list.row_count == 1
    assert api_detail.record_id == mine and api_detail.via == "api"


def test_refused_requests_write_nothing(papp, as_officer):
    with in_app(papp):
        other = add_notification(WARD_B)
        add_officer("ward-a", f"ward:{WARD_A}")
    anon = papp.test_client()
    anon.get("/police/")                                                       # not logged in
    anon.post("/police/export")
    anon.get(f"/police/n/{other}")
    anon.get("/police/api/v1/notifications")                                   # no token
    anon.get("/police/api/v1/notifications", headers={"Authorization": "Bearer pt_wrong"})
    c = as_officer("ward-a")
    c.get(f"/police/n/{other}")                                                # out of scope: 404
    c.post(f"/police/n/{other}/acknowledge")
    c.get("/police/audit")                                                     # officers: 404
    with in_app(papp) as session:
        token = create_token(session.scalar(db.select(Officer).where(Officer.username == "ward-a")))
    h = {"Authorization": f"Bearer {token}"}
    assert anon.get(f"/police/api/v1/notifications/{other}", headers=h).status_code == 404
    assert anon.get("/police/api/v1/notifications?cursor=!!!", headers=h).status_code == 400
    assert audit_rows(papp) == []


def test_audit_log_is_append_only(papp, as_officer):
    with in_app(papp):
        add_officer("ward-a", f"ward:{WARD_A}")
    as_officer("ward-a").get("/police/")
    with in_app(papp) as session:
        entry = audit_rows()[0]
        entry.action = "nothing"
        with pytest.raises(AppendOnlyError):
            session.commit()
        session.rollback()
        with pytest.raises(AppendOnlyError):
            session.delete(session.get(AuditEntry, entry.id))
            session.commit()
        session.rollback()
        for statement in ("UPDATE police_audit_log SET action = 'x'", "DELETE FROM police_audit_log"):
            with pytest.raises(Exception) as info:
                session.execute(text(statement))
                session.commit()
            assert "append-only" in str(info.value)
            session.rollback()
    assert [r.action for r in audit_rows(papp)] == ["list"]


def test_supervisors_read_the_audit_log_of_their_area(papp, as_officer):
    with in_app(papp):
        add_notification(WARD_A)
        add_officer("ward-a", f"ward:{WARD_A}")
        add_officer("hanoi", f"ward:{WARD_HN}")
        add_officer("sup", "province:40", role="supervisor")
        add_officer("root", f"ward:{WARD_A}", role="admin")
    as_officer("ward-a").get("/police/")
    as_officer("hanoi").get("/police/")
    page = as_officer("sup").get("/police/audit").get_data(as_text=True)
    assert "ward-a" in page and "hanoi" not in page
    page = as_officer("root").get("/police/audit").get_data(as_text=True)
    assert "ward-a" in page and "hanoi" in page
    page = as_officer("root").get("/police/audit?username=hanoi").get_data(as_text=True)
    assert "hanoi" in page and "<td>ward-a" not in page
    # reading the audit log is not itself a read of personal data; it writes nothing
    assert [r.username for r in audit_rows(papp)] == ["ward-a", "hanoi"]
