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
# The form fields' labels (the same msgids as the templates), for the error summary: "Khách 2 · Ngày sinh".
FIELD_LABELS = {
    "room": _l("Room"), "arrived_at": _l("Arrived at"), "reason": _l("Reason for the stay"),
    "expected_departure": _l("Expected departure"), "external_ref": _l("Booking ref"),
    "reason_note": _l("Note on the reason"), "departed_at": _l("Left at"),
    "kind": _l("Citizen or foreigner"), "scan": _l("Scan the ID card QR code or the passport MRZ"),
    "full_name": _l("Full name"), "date_of_birth": _l("Date of birth"), "sex": _l("Sex"),
    "id_number": _l("Personal ID number (12 digits)"), "passport_number": _l("Passport number (citizens living abroad)"),
    "document_kind": _l("Which card"), "document_name": _l("Name of the document (other)"),
    "nationality": _l("Nationality (3-letter code)"), "document_type": _l("Document"),
    "document_number": _l("Document number"), "document_mrz": _l("MRZ (two lines, filled by the scan)"),
    "visa_kind": _l("Visa"), "visa_number": _l("Visa number"), "visa_valid_until": _l("Visa valid until"),
    "entry_date": _l("Entry date"), "entry_port": _l("Port of entry"), "purpose": _l("Purpose of entry"),
    "phone": _l("Phone"), "permanent_address": _l("Permanent address"),
}

# ---- words that depend on the facility's kind (the rooms board, issue 13 item 4) -----------------
# One place for them: a hospital (`medical_facility`) lists beds in departments ("Giường", "Khoa"),
# the others rooms on floors. Add a word as {"default": …, "medical_facility": …}; a kind without its
# own entry takes "default". Look up with kind_word(kind, key).
KIND_WORDS = {
    "room": {"default": _l("Room"), "medical_facility": _l("Bed")},
    "room_list": {"default": _l("Rooms"), "medical_facility": _l("Beds")},
    "section": {"default": _l("Floor or area"), "medical_facility": _l("Department")},
    "no_section": {"default": _l("Other rooms"), "medical_facility": _l("Other beds")},
    "add_rooms": {"default": _l("Add rooms"), "medical_facility": _l("Add beds")},
    "names_hint": {"default": _l("One name, several separated by commas, or a range: 101-110 adds ten rooms."),
                   "medical_facility": _l("One name, several separated by commas, or a range: G1-G10 adds ten beds.")},
    "unlisted": {"default": _l("In house in rooms not on the list"),
                 "medical_facility": _l("In house in beds not on the list")},
    "no_room": {"default": _l("No room given"), "medical_facility": _l("No bed given")},
    "none_listed": {"default": _l("No rooms are listed yet."), "medical_facility": _l("No beds are listed yet.")},
    "free_rooms": {"default": _l("Free rooms"), "medical_facility": _l("Free beds")},
    "over": {"default": _l("Room %(room)s now has %(guests)s guests, more than its %(capacity)s places. The stay was saved."),
             "medical_facility": _l("Bed %(room)s now has %(guests)s patients, more than its %(capacity)s places. The stay was saved.")},
}


def kind_word(kind: str | None, key: str):
    words = KIND_WORDS[key]
    return words.get(kind or "", words["default"])
