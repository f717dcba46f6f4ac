"""Targeted mutation check: each mutant below is a change the suite must notice (issue 15).

    make mutants                                  # every mutant (PostgreSQL-only ones need the URL)
    .venv/bin/python tests/mutation/run.py -k lease   # the mutants whose name contains "lease"
    .venv/bin/python tests/mutation/run.py --list

For each mutant the script replaces one exact piece of source text (which must occur exactly once,
or the table is stale and the run fails), runs only the tests named for it, and puts the file back
byte for byte with its old modification time, in a `finally` (Ctrl-C, SIGTERM and errors
included). A mutant is *killed* when those tests fail, *survived* when they pass. The named tests
are first run once on the unmutated code and must pass. Exit status: 0 when every mutant run was
killed, 1 otherwise. PostgreSQL-only mutants (the PostgreSQL result statement of the dispatcher)
run when ACCOMMNOTIFY_TEST_POSTGRES_URL is set and are reported as not run otherwise; every other
mutant runs on SQLite only.

While a mutant is applied, the source file in the working tree IS mutated: do not run it while
someone else runs tests from the same tree. Each window lasts one short test run (-x).

Why not mutmut (3.8.1)? Looked at, not used:
* mutmut 3 mutates only code inside functions ("to mutate code outside of functions, use mutmut
  2"): the lease guard of the dispatcher is class-level SQL text (`_RESULT_SQLITE`, `_RESULT_PG`),
  and it mutates string literals only by wrapping them in "XX", so "drop one condition of the
  guard" -- the mutants that matter most here -- cannot be expressed at all; nor can "exempt a form
  from CSRF" or "drop the scope of one query".
* Volume on 2 shared cores: rules/ + intake/ + police/queries.py + dispatch/core.py are ~4,000
  lines; operator, number and string mutants of those (rules/messages.py alone is ~300 lines of
  message strings) come to a few thousand. Mutants of intake/ and dispatch/ are covered by database
  integration tests (0.1-1 s each, hundreds of them per function): hours per run, most of it
  spent on equivalent or message-text mutants that need triage by hand.
* It runs the tests in a copy of the tree (mutants/) with forked workers; the dispatcher e2e tests
  start `flask dispatcher run` subprocesses from the real tree, which would not see the mutant.
A hand-picked table costs about a minute or two and each row says which test protects what.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "ACCOMMNOTIFY_TEST_POSTGRES_URL"
TIMEOUT = 600  # seconds for one mutant's tests; a hang counts as killed


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str            # relative to the repository root
    original: str        # exact text, found exactly once in the file
    replacement: str
    tests: tuple         # pytest node ids that must fail with the mutant
    backend: str = "sqlite"  # "postgres": the mutated code runs only on PostgreSQL


SCOPE_T = "tests/integration/police/test_scope_mutants.py"
SCOPE_OLD = "tests/integration/police/test_scope.py"
LEASE_T = "tests/integration/dispatch/test_lease_guard.py"
CORE_T = "tests/integration/dispatch/test_dispatch_core.py"
CSRF_T = "tests/integration/test_csrf_every_form.py::test_every_cookie_authenticated_post_without_a_csrf_token_is_refused"
QUERIES = "accommnotify/police/queries.py"
CORE = "accommnotify/dispatch/core.py"
SERVICE = "accommnotify/intake/service.py"
DEADLINES = "accommnotify/rules/deadlines.py"
ID_NUMBER = "accommnotify/rules/id_number.py"

_SAME_OWNER = f"{LEASE_T}::test_same_owner_reclaiming_after_recovery_ignores_its_old_batchs_late_results"
_OTHER_OWNER = f"{LEASE_T}::test_another_dispatcher_cannot_record_a_batch_it_does_not_hold"
_NOT_SENDING = f"{LEASE_T}::test_results_never_overwrite_a_row_that_is_no_longer_sending"


def _csrf_exempt(view: str) -> str:
    return (f"    app.register_blueprint(bp)\n    from ..web_auth import csrf\n"
            f"    csrf.exempt(\"accommnotify.facility.views.{view}\")\n")


def _lease_mutants(dialect: str, statement_end: str) -> list[Mutant]:
    """The three single-condition mutants of one result statement (`statement_end` makes the
    original text unique to that statement)."""
    guard = ("notifications.status = 'sending'", "notifications.last_batch_id = :batch",
             "notifications.lease_owner = :owner")
    backend = "postgres" if dialect == "pg" else "sqlite"
    original = ("AND notifications.status = 'sending'\n"
                "          AND notifications.last_batch_id = :batch AND notifications.lease_owner = :owner\"\"\""
                + statement_end)
    kill = {guard[0]: _NOT_SENDING, guard[1]: _SAME_OWNER, guard[2]: _OTHER_OWNER}
    out = []
    for condition in guard:
        out.append(Mutant(f"dispatch.lease guard ({dialect}) without {condition.split('.')[1].split(' ')[0]}",
                          CORE, original, original.replace(condition, "1 = 1"), (kill[condition],), backend))
    return out


MUTANTS: list[Mutant] = [
    # -- issue 15, item 3: the surviving mutants ---------------------------------------------
    Mutant("police.silent_facilities without the scope", QUERIES,
           "stmt = (scoped(officer, N.facility_code, func.max(N.facility_name), func.max(N.ward_code), last)",
           "stmt = (select(N.facility_code, func.max(N.facility_name), func.max(N.ward_code), last)",
           (f"{SCOPE_T}::test_silent_facilities_lists_only_silent_facilities_in_the_officers_scope",)),
    Mutant("police.scope_clause: ward OR province -> AND", QUERIES,
           "return parts[0] if len(parts) == 1 else or_(*parts)",
           "return parts[0] if len(parts) == 1 else and_(*parts)",
           (f"{SCOPE_T}::test_mixed_ward_and_province_scope_sees_both_parts",)),
    *_lease_mutants("sqlite", "\n                          ).bindparams"),
    *_lease_mutants("pg", "\n                      ).bindparams"),
    Mutant("facility: CSRF exempt on the new-stay form", "accommnotify/facility/__init__.py",
           "    app.register_blueprint(bp)\n", _csrf_exempt("create_stay"), (CSRF_T,)),
    Mutant("facility: CSRF exempt on the correction form", "accommnotify/facility/__init__.py",
           "    app.register_blueprint(bp)\n", _csrf_exempt("correct_stay"), (CSRF_T,)),
    Mutant("facility: CSRF exempt on import confirm", "accommnotify/facility/__init__.py",
           "    app.register_blueprint(bp)\n", _csrf_exempt("import_confirm"), (CSRF_T,)),
    Mutant("facility: import token's facility check removed", "accommnotify/facility/views.py",
           'if data.get("f") != g.facility.id:', "if False:",
           ("tests/integration/facility/test_import_token.py::"
            "test_import_token_of_one_facility_stores_nothing_when_posted_by_another",)),

    # -- police queries: the scope pieces, filters, cursor ---------------------------------------
    Mutant("police.scope_clause: several wards -> the first only", QUERIES,
           "else N.ward_code.in_(wards))", "else N.ward_code.in_(wards[:1]))",
           (f"{SCOPE_OLD}::test_two_wards_scope",)),
    Mutant("police.scope_clause: a province scope ignored", QUERIES,
           "    if provinces:\n", "    if False:\n",
           (f"{SCOPE_OLD}::test_province_officer_sees_all_its_wards_and_no_other_province",)),
    Mutant("police.scope_clause: one ward -> every ward", QUERIES,
           "N.ward_code == wards[0] if len(wards) == 1", "N.ward_code.isnot(None) if len(wards) == 1",
           (f"{SCOPE_OLD}::test_ward_officer_sees_only_their_ward_everywhere",)),
    Mutant("police.get_in_scope without the scope (detail by guessed id)", QUERIES,
           "return db.session.scalar(scoped(officer).where(N.id == notification_id))",
           "return db.session.scalar(select(N).where(N.id == notification_id))",
           (f"{SCOPE_OLD}::test_ward_officer_sees_only_their_ward_everywhere",)),
    Mutant("police.acknowledge without the scope", QUERIES,
           "update(N).where(scope_clause(officer), N.id.in_(ids)", "update(N).where(N.id.in_(ids)",
           (f"{SCOPE_OLD}::test_ward_officer_sees_only_their_ward_everywhere",)),
    Mutant("police.api_page cursor repeats the boundary row", QUERIES,
           "and_(N.received_at == at, N.id > last_id)", "and_(N.received_at == at, N.id >= last_id)",
           ("tests/integration/police/test_inbox.py::test_api_cursor_walks_everything_once",)),
    Mutant("police.filter 'late' ignored", QUERIES,
           "stmt = stmt.where(N.late.is_(True))", "stmt = stmt",
           (f"{SCOPE_OLD}::test_ward_officer_sees_only_their_ward_everywhere",
            "tests/integration/police/test_search.py::test_filters_combined",
            "tests/integration/police/test_inbox.py::test_compliance_views")),

    # -- dispatch: leases, batching rules, lateness, retry/dead ----------------------------------
    Mutant("dispatch.expired leases never recovered", CORE,
           "update(N).where(SENDING, N.c.lease_expires_at < now)",
           "update(N).where(SENDING, N.c.lease_expires_at < now - timedelta(days=3650))",
           (f"{CORE_T}::test_expired_lease_is_reclaimed_and_the_old_owner_cannot_write",)),
    Mutant("dispatch.batch_max_wait ignored", CORE,
           "if rows[0].next_attempt_at <= now - self.max_wait:", "if False:",
           (f"{CORE_T}::test_batching_waits_then_sends_full_urgent_and_old_batches",)),
    Mutant("dispatch.deadline_margin ignored", CORE,
           "soon = now + self.margin", "soon = now",
           (f"{CORE_T}::test_deadline_margin_sends_and_flush_ignores_waits",)),
    Mutant("dispatch.urgent (foreigner arrival) waits for the batch", CORE,
           "return any(r.urgent or r.attempts > 0 or r.deadline_at <= soon for r in rows)",
           "return any(r.attempts > 0 or r.deadline_at <= soon for r in rows)",
           (f"{CORE_T}::test_batching_waits_then_sends_full_urgent_and_old_batches",)),
    Mutant("dispatch.late delivery not flagged", CORE,
           "late=bool(late) or now > deadline_at)", "late=bool(late))",
           (f"{CORE_T}::test_late_delivery_is_flagged",)),
    Mutant("dispatch.claim ignores next_attempt_at (retries sent early)", CORE,
           "QUEUED, N.c.next_attempt_at <= now)", "QUEUED)",
           (f"{CORE_T}::test_retry_schedule_retry_after_dead_and_replay",)),
    Mutant("dispatch.retry: dead one attempt late (> instead of >=)", "accommnotify/dispatch/retry.py",
           "now - first_attempt_at >= DEAD_AFTER", "now - first_attempt_at > DEAD_AFTER",
           ("tests/unit/dispatch/test_dispatch_retry.py::test_dead_after_72_hours_from_the_first_attempt",)),
    Mutant("dispatch.retry: Retry-After ignored", "accommnotify/dispatch/retry.py",
           "delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))", "delay = delay",
           ("tests/unit/dispatch/test_dispatch_retry.py::test_retry_after_wins_only_when_longer_and_is_capped",)),

    # -- intake: idempotent replay, bulk duplicates, cursor paging -------------------------------
    Mutant("intake.same ref, different body replays instead of 409", SERVICE,
           'if existing["request_hash"] != digest:', "if False:",
           ("tests/integration/api/test_create.py::test_same_ref_different_body_is_a_conflict",)),
    Mutant("intake.same ref, same body is a conflict instead of a replay", SERVICE,
           'if existing["request_hash"] != digest:', "if True:",
           ("tests/integration/api/test_create.py::test_same_ref_same_body_replays_the_same_stay",)),
    Mutant("intake.bulk: same ref, different body counted as a duplicate", SERVICE,
           'if existing[ref]["request_hash"] == digest:', "if True:",
           ("tests/integration/api/test_bulk_and_edges.py", "tests/integration/api/test_fastwrite.py")),
    Mutant("intake.list_stays cursor repeats the boundary stay", SERVICE,
           "stmt = stmt.where(STAYS.c.id < cursor)", "stmt = stmt.where(STAYS.c.id <= cursor)",
           ("tests/integration/api/test_lifecycle.py::test_list_filters_and_cursor_pagination",)),
    Mutant("intake.list_stays shows another facility's stays", SERVICE,
           "stmt = select(STAYS).where(STAYS.c.facility_id == facility.id)", "stmt = select(STAYS)",
           ("tests/integration/facility/test_accounts.py::test_a_user_sees_only_their_facility",
            "tests/integration/api/test_lifecycle.py::test_lists_show_only_the_keys_own_facility")),
    Mutant("intake.notifications list shows another facility's", SERVICE,
           ".where(NOTIFICATIONS.c.facility_id == facility.id))", ".where(NOTIFICATIONS.c.id.isnot(None)))",
           ("tests/integration/api/test_lifecycle.py::test_lists_show_only_the_keys_own_facility",)),

    # -- rules: deadlines and the personal id number -------------------------------------------
    Mutant("rules.deadline: 23:00 arrival still due at 23:00", DEADLINES,
           "if local.time() < RESIDENCE_CUTOFF:", "if local.time() <= RESIDENCE_CUTOFF:",
           ("tests/unit/rules/test_rules_deadlines.py::test_residence_deadline",)),
    Mutant("rules.deadline: after 23:00 -> 08:00 the same day", DEADLINES,
           "datetime.combine(local.date() + timedelta(days=1), RESIDENCE_NEXT_MORNING, VN_TZ)",
           "datetime.combine(local.date(), RESIDENCE_NEXT_MORNING, VN_TZ)",
           ("tests/unit/rules/test_rules_deadlines.py::test_residence_deadline",)),
    Mutant("rules.deadline: foreigner 24 h instead of 12 h", DEADLINES,
           "FOREIGNER_DELAY = timedelta(hours=12)", "FOREIGNER_DELAY = timedelta(hours=24)",
           ("tests/unit/rules/test_rules_deadlines.py::test_foreigner_deadline",)),
    Mutant("rules.deadline: follow-ups 48 h instead of 24 h", DEADLINES,
           "def followup_deadline(created_at: datetime, hours: float = 24)",
           "def followup_deadline(created_at: datetime, hours: float = 48)",
           ("tests/unit/rules/test_rules_deadlines.py::test_followup_deadline",)),
    Mutant("rules.id_number: birth-year digits not checked", ID_NUMBER,
           "if date_of_birth is not None and int(number[4:6]) != date_of_birth.year % 100:",
           "if False:",
           ("tests/unit/rules/test_rules_id_number.py::test_birth_year_mismatch",)),
    Mutant("rules.id_number: sex digit read the wrong way round", ID_NUMBER,
           'return ("female" if digit % 2 else "male")', 'return ("male" if digit % 2 else "female")',
           ("tests/unit/rules/test_rules_id_number.py",)),
    Mutant("rules.id_number: births abroad (101-295) refused", ID_NUMBER,
           "if number[:3] not in VALID_PREFIXES:", "if number[:3] not in OLD_PROVINCE_PREFIXES:",
           ("tests/unit/rules/test_rules_id_number.py",)),
    Mutant("rules.id_number: old 9-digit CMND reported as a format error", ID_NUMBER,
           'return [Issue(FIELD, "id_number.legacy_cmnd")]', 'return [Issue(FIELD, "id_number.format")]',
           ("tests/unit/rules/test_rules_id_number.py::test_legacy_cmnd",)),
]


class _Terminated(BaseException):
    pass


def _on_sigterm(signum, frame):
    raise _Terminated()


def _pytest(tests, backend, timeout=TIMEOUT):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests]
    if backend == "postgres":
        cmd += ["-k", "postgres"]
    else:
        env.pop(PG_ENV, None)
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, text=True)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    return proc.returncode, proc.stdout


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join("      " + line for line in output.strip().splitlines()[-lines:])


def _restore(path: Path, m: Mutant, original: bytes, mutated: bytes, stat) -> None:
    """Puts the file back byte for byte, with its old modification time. If someone saved the
    file while the mutant was applied (a shared tree), only the mutation is taken out of their
    version, so their edit is kept; if even that is impossible, stop loudly."""
    current = path.read_bytes()
    if current == mutated:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        if path.read_bytes() != original:  # pragma: no cover - would mean a broken file system
            raise SystemExit(f"FAILED TO RESTORE {m.path}: restore it from git now")
        return
    text = current.decode("utf-8")
    if text.count(m.replacement) == 1:
        path.write_bytes(text.replace(m.replacement, m.original).encode("utf-8"))
        print(f"WARNING: {m.path} was changed by someone else during the mutant {m.name!r}; "
              "the mutation was taken out of their version", flush=True)
    elif m.replacement not in text:
        print(f"WARNING: {m.path} was rewritten during the mutant {m.name!r} and no longer holds "
              "it; left as it is", flush=True)
    else:
        raise SystemExit(f"FAILED TO RESTORE {m.path}: it was changed during the mutant {m.name!r} and "
                         f"holds the mutation {text.count(m.replacement)} times; fix it by hand now")


def run_mutant(m: Mutant) -> tuple[str, str]:
    """Applies the mutant, runs its tests, restores the file. ('killed'|'survived'|'error', detail)"""
    path = ROOT / m.path
    original = path.read_bytes()
    stat = path.stat()
    text = original.decode("utf-8")
    if text.count(m.original) != 1:
        return "error", f"the original text occurs {text.count(m.original)} times in {m.path} (stale table?)"
    mutated = text.replace(m.original, m.replacement).encode("utf-8")
    try:
        path.write_bytes(mutated)
        code, output = _pytest(m.tests, m.backend)
    finally:
        _restore(path, m, original, mutated, stat)
    if code is None:
        return "killed", output
    if code == 0:
        return "survived", output
    if code in (4, 5):   # usage error, no tests collected: the table names no test that ran
        return "error", output
    return "killed", output


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="only", default="", help="run the mutants whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("-v", action="store_true", help="show the test output of survivors and errors")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)

    chosen = [m for m in MUTANTS if args.only.lower() in m.name.lower()]
    if args.list:
        for m in chosen:
            print(f"{m.backend:8} {m.name}  [{m.path}]  <- {', '.join(m.tests)}")
        return 0
    stale = [m for m in chosen if (ROOT / m.path).read_text(encoding="utf-8").count(m.original) != 1]
    for m in stale:
        print(f"stale table: the original text of {m.name!r} does not occur exactly once in {m.path}")
    if stale:
        return 2
    have_pg = bool(os.environ.get(PG_ENV))
    runnable = [m for m in chosen if m.backend == "sqlite" or have_pg]
    not_run = [m for m in chosen if m not in runnable]
    started = time.monotonic()

    # The named tests must pass on the unmutated code, or a "kill" would mean nothing.
    for backend in ("sqlite", "postgres"):
        tests = sorted({t for m in runnable if m.backend == backend for t in m.tests})
        if tests:
            code, output = _pytest(tests, backend, timeout=TIMEOUT * 3)
            if code != 0:
                print(f"baseline ({backend}): the named tests fail on the unmutated code:\n{_tail(output or '')}")
                return 2
    print(f"baseline: the named tests pass ({time.monotonic() - started:.0f} s)")

    results = []
    try:
        for m in runnable:
            t = time.monotonic()
            status, detail = run_mutant(m)
            results.append((m, status))
            print(f"{status:9} {time.monotonic() - t:5.1f} s  [{m.backend}] {m.name}", flush=True)
            if status != "killed" and (args.v or status == "error"):
                print(_tail(detail))
    except (KeyboardInterrupt, _Terminated):
        print("interrupted: every file was restored")
        return 130
    killed = sum(1 for _, s in results if s == "killed")
    total = len(results)
    print(f"\n{killed}/{total} killed ({100.0 * killed / total if total else 0:.0f} %) "
          f"in {time.monotonic() - started:.0f} s")
    for m, s in results:
        if s != "killed":
            print(f"  {s}: {m.name}  ({m.path}; tests: {', '.join(m.tests)})")
    if not_run:
        print(f"not run: {len(not_run)} PostgreSQL-only mutant(s) ({PG_ENV} is not set)")
    return 0 if killed == total else 1


if __name__ == "__main__":
    sys.exit(main())
