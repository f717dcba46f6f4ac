"""JSON in and out of the web surfaces through orjson, with Flask's own rules for what JSON lacks.

A 500-stay bulk answer is half a megabyte of JSON; the standard library took about a tenth of the
request's CPU to write it and another few percent to read the request. orjson writes the same
compact, key-ordered, UTF-8 text. Dates, datetimes and dataclasses are passed to Flask's
`default`, exactly as before (our views format their own datetimes; this keeps anything else
unchanged). Reading: what orjson refuses (a byte-order mark, UTF-16, NaN literals, lone
surrogates) goes to the standard library, which decides as before. Differences that remain: NaN is
written as null rather than the invalid `NaN`, small floats as `1e-7` rather than `1e-07`,
`dumps` without arguments is compact, and integers beyond 64 bits are read as floats (they fail
the schemas as before).

The request hash (intake.prepare.request_hash) keeps the standard library: stored hashes must stay
byte-for-byte comparable.
"""
import json

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def _encode(self, obj, newline: bool = False) -> bytes:
        return orjson.dumps(obj, default=self.default, option=_OPTIONS | (orjson.OPT_APPEND_NEWLINE if newline else 0))

    def _orjson_can_write(self) -> bool:
        """orjson writes compact, unsorted UTF-8 only; other settings go to the standard library."""
        return not (self.sort_keys or self.ensure_ascii)

    def dumps(self, obj, **kwargs) -> str:
        if kwargs or not self._orjson_can_write():
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode("utf-8")

    def loads(self, s, **kwargs):
        if kwargs:
            return super().loads(s, **kwargs)
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            try:
                return json.loads(s)
            except RecursionError:  # nested deeper than the stack: not JSON we take (400, not 500)
                raise json.JSONDecodeError("nested too deeply", "", 0) from None

    def response(self, *args, **kwargs):
        indented = self.compact is False or (self.compact is None and self._app.debug)  # for people, in debug
        if indented or not self._orjson_can_write():
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self._encode(obj, newline=True), mimetype=self.mimetype)
