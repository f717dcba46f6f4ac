"""Daily proofs (issue 12, item 3): per facility and Vietnam day, a signed PDF of its notifications.
docs/PROOF.md says what is in it and how a signature is checked."""
from __future__ import annotations

from datetime import date, datetime

from . import signing


def build(facility, day: date, now: datetime) -> bytes:
    """The signed proof PDF of `facility` for `day`."""
    from .daily import daily_proof
    from .pdf import render
    signer = signing.signer()
    return signer.sign(render(daily_proof(facility, day, now), signer.key_id))


def filename(facility_code: str, day: date) -> str:
    return f"bang-xac-nhan-{facility_code}-{day.isoformat()}.pdf"


def download(facility, day: date, now: datetime):
    """The proof as an attachment, for the API and the facility pages alike (personal data: no cache)."""
    from flask import current_app
    return current_app.response_class(build(facility, day, now), content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename(facility.code, day)}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def init_app(app, other_secrets: tuple = ()) -> None:
    from ..settings import PROJECT_ROOT
    from .cli import proof_cli
    app.extensions[signing.EXTENSION] = signing.resolve(app.config, PROJECT_ROOT, other_secrets)
    app.cli.add_command(proof_cli)
