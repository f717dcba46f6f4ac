import pytest

from accommnotify.receivers.base import Batch
from tests.unit.receivers import receivers_sample_data as samples


@pytest.fixture
def make_batch():
    def make(n: int = 3, batch_id: str = "bat_test0001") -> Batch:
        return Batch(**samples.batch_kwargs(n, batch_id))

    return make
