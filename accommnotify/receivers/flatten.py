"""Flatten wire-format notifications (SPEC §4) into CSV rows for the file and email adapters.

The CSV is UTF-8 with a BOM (so Excel opens Vietnamese names correctly), CRLF line ends, and a
header row of English snake_case column names (:data:`CSV_COLUMNS`). Missing / null values are
empty cells. A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``@``, tab, CR, or ``-`` not followed by a number) is prefixed with ``'``; the JSON Lines file
next to it keeps the exact values.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

__all__ = ["CSV_COLUMNS", "notification_row", "batch_csv_bytes", "BOM"]

BOM = b"\xef\xbb\xbf"

# column name -> path in the wire-format notification
_COLUMN_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("id",)),
    ("event", ("event",)),
    ("category", ("category",)),
    ("created_at", ("created_at",)),
    ("deadline_at", ("deadline_at",)),
    ("amends", ("amends",)),
    ("facility_code", ("facility", "code")),
    ("facility_name", ("facility", "name")),
    ("facility_kind", ("facility", "kind")),
    ("facility_address", ("facility", "address")),
    ("facility_ward_code", ("facility", "ward_code")),
    ("facility_province_code", ("facility", "province_code")),
    ("stay_id", ("stay", "id")),
    ("stay_external_ref", ("stay", "external_ref")),
    ("stay_room", ("stay", "room")),
    ("stay_arrived_at", ("stay", "arrived_at")),
    ("stay_expected_departure", ("stay", "expected_departure")),
    ("stay_departed_at", ("stay", "departed_at")),
    ("stay_reason", ("stay", "reason")),
    ("person_full_name", ("person", "full_name")),
    ("person_date_of_birth", ("person", "date_of_birth")),
    ("person_sex", ("person", "sex")),
    ("person_nationality", ("person", "nationality")),
    ("person_id_number", ("person", "id_number")),
    ("document_type", ("person", "document", "type")),
    ("document_number", ("person", "document", "number")),
    ("visa_kind", ("person", "visa", "kind")),
    ("visa_number", ("person", "visa", "number")),
    ("visa_valid_until", ("person", "visa", "valid_until")),
    ("entry_date", ("person", "entry_date")),
)

CSV_COLUMNS: tuple[str, ...] = tuple(name for name, _ in _COLUMN_PATHS)

_NUMBER_RE = re.compile(r"^-\d+([.,]\d+)?$")


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if text and (text[0] in "=+@\t\r" or (text[0] == "-" and not _NUMBER_RE.match(text))):
        text = "'" + text
    return text


def notification_row(wire_notification: dict) -> list[str]:
    """One wire-format notification as a list of strings in :data:`CSV_COLUMNS` order."""
    return [_cell(_get(wire_notification, path)) for _, path in _COLUMN_PATHS]


def batch_csv_bytes(notifications: Iterable[dict]) -> bytes:
    """Header + one row per notification, UTF-8 with BOM, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n in notifications:
        writer.writerow(notification_row(n))
    return BOM + buf.getvalue().encode("utf-8")
