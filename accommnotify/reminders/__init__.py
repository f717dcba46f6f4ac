"""Reminders to a facility's users (issue 12 item 2; docs/REMINDERS.md): scan (service), words
(render), channels (one module each), the `reminders` CLI; the dispatcher runs the scan."""


def init_app(app):
    from .channels import ChannelConfigError, configured_channels
    from .cli import reminders_cli
    from .service import parse_digest_time
    app.cli.add_command(reminders_cli)
    try:  # a wrong channel setting stops every process at start, with the setting named
        configured_channels(app.config)
        parse_digest_time(app.config.get("REMINDER_DIGEST_TIME", "07:00"))
    except (ChannelConfigError, ValueError) as exc:
        from .. import StartupError
        raise StartupError(f"cannot start (web server, dispatcher or command): {exc}") from None
