import pytest

from accommnotify.rules.nationality import VIETNAM, icao_to_alpha3, is_known_nationality


def test_vietnam():
    assert VIETNAM == "VNM" and is_known_nationality("VNM")


@pytest.mark.parametrize("code", ["USA", "DEU", "GBR", "JPN", "KOR", "FRA", "XXA", "XXB", "XXC", "XXX"])
def test_known(code):
    assert is_known_nationality(code)


@pytest.mark.parametrize("code", ["vnm", "VN", "ZZZ", "D", "UTO", "", None, 704, "VNM "])
def test_unknown(code):
    assert not is_known_nationality(code)


@pytest.mark.parametrize(
    "mrz,alpha3",
    [("D<<", "DEU"), ("D", "DEU"), ("GBD", "GBR"), ("GBN", "GBR"), ("GBO", "GBR"), ("GBP", "GBR"),
     ("GBS", "GBR"), ("GBR", "GBR"), ("VNM", "VNM"), ("UNO", "UNO"), ("UTO", "UTO"), ("XXA", "XXA")],
)
def test_icao_to_alpha3(mrz, alpha3):
    assert icao_to_alpha3(mrz) == alpha3
