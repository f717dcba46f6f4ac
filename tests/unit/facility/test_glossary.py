"""The facility catalog follows docs/GLOSSARY.md: one Vietnamese word for one thing, no English."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]


def _catalog():
    with open(ROOT / "accommnotify/translations/vi/LC_MESSAGES/facility.po", "rb") as f:
        return read_po(f, locale="vi")


def _glossary():
    text = (ROOT / "docs/GLOSSARY.md").read_text(encoding="utf-8")
    terms = text.split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in terms.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("`"):
            rows.append((cells[1], re.match(r"`([^`]+)`", cells[2]).group(1), cells[2]))
    avoided = re.findall(r"^- `([^`]+)`", text.split("## Not used", 1)[1].split("\n## ", 1)[0], re.M)
    return rows, avoided


def _texts(message):
    return [t for t in (message.string if isinstance(message.string, tuple) else (message.string,)) if t]


def test_every_glossary_term_is_the_catalogs_word():
    catalog = _catalog()
    rows, _avoided = _glossary()
    assert len(rows) >= 20
    for vietnamese, msgid, cell in rows:
        message = catalog.get(msgid)
        assert message is not None, f"{msgid!r} is not in the facility catalog"
        expected = cell.split("→", 1)[1].split("(")[0].strip() if "→" in cell else vietnamese
        assert message.string.lower() == expected.lower(), (msgid, message.string, expected)


def test_no_vietnamese_text_uses_a_word_the_glossary_rules_out():
    catalog = _catalog()
    _rows, avoided = _glossary()
    assert {"E-mail", "accommnotify", "Sửa đổi"} <= set(avoided)
    for message in catalog:
        if not message.id:
            continue
        for text in _texts(message):
            for word in avoided:
                assert word.lower() not in text.lower(), (message.id, text, word)
