import pytest

from tests.integration.dispatch import dispatch_support


@pytest.fixture(autouse=True)
def _reset_scripted():
    dispatch_support.ScriptedReceiver.SCRIPTS.clear()
    dispatch_support.ScriptedReceiver.SENT.clear()
    yield


@pytest.fixture(autouse=True)
def _loggers_enabled():
    # Alembic's fileConfig (run by the migration fixtures) disables loggers that existed before it.
    import logging
    for name in ("accommnotify.dispatch", "accommnotify.police.receiving", "accommnotify.receivers.http"):
        logging.getLogger(name).disabled = False
