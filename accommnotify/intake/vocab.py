"""The closed vocabularies of SPEC §3 (VNeID lists), one copy for every part of the service.

Values the rules check are defined in `accommnotify.rules` and only re-exported here.
"""
from ..rules.deadlines import CATEGORIES
from ..rules.guest import CITIZEN_DOCUMENT_KINDS, DOCUMENT_TYPES, SEXES, VISA_KINDS
from ..rules.stay import REASONS

FACILITY_KINDS = ("tourist_accommodation", "student_dormitory", "medical_facility", "household",
                  "rental_rooms", "other")
EVENTS = ("arrival", "amendment", "departure", "cancellation")
# Not yet delivered: an amendment updates these in place and a cancellation withdraws them.
UNDELIVERED = ("pending", "retrying", "dead")
FACILITY_CODE_PATTERN = r"^[A-Z0-9-]{2,32}$"

__all__ = ["CATEGORIES", "CITIZEN_DOCUMENT_KINDS", "DOCUMENT_TYPES", "EVENTS", "FACILITY_CODE_PATTERN", "FACILITY_KINDS", "REASONS", "SEXES",
           "UNDELIVERED", "VISA_KINDS"]
