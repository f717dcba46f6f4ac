"""Property-based API testing from our own OpenAPI document: no 5xx, responses match the document.

The schema is loaded at import (schemathesis' pytest integration parametrizes at collection time),
so this module builds its own migrated SQLite database in a temporary directory.
"""
import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import make_app

_tmp = Path(tempfile.mkdtemp(prefix="accommnotify-schemathesis-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
app = make_app(f"sqlite:///{_tmp / 'api.db'}")
with app.app_context():
    upgrade()
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    KEY = create_api_key(create_facility(code="SCHEMA", name="Nhà nghỉ", kind="household", ward_code="16681"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@schema.auth()
class FacilityKey:
    """The key goes in as the document's bearer scheme, so schemathesis still knows when a case is
    meant to be sent without it (and then expects 401)."""

    def get(self, case, context):
        return KEY

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# A stay can satisfy the document's shape and still break a domain rule (an ID number whose digits
# disagree with the birth year, say), so "schema-valid data must be accepted" does not hold by
# design: those answers are 422 with the field and code, which the other checks still validate.
SHAPE_ONLY = [schemathesis.checks.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_document(case):
    case.call_and_validate(excluded_checks=SHAPE_ONLY)


# The stateful phase: schemathesis follows the document's (inferred) links from a created stay to
# reading, amending, departing and cancelling it. With no valid example in the document no generated
# stay passed the ID rules and 0 of the links were ever followed (issue 10, item 13).
LINKS_COVERED: set[str] = set()   # as schemathesis' CLI counts them: the link's values were applied
LINKS_ANSWERED_2XX: set[str] = set()


class Workflow(schema.as_state_machine()):
    def setup(self):
        """Each scenario starts from no stays: Hypothesis replays a scenario's choices and expects the same
        answers (a list that was empty must be empty again), so the server's state must not carry over."""
        from accommnotify.extensions import db
        with app.app_context():
            for table in ("delivery_attempts", "notifications", "guests", "stays"):
                db.session.execute(db.text(f"DELETE FROM {table}"))
            db.session.commit()

    def step(self, input):
        output = super().step(input)
        if input.transition is not None and input.is_applied:
            LINKS_COVERED.add(input.transition.id)
            if output.response.status_code < 300:
                LINKS_ANSWERED_2XX.add(input.transition.id)
        return output

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, additional_checks=additional_checks, excluded_checks=SHAPE_ONLY,
                               transport_kwargs=kwargs)


def test_stateful_phase_follows_the_links():
    Workflow.run(settings=settings(max_examples=60, stateful_step_count=8, deadline=None, database=None, derandomize=True,
                                   phases=[Phase.generate],  # no replay or shrinking: the server keeps state
                                   suppress_health_check=list(HealthCheck)))
    total = schema.statistic.transitions.total
    print(f"links covered: {len(LINKS_COVERED)} of {total}, {len(LINKS_ANSWERED_2XX)} of them answered 2xx: "
          f"{sorted(LINKS_COVERED)}")
    assert total >= 30
    # 0 before the examples. With them: 9 of 34, then 5-6 of 39 once the portal-file operations came
    # (their links need a portal file, which this API alone cannot make) when this module runs alone,
    # and as few as 1 inside the whole suite: the count depends on what ran before (not yet
    # understood; see the closing note of session 16). The floor holds that links are followed at all.
    assert LINKS_COVERED, "the stateful phase followed no link"
