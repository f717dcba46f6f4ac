"""Failures of the intake service, each carrying stable codes and field paths (SPEC §5)."""
from ..rules.issues import Issue
from ..rules.messages import message
from ..rules.text import clean_label


class IntakeError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", issues: list[Issue] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.issues = issues or []


class InvalidInput(IntakeError):
    status = 422
    title = "Invalid input"


class NotFound(IntakeError):
    status = 404
    title = "Not found"


class Conflict(IntakeError):
    status = 409
    title = "Conflict"


def issues_from_marshmallow(messages, path: str = "") -> list[Issue]:
    """Marshmallow's nested error dict (our messages are codes) as a flat list of Issues."""
    issues: list[Issue] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:  # a key may be anything the sender typed: never echo a NUL or a lone surrogate
                sub = f"{path}.{clean_label(str(key))}" if path else clean_label(str(key))
            issues.extend(issues_from_marshmallow(value, sub))
    elif isinstance(messages, list):
        for item in messages:
            issues.extend(issues_from_marshmallow(item, path))
    else:
        code, *pairs = str(messages).split("|")
        params = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
        issues.append(Issue(path or "body", code, params))
    return issues


MAX_ERRORS = 100  # errors listed in one answer (or one bulk item); the rest are only counted


def render_issues(issues: list[Issue], lang: str, limit: int | None = None) -> list[dict]:
    """The first `limit` issues (all when None) as {field, code, message}."""
    shown = issues if limit is None else issues[:limit]
    return [{"field": i.field, "code": i.code, "message": message(i.code, lang, **dict(i.params))}
            for i in shown]


def render_capped(issues: list[Issue], lang: str, limit: int = MAX_ERRORS) -> dict:
    """{"errors": the first `limit`} plus {"errors_omitted": how many more} when there are more:
    one answer never grows with the number of mistakes in a request."""
    out = {"errors": render_issues(issues, lang, limit)}
    if len(issues) > limit:
        out["errors_omitted"] = len(issues) - limit
    return out
