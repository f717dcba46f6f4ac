"""The facility pages (/facility): guesthouse staff declare stays on a phone, Vietnamese first.

Server-rendered, working without JavaScript; a small script (static/facility/form.js) makes adding
guests and filling them from a scan instant. Every write goes through the intake service, so the
form and file import obey the same rule set as the API.
"""
from ..models.facility_users import FacilityUser  # noqa: F401  (registers the table)


def init_app(app):
    from ..web_auth import login_manager, register_user_loader
    from .accounts import load_user
    from .cli import demo_user, facility_user_cli
    from .views import bp
    from . import reminder_settings  # noqa: F401  (its route is on bp)
    from . import rooms  # noqa: F401  (its routes are on bp)
    from . import dormitory  # noqa: F401  (its routes are on bp)
    from . import checkins  # noqa: F401  (self check-in routes, on bp)

    register_user_loader("facility", load_user)
    login_manager.blueprint_login_views["facility"] = "facility.login"
    app.register_blueprint(bp)
    app.cli.add_command(facility_user_cli)
    from ..portal.cli import portal_cli
    app.cli.add_command(portal_cli)
    app.extensions.setdefault("accommnotify.demo_hooks", []).append(demo_user)
    app.extensions["accommnotify.demo_hooks"].append(rooms.demo_rooms)
