"""Bearer API keys. A key sees only its own facility's data."""
from flask import g, request

from ..ops.keys import facility_for_key
from .problems import problem


def require_api_key():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Send 'Authorization: Bearer <API key>'.", slug="unauthorized",
                       headers={"WWW-Authenticate": 'Bearer realm="accommnotify"'})
    facility = facility_for_key(token.strip())
    if facility is None:
        return problem(401, "The API key is unknown or revoked.", slug="unauthorized",
                       headers={"WWW-Authenticate": 'Bearer realm="accommnotify", error="invalid_token"'})
    g.facility = facility
    return None
