# The scripted receiver is reset between tests here too.
from tests.integration.dispatch.conftest import _reset_scripted  # noqa: F401
