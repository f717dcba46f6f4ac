import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import Flask

from accommnotify.jsonio import OrjsonProvider


@pytest.fixture()
def app():
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    return app


@pytest.fixture()
def provider(app):
    return app.json


@dataclass
class Point:
    x: int
    label: str


def test_writes_what_the_standard_library_wrote(provider):
    value = {"full_name": "Nguyễn Văn An", "quote": 'a "b" \\ c\n\t\x01', "n": [1, 2.5, None, True], "z": {}, "a": 1,
             "when": datetime(2026, 11, 27, 1, 2, 3, tzinfo=timezone.utc), "day": date(2026, 11, 27),
             "price": Decimal("1.50"), "point": Point(1, "p"), 7: "int key"}
    expected = json.dumps(value, default=provider.default, ensure_ascii=False, separators=(",", ":"))
    assert provider.dumps(value) == expected  # key order kept, dates as Flask writes them (HTTP dates)
    assert json.loads(provider.dumps(value))["when"] == "Fri, 27 Nov 2026 01:02:03 GMT"


def test_response_is_compact_utf8_with_a_newline(app, provider):
    with app.app_context():
        response = provider.response({"full_name": "Trần Thị Bình"})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"full_name":"Trần Thị Bình"}\n'.encode()


def test_reads_what_the_standard_library_read(provider):
    assert provider.loads(b'{"a": [1, "\\u1ec5"]}') == {"a": [1, "ễ"]}
    # A byte-order mark (Windows clients send one) and UTF-16 are JSON the standard library reads.
    assert provider.loads('\ufeff{"full_name": "Nội"}'.encode("utf-8")) == {"full_name": "Nội"}
    assert provider.loads('{"full_name": "Nội"}'.encode("utf-16")) == {"full_name": "Nội"}
    for text in (b"{", b"", b"[1,]", b"{'a': 1}"):
        with pytest.raises(ValueError):
            provider.loads(text)
