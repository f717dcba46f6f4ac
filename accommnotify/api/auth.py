"""Bearer API keys. A facility key sees only its own facility's data; an organisation key (chains,
issue 13 item 3) sees its facilities' data, one facility per request, named by `facility_code`."""
from flask import g, request

from ..intake.errors import InvalidInput, NotFound
from ..ops.keys import facility_for_key
from ..ops.organisations import (ORG_KEY_PREFIX, facility_id_of, organisation_facility, organisation_facility_by_id,
                                 organisation_for_key)
from ..rules.issues import Issue
from .problems import problem


def require_api_key():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Send 'Authorization: Bearer <API key>'.", slug="unauthorized",
                       headers={"WWW-Authenticate": 'Bearer realm="accommnotify"'})
    token = token.strip()
    g.facility = g.organisation = None
    if token.startswith(ORG_KEY_PREFIX):
        g.organisation = organisation_for_key(token)
    else:
        g.facility = facility_for_key(token)
    if g.facility is None and g.organisation is None:
        return problem(401, "The API key is unknown or revoked.", slug="unauthorized",
                       headers={"WWW-Authenticate": 'Bearer realm="accommnotify", error="invalid_token"'})
    return None


def facility_named(code: str | None):
    """The facility a request is for. A facility key: its own (naming another one is 404, as for a
    stay of another facility). An organisation key: the one named, which must be the organisation's."""
    if g.organisation is None:
        if code is not None and code != g.facility.code:
            raise NotFound("No such facility.")
        return g.facility
    if code is None:
        raise InvalidInput("An organisation key must name the facility.", [Issue("facility_code", "required")])
    facility = organisation_facility(g.organisation.id, code)
    if facility is None:
        raise NotFound("No such facility.")
    return facility


def facility_owning(model, row_id: str, what: str):
    """For a request naming a stay or portal file by id: the facility holding it, when the key may see
    it. A facility key: always its own (the service answers 404 for another facility's ids)."""
    if g.organisation is None:
        return g.facility
    facility = organisation_facility_by_id(g.organisation.id, facility_id_of(model, row_id))
    if facility is None:
        raise NotFound(f"No such {what}.")
    return facility
