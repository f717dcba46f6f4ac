from tests.integration.facility.conftest import staff  # noqa: F401  (a logged-in facility user)
