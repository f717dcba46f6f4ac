"""Where a month's purge spends its time, statement by statement, on a database kept by
`run.py --keep --no-purge` (left untouched: each run purges a copy made with CREATE DATABASE …
TEMPLATE, so the same month can be timed again after a change):

    .venv/bin/python bench/scale/purge_profile.py accommnotify_bench_scale_… --loaded 2026-11-28

--loaded is the day the kept database was loaded (its months are counted back from it, as run.py
counts them). The warm-up and timed purges are run.py's; the statements are listed slowest first.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "police"))
sys.path.insert(0, str(ROOT / "bench" / "scale"))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from accommnotify.extensions import db  # noqa: E402
from bench_inbox import migrated_app  # noqa: E402
from run import UTC, month_start, run_purge  # noqa: E402


def copy_of(kept_url: str, name: str):
    import psycopg
    u = make_url(kept_url)
    admin = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname="postgres", autocommit=True)
    t0 = time.perf_counter()
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{u.database}"')
    print(f"copied {u.database} in {time.perf_counter() - t0:.1f} s", flush=True)
    return admin, u.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("database")
    ap.add_argument("--loaded", type=date.fromisoformat, required=True)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    kept = json.loads((ROOT / "bench" / "results" / f"kept-{args.database}.json").read_text())
    name = args.database + "_purge"
    admin, url = copy_of(kept["url"], name)
    try:
        app = migrated_app(url, kept["keys"])
        days = app.config["RETENTION_DAYS"]
        second, third = month_start(args.loaded, 11), month_start(args.loaded, 10)
        at = lambda month: datetime.combine(month, datetime.min.time(), UTC) + timedelta(days=days)  # noqa: E731
        print("warm-up:", run_purge(app, days, at(second))["seconds"], "s", flush=True)
        times: dict[str, list[float]] = defaultdict(list)
        with app.app_context():
            from accommnotify.ops.purge import purge
            purge(days, dry_run=True, now=at(third))   # as run.py: the dry run's counts come first
            db.session.remove()
            engine = db.engine

            @event.listens_for(engine, "before_cursor_execute")
            def started(conn, cursor, statement, parameters, context, executemany):
                conn.info.setdefault("t0", []).append(time.perf_counter())

            @event.listens_for(engine, "after_cursor_execute")
            def ended(conn, cursor, statement, parameters, context, executemany):
                conn.info["last"] = " ".join(statement.split())[:110]
                times[" ".join(statement.split())[:150]].append(time.perf_counter() - conn.info["t0"].pop())

            # a COMMIT is timed from its start to the connection's return to the pool
            # (by connection: two may commit at once; overlapping times add up to more than the total)
            commit_started: dict[int, tuple[float, str]] = {}

            @event.listens_for(engine, "commit")
            def committing(conn):
                commit_started[id(conn.connection.dbapi_connection)] = (time.perf_counter(), conn.info.get("last", ""))

            @event.listens_for(engine.pool, "checkin")
            def returned(dbapi_connection, record):
                if id(dbapi_connection) in commit_started:
                    started, after = commit_started.pop(id(dbapi_connection))
                    times["COMMIT after " + after].append(time.perf_counter() - started)

            t0 = time.perf_counter()
            report = purge(days, now=at(third))
            total = time.perf_counter() - t0
        listed = sum(sum(v) for v in times.values())
        print(f"timed purge: {total:.3f} s; {vars(report)}")
        print(f"statements: {listed * 1000:.1f} ms in {sum(map(len, times.values()))}; the rest (commits, "
              f"connections, Python): {(total - listed) * 1000:.1f} ms")
        for statement, spent in sorted(times.items(), key=lambda kv: -sum(kv[1]))[:args.top]:
            print(f"{sum(spent) * 1000:8.1f} ms  x{len(spent):<3} {statement}")
        with app.app_context():
            db.engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
