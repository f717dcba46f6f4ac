def init_app(app):
    """Registers this part's blueprints and commands (filled in by its issue)."""
