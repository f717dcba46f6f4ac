"""Placeholder until the dispatch issue lands: the built-in police inbox adapter.

It is replaced by the real adapter (storing into inbox_notifications) in the dispatch work.
"""
from .base import Receiver


class InboxReceiver(Receiver):
    adapter = "inbox"

    def send(self, batch):
        raise NotImplementedError("the inbox adapter is built in the dispatch issue")
