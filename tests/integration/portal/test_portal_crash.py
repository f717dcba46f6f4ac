"""kill -9 of a dispatcher while it writes a portal file: no partial file, no notification lost."""
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import PortalFileRow
from accommnotify.timeutil import utcnow
from tests import portal_support as ps
from tests.conftest import TEST_DATA_KEY, make_app
from tests.integration.dispatch.dispatch_support import add_stays, make_facility, status_counts

REPO_ROOT = Path(__file__).resolve().parents[3]

CRASHING_DISPATCHER = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
from accommnotify.receivers import file as filemod
from tests.conftest import make_app
from accommnotify.dispatch.core import Dispatcher

def half_then_block(fh, data):
    fh.write(data[: len(data) // 2])
    fh.flush()
    os.fsync(fh.fileno())
    print("HALF", fh.name, flush=True)
    sys.stdin.read()  # block until the test kills us

filemod._write_bytes = half_then_block
app = make_app(sys.argv[2], RECEIVERS=sys.argv[3], DATA_KEY=os.environ["TEST_DATA_KEY"], DISPATCH_LANES=1, LEASE_SECONDS=120)
Dispatcher(app).run_pass(flush=True)
print("NOT REACHED", flush=True)
"""


@pytest.mark.real_clock
def test_kill_9_mid_file_leaves_no_partial_file_and_loses_nothing(database_url, tmp_path):
    template = tmp_path / "tblt_vn_import.xlsx"
    ps.build_template(template)
    out = tmp_path / "portal"
    receivers = ps.portal_receivers_toml(tmp_path, template=template, directory=out)
    app = make_app(database_url, RECEIVERS=receivers, DISPATCH_LANES=1, LEASE_SECONDS=120)
    facility = make_facility(app)
    from tests import factories
    from datetime import datetime
    from accommnotify.timeutil import VN_TZ
    departure = (datetime.now(VN_TZ) + timedelta(days=2)).isoformat()
    from accommnotify.intake.service import create_stays_bulk
    with app.app_context():
        results = create_stays_bulk(facility, {"stays": [factories.stay(expected_departure=departure)
                                                         for _ in range(30)]})
        assert {r["status"] for r in results} == {"created"}

    proc = subprocess.Popen([sys.executable, "-c", CRASHING_DISPATCHER, str(REPO_ROOT), database_url, receivers],
                            cwd=str(REPO_ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, TEST_DATA_KEY=TEST_DATA_KEY))  # the suite's data key
    try:
        line = proc.stdout.readline()
        assert line.startswith("HALF "), line
        tmp_file = Path(line.split()[1])
        assert tmp_file.name.startswith(".") and tmp_file.stat().st_size > 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    visible = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert visible == []  # a hidden temp file at most, never a partial final file
    assert status_counts(app) == {"sending": 30}

    # after the lease, another dispatcher writes them, each into exactly one file
    report = Dispatcher(app).run_pass(now=utcnow() + timedelta(seconds=121), flush=True)
    assert report.recovered == 30 and report.receivers["portal"].awaiting_upload == 30
    assert status_counts(app) == {"awaiting_upload": 30}
    with app.app_context():
        per = db.session.execute(select(PortalFileRow.notification_id, func.count())
                                 .group_by(PortalFileRow.notification_id)).all()
        db.session.rollback()
    assert len(per) == 30 and {c for _, c in per} == {1}
    visible = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(visible) == 1


@pytest.mark.real_clock
def test_two_dispatchers_at_once_never_put_a_notification_in_two_files(database_url, tmp_path):
    """Two `dispatcher once --flush` processes on one database (max_batch 20, 30 facilities, 120 guests)."""
    from tests.integration.dispatch.dispatch_support import FLASK, dispatcher_env
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stay
    from accommnotify.models import FacilityRef, PortalFile
    from tests import factories
    from datetime import datetime
    from accommnotify.timeutil import VN_TZ
    template = tmp_path / "tblt_vn_import.xlsx"
    ps.build_template(template)
    out = tmp_path / "portal"
    receivers = ps.portal_receivers_toml(tmp_path, template=template, directory=out, max_batch=20)
    app = make_app(database_url, RECEIVERS=receivers)
    departure = (datetime.now(VN_TZ) + timedelta(days=2)).isoformat()
    with app.app_context():
        for i in range(30):
            f = FacilityRef.of(create_facility(code=f"F-{i:02d}", name=f"Nhà nghỉ {i}", kind="household",
                                               ward_code="16681", address="1 Lê Lợi"))
            for _ in range(2):
                create_stay(f, factories.stay(expected_departure=departure,
                                              guests=[factories.citizen(), factories.citizen()]))
        db.session.remove()
    env = dispatcher_env(database_url, receivers, DISPATCH_LANES=2)
    procs = [subprocess.Popen([FLASK, "--app", "wsgi", "dispatcher", "once", "--flush"], cwd=str(REPO_ROOT), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    for p in procs:
        output, _ = p.communicate(timeout=120)
        assert p.returncode == 0, output[-2000:]
    assert status_counts(app) == {"awaiting_upload": 120}
    with app.app_context():
        per = dict(db.session.execute(select(PortalFileRow.notification_id, func.count())
                                      .group_by(PortalFileRow.notification_id)).all())
        facilities_per_file = db.session.execute(select(PortalFile.id, PortalFile.facility_id)).all()
        db.session.rollback()
    assert len(per) == 120 and set(per.values()) == {1}
    recorded = {fid for fid, _ in facilities_per_file}
    on_disk = [p for p in out.rglob("*.xlsx")]
    import re
    assert {re.search(r"(pf_[0-9a-z]+)\.xlsx$", p.name).group(1) for p in on_disk} >= recorded
    # one facility per file, checked on the files themselves
    import openpyxl
    for path in on_disk:
        assert path.parent.name == path.name.split("_")[0]
        assert openpyxl.load_workbook(path)["DS_KHACH_VIET_NAM_LUU_TRU"].max_row >= 5
