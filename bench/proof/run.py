"""A daily proof of 500 notifications (issue 12 target: <= 2 s).

A SQLite database in a temporary folder, migrated; one facility with 500 citizens' arrivals of one
day (stored through the intake service's bulk path, numbers encrypted at rest as in production).
Times `proof.build` (query, decrypt, PDF in DejaVu Sans, Ed25519 signature) and checks the result
verifies. Prints min / median / max of --runs runs.

    .venv/bin/python bench/proof/run.py [--rows 500] [--runs 5]
"""
import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from accommnotify import create_app  # noqa: E402
from accommnotify import proof  # noqa: E402
from accommnotify.extensions import db  # noqa: E402
from accommnotify.intake import service  # noqa: E402
from accommnotify.intake.facilities import create_facility  # noqa: E402
from accommnotify.models import FacilityRef  # noqa: E402
from accommnotify.proof import signing  # noqa: E402
from accommnotify.timeutil import VN_TZ, utcnow  # noqa: E402
from tests import factories  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": secrets.token_urlsafe(32),
                          "DATA_KEY": secrets.token_urlsafe(32), "PROOF_SIGNING_KEY": secrets.token_urlsafe(32)})
        with app.app_context():
            upgrade()
            facility = FacilityRef.of(create_facility(code="BENCH-1", name="Khách sạn Đo Tốc Độ",
                                                      kind="tourist_accommodation", ward_code="16681",
                                                      address="1 Tràng Tiền"))
            stays = [factories.stay(guests=[factories.citizen(full_name="Nguyễn Thị Phương Thảo")])
                     for _ in range(args.rows)]
            for start in range(0, len(stays), service.MAX_BULK):
                service.create_stays_bulk(facility, {"stays": stays[start:start + service.MAX_BULK]})
            now = utcnow()
            day = now.astimezone(VN_TZ).date()
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                data = proof.build(facility, day, now)
                times.append(time.perf_counter() - t0)
            assert signing.verify(data, signing.signer().public_key).ok
            db.engine.dispose()
    print(f"proof of {args.rows} notifications ({len(data):,} bytes), {args.runs} runs: "
          f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s "
          f"(target <= 2 s: {'met' if statistics.median(times) <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
