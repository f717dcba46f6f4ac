"""Issue 10 item 11: CSP on the pages, no-store and nosniff on API answers with personal data, an HSTS
setting, and /metrics behind a token when one is set."""
import re
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import make_app

TEMPLATES = Path(__file__).resolve().parents[3] / "accommnotify" / "templates"


def csp(response) -> dict:
    value = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in value.split(";")) if d}


def assert_strict_csp(response):
    policy = csp(response)
    assert policy.get("default-src") == ["'self'"], response.headers
    assert policy.get("object-src") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("form-action") == ["'self'"] and policy.get("base-uri") == ["'none'"]
    assert not any("'unsafe-inline'" in v or "'unsafe-eval'" in v for v in policy.values())


def test_the_templates_need_no_inline_script_or_style():
    """What the policy forbids is not used: no inline <script>, <style>, style= or on…= handler."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", text), path


@pytest.mark.parametrize("path", ["/police/login", "/police/", "/police/n/ntf_unknown", "/police/audit"])
def test_police_pages_have_a_csp(officer_client, path):
    assert_strict_csp(officer_client.get(path))


@pytest.mark.parametrize("path", ["/facility/login", "/facility/", "/facility/stays/new", "/facility/history"])
def test_facility_pages_have_a_csp(staff, path):
    assert_strict_csp(staff.get(path))


def test_police_login_page_has_a_csp_without_login(papp):
    assert_strict_csp(papp.test_client().get("/police/login"))


def test_facility_api_answers_are_not_stored_or_sniffed(api):
    created = api.post("/stays", json=factories.stay())
    got = api.get(f"/stays/{created.get_json()['id']}")
    listed = api.get("/stays")
    invalid = api.post("/stays", json={"guests": []})
    unauthorized = api.client.get("/api/v1/stays")
    for response in (created, got, listed, invalid, unauthorized):
        assert response.headers["Cache-Control"] == "no-store", response.status_code
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.status_code


def test_police_api_answers_are_not_stored_or_sniffed(papp, police_token):
    response = papp.test_client().get("/police/api/v1/notifications",
                                      headers={"Authorization": f"Bearer {police_token}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_hsts_when_set(database_url):
    client = make_app(database_url, HSTS_SECONDS=31536000).test_client()
    for path in ("/healthz", "/facility/login", "/api/v1/stays"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_metrics_are_open_without_a_token(client):
    assert client.get("/metrics").status_code == 200


def test_metrics_need_the_token_when_one_is_set(database_url):
    client = make_app(database_url, METRICS_TOKEN="m3tr1cs-t0ken-for-prometheus").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Basic m3tr1cs-t0ken-for-prometheus"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer m3tr1cs-t0ken-for-prometheus"})
    assert ok.status_code == 200 and b"accommnotify_receivers_config_valid" in ok.data
