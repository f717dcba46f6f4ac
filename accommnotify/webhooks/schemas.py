"""Request and response shapes of /api/v1/webhooks (validation and the OpenAPI document)."""
from marshmallow import Schema, ValidationError, fields, validates

from ..intake.schemas import BoundedList, StrictSchema, _errors, choice, text
from .events import EVENTS
from .subscriptions import MAX_URL


class WebhookCreateSchema(StrictSchema):
    url = text(MAX_URL, required=True, min_length=1,
               metadata={"description": "Where to POST events: https (http only where the operator allows it)",
                         "example": "https://pms.example.com/hooks/accommnotify"})
    events = BoundedList(choice(EVENTS, required=True), max_items=len(EVENTS), required=True,
                         error_messages=_errors(),
                         metadata={"description": "Event types to receive (at least one)"})

    @validates("url")
    def _http_url(self, value, **_kwargs):
        if not value.lower().startswith(("http://", "https://")):
            raise ValidationError("webhook.url_format")

    @validates("events")
    def _some_events(self, value, **_kwargs):
        if not value:
            raise ValidationError("webhook.no_events")


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String(metadata={"enum": list(EVENTS)}))
    created_at = fields.String()
    enabled = fields.Boolean(metadata={"description": "False after the receiver answered 410 Gone"})
    disabled_at = fields.String(allow_none=True)
    disabled_reason = fields.String(allow_none=True)


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(metadata={"description": "Standard Webhooks signing secret (whsec_…), shown only "
                                                   "in this answer: store it now"})


class WebhookListOut(Schema):
    webhooks = fields.List(fields.Nested(WebhookOut))
