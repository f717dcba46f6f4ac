"""Labels of the closed vocabularies, translated (catalog domain `facility`)."""
from flask_babel import lazy_gettext as _l

REASONS = {"tourism": _l("Tourism"), "business": _l("Business trip"), "family_visit": _l("Family visit"),
           "medical_treatment": _l("Medical treatment"), "caregiving": _l("Caring for a patient"),
           "study": _l("Study"), "work": _l("Work"), "other": _l("Other")}
SEXES = {"male": _l("Male"), "female": _l("Female")}
DOCUMENT_TYPES = {"passport": _l("Passport"), "travel_document": _l("Travel document")}
CITIZEN_DOCUMENT_KINDS = {"cccd": _l("Chip ID card (CCCD)"), "can_cuoc": _l("Identity card (from 1 July 2024)"),
                          "passport": _l("Passport"), "other": _l("Other document")}
VISA_KINDS = {"visa": _l("Visa"), "e_visa": _l("E-visa"), "visa_exempt": _l("Visa exemption"),
              "temporary_residence_card": _l("Temporary residence card"),
              "permanent_residence_card": _l("Permanent residence card"), "abtc": _l("APEC business travel card")}
STATUSES = {"pending": _l("Waiting to be sent"), "sending": _l("Sending"), "accepted": _l("Accepted"),
            "rejected": _l("Rejected"), "retrying": _l("Retrying"), "dead": _l("Not delivered"),
            "withdrawn": _l("Withdrawn"), "awaiting_upload": _l("Awaiting upload")}
EVENTS = {"arrival": _l("Arrival"), "amendment": _l("Correction"), "departure": _l("Departure"),
          "cancellation": _l("Cancellation")}
STAY_STATUSES = {"in_house": _l("In house"), "departed": _l("Departed"), "cancelled": _l("Cancelled")}
CATEGORIES = {"residence": _l("Stay notification"), "foreigner": _l("Foreigner declaration")}
DEFAULT_REASON = {"medical_facility": "medical_treatment", "student_dormitory": "study", "rental_rooms": "work"}
