"""Drain a backlog of pending notifications to a local http receiver (max_batch 500).

    .venv/bin/python bench/dispatch/drain.py --backend sqlite --count 100000
    .venv/bin/python bench/dispatch/drain.py --backend postgres --count 100000   # BENCH_POSTGRES_URL

Runs `flask dispatcher once --flush` as a child process and reports notifications/s (wall time of
the child, start-up included, and of the pass alone) and the child's peak RSS (ru_maxrss).
`--processes N` runs N dispatchers at once (scale-out on PostgreSQL) and reports the wall time
from the first start to the last exit.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import common  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--max-batch", type=int, default=500)
    ap.add_argument("--processes", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = common.fresh_database(args.backend, work)
        try:
            port = common.free_port()
            receivers = common.receivers_file(work, port, args.max_batch)
            t = time.monotonic()
            common.fill_backlog(url, receivers, args.count)
            print(f"backlog of {args.count} filled in {time.monotonic() - t:.1f}s", flush=True)
            rec = common.start_receiver(port)
            try:
                env = common.env_for(url, receivers)
                t = time.monotonic()
                procs = [subprocess.Popen([common.FLASK, "--app", "wsgi", "dispatcher", "once", "--flush"],
                                          cwd=str(common.ROOT), env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True) for _ in range(args.processes)]
                usages = [os.wait4(p.pid, 0)[2] for p in procs]
                wall = time.monotonic() - t
                outs = [p.stdout.read() for p in procs]
            finally:
                got = common.stop_receiver(rec)
            if args.processes > 1:
                accepted = sum(int(re.search(r"accepted (\d+)", o).group(1)) for o in outs)
                cpu = sum(u.ru_utime + u.ru_stime for u in usages)
                print(f"{args.backend}: {accepted} accepted by {args.processes} dispatchers in {wall:.2f}s "
                      f"(start-up included) = {accepted / wall:,.0f}/s; CPU {cpu:.2f}s; peak RSS "
                      f"{max(u.ru_maxrss for u in usages) / 1024:.1f} MiB; receiver saw {got}")
                assert accepted == args.count == got["ids"], "not everything was delivered exactly once"
                return
            out, usage = outs[0], usages[0]
            m = re.search(r"accepted (\d+).* in ([\d.]+)s", out)
            accepted, pass_s = int(m.group(1)), float(m.group(2))
            print(out.strip())
            print(f"{args.backend}: {accepted} accepted; pass {pass_s:.2f}s = {accepted / pass_s:,.0f}/s; "
                  f"process wall {wall:.2f}s = {accepted / wall:,.0f}/s; "
                  f"dispatcher CPU {usage.ru_utime + usage.ru_stime:.2f}s; peak RSS {usage.ru_maxrss / 1024:.1f} MiB; "
                  f"receiver saw {got}")
            assert accepted == args.count == got["ids"], "not everything was delivered exactly once"
        finally:
            common.drop_database(url)


if __name__ == "__main__":
    main()
