import importlib.util
import sys
from pathlib import Path

import pytest

from accommnotify.receivers.base import Batch


def _load_samples():
    name = "receivers_sample_data"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parents[2] / "unit" / "receivers" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


samples = _load_samples()


@pytest.fixture
def make_batch():
    def make(n: int = 3, batch_id: str = "bat_test0001") -> Batch:
        return Batch(**samples.batch_kwargs(n, batch_id))

    return make
