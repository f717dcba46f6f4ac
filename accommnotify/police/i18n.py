"""The police catalog (domain "police"), made the request's default domain on police pages.

Flask-Babel merges ';'-joined domains into one catalog; police pages use their own domain so a
msgid shared with another surface can never pick up that surface's translation.
"""
from flask_babel import Domain, refresh

from ..i18n import TRANSLATIONS

domain = Domain(translation_directories=[str(TRANSLATIONS)], domain="police")
gettext = domain.gettext
ngettext = domain.ngettext
_ = gettext


def use_police_domain():
    """Police catalog for this request; the locale is chosen afresh (Flask-Babel caches it on `g`,
    which a request shares with an enclosing app context, e.g. in tests or CLI-driven renders)."""
    refresh()
    domain.as_default()
