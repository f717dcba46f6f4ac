"""`/` is a landing page (issue 11 item 12): staff to /facility, officers to /police, integrators to
the API docs; Vietnamese first, English on request; no JavaScript; the targets answer."""
import re


def test_root_is_a_landing_page_in_vietnamese_first(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "<script" not in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)).status_code == 200
    hrefs = re.findall(r'class="go" href="([^"]+)"', html)
    assert hrefs == ["/facility/", "/police/", "/api/v1/docs"]
    assert "Cơ sở lưu trú" in html and "Công an" in html
    assert 'href="/lang/en?next=/"' in html
    for href in hrefs:            # every target exists (a login page or the docs)
        assert client.get(href).status_code in (200, 302), href


def test_root_in_english_on_request(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Facilities" in html and "Police" in html and "Software integration (API)" in html
    client.get("/lang/en?next=/")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
