"""Reminder channels: one module each, behind one small interface.

A channel module has ``from_settings(config) -> Channel | None`` (None: not configured). A
``Channel`` has a ``name``, says where a user is reached (``address_of``, None when the user gave
no address for it) and ``send``s a rendered ``Message`` there, raising ``ChannelError`` with a
short reason that never holds personal data. Adding a channel = one module + one line in MODULES.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

MODULES = {"email": "accommnotify.reminders.channels.email", "http": "accommnotify.reminders.channels.http"}


@dataclass(frozen=True)
class Message:
    kind: str            # problems | deadline | digest | test
    lang: str            # vi | en
    subject: str
    text: str
    link: str | None
    message_id: str      # stable per (user, kind, subjects): a resend carries the same id


@dataclass(frozen=True)
class Recipient:
    user_id: int
    facility_id: int
    email: str
    phone: str | None
    language: str
    channel: str
    kinds: frozenset[str]
    own: bool = True     # the user's own facility; False for one they work for through a membership


class ChannelError(Exception):
    """A send failed; the text is safe to store and log (no personal data)."""


class Channel(Protocol):
    name: str

    def address_of(self, recipient: Recipient) -> str | None: ...

    def send(self, address: str, message: Message) -> None: ...


class ChannelConfigError(ValueError):
    """A channel's settings are wrong; the text names the setting."""


def configured_channels(config) -> dict[str, Channel]:
    """The channels whose settings are given, by name (email first)."""
    out: dict[str, Channel] = {}
    for name, module in MODULES.items():
        channel = importlib.import_module(module).from_settings(config)
        if channel is not None:
            out[name] = channel
    return out
