"""Dispatch: claiming with leases, batching, retries, the dispatcher commands and /metrics."""


def init_app(app):
    from ..ops import metrics
    from .cli import dispatcher_cli
    app.cli.add_command(dispatcher_cli)
    metrics.init_app(app)
