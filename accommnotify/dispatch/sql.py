"""SQL pieces shared by the dispatcher, its commands and /metrics.

The predicates are literal text on purpose: SQLite uses a partial index only when the query
repeats the index's WHERE clause with the same constants (bound parameters would not do), and
PostgreSQL proves the implication either way.
"""
from sqlalchemy import text

from ..models import DeliveryAttempt, Notification, ReceiverState
from ..models.intake import (AWAITING_PREDICATE, DEAD_PREDICATE, LATE_PREDICATE, QUEUED_PREDICATE,
                             SENDING_PREDICATE)

N = Notification.__table__
ATTEMPTS = DeliveryAttempt.__table__
STATES = ReceiverState.__table__

QUEUED = text("notifications." + QUEUED_PREDICATE)      # pending or retrying: waiting to be claimed
SENDING = text("notifications." + SENDING_PREDICATE)    # claimed, lease running or expired
DEAD = text("notifications." + DEAD_PREDICATE)
LATE = text("notifications." + LATE_PREDICATE)
AWAITING = text("notifications." + AWAITING_PREDICATE)  # in a portal file, not confirmed yet
