"""All tables. Import from here so every model is registered before migrations or create_all."""
from .dispatch import DeliveryAttempt, ReceiverState
from .inbox import InboxNotification
from .intake import ApiKey, Facility, FacilityRef, Guest, Notification, Stay

__all__ = ["ApiKey", "DeliveryAttempt", "Facility", "FacilityRef", "Guest", "InboxNotification", "Notification",
           "ReceiverState", "Stay"]
