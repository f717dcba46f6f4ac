from tests import factories as f


def test_post_stay_creates_it_with_pending_arrivals(api):
    payload = f.stay(guests=[f.citizen(), f.child(), f.foreigner()])
    r = api.post("/stays", json=payload)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "in_house"
    assert [g["notifications"][0]["event"] for g in body["guests"]] == ["arrival"] * 3
    assert [g["notifications"][0]["category"] for g in body["guests"]] == ["residence", "residence", "foreigner"]
