# The scripted police receiver is reset between tests here too.
from tests.integration.dispatch.conftest import _loggers_enabled, _reset_scripted  # noqa: F401
