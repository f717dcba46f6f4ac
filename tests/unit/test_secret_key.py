"""Issue 10 item 1: sessions are never signed with a constant key."""
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from accommnotify import create_app, secret_key
from accommnotify.secret_key import InsecureSecretKey

ROOT = Path(__file__).resolve().parents[2]


def test_no_key_set_generates_one_private_file_and_reuses_it(tmp_path):
    path = tmp_path / "var" / "secret_key"
    settings = {"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)}
    first = secret_key.resolve(settings, tmp_path)
    assert len(first.encode()) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key.resolve(settings, tmp_path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left
    other = tmp_path / "elsewhere"
    assert secret_key.resolve({"SECRET_KEY": "", "SECRET_KEY_FILE": str(other)}, tmp_path) != first


def test_a_relative_key_file_is_under_the_project(tmp_path):
    key = secret_key.resolve({"SECRET_KEY": "", "SECRET_KEY_FILE": "var/k"}, tmp_path)
    assert (tmp_path / "var" / "k").read_text().strip() == key


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(16) as pool:
        keys = set(pool.map(lambda _: secret_key.read_or_create(path), range(64)))
    assert len(keys) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


@pytest.mark.parametrize("key", ["dev-only-change-me", "test-secret", "bench", "x" * 31, "ă" * 15])
def test_published_or_short_keys_refuse_to_start(tmp_path, key):
    with pytest.raises(InsecureSecretKey):
        secret_key.resolve({"SECRET_KEY": key}, tmp_path)
    with pytest.raises(InsecureSecretKey):
        create_app({"SECRET_KEY": key, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_a_weak_or_readable_key_file_is_refused(tmp_path):
    weak = tmp_path / "weak"
    weak.write_text("short\n")
    weak.chmod(0o600)
    with pytest.raises(InsecureSecretKey):
        secret_key.read_or_create(weak)
    readable = tmp_path / "readable"
    readable.write_text("k" * 48 + "\n")
    readable.chmod(0o644)
    with pytest.raises(InsecureSecretKey, match="chmod 600"):
        secret_key.read_or_create(readable)


def test_the_shipped_default_is_no_key_at_all():
    from accommnotify.settings import load_settings
    env = {k: v for k, v in os.environ.items() if k.startswith("ACCOMMNOTIFY_")}
    assert "ACCOMMNOTIFY_SECRET_KEY" in env or load_settings()["SECRET_KEY"] == ""


@pytest.mark.real_clock
@pytest.mark.parametrize("command", [["dispatcher", "status"], ["routes"]])
def test_web_and_dispatcher_refuse_a_published_key(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOMMNOTIFY_")}
    env.update(ACCOMMNOTIFY_SECRET_KEY="dev-only-change-me",
               ACCOMMNOTIFY_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    flask = str(Path(sys.executable).with_name("flask"))
    result = subprocess.run([flask, "--app", "wsgi", *command], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "published default value" in result.stderr
