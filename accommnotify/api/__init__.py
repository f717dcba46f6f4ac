from .routes import bp

__all__ = ["bp", "init_app"]


def init_app(app):
    app.register_blueprint(bp)
