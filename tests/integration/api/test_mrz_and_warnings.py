"""Issue 11 item 16: MRZ birth century bounded by the expiry; an expired passport and an arrival long
ago are accepted with a warning the facility sees; travel documents of UNO, UNA, UNK, XOM, EUE, RKS."""
from datetime import date, timedelta

import pytest

from accommnotify.rules.messages import message
from accommnotify.rules.mrz import make_td3
from tests import factories as f


def with_mrz(nationality="SWE", expiry="350101", birth="840812", dob="1984-08-12", number="L898902C3",
             doc_type="passport", sex="F"):
    line1, line2 = make_td3("ERIKSSON", "ANNA MARIA", number, nationality, birth, sex, expiry)
    return f.foreigner(nationality=nationality, date_of_birth=dob,
                       document={"type": doc_type, "number": number, "mrz": f"{line1}\n{line2}"})


def test_an_expired_passport_is_accepted_with_a_warning(api):
    r = api.post("/stays", json=f.stay(guests=[f.citizen(), with_mrz(expiry="200101")]))
    assert r.status_code == 201, r.get_json()
    assert {"field": "guests[1].document.mrz", "code": "document.expired"} in [
        {k: w[k] for k in ("field", "code")} for w in r.get_json()["warnings"]]
    ok = api.post("/stays", json=f.stay(guests=[with_mrz(expiry="350101")]))
    assert ok.status_code == 201 and ok.get_json()["warnings"] == []


def test_an_arrival_more_than_30_days_back_is_accepted_with_a_warning(api):
    past = (f.local_now() - timedelta(days=31)).isoformat()
    r = api.post("/stays", json=f.stay(arrived_at=past))
    assert r.status_code == 201, r.get_json()
    assert [(w["field"], w["code"]) for w in r.get_json()["warnings"]] == [("arrived_at", "stay.arrival_long_ago")]
    recent = (f.local_now() - timedelta(days=29)).isoformat()
    assert api.post("/stays", json=f.stay(arrived_at=recent)).get_json()["warnings"] == []
    assert "30" in message("stay.arrival_long_ago", "vi") and "30 days" in message("stay.arrival_long_ago", "en")


@pytest.mark.parametrize("code", ["UNO", "UNA", "UNK", "XOM", "EUE", "RKS"])
def test_travel_documents_of_icao_issuers_register_with_their_mrz(api, code):
    doc_type = "passport" if code in ("RKS", "XOM") else "travel_document"
    r = api.post("/stays", json=f.stay(guests=[with_mrz(nationality=code, doc_type=doc_type)]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["guests"][0]["nationality"] == code


def test_a_two_digit_birth_year_never_lands_after_the_expiry():
    from accommnotify.rules.mrz import parse_td3
    line1, line2 = make_td3("OLD", "PERSON", "X1234567", "GBR", "250315", "M", "200101")
    data, issues = parse_td3(line1, line2, today=date(2026, 11, 27))
    assert issues == [] and data.birth_date == date(1925, 3, 15)
    line1, line2 = make_td3("YOUNG", "PERSON", "X1234567", "GBR", "250315", "M", "350101")
    assert parse_td3(line1, line2, today=date(2026, 11, 27))[0].birth_date == date(2025, 3, 15)


def test_a_scanned_laissez_passer_fills_a_travel_document():
    from accommnotify.rules.scan import parse_scan
    line1, line2 = make_td3("ERIKSSON", "ANNA", "UN1234567", "UNO", "840812", "F", "350101")
    result = parse_scan(f"{line1}\n{line2}")
    assert result.issues == [] and result.fields["nationality"] == "UNO"
    assert result.fields["document"]["type"] == "travel_document"
    line1, line2 = make_td3("OLD", "PERSON", "X1234567", "GBR", "250315", "M", "200101")
    assert parse_scan(f"{line1}\n{line2}").fields["date_of_birth"] == date(1925, 3, 15)
