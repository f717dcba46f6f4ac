from werkzeug.routing import BaseConverter

from .routes import bp

__all__ = ["bp", "init_app"]


class StayIdConverter(BaseConverter):
    """Stay ids look like "st_…", so /stays/bulk is never read as the stay "bulk"."""
    regex = r"st_[0-9a-z]{1,40}"


class PortalFileIdConverter(BaseConverter):
    regex = r"pf_[0-9a-z]{1,40}"


class WebhookIdConverter(BaseConverter):
    regex = r"wh_[0-9a-z]{1,40}"


class RoomIdConverter(BaseConverter):
    regex = r"rm_[0-9a-z]{1,40}"


def init_app(app):
    app.url_map.converters["stay"] = StayIdConverter
    app.url_map.converters["webhook"] = WebhookIdConverter
    app.url_map.converters["portal_file"] = PortalFileIdConverter
    app.url_map.converters["room"] = RoomIdConverter
    from . import rooms  # noqa: F401  (its routes are on bp)
    app.register_blueprint(bp)

    # Routing errors happen before a blueprint is chosen: answer them as problems under /api/.
    from flask import request
    from werkzeug.exceptions import HTTPException
    from .problems import problem

    for code in (404, 405):
        @app.errorhandler(code)
        def _routing_error(exc: HTTPException):
            if request.path.startswith("/api/"):
                allow = dict(exc.get_headers()).get("Allow")
                return problem(exc.code, exc.description, headers={"Allow": allow} if allow else None)
            return exc
