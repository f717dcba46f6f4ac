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

# Words that depend on the facility's kind: hospitals say admission, discharge and department / bed
# (issue 13 item 1), and list beds in departments on the rooms board (item 4). ONE place for every
# page: templates read `words.<key>` (the context processor gives `words` for the current facility)
# or `vocab.kind_word(kind, key)`; Python code calls `words(kind)`. A key missing from a kind's table
# falls back to the general word.
GENERAL_WORDS = {
    "room": _l("Room"), "room_n": _l("Room %(room)s"), "no_room": _l("No room given"),
    "arrived_at": _l("Arrived at"), "arrived_n": _l("Arrived %(when)s"),
    "check_out": _l("Check out"), "check_out_n": _l("Check out %(name)s"),
    "check_out_all": _l("Check out everyone"), "left_at": _l("Left at"),
    "confirm_check_out": _l("Confirm check-out"), "undo_check_out": _l("Undo check-out"), "leaving": _l("Leaving:"),
    "count_rooms": True,  # the in-house title counts rooms ("3 khách · 2 phòng")
    "companion": _l("Companion"), "companion_of": _l("Accompanies %(name)s"),
    "add_companion": _l("+ Add a companion"), "ref": _l("Booking ref"), "arrival_title": _l("Stay"),
    "department": _l("Room"), "bed": _l("Room"), "patient": _l("Guest"),
    "events": EVENTS,
    # the rooms board
    "room_name": _l("Room"), "room_list": _l("Rooms"), "section": _l("Floor or area"),
    "no_section": _l("Other rooms"), "add_rooms": _l("Add rooms"),
    "names_hint": _l("One name, several separated by commas, or a range: 101-110 adds ten rooms."),
    "unlisted": _l("In house in rooms not on the list"), "none_listed": _l("No rooms are listed yet."),
    "free_rooms": _l("Free rooms"),
    "over": _l("Room %(room)s now has %(guests)s guests, more than its %(capacity)s places. The stay was saved."),
}
KIND_WORDS = {
    "medical_facility": {
        "room": _l("Department / bed"), "room_n": _l("Department / bed %(room)s"),
        "no_room": _l("No department given"),
        "arrived_at": _l("Admitted at"), "arrived_n": _l("Admitted %(when)s"),
        "check_out": _l("Discharge"), "check_out_n": _l("Discharge %(name)s"),
        "check_out_all": _l("Discharge everyone"), "left_at": _l("Discharged at"),
        "confirm_check_out": _l("Confirm discharge"), "undo_check_out": _l("Undo discharge"),
        "leaving": _l("Leaving hospital:"),
        "count_rooms": False,  # a department / bed is not a room to count
        "department": _l("Department"), "bed": _l("Bed"), "ref": _l("Admission number"),
        "arrival_title": _l("Admission"),
        "patient": _l("Patient"), "companion": _l("Patient's relative or carer"),
        "companion_of": _l("Relative or carer of %(name)s"), "add_companion": _l("+ Add a relative or carer"),
        "events": {**EVENTS, "arrival": _l("Admission"), "departure": _l("Discharge")},
        "room_name": _l("Bed"), "room_list": _l("Beds"), "section": _l("Department"),
        "no_section": _l("Other beds"), "add_rooms": _l("Add beds"),
        "names_hint": _l("One name, several separated by commas, or a range: G1-G10 adds ten beds."),
        "unlisted": _l("In house in beds not on the list"), "none_listed": _l("No beds are listed yet."),
        "free_rooms": _l("Free beds"),
        "over": _l("Bed %(room)s now has %(guests)s patients, more than its %(capacity)s places. The stay was saved."),
    },
}


def words(kind: str | None) -> dict:
    """The page words for a facility of this kind (GENERAL_WORDS where the kind has none of its own)."""
    own = KIND_WORDS.get(kind or "")
    return {**GENERAL_WORDS, **own} if own else GENERAL_WORDS


def kind_word(kind: str | None, key: str):
    return words(kind)[key]
