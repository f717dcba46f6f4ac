"""A marshmallow schema compiled into a fast path for well-formed input.

Marshmallow walks every declared field of every nested schema through several layers of calls;
for a bulk of 500 stays that was the largest single cost of intake. `compile_schema` reads a
schema's own fields once and builds a loader that accepts only what it can decide quickly
(exact types, the fields' own validators) and answers `FALLBACK` for anything else, so
`Schema.load` runs and produces the errors. The schema stays the one definition of the shape:
nothing here knows a field by name, and a schema the compiler cannot follow exactly (hooks,
`many`, other `unknown` policies) is not compiled at all.

Contract, checked by property tests: the loader returns either `FALLBACK` or exactly what
`schema.load` returns, and never accepts what `schema.load` rejects.
"""
from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.utils import missing

FALLBACK = object()


class _Unsupported(Exception):
    pass


def compile_schema(schema: Schema):
    """A loader for `schema`, or None when it cannot be compiled faithfully."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _compile(schema: Schema, enclosing: frozenset = frozenset()):
    if schema.many or schema.partial or schema.unknown != RAISE or any(schema._hooks.values()):
        raise _Unsupported(type(schema).__name__)
    if type(schema) in enclosing:  # a schema nested in itself: left to marshmallow
        raise _Unsupported(type(schema).__name__)
    enclosing = enclosing | {type(schema)}
    steps = []
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        steps.append((key, field.attribute or attr_name, field, _compile_field(field, enclosing)))
    known = frozenset(key for key, *_ in steps)

    def load(data):
        if type(data) is not dict or not known.issuperset(data):
            return FALLBACK
        out = {}
        for key, attribute, field, convert in steps:
            value = data.get(key, missing)
            if value is missing:
                if field.required:
                    return FALLBACK
                if field.load_default is not missing:
                    default = field.load_default
                    out[attribute] = default() if callable(default) else default
                continue
            if value is None and not field.pre_load:  # a pre_load may turn None into a value
                if not field.allow_none:
                    return FALLBACK
                out[attribute] = None
                continue
            value = convert(value, key, data)
            if value is FALLBACK:
                return FALLBACK
            out[attribute] = value
        return out

    return load


def _compile_field(field: fields.Field, enclosing: frozenset):
    if "." in (field.attribute or ""):
        raise _Unsupported("dotted attribute")
    if field.pre_load or field.post_load:
        return _generic(field)
    validators = tuple(field.validators)
    if type(field) is fields.String:
        def string(value, key, data):
            if type(value) is not str or not _valid(validators, value):
                return FALLBACK
            return value
        return string
    if type(field) is fields.Nested and not field.many and field.unknown is None:
        load_nested = _compile(field.schema, enclosing)

        def nested(value, key, data):
            value = load_nested(value)
            if value is FALLBACK or not _valid(validators, value):
                return FALLBACK
            return value
        return nested
    if (type(field) is fields.List or getattr(type(field), "fastload_list", False)) \
            and type(field.inner) in (fields.String, fields.Nested):
        convert_item = _compile_field(field.inner, enclosing)
        inner_pre_load = bool(field.inner.pre_load)
        max_items = getattr(field, "max_items", None)

        def items(value, key, data):
            if type(value) is not list or (max_items is not None and len(value) > max_items):
                return FALLBACK
            out = []
            for item in value:
                if item is None and not inner_pre_load:
                    if not field.inner.allow_none:
                        return FALLBACK
                    out.append(None)
                    continue
                item = convert_item(item, key, value)
                if item is FALLBACK:
                    return FALLBACK
                out.append(item)
            if not _valid(validators, out):
                return FALLBACK
            return out
        return items
    return _generic(field)


def _generic(field: fields.Field):
    """Any other field: marshmallow's own field code, without the schema machinery around it."""
    def convert(value, key, data):
        try:
            return field.deserialize(value, key, data)
        except ValidationError:
            return FALLBACK
    return convert


def _valid(validators, value) -> bool:
    """As marshmallow 4 does: a validator fails by raising; what it returns is ignored."""
    try:
        for validator in validators:
            validator(value)
    except ValidationError:
        return False
    return True
