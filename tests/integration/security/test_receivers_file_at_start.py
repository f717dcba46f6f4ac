"""Issue 10 item 14: a bad receivers file stops every process at start, with the problems listed,
instead of a 500 on every posted stay."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accommnotify import StartupError
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY, make_app

ROOT = Path(__file__).resolve().parents[3]
BAD_FILES = {
    "unknown adapter": ('[receivers.x]\nadapter = "carrier-pigeon"\n\n[[routes]]\ncategory = "residence"\n'
                        'receiver = "x"\n\n[[routes]]\ncategory = "foreigner"\nreceiver = "x"\n',
                        "carrier-pigeon"),
    "route without category": ('[receivers.x]\nadapter = "inbox"\n\n[[routes]]\nreceiver = "x"\n',
                               "missing 'category'"),
    "not TOML": ("[receivers.x\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_the_app_refuses_to_start(tmp_path, database_url, case):
    text, problem = BAD_FILES[case]
    bad = tmp_path / "receivers.toml"
    bad.write_text(text)
    with pytest.raises(StartupError) as failure:
        make_app(database_url, RECEIVERS=str(bad))
    assert problem in str(failure.value) and str(bad) in str(failure.value)


def test_a_missing_file_is_named(tmp_path, database_url):
    with pytest.raises(StartupError, match="not found"):
        make_app(database_url, RECEIVERS=str(tmp_path / "nowhere.toml"))


@pytest.mark.real_clock
@pytest.mark.parametrize("command", [[sys.executable, "-c", "import wsgi"],
                                     [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "dispatcher", "status"]])
def test_web_and_dispatcher_processes_refuse_with_the_message(tmp_path, command):
    bad = tmp_path / "receivers.toml"
    bad.write_text(BAD_FILES["unknown adapter"][0])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOMMNOTIFY_")}
    env.update(ACCOMMNOTIFY_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", ACCOMMNOTIFY_RECEIVERS=str(bad),
               ACCOMMNOTIFY_SECRET_KEY=TEST_SECRET_KEY, ACCOMMNOTIFY_DATA_KEY=TEST_DATA_KEY)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot start (web server, dispatcher or command)" in result.stderr
    assert "carrier-pigeon" in result.stderr
