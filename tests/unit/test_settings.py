"""settings.load_settings: config/defaults.toml, then ACCOMMNOTIFY_* variables (typed like the
default), then overrides; a value of the wrong type stops start-up with an error naming the
variable."""
import pytest

from accommnotify import create_app, settings
from accommnotify.settings import PROJECT_ROOT, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """Only the variables a test sets (a CI shell may export ACCOMMNOTIFY_* of its own)."""
    import os
    for key in list(os.environ):
        if key.startswith("ACCOMMNOTIFY_"):
            monkeypatch.delenv(key)


@pytest.fixture
def defaults(tmp_path, monkeypatch):
    """Replace config/defaults.toml with ``text`` (for types the shipped file has no example of)."""
    def write(text):
        path = tmp_path / "defaults.toml"
        path.write_text('DATABASE_URL = "sqlite:///:memory:"\nRECEIVERS = "config/receivers.toml"\n' + text,
                        encoding="utf-8")
        monkeypatch.setattr(settings, "DEFAULTS_FILE", path)
    return write


def test_the_shipped_defaults(monkeypatch):
    s = load_settings()
    assert s["DISPATCH_INTERVAL"] == 60 and s["LEASE_SECONDS"] == 120
    assert s["BATCH_MAX_WAIT"] == 300 and s["DEADLINE_MARGIN"] == 1800
    assert s["DATABASE_URL"] == f"sqlite:///{PROJECT_ROOT}/var/accommnotify.db"  # relative to the project
    assert s["RECEIVERS"] == str(PROJECT_ROOT / "config" / "receivers.toml")


def test_integer_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACCOMMNOTIFY_DISPATCH_INTERVAL", "30")
    monkeypatch.setenv("ACCOMMNOTIFY_LEASE_SECONDS", " 45 ")
    monkeypatch.setenv("ACCOMMNOTIFY_MAX_BODY_BYTES", "1000")
    s = load_settings()
    assert s["DISPATCH_INTERVAL"] == 30 and isinstance(s["DISPATCH_INTERVAL"], int)
    assert s["LEASE_SECONDS"] == 45
    # and the app takes them: MAX_BODY_BYTES becomes Flask's request size limit
    app = create_app({"DATABASE_URL": "sqlite:///:memory:"})
    assert app.config["DISPATCH_INTERVAL"] == 30 and app.config["MAX_CONTENT_LENGTH"] == 1000


def test_strings_and_unknown_names_pass_through(monkeypatch):
    monkeypatch.setenv("ACCOMMNOTIFY_SENDER", "ward-16681")
    monkeypatch.setenv("ACCOMMNOTIFY_INBOUND_SECRETS", '{a = {secret = "whsec_AAAA", wards = ["16681"]}}')
    s = load_settings()
    assert s["SENDER"] == "ward-16681"
    assert s["INBOUND_SECRETS"] == {"a": {"secret": "whsec_AAAA", "wards": ["16681"]}}  # a TOML table


def test_the_old_plain_inbound_secrets_form_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ACCOMMNOTIFY_INBOUND_SECRETS", "a=whsec_AAAA,b=whsec_BBBB")
    with pytest.raises(SettingsError, match="ACCOMMNOTIFY_INBOUND_SECRETS is not a TOML table"):
        load_settings()


def test_overrides_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("ACCOMMNOTIFY_DISPATCH_INTERVAL", "30")
    assert load_settings({"DISPATCH_INTERVAL": 5})["DISPATCH_INTERVAL"] == 5


def test_relative_paths_are_from_the_project_root(monkeypatch, tmp_path):
    """Whatever the working directory; the SQLite file's folder is created so SQLite can open it."""
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("ACCOMMNOTIFY_DATABASE_URL", "sqlite:///data/sub/test.db")
    monkeypatch.setenv("ACCOMMNOTIFY_RECEIVERS", "conf/r.toml")
    s = load_settings()
    assert s["DATABASE_URL"] == f"sqlite:///{tmp_path}/data/sub/test.db"
    assert (tmp_path / "data" / "sub").is_dir()
    assert s["RECEIVERS"] == str(tmp_path / "conf" / "r.toml")
    monkeypatch.setenv("ACCOMMNOTIFY_RECEIVERS", "/etc/accommnotify/r.toml")
    assert load_settings()["RECEIVERS"] == "/etc/accommnotify/r.toml"
    for url in ("sqlite:////abs/path.db", "sqlite:///:memory:", "postgresql+psycopg://u@h:5432/db"):
        monkeypatch.setenv("ACCOMMNOTIFY_DATABASE_URL", url)
        assert load_settings()["DATABASE_URL"] == url


@pytest.mark.parametrize("name, raw, message", [
    ("DISPATCH_INTERVAL", "abc", "ACCOMMNOTIFY_DISPATCH_INTERVAL='abc' is not an integer"),
    ("DISPATCH_INTERVAL", "60.5", "ACCOMMNOTIFY_DISPATCH_INTERVAL='60.5' is not an integer"),
    ("LEASE_SECONDS", "", "ACCOMMNOTIFY_LEASE_SECONDS='' is not an integer"),
    ("RETENTION_DAYS", "400 days", "ACCOMMNOTIFY_RETENTION_DAYS='400 days' is not an integer"),
])
def test_a_bad_number_stops_start_up_naming_the_variable(monkeypatch, name, raw, message):
    monkeypatch.setenv("ACCOMMNOTIFY_" + name, raw)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value) == message
    with pytest.raises(SettingsError):
        create_app({"DATABASE_URL": "sqlite:///:memory:"})


def test_floats(defaults, monkeypatch):
    defaults("RATIO = 0.5\n")
    monkeypatch.setenv("ACCOMMNOTIFY_RATIO", "2.25")
    assert load_settings()["RATIO"] == 2.25
    monkeypatch.setenv("ACCOMMNOTIFY_RATIO", "half")
    with pytest.raises(SettingsError, match=r"ACCOMMNOTIFY_RATIO='half' is not a number"):
        load_settings()


@pytest.mark.parametrize("raw, expected", [
    ("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("on", True),
    ("0", False), ("false", False), ("No", False), ("off", False), ("", False),
])
def test_booleans(defaults, monkeypatch, raw, expected):
    defaults("SECURE_COOKIES = false\n")
    monkeypatch.setenv("ACCOMMNOTIFY_SECURE_COOKIES", raw)
    assert load_settings()["SECURE_COOKIES"] is expected


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "y e s"])
def test_a_misspelt_boolean_is_an_error_not_false(defaults, monkeypatch, raw):
    defaults("SECURE_COOKIES = true\n")
    monkeypatch.setenv("ACCOMMNOTIFY_SECURE_COOKIES", raw)
    with pytest.raises(SettingsError, match="ACCOMMNOTIFY_SECURE_COOKIES=.* is not a boolean"):
        load_settings()


def test_lists_and_tables_use_toml_syntax(defaults, monkeypatch):
    defaults('LANGUAGES = ["vi"]\nLIMITS = {per_minute = 60}\n')
    monkeypatch.setenv("ACCOMMNOTIFY_LANGUAGES", '["vi", "en"]')
    monkeypatch.setenv("ACCOMMNOTIFY_LIMITS", "{per_minute = 120, burst = 10}")
    s = load_settings()
    assert s["LANGUAGES"] == ["vi", "en"]
    assert s["LIMITS"] == {"per_minute": 120, "burst": 10}


@pytest.mark.parametrize("name, raw, expected", [
    ("LANGUAGES", "vi,en", "is not a TOML array"),
    ("LANGUAGES", "{a = 1}", "is not a TOML array"),
    ("LIMITS", "[1, 2]", "is not a TOML table"),
    ("LIMITS", "{secret = 'whsec_x'", "is not a TOML table"),
])
def test_a_bad_list_or_table_is_an_error_without_its_value(defaults, monkeypatch, name, raw, expected):
    defaults('LANGUAGES = ["vi"]\nLIMITS = {per_minute = 60}\n')
    monkeypatch.setenv("ACCOMMNOTIFY_" + name, raw)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(f"ACCOMMNOTIFY_{name} {expected}")
    assert raw not in str(info.value)  # a table may hold secrets
