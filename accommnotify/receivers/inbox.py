"""``inbox`` adapter: store each batch into the built-in police inbox of the same database.

The default receiver (config/receivers.toml), so the quick start needs no other server. Storing
dedupes by notification id (a replay changes nothing) and every well-formed item is accepted
with a deterministic receipt; a malformed item (a bug, not the guest's fault) is rejected with
``wire.*`` codes. A database error becomes a retry of the whole batch.
"""
from __future__ import annotations

import logging
from typing import Any

from .base import Batch, Delivery, Outcome, Receiver, bounded

log = logging.getLogger(__name__)


class InboxReceiver(Receiver):
    adapter = "inbox"

    def __init__(self, name: str, max_batch: int = 500, **options: Any):
        super().__init__(name, max_batch=max_batch, **options)

    def send(self, batch: Batch) -> Delivery:
        from sqlalchemy.exc import SQLAlchemyError

        from ..inbox import store_batch
        try:
            results = store_batch(batch.notifications, source=batch.sender, batch_id=batch.id)
        except SQLAlchemyError as exc:
            log.warning("receiver %s batch %s: inbox store failed (%s)", self.name, batch.id,
                        type(exc).__name__)
            return Delivery.all(batch, "retry", error_class=type(exc).__name__,
                                excerpt=bounded(type(exc).__name__))
        outcomes: dict[str, Outcome] = {nid: Outcome.retry() for nid in batch.ids}
        for item in results:
            nid = item.get("id")
            if nid not in outcomes:
                continue
            if item["status"] == "accepted":
                outcomes[nid] = Outcome.accepted(item["receipt"])
            else:
                outcomes[nid] = Outcome.rejected(item["code"], item["message"])
        accepted = sum(1 for o in outcomes.values() if o.status == "accepted")
        return Delivery(outcomes=outcomes, excerpt=f"stored {accepted} of {len(outcomes)} into the inbox")
