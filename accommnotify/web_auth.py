"""Sessions for the two kinds of people who log in to pages: police officers and facility staff.

One Flask-Login manager serves both; a user id is "<kind>:<id>" and each surface registers the
loader for its kind. Cookies are HttpOnly and SameSite=Lax, Secure when served over https; every
form carries a CSRF token (Flask-WTF). JSON APIs authenticate with tokens and are CSRF-exempt.
"""
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
_LOADERS: dict = {}


def register_user_loader(kind: str, loader) -> None:
    """`loader(id_str)` returns the user or None; the user's get_id() must return f"{kind}:{id}"."""
    _LOADERS[kind] = loader


@login_manager.user_loader
def _load_user(user_id: str):
    kind, _, ident = user_id.partition(":")
    loader = _LOADERS.get(kind)
    return loader(ident) if loader else None


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """Cookie sessions for the pages; the bearer-token JSON APIs get none (no cookie to read,
    sign or set on the hot path of facility software posting stays)."""

    TOKEN_APIS = ("/api/", "/police/api/")

    def open_session(self, app, request):
        if request.path.startswith(self.TOKEN_APIS):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if session.__class__ is self.null_session_class:
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = PagesOnlySessionInterface()
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    csrf.init_app(app)

    @app.before_request
    def _secure_cookies_over_https():
        from flask import request
        if request.is_secure:
            app.config["SESSION_COOKIE_SECURE"] = True
            app.config["REMEMBER_COOKIE_SECURE"] = True
