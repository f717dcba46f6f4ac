"""``file`` adapter: write each batch as ``<batch_id>.csv`` (UTF-8 + BOM) and ``<batch_id>.jsonl``.

Staff upload these files to a portal. Each file is published atomically and never overwritten:
the bytes go to a hidden temp file in the same directory (``.<name>.<random>.tmp``), which is
flushed and fsync'ed, then hard-linked to the final name (``os.link`` fails if the name exists,
so a concurrent or replayed write cannot clobber a published file) and the temp name removed.
A final file that already exists is a replay of the same batch id (ids are stable): it is left
untouched and counts as written. A crash can leave a hidden ``*.tmp`` file behind, never a
partial final file.

"Written" = accepted, with receipt = the CSV file name. An OSError → every item retries.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

from .base import ACCEPTED, Batch, Delivery, Receiver, bounded
from .flatten import batch_csv_bytes

__all__ = ["FileReceiver", "publish_file"]

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _write_bytes(fh, data: bytes) -> None:
    """Write all of ``data`` to ``fh`` (a seam for the crash test)."""
    fh.write(data)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform / file system
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish_file(directory: Path, filename: str, data: bytes) -> bool:
    """Atomically create ``directory/filename`` with ``data`` unless it exists.

    Returns True when this call created the file, False when it existed already.
    """
    final = directory / filename
    if final.exists():
        return False
    tmp = directory / f".{filename}.{secrets.token_hex(6)}.tmp"
    created = False
    try:
        with open(tmp, "xb") as fh:
            _write_bytes(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, final)
            created = True
        except FileExistsError:
            created = False  # another writer published the same batch first
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    if created:
        _fsync_dir(directory)
    return created


class FileReceiver(Receiver):
    adapter = "file"

    def __init__(self, name: str, *, directory: str | None = None, max_batch: int = 500, **options: Any):
        problems = self._init_base(name, max_batch, options)
        if directory is None:
            problems.append("missing required option 'directory'")
        elif not isinstance(directory, str) or not directory.strip():
            problems.append(f"directory must be a non-empty string, got {directory!r}")
        self.raise_problems(problems)
        # relative paths are relative to the working directory at load time
        self.directory = Path(directory).expanduser().absolute()  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<FileReceiver {self.name!r} directory={str(self.directory)!r}>"

    @staticmethod
    def jsonl_bytes(batch: Batch) -> bytes:
        return "".join(
            json.dumps(n, ensure_ascii=False, separators=(",", ":")) + "\n" for n in batch.notifications
        ).encode("utf-8")

    def send(self, batch: Batch) -> Delivery:
        if not _SAFE_ID.match(batch.id):
            raise ValueError(f"batch id {batch.id!r} is not safe as a file name")
        csv_name = f"{batch.id}.csv"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            new_csv = publish_file(self.directory, csv_name, batch_csv_bytes(batch.notifications))
            new_jsonl = publish_file(self.directory, f"{batch.id}.jsonl", self.jsonl_bytes(batch))
        except OSError as exc:
            log.warning(
                "receiver %s batch %s: cannot write to %s: %s",
                self.name, batch.id, self.directory, type(exc).__name__,
            )
            return Delivery.all(batch, "retry", error_class=type(exc).__name__, excerpt=bounded(str(exc)))
        replay = not (new_csv or new_jsonl)
        log.info(
            "receiver %s batch %s (%d items): %s %s",
            self.name, batch.id, len(batch.notifications),
            "already written" if replay else "written", csv_name,
        )
        return Delivery.all(
            batch, ACCEPTED, receipt=csv_name,
            excerpt=f"{'already present' if replay else 'written'}: {csv_name}, {batch.id}.jsonl in {self.directory}",
        )
