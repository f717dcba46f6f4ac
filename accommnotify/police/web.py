def init_app(app):
    """Filled in by its issue."""
