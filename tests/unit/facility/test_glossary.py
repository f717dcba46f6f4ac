"""Both catalogs (facility and police pages) follow docs/GLOSSARY.md: one Vietnamese word for one
thing, no English."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOGS = {"facility": 2, "police": 3}  # catalog -> its `msgid` column in the glossary's table


def _catalog(domain):
    with open(ROOT / f"accommnotify/translations/vi/LC_MESSAGES/{domain}.po", "rb") as f:
        return read_po(f, locale="vi")


def _glossary(column):
    """([(Vietnamese, msgid, cell)] of the rows naming a text of that column's catalog, [words not used])."""
    text = (ROOT / "docs/GLOSSARY.md").read_text(encoding="utf-8")
    terms = text.split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in terms.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[column].startswith("`"):
            rows.append((cells[1], re.match(r"`([^`]+)`", cells[column]).group(1), cells[column]))
    avoided = re.findall(r"^- `([^`]+)`", text.split("## Not used", 1)[1].split("\n## ", 1)[0], re.M)
    return rows, avoided


def _texts(message):
    return [t for t in (message.string if isinstance(message.string, tuple) else (message.string,)) if t]


@pytest.mark.parametrize("domain", list(CATALOGS))
def test_every_glossary_term_is_the_catalogs_word(domain):
    catalog = _catalog(domain)
    rows, _avoided = _glossary(CATALOGS[domain])
    assert len(rows) >= {"facility": 20, "police": 10}[domain]
    for vietnamese, msgid, cell in rows:
        message = catalog.get(msgid)
        assert message is not None, f"{msgid!r} is not in the {domain} catalog"
        expected = cell.split("→", 1)[1].split("(")[0].strip() if "→" in cell else vietnamese
        assert message.string.lower() == expected.lower(), (domain, msgid, message.string, expected)


@pytest.mark.parametrize("domain", list(CATALOGS))
def test_no_vietnamese_text_uses_a_word_the_glossary_rules_out(domain):
    catalog = _catalog(domain)
    _rows, avoided = _glossary(CATALOGS[domain])
    assert {"E-mail", "accommnotify", "Sửa đổi"} <= set(avoided)
    for message in catalog:
        if not message.id:
            continue
        for text in _texts(message):
            for word in avoided:
                assert word.lower() not in text.lower(), (domain, message.id, text, word)
            # A departure is "rời đi", never a bare "đi" ("Đã đi", "Đi").
            assert not re.search(r"(?<!rời )\bđi\b(?! lại| cùng)", text, re.I), (domain, message.id, text)
