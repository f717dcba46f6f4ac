"""The police inbox (issue 4): pages under /police, the read API under /police/api/v1, commands."""
from .. import models  # noqa: F401
from ..models import police as _police_models  # noqa: F401  (registers the police tables)


def init_app(app):
    from ..web_auth import csrf, login_manager, register_user_loader
    from . import api, views
    from .accounts import load_officer
    from .cli import demo_officer_hook, officer_cli

    register_user_loader("officer", load_officer)
    login_manager.blueprint_login_views["police"] = "police.login"
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)
    app.cli.add_command(officer_cli)
    app.extensions.setdefault("accommnotify.demo_hooks", []).append(demo_officer_hook)
