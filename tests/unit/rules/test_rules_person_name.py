import unicodedata

import pytest

from accommnotify.rules.issues import Issue
from accommnotify.rules.person_name import check_full_name, normalize_full_name


def test_normalize_nfc_strip_collapse():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert decomposed != "Nguyễn Văn An"
    assert normalize_full_name("  " + decomposed.replace(" ", " \t\n ") + "\u00a0") == "Nguyễn Văn An"
    assert normalize_full_name("Trần   Thị\u3000Bích") == "Trần Thị Bích"


def test_normalize_keeps_accents_and_case():
    assert normalize_full_name("đỗ thị hương") == "đỗ thị hương"
    assert normalize_full_name("") == ""
    assert normalize_full_name("   ") == ""


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Văn An",
        "Lê Thị Ánh Tuyết",
        "O'Brien Mary-Jane",
        "O’Neil Sean",
        "J. R. Smith",
        "Ðặng Ỷ",  # capital eth used in some fonts
        "山田 太郎",
        "Анна Петрова",
        "محمد علي",
        "A",
        "x" * 100,
    ],
)
def test_valid_names(name):
    assert check_full_name(normalize_full_name(name)) == []


def test_combining_mark_without_precomposed_form_is_allowed():
    # a letter + combining mark that has no precomposed form stays two code points after NFC
    name = normalize_full_name("Ba\u0304\u0323 Nam")
    assert any(unicodedata.category(c).startswith("M") for c in name)
    assert check_full_name(name) == []


def test_empty_is_required():
    assert check_full_name("") == [Issue("full_name", "required")]


@pytest.mark.parametrize(
    "name",
    ["x" * 101, "Nguyen Van 2", "An_Binh", "An@Binh", "An, Binh", "An\tBinh", "---", "''", "An😀", "Lê (Bé)"],
)
def test_invalid_names(name):
    assert [(i.field, i.code) for i in check_full_name(name)] == [("full_name", "full_name.invalid")]
