import importlib.metadata
import importlib.util
import textwrap

import pytest

from accommnotify.receivers.base import Receiver, ReceiverConfigError
from accommnotify.receivers.email import EmailReceiver
from accommnotify.receivers.file import FileReceiver
from accommnotify.receivers.http import HttpReceiver
from accommnotify.receivers.registry import BUILTIN_ADAPTERS, ENTRY_POINT_GROUP, load_adapter_class


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    name = "fake_receiver_adapters_for_tests"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from accommnotify.receivers.base import Receiver, Delivery

            class Good(Receiver):
                adapter = "good"
                def send(self, batch):
                    return Delivery.all(batch, "accepted")

            class Duck:
                def __init__(self, name, max_batch=500, **options):
                    self.name, self.max_batch = name, max_batch
                def send(self, batch):
                    return Delivery.all(batch, "accepted")

            class NoSend:
                pass

            not_a_class = 42
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_builtins():
    assert load_adapter_class("http") is HttpReceiver
    assert load_adapter_class("file") is FileReceiver
    assert load_adapter_class("email") is EmailReceiver
    assert BUILTIN_ADAPTERS["inbox"] == "accommnotify.receivers.inbox:InboxReceiver"


def test_inbox_is_lazily_imported_from_its_module():
    if importlib.util.find_spec("accommnotify.receivers.inbox") is None:
        with pytest.raises(ReceiverConfigError, match="accommnotify.receivers.inbox"):
            load_adapter_class("inbox")
    else:
        cls = load_adapter_class("inbox")
        assert cls.__name__ == "InboxReceiver" and callable(getattr(cls, "send", None))


@pytest.mark.parametrize("sep", [":", "."])
def test_dotted_path(fake_module, sep):
    cls = load_adapter_class(f"{fake_module}{sep}Good")
    assert issubclass(cls, Receiver) and cls.__name__ == "Good"


def test_duck_typed_class_with_send_is_accepted(fake_module):
    assert load_adapter_class(f"{fake_module}:Duck").__name__ == "Duck"


@pytest.mark.parametrize(
    "attr, message",
    [
        ("NoSend", "neither a subclass"),
        ("not_a_class", "is not a class"),
        ("Missing", "has no attribute 'Missing'"),
    ],
)
def test_dotted_path_errors(fake_module, attr, message):
    with pytest.raises(ReceiverConfigError, match=message):
        load_adapter_class(f"{fake_module}:{attr}")


def test_dotted_path_to_missing_module():
    with pytest.raises(ReceiverConfigError, match="cannot import module 'no_such_pkg_xyz.mod'"):
        load_adapter_class("no_such_pkg_xyz.mod:Thing")


def test_entry_point(fake_module, monkeypatch):
    calls = []

    def fake_entry_points(**kw):
        calls.append(kw)
        return [
            importlib.metadata.EntryPoint(name="fancy", value=f"{fake_module}:Good", group=ENTRY_POINT_GROUP),
            importlib.metadata.EntryPoint(name="broken", value="no_such_pkg_xyz:X", group=ENTRY_POINT_GROUP),
        ]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    assert load_adapter_class("fancy").__name__ == "Good"
    assert calls == [{"group": ENTRY_POINT_GROUP}]
    with pytest.raises(ReceiverConfigError, match="entry point 'no_such_pkg_xyz:X'.*failed to load"):
        load_adapter_class("broken")
    # built-ins win over an entry point of the same name
    assert load_adapter_class("http") is HttpReceiver


def test_unknown_name():
    with pytest.raises(ReceiverConfigError) as err:
        load_adapter_class("carrier-pigeon")
    text = str(err.value)
    assert "unknown adapter 'carrier-pigeon'" in text
    assert "inbox, http, file, email" in text and ENTRY_POINT_GROUP in text


def test_empty_name():
    with pytest.raises(ReceiverConfigError, match="non-empty"):
        load_adapter_class("")
