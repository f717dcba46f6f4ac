"""Guest self check-in (issue 13 item 5; docs/SELF_CHECKIN.md): a guest fills in their own details
on their phone, from the desk's QR code or a booking's link; staff confirm in one tap."""


def init_app(app):
    from .views import bp
    app.register_blueprint(bp)
    from .display import bp as display_bp   # the reception display (no staff session)
    app.register_blueprint(display_bp)
