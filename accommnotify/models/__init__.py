"""All tables. Import from here so every model is registered before migrations or create_all."""
from .checkin import CheckinLink, CheckinSubmission
from .checkin_display import CheckinDisplay
from .chains import FacilityMembership, Organisation, OrganisationFacility, OrganisationKey
from .dormitory import Term, TermStay
from .dispatch import DeliveryAttempt, ReceiverState
from .inbox import InboxNotification
from .facility_users import FacilityUser
from .intake import ApiKey, Facility, FacilityRef, Guest, Notification, Stay
from .portal import PortalFile, PortalFileRow
from .reminders import ReminderSettings, SentReminder
from .rooms import Room
from .webhooks import WebhookAttempt, WebhookMessage, WebhookSubscription
from .police import AuditEntry, LoginThrottle, Officer, OfficerScope, PoliceSearch, PoliceToken

__all__ = ["ApiKey", "CheckinDisplay", "CheckinLink", "CheckinSubmission", "FacilityMembership", "Organisation", "OrganisationFacility", "OrganisationKey", "AuditEntry", "LoginThrottle", "Officer", "OfficerScope", "PoliceSearch", "PoliceToken",
           "DeliveryAttempt", "Facility", "FacilityRef", "FacilityUser", "Guest", "InboxNotification", "Notification",
           "PortalFile", "PortalFileRow", "ReceiverState", "ReminderSettings", "Room", "SentReminder", "Stay", "Term",
           "TermStay",
           "WebhookAttempt", "WebhookMessage", "WebhookSubscription"]
