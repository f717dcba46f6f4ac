"""A 500-row citizens file written into the template (issue 9 target: <= 1 s).

The template is built in code with the official structure and the official sizes (205
nationalities, 34 provinces, 3,323 wards in PHUONG_XA, PX_ names, validation); no real template or
person is involved. Times `VnPortalReceiver.send` of one batch of 500 citizens' arrivals for one
facility: rows built, template copied with the rows, fsync, link. Prints min / median / max of
--runs runs.

    .venv/bin/python bench/portal/write_file.py [--rows 500] [--runs 7]
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from accommnotify.receivers.base import Batch  # noqa: E402
from accommnotify.receivers.vn_portal import VnPortalReceiver  # noqa: E402
from tests import portal_support as ps  # noqa: E402
from tests.unit.receivers import receivers_sample_data as samples  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        template = tmp / "tblt_vn_import.xlsx"
        ps.build_template(template, ward_count=3323)
        t0 = time.perf_counter()
        receiver = VnPortalReceiver("portal", template=str(template), directory=str(tmp / "out"))
        load = time.perf_counter() - t0
        notifications = []
        for i in range(args.rows):
            n = samples.notification(i, "residence")
            n["person"]["full_name"] = f"Nguyễn Văn Mẫu {i}"
            n["person"]["id_number"] = f"001090{i:06d}"
            notifications.append(n)
        times = []
        for run in range(args.runs):
            batch = Batch(id=f"bat_bench{run:04d}", receiver="portal", sender="bench",
                          sent_at=datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc), notifications=notifications)
            t0 = time.perf_counter()
            delivery = receiver.send(batch)
            times.append(time.perf_counter() - t0)
            assert delivery.files and delivery.files[0].row_count == args.rows
        size = delivery.files[0].size
        print(f"template: {template.stat().st_size:,} bytes, loaded and checked in {load:.3f} s")
        print(f"{args.rows}-row citizens file ({size:,} bytes), {args.runs} runs: "
              f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s "
              f"(target <= 1 s: {'met' if statistics.median(times) <= 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
