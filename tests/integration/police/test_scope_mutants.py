"""Scope checks that fail when the scope itself is weakened (issue 15, surviving mutants).

Each test builds data where the weakened query would give a different answer: an out-of-scope
facility that IS silent, and a mixed ward + province scope whose two parts select disjoint rows.
Data is set up in short app contexts of its own; every request runs in its own context.
"""
from datetime import timedelta

from accommnotify.extensions import db
from accommnotify.models.police import Officer
from accommnotify.police.accounts import create_token
from accommnotify.rules.geography import WARD_PROVINCE
from accommnotify.timeutil import utcnow

from .helpers import WARD_A, WARD_B, WARD_HN, add_notification, add_officer

# Another ward of Hà Nội (01): in the province of WARD_HN, but not the ward itself.
OTHER_HN_WARD = next(w for w, p in sorted(WARD_PROVINCE.items()) if p == "01" and w != WARD_HN)


def test_silent_facilities_lists_only_silent_facilities_in_the_officers_scope(papp, as_officer):
    with papp.app_context():
        long_ago = utcnow() - timedelta(days=10)
        add_notification(WARD_A, facility_code="A-FRESH")                                 # in scope, fresh
        add_notification(WARD_A, facility_code="A-SILENT", received_at=long_ago)          # in scope, silent
        add_notification(WARD_B, facility_code="B-SILENT", received_at=long_ago)          # other ward, silent
        add_notification(WARD_HN, facility_code="HN-SILENT", received_at=long_ago)        # other province, silent
        add_officer("ward-a", f"ward:{WARD_A}")
    page = as_officer("ward-a").get("/police/compliance/silent?days=3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A-SILENT" in html            # the page does list silent facilities…
    assert "A-FRESH" not in html         # …only silent ones…
    assert "B-SILENT" not in html        # …and only in the officer's scope, even when silent
    assert "HN-SILENT" not in html


def test_mixed_ward_and_province_scope_sees_both_parts(papp, as_officer):
    with papp.app_context():
        in_ward = add_notification(WARD_HN, full_name="Lê Văn Cường", id_number="001190000011")
        in_province = add_notification(WARD_B, full_name="Trần Thị Bình", id_number="001190000012")
        elsewhere = add_notification(OTHER_HN_WARD, full_name="Phạm Văn Dũng", id_number="001190000013")
        officer_id = add_officer("mixed", f"ward:{WARD_HN}", "province:40")
        token = create_token(db.session.get(Officer, officer_id))
    assert WARD_PROVINCE[WARD_HN] != "40"  # the ward lies outside the province: the parts are disjoint

    c = as_officer("mixed")
    html = c.get("/police/").get_data(as_text=True)
    assert "Lê Văn Cường" in html        # the ward of the scope (outside province 40)
    assert "Trần Thị Bình" in html       # another ward of province 40
    assert "Phạm Văn Dũng" not in html   # the same province as the ward, another ward: not in scope
    assert c.get(f"/police/n/{in_ward}").status_code == 200
    assert c.get(f"/police/n/{in_province}").status_code == 200
    assert c.get(f"/police/n/{elsewhere}").status_code == 404

    body = papp.test_client().get("/police/api/v1/notifications",
                                  headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {n["id"] for n in body["notifications"]} == {in_ward, in_province}
