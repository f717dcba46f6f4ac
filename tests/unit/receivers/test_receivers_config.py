import base64
import textwrap

import pytest

from accommnotify.receivers.base import ReceiverConfigError
from accommnotify.receivers.config import NoRouteError, Route, load_receivers_config
from accommnotify.receivers.file import FileReceiver
from accommnotify.receivers.http import HttpReceiver

SECRET = "whsec_" + base64.b64encode(b"config-test-secret-0123456789ab").decode()

GOOD = f"""
[receivers.ward-police]
adapter = "http"
url = "https://police.example/police/api/v1/batches"
secret = "{SECRET}"
max_batch = 200

[receivers.nghe-an-police]
adapter = "http"
url = "https://na.police.example/batches"
secret = "{SECRET}"
read_timeout = 10

[receivers.immigration]
adapter = "file"
directory = "var/outbox/immigration"

[receivers.mail]
adapter = "email"
host = "smtp.example"
to = ["ca-phuong@police.example"]
from = "noreply@hub.example"

[[routes]]
category = "residence"
receiver = "mail"
ward_code = 16681          # an int is zero-padded to 5 digits

[[routes]]
category = "residence"
receiver = "nghe-an-police"
province_code = 40

[[routes]]
category = "residence"
receiver = "ward-police"

[[routes]]
category = "foreigner"
receiver = "immigration"
"""


def write(tmp_path, text, name="receivers.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ReceiverConfigError) as err:
        load_receivers_config(path)
    message = str(err.value)
    assert str(path) in message  # every error names the file
    return message


def test_good_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_receivers_config(write(tmp_path, GOOD))
    assert set(cfg.receivers) == {"ward-police", "nghe-an-police", "immigration", "mail"}
    police = cfg.receivers["ward-police"]
    assert isinstance(police, HttpReceiver) and police.max_batch == 200 and police.read_timeout == 30
    assert cfg.receivers["nghe-an-police"].read_timeout == 10
    imm = cfg.receivers["immigration"]
    assert isinstance(imm, FileReceiver) and imm.directory == tmp_path / "var/outbox/immigration"
    assert cfg.receivers["mail"].from_addr == "noreply@hub.example"
    assert cfg.routes[0] == Route("residence", "mail", None, "16681")
    assert cfg.routes[1] == Route("residence", "nghe-an-police", "40", None)
    assert cfg.warnings == []
    cfg.close()


def test_route_matching_first_match_wins(tmp_path):
    cfg = load_receivers_config(write(tmp_path, GOOD))
    assert cfg.route_for("residence", "40", "16681") == "mail"  # ward route listed first
    assert cfg.route_for("residence", 40, 16681) == "mail"  # ints are normalised too
    assert cfg.route_for("residence", "40", "16684") == "nghe-an-police"
    assert cfg.route_for("residence", "01", "00004") == "ward-police"
    assert cfg.route_for("residence", None, None) == "ward-police"
    assert cfg.route_for("foreigner", "40", "16681") == "immigration"
    assert cfg.receiver_for("foreigner", "79", "26734") is cfg.receivers["immigration"]
    with pytest.raises(NoRouteError):
        cfg.route_for("tourist", "40", "16681")


def test_shadowed_route_gives_a_warning(tmp_path):
    text = """
    [receivers.a]
    adapter = "file"
    directory = "out"
    [[routes]]
    category = "residence"
    receiver = "a"
    [[routes]]
    category = "residence"
    receiver = "a"
    province_code = "01"
    [[routes]]
    category = "foreigner"
    receiver = "a"
    """
    cfg = load_receivers_config(write(tmp_path, text))
    assert len(cfg.warnings) == 1 and "route #2" in cfg.warnings[0] and "never used" in cfg.warnings[0]


def test_missing_file(tmp_path):
    with pytest.raises(ReceiverConfigError, match=r"nope\.toml not found"):
        load_receivers_config(tmp_path / "nope.toml")


def test_bad_toml(tmp_path):
    assert "not valid TOML" in load_error(tmp_path, "[receivers.a\nadapter = 'file'\n")


ROUTES_OK = """
[[routes]]
category = "residence"
receiver = "r"
[[routes]]
category = "foreigner"
receiver = "r"
"""


@pytest.mark.parametrize(
    "table, expected",
    [
        ('adapter = "pigeon"', "receiver 'r' (adapter 'pigeon'): unknown adapter 'pigeon'"),
        ('directory = "x"', "receiver 'r': missing 'adapter'"),
        (f'adapter = "http"\nsecret = "{SECRET}"', "receiver 'r' (adapter 'http'): missing required option 'url'"),
        ('adapter = "http"\nurl = "https://x.example/b"', "missing required option 'secret'"),
        ('adapter = "http"\nurl = "https://x.example/b"\nsecret = "abc"', "secret must start with 'whsec_'"),
        ('adapter = "http"\nurl = "https://x.example/b"\nsecret = "whsec_%%%"', "is not valid base64"),
        (f'adapter = "http"\nurl = "ftp://x.example/b"\nsecret = "{SECRET}"', "is not an http:// or https:// URL"),
        ('adapter = "file"', "receiver 'r' (adapter 'file'): missing required option 'directory'"),
        ('adapter = "email"\nto = "a@b.example"', "missing required option 'host'"),
        ('adapter = "email"\nhost = "smtp.example"', "missing required option 'to'"),
        ('adapter = "email"\nhost = "smtp.example"\nto = "not-an-address"', "'to' must be an e-mail address"),
        ('adapter = "file"\ndirectory = "x"\ncolour = "red"', "unknown option(s): 'colour'"),
        ('adapter = "file"\ndirectory = "x"\nmax_batch = 0', "max_batch must be a positive integer"),
    ],
)
def test_bad_receiver(tmp_path, table, expected):
    message = load_error(tmp_path, f"[receivers.r]\n{table}\n{ROUTES_OK}")
    assert expected in message


def test_secret_is_never_echoed(tmp_path):
    message = load_error(
        tmp_path, f'[receivers.r]\nadapter = "http"\nurl = "x"\nsecret = "whsec_topsecret!!"\n{ROUTES_OK}'
    )
    assert "topsecret" not in message


RECEIVER_OK = '[receivers.r]\nadapter = "file"\ndirectory = "out"\n'


@pytest.mark.parametrize(
    "routes, expected",
    [
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "ghost"\n[[routes]]\ncategory = "foreigner"\nreceiver = "r"',
            "route #1 ([[routes]] number 1): unknown receiver 'ghost' (defined receivers: r)",
        ),
        (
            '[[routes]]\ncategory = "tourist"\nreceiver = "r"',
            "route #1 ([[routes]] number 1): unknown category 'tourist'",
        ),
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "r"',
            "no route serves category 'foreigner' for every facility",
        ),
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "r"\n'
            '[[routes]]\ncategory = "foreigner"\nreceiver = "r"\nprovince_code = "79"',
            "no route serves category 'foreigner' for every facility",
        ),
        ("", "no route serves category 'residence' for every facility"),
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "r"\nward_code = "1668X"\n'
            '[[routes]]\ncategory = "foreigner"\nreceiver = "r"',
            "ward_code '1668X' is not a 5-digit code",
        ),
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "r"\nprovince_code = 123\n'
            '[[routes]]\ncategory = "foreigner"\nreceiver = "r"',
            "province_code 123 is not a 2-digit code",
        ),
        (
            '[[routes]]\ncategory = "residence"\nreceiver = "r"\nward = "16681"\n'
            '[[routes]]\ncategory = "foreigner"\nreceiver = "r"',
            "unknown key(s) 'ward'",
        ),
        ('[[routes]]\nreceiver = "r"', "missing 'category'"),
        ('[[routes]]\ncategory = "residence"', "missing 'receiver'"),
    ],
)
def test_bad_route(tmp_path, routes, expected):
    assert expected in load_error(tmp_path, RECEIVER_OK + routes)


def test_no_receivers(tmp_path):
    assert "no receivers defined" in load_error(tmp_path, ROUTES_OK)


def test_unknown_top_level_key(tmp_path):
    assert "unknown top-level key(s) 'route'" in load_error(
        tmp_path, RECEIVER_OK + ROUTES_OK + '[[route]]\ncategory = "residence"\nreceiver = "r"\n'
    )


def test_all_problems_in_one_error(tmp_path):
    text = """
    [receivers.police]
    adapter = "http"

    [receivers.drop]
    adapter = "file"

    [[routes]]
    category = "residence"
    receiver = "polise"
    """
    message = load_error(tmp_path, text)
    for expected in (
        "receiver 'police' (adapter 'http'): missing required option 'url'",
        "receiver 'police' (adapter 'http'): missing required option 'secret'",
        "receiver 'drop' (adapter 'file'): missing required option 'directory'",
        "route #1 ([[routes]] number 1): unknown receiver 'polise'",
    ):
        assert expected in message
    assert message.count("\n  - ") == 4


def test_route_naming_a_broken_receiver_is_not_reported_as_unknown(tmp_path):
    message = load_error(tmp_path, '[receivers.r]\nadapter = "file"\n' + ROUTES_OK)
    assert "unknown receiver" not in message and "missing required option 'directory'" in message
