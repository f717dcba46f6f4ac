"""The closed vocabularies of SPEC §3 (VNeID lists)."""
FACILITY_KINDS = ("tourist_accommodation", "student_dormitory", "medical_facility", "household",
                  "rental_rooms", "other")
REASONS = ("tourism", "business", "family_visit", "medical_treatment", "caregiving", "study", "work",
           "other")
SEXES = ("male", "female")
DOCUMENT_TYPES = ("passport", "travel_document")
VISA_KINDS = ("visa", "e_visa", "visa_exempt", "temporary_residence_card", "permanent_residence_card",
              "abtc")
STAY_STATUSES = ("in_house", "departed", "cancelled")
EVENTS = ("arrival", "amendment", "departure", "cancellation")
CATEGORIES = ("residence", "foreigner")
NOTIFICATION_STATUSES = ("pending", "sending", "accepted", "rejected", "retrying", "dead", "withdrawn")
# Not yet delivered: an amendment updates these in place and a cancellation withdraws them.
UNDELIVERED = ("pending", "retrying", "dead")
FACILITY_CODE_PATTERN = r"^[A-Z0-9-]{2,32}$"
