"""Labels of the guest pages (catalog domain `checkin`)."""
from .i18n import lazy_gettext as _l

REASONS = {"tourism": _l("Tourism"), "business": _l("Business trip"), "family_visit": _l("Family visit"),
           "medical_treatment": _l("Medical treatment"), "caregiving": _l("Caring for a patient"),
           "study": _l("Study"), "work": _l("Work"), "other": _l("Other")}
SEXES = {"male": _l("Male"), "female": _l("Female")}
DOCUMENT_TYPES = {"passport": _l("Passport"), "travel_document": _l("Travel document")}
VISA_KINDS = {"visa": _l("Visa"), "e_visa": _l("E-visa"), "visa_exempt": _l("Visa exemption"),
              "temporary_residence_card": _l("Temporary residence card"),
              "permanent_residence_card": _l("Permanent residence card"), "abtc": _l("APEC business travel card")}
FIELD_LABELS = {
    "reason": _l("Reason for the stay"), "privacy": _l("Privacy notice"), "guests": _l("Guests"),
    "kind": _l("Vietnamese citizen or foreigner"), "scan": _l("ID card QR code or passport MRZ"),
    "full_name": _l("Full name"), "date_of_birth": _l("Date of birth"), "sex": _l("Sex"),
    "id_number": _l("Personal ID number (12 digits)"), "passport_number": _l("Passport number"),
    "nationality": _l("Nationality (3-letter code)"), "document_type": _l("Document"),
    "document_number": _l("Passport number"), "document_mrz": _l("MRZ (two lines)"),
    "visa_kind": _l("Visa"), "visa_number": _l("Visa number"), "visa_valid_until": _l("Visa valid until"),
    "entry_date": _l("Entry date"), "entry_port": _l("Port of entry"), "purpose": _l("Purpose of entry"),
    "phone": _l("Phone"), "permanent_address": _l("Permanent address"),
    "document_kind": _l("Document"), "document_name": _l("Document"),
}
