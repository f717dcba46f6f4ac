"""The compiled loader agrees with marshmallow: same result, or it steps aside (FALLBACK)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from accommnotify.intake import schemas
from accommnotify.intake.fastload import FALLBACK, compile_schema

LOADED_SCHEMAS = [schemas.StaySchema(), schemas.StayPatchSchema(), schemas.BulkSchema(),
                  schemas.DepartureSchema(), schemas.CancelSchema(), schemas.ListStaysQuery(),
                  schemas.ListNotificationsQuery()]


def a_stay(**changes):
    stay = {"external_ref": "BK-1", "room": "101", "reason": "tourism",
            "arrived_at": "2026-11-27T08:00:00+07:00",
            "guests": [{"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "sex": "male",
                        "nationality": "VNM", "id_number": "001090012345"}]}
    stay.update(changes)
    return stay


def marshmallow_load(schema, payload):
    try:
        return schema.load(payload)
    except ValidationError:
        return FALLBACK


# Values that sit on the edges marshmallow decides: types, None, lengths, formats, choices.
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3), st.text(min_size=18, max_size=60), st.text(min_size=95, max_size=110),
    st.sampled_from(["", " ", "male", "female", "tourism", "passport", "visa_exempt", "VNM", "in_house",
                     "pending", "2026-11-27", "1990-02-30", "27/11/2026", "2026-11-27T08:00:00",
                     "2026-11-27T08:00:00+07:00", "2026-11-27T01:00:00Z", "not a date", "50", "0",
                     "201"]),
)


def _plausible(field):
    """Mostly what the field accepts, so both outcomes are exercised."""
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return st.sampled_from(list(validator.choices))
    if isinstance(field, fields.String):
        lengths = [v for v in field.validators if isinstance(v, validate.Length)]
        low = max([v.min or 0 for v in lengths], default=0)
        high = min([v.max for v in lengths if v.max is not None], default=40)
        return st.text(min_size=low, max_size=high + 2)
    if isinstance(field, fields.Date):
        return st.dates().map(lambda d: d.isoformat())
    if isinstance(field, fields.DateTime):
        return st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(lambda d: d.isoformat())
    if isinstance(field, fields.Integer):
        return st.integers(-5, 300)
    return st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)


def _value_for(field, depth, noisy):
    if isinstance(field, fields.Nested) and depth < 2:
        shaped = _payload_for(field.schema, depth + 1, noisy=noisy)
    elif isinstance(field, fields.List) and depth < 2:
        shaped = st.lists(_value_for(field.inner, depth + 1, noisy), max_size=3)
    else:
        shaped = _plausible(field)
    return st.one_of(shaped, _SCALARS) if noisy else shaped


def _payload_for(schema, depth=0, stray_keys=False, noisy=True):
    values = {name: _value_for(field, depth, noisy) for name, field in schema.load_fields.items()}
    required = {name: values.pop(name) for name, field in schema.load_fields.items() if field.required}
    if stray_keys:
        values["unexpected"] = _SCALARS
    return st.fixed_dictionaries(required, optional=values)


@pytest.mark.parametrize("schema", LOADED_SCHEMAS, ids=lambda s: type(s).__name__)
def test_every_schema_the_service_loads_is_compiled(schema):
    assert compile_schema(schema) is not None


@pytest.mark.parametrize("schema", LOADED_SCHEMAS, ids=lambda s: type(s).__name__)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_agrees_with_marshmallow_or_steps_aside(schema, data):
    payload = data.draw(_payload_for(schema, stray_keys=data.draw(st.booleans()), noisy=data.draw(st.booleans())))
    fast = compile_schema(schema)(payload)
    if fast is not FALLBACK:
        assert fast == marshmallow_load(schema, payload)


@settings(max_examples=300, deadline=None)
@given(changes=st.one_of(_payload_for(schemas.StaySchema()), _payload_for(schemas.StaySchema(), noisy=False)))
def test_mutated_stays_agree(changes):
    schema = schemas.StaySchema()
    payload = a_stay(**changes)
    fast = compile_schema(schema)(payload)
    if fast is not FALLBACK:
        assert fast == marshmallow_load(schema, payload)


def test_a_well_formed_stay_takes_the_fast_path_and_loads_as_marshmallow_does():
    schema = schemas.StaySchema()
    foreigner = {"full_name": "SMITH JOHN", "date_of_birth": "1985-01-02", "sex": "male",
                 "nationality": "GBR", "document": {"type": "passport", "number": "123456789"},
                 "visa": {"kind": "visa_exempt"}, "entry_date": "2026-11-20", "entry_port": "Nội Bài"}
    for payload in (a_stay(), a_stay(arrived_at="2026-11-27T08:00:00", expected_departure=None,
                                     guests=[a_stay()["guests"][0], foreigner])):
        fast = compile_schema(schema)(payload)
        assert fast is not FALLBACK
        assert fast == schema.load(payload)


@pytest.mark.parametrize("payload", [
    a_stay(room=7), a_stay(reason="holiday"), a_stay(guests="none"), a_stay(guests=[None]),
    a_stay(external_ref=""), a_stay(external_ref="x" * 101), a_stay(arrived_at="yesterday"),
    a_stay(surprise=1), {k: v for k, v in a_stay().items() if k != "guests"},
    a_stay(guests=[{**a_stay()["guests"][0], "document": {"type": "passport"}}]),
    a_stay(guests=[{**a_stay()["guests"][0], "extra": "x"}]),
])
def test_what_marshmallow_rejects_is_left_to_marshmallow(payload):
    schema = schemas.StaySchema()
    with pytest.raises(ValidationError):
        schema.load(payload)
    assert compile_schema(schema)(payload) is FALLBACK


def test_schemas_it_cannot_follow_exactly_are_not_compiled():
    class WithHook(Schema):
        name = fields.String()

        @post_load
        def shout(self, data, **kwargs):
            return {"name": data["name"].upper()}

    class Lenient(Schema):
        class Meta:
            unknown = EXCLUDE
        name = fields.String()

    class Tree(Schema):
        name = fields.String()
        children = fields.List(fields.Nested(lambda: Tree()))

    assert compile_schema(WithHook()) is None
    assert compile_schema(Lenient()) is None
    assert compile_schema(schemas.StaySchema(many=True)) is None
    assert compile_schema(schemas.ListStaysQuery(partial=True)) is None
    assert compile_schema(Tree()) is None


def test_a_field_pre_load_sees_none_as_marshmallow_lets_it():
    class Defaulted(Schema):
        name = fields.String(allow_none=True, pre_load=lambda v: "x" if v is None else v)
        names = fields.List(fields.String(allow_none=True, pre_load=lambda v: "y" if v is None else v))

    schema = Defaulted()
    payload = {"name": None, "names": [None, "z"]}
    assert compile_schema(schema)(payload) == schema.load(payload) == {"name": "x", "names": ["y", "z"]}
