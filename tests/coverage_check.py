"""Fail when line coverage is under the floors: every module >= 85 %, the total >= 95 %.

Reads the data `pytest --cov` wrote (``var/.coverage``, settings from ``.coveragerc``) with coverage's
Python API. ``make coverage`` runs the unit and integration tests on SQLite, then this script.
Usage: python tests/coverage_check.py [--module-floor 85] [--total-floor 95] [--data-file .coverage]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent


def measure(data_file: str) -> tuple[dict[str, tuple[int, int]], int, int]:
    """({module path: (statements, missed)}, total statements, total missed)."""
    cov = coverage.Coverage(data_file=data_file, config_file=str(ROOT / ".coveragerc"))
    cov.load()
    modules: dict[str, tuple[int, int]] = {}
    for filename in sorted(cov.get_data().measured_files()):
        if not filename.endswith(".py"):  # e.g. a Jinja template traced before `omit` applied
            continue
        _, statements, _, missing, _ = cov.analysis2(filename)
        try:
            name = str(Path(filename).resolve().relative_to(ROOT))
        except ValueError:
            name = filename
        modules[name] = (len(statements), len(missing))
    total = sum(s for s, _ in modules.values())
    missed = sum(m for _, m in modules.values())
    return modules, total, missed


def percent(statements: int, missed: int) -> float:
    return 100.0 if statements == 0 else 100.0 * (statements - missed) / statements


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module-floor", type=float, default=85.0)
    parser.add_argument("--total-floor", type=float, default=95.0)
    parser.add_argument("--data-file", default=str(ROOT / "var" / ".coverage"))
    args = parser.parse_args(argv)
    if not Path(args.data_file).exists():
        print(f"no coverage data at {args.data_file}: run `make coverage`", file=sys.stderr)
        return 2
    modules, total, missed = measure(args.data_file)
    if not total:
        print("the coverage data measured no statements", file=sys.stderr)
        return 2
    low = sorted((percent(s, m), name) for name, (s, m) in modules.items() if percent(s, m) < args.module_floor)
    total_pct = percent(total, missed)
    lowest = sorted((percent(s, m), name) for name, (s, m) in modules.items())[:5]
    print("lowest modules: " + ", ".join(f"{name} {pct:.1f}%" for pct, name in lowest))
    print(f"total line coverage: {total_pct:.1f}% ({total - missed}/{total} statements)")
    failed = False
    for pct, name in low:
        print(f"FAIL {name}: {pct:.1f}% < {args.module_floor:g}%")
        failed = True
    if total_pct < args.total_floor:
        print(f"FAIL total: {total_pct:.1f}% < {args.total_floor:g}%")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
