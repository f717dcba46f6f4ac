"""Sessions for the two kinds of people who log in to pages: police officers and facility staff.

One Flask-Login manager serves both; a user id is "<kind>:<id>" and each surface registers the
loader for its kind. Cookies are HttpOnly and SameSite=Lax, and Secure as the setting
`SESSION_COOKIE_SECURE` says (fixed at start, never switched per request); every form carries a
CSRF token (Flask-WTF). JSON APIs authenticate with tokens and are CSRF-exempt.

Sessions are revocable (issue 10, item 5). `start_session(user)` clears the session (so no token or
search of the anonymous session survives, and the CSRF token is new) and records the user's
`session_version`, the login time and the last-seen time. On every request a session is refused
(cleared: the visitor is anonymous again) when the user's `session_version` has moved on — it is
bumped by `end_sessions(user)` at logout and password change, and by deactivating or disabling an
account — when it has been idle longer than `POLICE_IDLE_MINUTES` / `FACILITY_IDLE_MINUTES`, or
when it is older than `SESSION_LIFETIME_HOURS`.
"""
from urllib.parse import unquote, urlsplit

from flask import current_app, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, login_user
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
_LOADERS: dict = {}


def safe_next(target, default: str, within: str = "/") -> str:
    r"""`target` when it is a path of this site under `within`, else `default`: the one check for
    every "come back to" parameter (`next`, `back`), so none is an open redirect.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/<TAB>/evil.com"
    and "/\evil.com" mean "//evil.com": any white space, control character or backslash is refused
    (also once percent-decoded), and so are a scheme, a host, and a path starting with two slashes."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2048:
        return default
    if any(ch.isspace() for ch in target) or target.startswith("//"):
        return default
    decoded = unquote(target)  # the same once more percent-decoded, as some proxies would see it
    if decoded.startswith("//") or any(ch < " " or ch == "\x7f" or ch == "\\" for ch in target + decoded):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if within != "/" and not (parts.path == within or parts.path.startswith(within.rstrip("/") + "/")):
        return default
    return target


# The pages are server-rendered with no inline script or style (facility/form.js and the CSS are
# files of this site), so the policy allows only this site; forms post only here; no framing.
PAGES_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")


def personal_data_headers(response):
    """Headers for every answer that may carry personal data (pages and JSON APIs)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def invalid_input_field(form: bool = True) -> str | None:
    """The name of the first part of this request (its path, a query or form field) that holds a NUL
    byte or a lone surrogate, else None. Such text is refused at the door: PostgreSQL cannot store
    or even compare it (a 500 before), and it has no business in a name, an id or a filter."""
    from flask import request

    from .rules.text import has_invalid_characters
    if has_invalid_characters(request.path):
        return "path"
    sources = [request.args]
    if form and request.mimetype in _FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for key, value in source.items(multi=True):
            if has_invalid_characters(key) or has_invalid_characters(value):
                return key if not has_invalid_characters(key) else "?"
    return None


def register_user_loader(kind: str, loader) -> None:
    """`loader(id_str)` returns the user or None; the user's get_id() must return f"{kind}:{id}"."""
    _LOADERS[kind] = loader


@login_manager.user_loader
def _load_user(user_id: str):
    kind, _, ident = user_id.partition(":")
    loader = _LOADERS.get(kind)
    user = loader(ident) if loader else None
    if user is None or session.get(_VERSION) != user.session_version:
        return None  # logged out elsewhere, password changed, account disabled: this session is over
    return user


# --- revocable sessions ------------------------------------------------------------------------

_VERSION, _AUTH_AT, _SEEN_AT = "_sv", "_auth_at", "_seen_at"
_IDLE_SETTINGS = {"officer": ("POLICE_IDLE_MINUTES", 30), "facility": ("FACILITY_IDLE_MINUTES", 720)}


def _now() -> int:
    from .timeutil import utcnow
    return int(utcnow().timestamp())


def start_session(user) -> None:
    """Logs `user` in on a fresh session (nothing of the session before login is kept)."""
    session.clear()
    login_user(user)
    now = _now()
    session[_VERSION] = user.session_version
    session[_AUTH_AT] = session[_SEEN_AT] = now


def end_sessions(user) -> None:
    """Ends every session of `user`, on every device (the caller commits)."""
    user.session_version = (user.session_version or 0) + 1


def _expire_session():
    """Before every request: an idle or too old session is cleared before anyone reads it."""
    user_id = session.get("_user_id")
    if not user_id:
        return
    name, default = _IDLE_SETTINGS.get(user_id.partition(":")[0], ("FACILITY_IDLE_MINUTES", 720))
    idle = int(current_app.config.get(name, default)) * 60
    lifetime = int(current_app.config.get("SESSION_LIFETIME_HOURS", 24)) * 3600
    now = _now()
    auth_at, seen_at = session.get(_AUTH_AT), session.get(_SEEN_AT)
    if not isinstance(auth_at, int) or not isinstance(seen_at, int) \
            or now - seen_at > idle or now - auth_at > lifetime:
        session.clear()
        return
    if now - seen_at >= 30:  # not on every request: the cookie need not change each time
        session[_SEEN_AT] = now


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """Cookie sessions for the pages; the bearer-token JSON APIs get none (no cookie to read,
    sign or set on the hot path of facility software posting stays)."""

    TOKEN_APIS = ("/api/", "/police/api/")
    # ...and no session either for the reception display (checkin/display.py): a staff cookie left in
    # the tablet's browser is neither read nor refreshed by a page that reloads itself all day.
    SESSIONLESS = TOKEN_APIS + ("/checkin-display/",)

    def open_session(self, app, request):
        if request.path.startswith(self.SESSIONLESS):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if session.__class__ is self.null_session_class:
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = PagesOnlySessionInterface()
    # Flask's own defaults exist (SameSite None), so these are set, not setdefault'ed.
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_expire_session)

    hsts = int(app.config.get("HSTS_SECONDS") or 0)
    if hsts > 0:  # only behind https: browsers then refuse plain http for this host for that long
        value = f"max-age={hsts}; includeSubDomains"

        @app.after_request
        def _hsts(response):
            response.headers.setdefault("Strict-Transport-Security", value)
            return response
