"""The guest pages' own catalog (domain `checkin`: vi, zh, ko; English msgids) and language choice.

Guests choose among Vietnamese, English, Chinese and Korean (the largest arrival markets). The
choice travels as `?lang=` on links and a hidden `lang` field in the form, and is remembered in the
session; otherwise the browser's Accept-Language decides, else Vietnamese. Rule messages: vi / en
from rules/messages.py, zh / ko for the codes a guest can meet from checkin/messages.py, English
for any other (docs/SELF_CHECKIN.md).
"""
from flask import request, session
from flask_babel import Domain

from ..i18n import TRANSLATIONS

LANGUAGES = ("vi", "en", "zh", "ko")
NAMES = {"vi": "Tiếng Việt", "en": "English", "zh": "中文", "ko": "한국어"}
SESSION_KEY = "checkin_lang"

domain = Domain(translation_directories=[str(TRANSLATIONS)], domain="checkin")
gettext = domain.gettext
lazy_gettext = domain.lazy_gettext


def guest_language() -> str:
    for chosen in (request.args.get("lang"), request.form.get("lang") if request.method == "POST" else None,
                   session.get(SESSION_KEY)):
        if chosen in LANGUAGES:
            return chosen
    try:
        best = request.accept_languages.best_match(LANGUAGES)
    except Exception:   # a header werkzeug cannot read: the default, never a 500
        best = None
    return best or "vi"

