"""RFC 9457 problem details for every error of the facility API."""
from flask import current_app, jsonify, request

from ..intake.errors import MAX_ERRORS, IntakeError, render_capped
from ..rules.messages import pick_language

PROBLEM_TYPE = "/api/v1/problems#"
TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 413: "Body too large", 415: "Unsupported media type", 422: "Invalid input",
          500: "Internal error"}


def language() -> str:
    return pick_language(request.headers.get("Accept-Language"))


def problem(status: int, detail: str, issues=(), slug: str | None = None, headers=None):
    body = {"type": PROBLEM_TYPE + (slug or TITLES.get(status, "error").lower().replace(" ", "-")),
            "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            **render_capped(list(issues), language())}
    if "errors_omitted" in body:
        body["detail"] += f" (The first {MAX_ERRORS} errors are listed; {body['errors_omitted']} more were found.)"
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(bp):
    @bp.errorhandler(IntakeError)
    def _intake(exc: IntakeError):
        return problem(exc.status, exc.detail or exc.title, exc.issues)

    @bp.errorhandler(404)
    def _not_found(_exc):
        return problem(404, "No such resource.")

    @bp.errorhandler(405)
    def _method(exc):
        allow = dict(exc.get_headers()).get("Allow")
        return problem(405, "This method is not allowed here.", headers={"Allow": allow} if allow else None)

    @bp.errorhandler(413)
    def _too_large(_exc):
        from ..rules.issues import Issue
        return problem(413, "The request body is too large.", [Issue("body", "body_too_large")])

    @bp.errorhandler(500)
    def _internal(exc):
        current_app.logger.error("internal error on %s %s: %s", request.method, request.path,
                                 type(getattr(exc, "original_exception", exc)).__name__)
        return problem(500, "Something went wrong on our side; nothing was stored.")
