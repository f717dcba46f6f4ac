"""Webhooks to the facility's own software (issue 12 §1, docs/WEBHOOKS.md).

- ``subscriptions``: create / list / read / delete a facility's subscriptions (API and CLI);
- ``events``: the event types, their payloads, and enqueueing in the caller's transaction;
- ``signing``: Standard Webhooks headers;
- ``delivery``: claim → send → record, a job of `dispatcher run` of its own (and a step of `once`).
"""


def init_app(app):
    from .cli import webhooks_cli
    app.cli.add_command(webhooks_cli)
