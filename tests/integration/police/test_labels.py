"""The audit log and the record read in words of the page's language (issue 11 item 2): every kind of
audit entry becomes a sentence with the filters it was made with; ICAO codes that are not countries
have names too; an unknown code is shown as it is, never dropped."""
import json
from types import SimpleNamespace

import pytest

from accommnotify.police import labels
from accommnotify.police.i18n import use_police_domain


def entry(action, n=3, via="web", **filters):
    return SimpleNamespace(username="o-lan", row_count=n, action=action, via=via,
                           filters=json.dumps(filters) if filters else None)


@pytest.fixture
def page(app):
    """A police page's request context in the given language."""
    def _in(lang):
        ctx = app.test_request_context("/police/audit", headers={"Accept-Language": lang})
        ctx.push()
        use_police_domain()
        return ctx
    return _in


SENTENCES = {
    "en": [
        (entry("list", 12), "o-lan viewed the inbox, 12 notification(s)"),
        (entry("detail"), "o-lan opened a notification"),
        (entry("export", 40, date_from="2026-11-20", date_to="2026-11-27", facility="KS-SEN"),
         "o-lan exported a CSV file, 40 row(s) (received 20/11/2026 – 27/11/2026, facility KS-SEN)"),
        (entry("late", 2, category="foreigner", event="amendment"),
         "o-lan viewed the late notifications, 2 shown (Foreigner, Amendment)"),
        (entry("acknowledge", 5, unack=True, late=True),
         "o-lan acknowledged 5 notification(s) (late only, unacknowledged only)"),
        (entry("api_list", 7, via="api", date_from="2026-11-27", date_to="2026-11-27", page=2),
         "o-lan fetched notifications, 7 returned (through the API, received 27/11/2026, page 2)"),
        (entry("api_detail", 1, via="api"), "o-lan fetched one notification (through the API)"),
        (entry("search", 1, q="001090012345", search="number"),
         "o-lan searched by ID / passport number “001090012345”, 1 result(s) (all dates)"),
        (entry("search", 3, q="nguyen van an", search="name", date_to="2026-11-27"),
         "o-lan searched by name “nguyen van an”, 3 result(s) (received … – 27/11/2026)"),
        (entry("rotate_keys", 0), "o-lan: rotate_keys, 0"),
    ],
    "vi": [
        (entry("list", 12), "o-lan xem hộp thư, 12 thông báo"),
        (entry("search", 3, q="nguyen van an", search="name"), "o-lan tìm theo tên “nguyen van an”, 3 kết quả (mọi ngày)"),
    ],
}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_audit_entry_reads_as_a_sentence(page, lang):
    ctx = page(lang)
    try:
        for audit_entry, sentence in SENTENCES[lang]:
            assert labels.audit_sentence(audit_entry) == sentence
    finally:
        ctx.pop()


def test_unreadable_filters_still_give_the_sentence(page):
    ctx = page("en")
    try:
        broken = entry("list", 1)
        broken.filters = "{not json"
        assert labels.audit_sentence(broken) == "o-lan viewed the inbox, 1 notification(s)"
        broken.filters = "[1, 2]"
        assert labels.audit_sentence(broken) == "o-lan viewed the inbox, 1 notification(s)"
    finally:
        ctx.pop()


def test_nationalities_by_name_including_icao_codes_that_are_not_countries(page):
    ctx = page("en")
    try:
        assert labels.nationality_label("GBR") == "United Kingdom"
        assert labels.nationality_label("XXA") == "Stateless person"
        assert labels.nationality_label("EUE") == "European Union"
        assert labels.nationality_label("ZZZ") == "ZZZ"      # unknown: as it is
        assert labels.nationality_label(None) == ""
        assert labels.audit_action_label("export") == "CSV exports"
        assert labels.reason_label("holiday") == "holiday"
    finally:
        ctx.pop()
    ctx = page("vi")
    try:
        assert labels.nationality_label("GBR") == "Vương quốc Anh"
        assert labels.nationality_label("VNM") == "Việt Nam"
    finally:
        ctx.pop()
