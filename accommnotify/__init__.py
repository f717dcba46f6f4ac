"""accommnotify: accommodation notifications from facilities to the police."""
from flask import Flask

from . import crypto
from .database import configure_engine, engine_options, private_sqlite_file
from .extensions import db, migrate
from .jsonio import OrjsonProvider
from .secret_key import resolve as resolve_secret_key
from .settings import PROJECT_ROOT, load_settings


def create_app(overrides: dict | None = None) -> Flask:
    """One factory for web workers, the dispatcher and the CLI; only the entry point differs."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "var"))
    app.json = OrjsonProvider(app)
    settings = load_settings(overrides)
    app.config.update(settings)
    app.config["SECRET_KEY"] = resolve_secret_key(settings, PROJECT_ROOT)  # refuses a weak key
    app.extensions[crypto.EXTENSION] = crypto.resolve(settings, PROJECT_ROOT, app.config["SECRET_KEY"])
    private_sqlite_file(settings["DATABASE_URL"])  # the database file is created 0600
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(settings["DATABASE_URL"])
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]

    from . import models  # noqa: F401  (register every table)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    _init_read_replica(app)
    with app.app_context():
        configure_engine(db.engine)
        db.engine.dialect.accommnotify_keyring = app.extensions[crypto.EXTENSION]
        _check_data_key(app)

    from . import api, checkin, dispatch, facility, i18n, landing, ops, police, proof, reminders, timeutil, web_auth, webhooks
    proof.init_app(app, (app.config["SECRET_KEY"], settings.get("DATA_KEY") or None))
    i18n.init_app(app)
    timeutil.init_app(app)        # fmt_time / fmt_date: one date format on every page
    web_auth.init_app(app)
    web_auth.csrf.exempt(api.bp)  # bearer-key JSON API: no cookies, no CSRF
    for part in (ops, api, dispatch, police, facility, checkin, landing, reminders, webhooks):
        part.init_app(app)
    _check_receivers_file(app)
    _check_inbound_secrets(app)
    proxies = int(settings.get("PROXY_COUNT") or 0)
    if proxies > 0:  # trust exactly that many X-Forwarded-* hops, never what a client sends itself
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    return app


class StartupError(RuntimeError):
    """The process must not start: the message says what to fix."""


def _init_read_replica(app: Flask) -> None:
    """READ_DATABASE_URL (docs/REPLICA.md): refused at start with SQLite on either side."""
    from . import replica
    try:
        replica.init_app(app)
    except replica.ReplicaConfigError as exc:
        raise StartupError(f"cannot start (web server, dispatcher or command): {exc}") from None


def _check_inbound_secrets(app: Flask) -> None:
    """INBOUND_SECRETS (police side) is checked when any process starts: a secret bound to no
    sender or ward, or a malformed table, stops it with the reason."""
    from .police.receiving import InboundConfigError, check_inbound_config
    try:
        check_inbound_config(app.config)
    except InboundConfigError as exc:
        raise StartupError(f"cannot start (web server, dispatcher or command): {exc}") from None


def _check_receivers_file(app: Flask) -> None:
    """The receivers file is loaded and checked when any process starts (web worker, dispatcher,
    command): a bad file stops it with every problem listed, instead of a 500 on each posted stay
    while /readyz says ok."""
    from .receivers.base import ReceiverConfigError
    from .routing import receivers_config
    try:
        config = receivers_config(app)
    except ReceiverConfigError as exc:
        raise StartupError(f"cannot start (web server, dispatcher or command): {exc}") from None
    for warning in config.warnings:
        app.logger.warning("%s", warning)


def _check_data_key(app: Flask) -> None:
    """Refuses to start when stored numbers do not decrypt with the configured keys (a wrong or
    missing ACCOMMNOTIFY_DATA_KEY): one stored value of each encrypted column is tried. Before the
    tables exist (a first `db upgrade`) there is nothing to check."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    keys = app.extensions[crypto.EXTENSION]
    checks = (("guests", "id_number"), ("guests", "document_number"), ("guests", "passport_number"),
              ("inbox_notifications", "id_number"), ("inbox_notifications", "document_number"))
    from .database import read_only
    try:
        with read_only(), db.engine.connect() as conn:
            for table, column in checks:
                value = conn.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "
                                          f"AND {column} LIKE 'e1.%' LIMIT 1")).scalar()
                if value is not None:
                    try:
                        keys.decrypt(value)
                    except crypto.DataKeyError as exc:
                        raise StartupError(f"cannot start: {exc}") from None
    except DBAPIError:
        return  # no such table yet (before migrations)
