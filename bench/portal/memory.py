"""Dispatcher memory for 100 and for 1,000 portal files (issue 9 target: the same).

For each N, a fresh SQLite database (or PostgreSQL with --database-url-base) gets N facilities with
one citizen's stay each; a child process then runs one dispatcher pass (`run_pass(flush=True)`,
max_batch 500) that writes N citizens files, one per facility, and reports its peak RSS
(getrusage) before and after the pass, its RSS at the end, and the peak and remainder of Python
allocations during the pass (tracemalloc). Files are written into a temporary directory.

    .venv/bin/python bench/portal/memory.py [--counts 100 1000] [--max-batch 500]
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def child(db_url, receivers):
    import gc
    from accommnotify.dispatch.core import Dispatcher
    from tests.conftest import make_app
    app = make_app(db_url, RECEIVERS=receivers, DISPATCH_LANES=1)
    d = Dispatcher(app)
    import tracemalloc
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    report = d.run_pass(flush=True)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open("/proc/self/statm") as fh:
        rss_now = int(fh.read().split()[1]) * resource.getpagesize() // 1024
    print(json.dumps({"before_kib": before, "after_kib": after, "rss_now_kib": rss_now,
                      "py_peak_kib": peak // 1024, "py_left_kib": current // 1024,
                      "awaiting": report.receivers["portal"].awaiting_upload,
                      "batches": report.receivers["portal"].batches, "seconds": round(report.seconds, 2)}))


def prepare(tmp: Path, count: int, max_batch: int = 500):
    from flask_migrate import upgrade
    from accommnotify.extensions import db
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stay
    from accommnotify.models import FacilityRef
    from tests import factories
    from tests import portal_support as ps
    from tests.conftest import make_app
    template = tmp / "tblt_vn_import.xlsx"
    ps.build_template(template, ward_count=3323)
    receivers = ps.portal_receivers_toml(tmp, template=template, directory=tmp / "out", max_batch=max_batch)
    url = f"sqlite:///{tmp / 'bench.db'}"
    app = make_app(url, RECEIVERS=receivers)
    with app.app_context():
        upgrade()
        departure = (factories.local_now() + timedelta(days=2)).isoformat()
        for i in range(count):
            f = FacilityRef.of(create_facility(code=f"BENCH-{i:05d}", name=f"Nhà nghỉ {i}", kind="household",
                                               ward_code="16681", address="1 Lê Lợi"))
            create_stay(f, factories.stay(expected_departure=departure))
        db.engine.dispose()
    return url, receivers


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--max-batch", type=int, default=500)
    args = parser.parse_args()
    print(f"max_batch = {args.max_batch}")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            url, receivers = prepare(tmp, count, args.max_batch)
            out = subprocess.run([sys.executable, __file__, "--child", url, receivers], cwd=str(ROOT),
                                 capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            files = len([p for p in (tmp / "out").rglob("*.xlsx")])
            print(f"{count:>5} facilities -> {files} files, {result['awaiting']} rows in {result['batches']} batches, "
                  f"{result['seconds']} s (traced); peak RSS before the pass {result['before_kib'] / 1024:.1f} MiB, "
                  f"after {result['after_kib'] / 1024:.1f} MiB, RSS at the end {result['rss_now_kib'] / 1024:.1f} MiB; "
                  f"Python allocations during the pass: peak {result['py_peak_kib'] / 1024:.1f} MiB, "
                  f"left {result['py_left_kib'] / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
