"""Language of pages: Vietnamese first, English on request (?lang=en, remembered in a cookie).

Each surface keeps its own Flask-Babel catalog domain (`police`, `facility`) under
accommnotify/translations, so the parts are translated independently.
"""
from flask import Blueprint, redirect, request
from flask_babel import Babel

from .rules.messages import pick_language
from .settings import PROJECT_ROOT

LANGUAGES = ("vi", "en")
COOKIE = "lang"
DOMAINS = ("police", "facility")
TRANSLATIONS = PROJECT_ROOT / "accommnotify" / "translations"

babel = Babel()
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if request.blueprint == "checkin":   # the guest pages: vi, en, zh, ko (checkin/i18n.py)
        from .checkin.i18n import guest_language
        return guest_language()
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return pick_language(request.headers.get("Accept-Language"))


@bp.get("/lang/<code>")
def switch_language(code):
    """Sets the language cookie and goes back where the person was (only to a local path)."""
    from .web_auth import safe_next
    response = redirect(safe_next(request.args.get("next"), "/"))
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(TRANSLATIONS) for _ in DOMAINS)
    app.config["BABEL_DOMAIN"] = ";".join(DOMAINS)
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
