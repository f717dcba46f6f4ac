from .routes import bp

__all__ = ["bp", "init_app"]


def init_app(app):
    app.register_blueprint(bp)

    # Routing errors happen before a blueprint is chosen: answer them as problems under /api/.
    from flask import request
    from werkzeug.exceptions import HTTPException
    from .problems import problem

    for code in (404, 405):
        @app.errorhandler(code)
        def _routing_error(exc: HTTPException):
            if request.path.startswith("/api/"):
                return problem(exc.code, exc.description)
            return exc
