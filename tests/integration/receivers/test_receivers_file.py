"""The file adapter on a real file system, including a writer killed with SIGKILL mid-write."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from accommnotify.receivers.file import FileReceiver
from accommnotify.receivers.flatten import BOM, CSV_COLUMNS

REPO_ROOT = Path(__file__).resolve().parents[3]

CRASHING_WRITER = r"""
import json, os, sys
from datetime import datetime
sys.path.insert(0, sys.argv[1])
from accommnotify.receivers import file as filemod
from accommnotify.receivers.base import Batch

spec = json.load(open(sys.argv[3], encoding="utf-8"))
spec["sent_at"] = datetime.fromisoformat(spec["sent_at"])
block_on_call = int(sys.argv[4])
calls = [0]
real_write = filemod._write_bytes

def half_then_block(fh, data):
    calls[0] += 1
    if calls[0] < block_on_call:
        return real_write(fh, data)
    fh.write(data[: len(data) // 2])
    fh.flush()
    os.fsync(fh.fileno())
    print("HALF", fh.name, len(data) // 2, flush=True)
    sys.stdin.read()  # block until the test kills us

filemod._write_bytes = half_then_block
filemod.FileReceiver("crashy", directory=sys.argv[2]).send(Batch(**spec))
print("NOT REACHED", flush=True)
"""


def read_outputs(directory: Path, batch_id: str):
    data = (directory / f"{batch_id}.csv").read_bytes()
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    lines = (directory / f"{batch_id}.jsonl").read_text(encoding="utf-8").splitlines()
    return rows, [json.loads(line) for line in lines]


def visible(directory: Path):
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def test_writes_csv_and_jsonl(tmp_path, monkeypatch, make_batch):
    monkeypatch.chdir(tmp_path)
    receiver = FileReceiver("immigration", directory="var/outbox/immigration")  # relative to cwd
    batch = make_batch(4)
    delivery = receiver.send(batch)
    out = tmp_path / "var/outbox/immigration"
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    assert {o.receipt for o in delivery.outcomes.values()} == {f"{batch.id}.csv"}
    assert visible(out) == [f"{batch.id}.csv", f"{batch.id}.jsonl"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # temp files cleaned up
    rows, records = read_outputs(out, batch.id)
    assert tuple(rows[0]) == CSV_COLUMNS and [r[0] for r in rows[1:]] == batch.ids
    assert records == batch.notifications


def test_same_batch_twice_does_not_overwrite(tmp_path, make_batch):
    receiver = FileReceiver("immigration", directory=str(tmp_path))
    first = make_batch(2)
    receiver.send(first)
    before = {name: ((tmp_path / name).stat().st_ino, (tmp_path / name).read_bytes()) for name in visible(tmp_path)}

    replay = make_batch(3)  # same batch id, different content: must not replace what was published
    delivery = receiver.send(replay)
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    assert "already present" in delivery.excerpt
    after = {name: ((tmp_path / name).stat().st_ino, (tmp_path / name).read_bytes()) for name in visible(tmp_path)}
    assert after == before


def test_missing_half_is_completed_on_replay(tmp_path, make_batch):
    receiver = FileReceiver("immigration", directory=str(tmp_path))
    batch = make_batch(2)
    receiver.send(batch)
    (tmp_path / f"{batch.id}.jsonl").unlink()
    csv_inode = (tmp_path / f"{batch.id}.csv").stat().st_ino
    receiver.send(batch)
    assert (tmp_path / f"{batch.id}.csv").stat().st_ino == csv_inode
    assert read_outputs(tmp_path, batch.id)[1] == batch.notifications


def test_os_error_retries(tmp_path, make_batch):
    (tmp_path / "afile").write_text("not a directory")
    receiver = FileReceiver("broken", directory=str(tmp_path / "afile" / "sub"))
    delivery = receiver.send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class in ("NotADirectoryError", "FileExistsError")
    assert delivery.excerpt


def test_unsafe_batch_id_is_refused(tmp_path, make_batch):
    with pytest.raises(ValueError):
        FileReceiver("f", directory=str(tmp_path)).send(make_batch(1, "../escape"))


@pytest.mark.parametrize("block_on_call, blocked_name", [(1, "csv"), (2, "jsonl")])
def test_killed_mid_write_leaves_no_partial_file(tmp_path, make_batch, block_on_call, blocked_name):
    out = tmp_path / "outbox"
    batch = make_batch(50)
    spec_path = tmp_path / "batch.json"
    wire = dict(id=batch.id, receiver=batch.receiver, sender=batch.sender,
                sent_at=batch.sent_at.isoformat(), notifications=batch.notifications)
    spec_path.write_text(json.dumps(wire), encoding="utf-8")

    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(REPO_ROOT), str(out), str(spec_path), str(block_on_call)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()  # the writer tells us it is half-way through a temp file
        assert line.startswith("HALF "), line
        _, tmp_name, half = line.split()
        tmp_file = Path(tmp_name)
        assert tmp_file.parent == out and tmp_file.name.startswith(f".{batch.id}.{blocked_name}.")
        assert tmp_file.stat().st_size == int(half) > 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    # no partial final file: the blocked one is absent; one written before the crash is complete
    assert not (out / f"{batch.id}.{blocked_name}").exists()
    if blocked_name == "jsonl":
        assert (out / f"{batch.id}.csv").exists()

    delivery = FileReceiver("immigration", directory=str(out)).send(batch)
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    rows, records = read_outputs(out, batch.id)
    assert len(rows) == 51 and records == batch.notifications
    assert visible(out) == [f"{batch.id}.csv", f"{batch.id}.jsonl"]
