from .cli import register_commands
from .health import bp as health_bp


def init_app(app):
    app.register_blueprint(health_bp)
    register_commands(app)
