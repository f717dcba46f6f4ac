"""``dispatcher run``: APScheduler in its own process; the job only triggers a pass.

All state is in the database, so any number of these processes may run (PostgreSQL), and a
killed one loses nothing: its claims come back when their lease expires. SIGTERM / SIGINT let
the batch in flight finish and record its results, then the process exits.
"""
from __future__ import annotations

import logging
import signal
import threading

from ..timeutil import UTC, utcnow
from .core import Dispatcher

log = logging.getLogger("accommnotify.dispatch")


def run_forever(app, dispatcher: Dispatcher, interval: float, webhook_interval: float = 1.0) -> None:
    from apscheduler.events import EVENT_SCHEDULER_STARTED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    # Three threads: the police passes; the webhooks to the facilities on their own cadence (a slow
    # PMS must never delay a notification; an event should not wait a whole dispatch interval); and
    # the reminders (a slow mail server never delays a dispatch pass).
    executor = ThreadPoolExecutor(max_workers=2)
    remind_executor = ThreadPoolExecutor(max_workers=1)
    scheduler = BlockingScheduler(timezone=UTC, executors={"default": executor, "reminders": remind_executor})

    def tick():
        if dispatcher.stopping.is_set():
            return
        try:
            with app.app_context():
                report = dispatcher.run_pass(webhooks=False)
        except Exception as exc:  # noqa: BLE001 - the database may be away for a moment
            log.error("dispatcher pass failed: %s; next try in %ss", type(exc).__name__, interval)
            return
        totals = report.totals()
        if totals["batches"] or report.recovered or report.rerouted:
            log.info("pass: %s in %.2fs%s", totals, report.seconds,
                     f", recovered {report.recovered}" if report.recovered else "")

    def webhooks_tick():
        if dispatcher.stopping.is_set():
            return
        try:
            with app.app_context():
                report = dispatcher.webhooks.run(stopping=dispatcher.stopping)
        except Exception as exc:  # noqa: BLE001 - the database may be away for a moment
            log.error("webhook round failed: %s; next try in %ss", type(exc).__name__, webhook_interval)
            return
        if report.as_dict():
            log.info("webhooks: %s", report.as_dict())

    scheduler.add_job(tick, "interval", seconds=interval, next_run_time=utcnow(), id="dispatch",
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_job(webhooks_tick, "interval", seconds=webhook_interval, next_run_time=utcnow(), id="webhooks",
                      max_instances=1, coalesce=True, misfire_grace_time=None)

    reminders_on = _add_reminder_job(scheduler, app, dispatcher)
    _add_partitions_job(scheduler, app, dispatcher)

    def stop(signum, _frame):
        # A handler runs between two bytecodes of the main thread, which may hold the scheduler's
        # or the executor's locks at that moment (it did: inside submit(), starting the pass's
        # thread); shutting down from here could wait for them forever. So only raise the flag:
        # the stopper thread shuts the scheduler down.
        log.info("dispatcher %s: signal %d, finishing the batch in flight", dispatcher.owner, signum)
        dispatcher.stopping.set()

    def stop_when_asked():
        dispatcher.stopping.wait()
        scheduler.shutdown(wait=False)

    # Started once the scheduler runs, so a signal that came before start() still stops it.
    scheduler.add_listener(lambda _event: threading.Thread(target=stop_when_asked, name="dispatcher-stop",
                                                           daemon=True).start(), EVENT_SCHEDULER_STARTED)
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log.info("dispatcher %s started: every %ss, lease %ss, receivers %s%s", dispatcher.owner, interval,
             int(dispatcher.lease.total_seconds()), ", ".join(dispatcher.config.receivers),
             f"; reminders by {reminders_on}" if reminders_on else "")
    try:
        scheduler.start()
        # start() returns after shutdown; wait for a pass still running in the executor thread.
        executor.shutdown(wait=True)
        remind_executor.shutdown(wait=True)
    finally:
        # whoever called us (a test, an embedding process) gets its own handlers back
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    dispatcher.config.close()
    dispatcher.webhooks.close()
    log.info("dispatcher %s stopped", dispatcher.owner)


PARTITIONS_EVERY = 3600


def _add_partitions_job(scheduler, app, dispatcher: Dispatcher) -> None:
    """Next months' partitions made ahead (ops.partitions; PostgreSQL), at start and every hour, on
    the reminders' thread: never in the way of a dispatch pass."""
    from ..ops.partitions import ensure

    def make_months():
        if dispatcher.stopping.is_set():
            return
        try:
            with app.app_context():
                made = ensure()
        except Exception as exc:  # noqa: BLE001 - a lock timeout or the database away: next hour
            log.error("partitions check failed: %s; next try in %ss", type(exc).__name__, PARTITIONS_EVERY)
            return
        if made:
            log.info("partitions created: %s", ", ".join(made))

    scheduler.add_job(make_months, "interval", seconds=PARTITIONS_EVERY, next_run_time=utcnow(), id="partitions",
                      executor="reminders", max_instances=1, coalesce=True, misfire_grace_time=None)


def _add_reminder_job(scheduler, app, dispatcher: Dispatcher) -> str | None:
    """The reminders scan (accommnotify.reminders) every REMINDER_INTERVAL seconds, when a channel
    is configured; returns the channels' names, or None."""
    from ..reminders.channels import configured_channels
    from ..reminders.service import run_once

    channels = configured_channels(app.config)
    if not channels:
        return None
    every = float(app.config.get("REMINDER_INTERVAL", 60))

    def remind():
        if dispatcher.stopping.is_set():
            return
        try:
            with app.app_context():
                report = run_once(utcnow(), app.config, owner=dispatcher.owner, channels=channels)
        except Exception as exc:  # noqa: BLE001 - the database may be away for a moment
            log.error("reminders scan failed: %s; next try in %ss", type(exc).__name__, every)
            return
        if report.sent or report.failed:
            log.info("reminders: %s", report.totals())

    scheduler.add_job(remind, "interval", seconds=every, next_run_time=utcnow(), id="reminders",
                      executor="reminders", max_instances=1, coalesce=True, misfire_grace_time=None)
    return ", ".join(channels)
