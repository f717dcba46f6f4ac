"""The dispatcher's side jobs (months ahead, reminders): a stopping dispatcher starts none, and a
database away for a moment is logged (the exception's type only) and tried again at the next
tick, never raised into the scheduler."""
import logging

import pytest

from accommnotify.dispatch import runner
from accommnotify.dispatch.core import Dispatcher


class Scheduler:
    def add_job(self, func, *args, **kwargs):
        self.job, self.kwargs = func, kwargs


def away(*args, **kwargs):
    raise ConnectionError("the database is away")


def jobs(app, monkeypatch):
    """The two jobs, with an SMTP URL so that the reminders job exists."""
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:1")
    dispatcher = Dispatcher(app)
    partitions, reminders = Scheduler(), Scheduler()
    runner._add_partitions_job(partitions, app, dispatcher)
    assert runner._add_reminder_job(reminders, app, dispatcher) == "email"
    return dispatcher, {"partitions": partitions, "reminders": reminders}


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("job, target", [("partitions", "accommnotify.ops.partitions.ensure"),
                                         ("reminders", "accommnotify.reminders.service.run_once")])
def test_a_database_away_is_logged_and_tried_at_the_next_tick(app, monkeypatch, caplog, job, target):
    monkeypatch.setattr(target, away)           # before the job is made: it imports its function then
    dispatcher, scheduled = jobs(app, monkeypatch)
    caplog.set_level(logging.INFO, logger="accommnotify.dispatch")
    scheduled[job].job()                                  # returns: the scheduler keeps its job
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and "failed: ConnectionError; next try in" in messages[0]
    assert "away" not in messages[0]                      # the type, not a message that may hold data
    assert scheduled[job].kwargs["max_instances"] == 1


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("job, target", [("partitions", "accommnotify.ops.partitions.ensure"),
                                         ("reminders", "accommnotify.reminders.service.run_once")])
def test_a_stopping_dispatcher_starts_no_job(app, monkeypatch, job, target):
    calls = []
    monkeypatch.setattr(target, lambda *a, **k: calls.append(a))
    dispatcher, scheduled = jobs(app, monkeypatch)
    dispatcher.stopping.set()
    scheduled[job].job()
    assert calls == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_months_made_are_logged(app, monkeypatch, caplog):
    monkeypatch.setattr("accommnotify.ops.partitions.ensure", lambda: ["notifications_p2032_06"])
    dispatcher, scheduled = jobs(app, monkeypatch)
    caplog.set_level(logging.INFO, logger="accommnotify.dispatch")
    scheduled["partitions"].job()
    assert [r.getMessage() for r in caplog.records] == ["partitions created: notifications_p2032_06"]
