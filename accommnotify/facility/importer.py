"""Guest lists from spreadsheets (CSV or XLSX): read, group into stays, check, map errors to cells.

One row per guest; rows that share a booking ref ("Mã đặt phòng") form one stay, whose stay fields
come from its first row. The external_ref of a stay is its booking ref, or — for a row without one —
a hash of the row, so uploading the same file again creates nothing new. Checking is the intake
service's (`prepare_stay`, the one rule set); storing is `create_stays_bulk(source="import")`.

Memory and time are bounded whatever the file (issue 10, item 2): an XLSX's zip members are checked
(count, uncompressed size, compression ratio) before anything is unpacked; the sheet is streamed
(openpyxl read_only) with its declared dimensions ignored and rows cut at MAX_COLUMNS; CSV rows are
streamed too; blank rows are kept as one shared empty tuple and reading stops at the row limit
(MAX_ROWS filled rows, MAX_SCANNED_ROWS rows in all); a cell over MAX_CELL_CHARS is refused.
"""
import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ..intake.errors import InvalidInput
from ..intake.prepare import prepare_stay
from ..rules.messages import message
from ..rules.nationality import VIETNAM
from ..rules.text import fold
from ..timeutil import utcnow

MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 5
MAX_SCANNED_ROWS = 100_000      # rows read in all, blank ones included
MAX_COLUMNS = 64                # cells further right are never looked at (the template has 19 columns)
MAX_CELL_CHARS = 131_072        # as csv.field_size_limit(): 128 K characters
# An XLSX is a zip: its members are checked before openpyxl unpacks any of them.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_SHEET_BYTES = 16 * 2**20     # one worksheet's XML (streamed); 2000 guests take ~2 MiB
ZIP_MAX_STRINGS_BYTES = 3 * 2**20    # the shared strings, read whole (2000 guests take ~1.5 MiB)
ZIP_MAX_MEMBER_BYTES = 2 * 2**20     # any other member (styles are read whole too)
ZIP_MAX_TOTAL_BYTES = 48 * 2**20
ZIP_MAX_RATIO = 100                  # uncompressed / compressed, for members over 1 MiB

# (key, Vietnamese header of the template, other accepted headers)
COLUMNS = (
    ("booking_ref", "Mã đặt phòng", ("booking ref", "booking", "external_ref", "ma dat cho", "so dat phong")),
    ("room", "Phòng", ("room", "so phong")),
    ("reason", "Lý do lưu trú", ("reason", "ly do")),
    ("arrived_at", "Ngày giờ đến", ("arrived at", "arrival", "arrived_at", "ngay den", "thoi gian den")),
    ("expected_departure", "Ngày giờ dự kiến đi", ("expected departure", "expected_departure", "ngay du kien di",
                                                    "ngay di")),
    ("full_name", "Họ và tên", ("full name", "full_name", "name", "ho ten")),
    ("date_of_birth", "Ngày sinh", ("date of birth", "date_of_birth", "dob", "ngay thang nam sinh")),
    ("sex", "Giới tính", ("sex", "gender")),
    ("nationality", "Quốc tịch", ("nationality",)),
    ("id_number", "Số định danh cá nhân", ("id number", "id_number", "so cccd", "cccd", "so can cuoc",
                                           "so dinh danh")),
    ("passport_number", "Số hộ chiếu", ("passport number", "passport_number", "passport", "document number",
                                        "so giay to")),
    ("visa_kind", "Loại thị thực", ("visa kind", "visa_kind", "visa type")),
    ("visa_number", "Số thị thực", ("visa number", "visa_number")),
    ("visa_valid_until", "Thị thực có giá trị đến", ("visa valid until", "visa_valid_until", "visa expiry")),
    ("entry_date", "Ngày nhập cảnh", ("entry date", "entry_date")),
    ("entry_port", "Cửa khẩu nhập cảnh", ("entry port", "entry_port", "port of entry")),
    ("purpose", "Mục đích nhập cảnh", ("purpose",)),
    ("phone", "Số điện thoại", ("phone", "dien thoai")),
    ("permanent_address", "Địa chỉ thường trú", ("permanent address", "permanent_address", "address", "dia chi")),
)
HEADERS = {key: vi for key, vi, _ in COLUMNS}
REQUIRED_COLUMNS = ("arrived_at", "full_name", "date_of_birth", "sex", "nationality")
STAY_KEYS = ("room", "reason", "arrived_at", "expected_departure")
TEXT_COLUMNS = ("booking_ref", "room", "id_number", "passport_number", "visa_number", "phone")
_ALIASES = {fold(name): key for key, vi, others in COLUMNS for name in (key, vi, *others)}

SEX_WORDS = {"nam": "male", "nu": "female", "male": "male", "female": "female", "m": "male", "f": "female"}
REASON_WORDS = {"du lich": "tourism", "cong tac": "business", "kinh doanh": "business", "tham than": "family_visit",
                "tham gia dinh": "family_visit", "kham chua benh": "medical_treatment", "chua benh": "medical_treatment",
                "cham soc nguoi benh": "caregiving", "cham nguoi benh": "caregiving", "hoc tap": "study",
                "lam viec": "work", "khac": "other"}
VISA_WORDS = {"thi thuc": "visa", "thi thuc dien tu": "e_visa", "mien thi thuc": "visa_exempt",
              "the tam tru": "temporary_residence_card", "the thuong tru": "permanent_residence_card",
              "the abtc": "abtc", "abtc": "abtc"}
NATIONALITY_WORDS = {"viet nam": VIETNAM, "vn": VIETNAM, "vnm": VIETNAM, "vietnam": VIETNAM}
# A guest's path in the rule set's issues -> the column that shows it.
ISSUE_COLUMNS = {"document": "passport_number", "document.number": "passport_number", "document.type": "passport_number",
                 "document.mrz": "passport_number", "visa": "visa_kind", "visa.kind": "visa_kind",
                 "visa.number": "visa_number", "visa.valid_until": "visa_valid_until"}


class NotAGuestList(Exception):
    """The file cannot be read as a spreadsheet, or has none of the guest-list columns."""

    def __init__(self, reason: str, missing: tuple = ()):
        super().__init__(reason)
        self.reason, self.missing = reason, missing


@dataclass
class Row:
    line: int                       # the row number people see in their spreadsheet
    values: dict                    # column key -> text as shown back
    errors: dict = field(default_factory=dict)  # column key ("" = the row) -> [messages]
    stay: int = -1


@dataclass
class Preview:
    columns: list                   # column keys present in the file, in template order
    rows: list
    stays: list                     # [{"payload": dict, "lines": [..], "valid": bool}]

    @property
    def valid_stays(self):
        return [s["payload"] for s in self.stays if s["valid"]]

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]


# ---- reading ---------------------------------------------------------------------------------

def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _read_table(data: bytes, filename: str) -> list:
    """The rows of the file's first sheet: blank rows as `()` (line numbers stay right), other rows
    as lists of at most MAX_COLUMNS cells. Raises NotAGuestList."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise NotAGuestList("unreadable")
    return _read_csv(data)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _collect(rows) -> list:
    """Takes rows from a stream until it ends or a limit is reached; no row is read past a limit."""
    table: list = []
    filled = 0
    for raw in rows:
        if len(table) >= MAX_SCANNED_ROWS:
            raise NotAGuestList("too_many_rows")
        row = raw[:MAX_COLUMNS]
        if all(_blank(cell) for cell in row):
            table.append(())
            continue
        if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in row):
            raise NotAGuestList("cell_too_large")
        filled += 1
        if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise NotAGuestList("too_many_rows")
        table.append(list(row))
    return table


def check_zip(data: bytes) -> None:
    """Refuses ("too_large") a zip whose members would unpack to too much, before any is unpacked.
    zipfile never reads a member past its declared size, so the declared sizes are the bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise NotAGuestList("unreadable")
    if len(members) > ZIP_MAX_MEMBERS:
        raise NotAGuestList("too_large")
    total = 0
    for member in members:
        size = member.file_size
        total += size
        name = member.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            limit = ZIP_MAX_SHEET_BYTES
        elif name.lower().endswith("sharedstrings.xml"):
            limit = ZIP_MAX_STRINGS_BYTES
        else:
            limit = ZIP_MAX_MEMBER_BYTES
        if size > limit:
            raise NotAGuestList("too_large")
        if size > 2**20 and size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            raise NotAGuestList("too_large")
    if total > ZIP_MAX_TOTAL_BYTES:
        raise NotAGuestList("too_large")


def _read_xlsx(data: bytes) -> list:
    from openpyxl import load_workbook
    check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook, a broken file: all mean "not readable"
        raise NotAGuestList("unreadable")
    try:
        try:
            # No sheet listed (<sheets/>) or its part missing: IndexError/KeyError, "unreadable" too.
            sheet = workbook.worksheets[0]
            # The declared <dimension> ("A1:XFD1048576") would pad every row to 16,384 cells: ignore it.
            sheet.reset_dimensions()
            return _collect(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
        except NotAGuestList:
            raise
        except Exception:  # broken XML inside the sheet
            raise NotAGuestList("unreadable")
    finally:
        workbook.close()


_BINARY_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z")


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_BINARY_MAGIC):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 100


def _read_csv(data: bytes) -> list:
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _looks_binary(data[:4096]):
        raise NotAGuestList("unreadable")
    for encoding in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NotAGuestList("encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _collect(csv.reader(io.StringIO(text), dialect))
    except csv.Error:  # a cell over csv.field_size_limit() (128 KB), or a broken quote
        raise NotAGuestList("cell_too_large")


def _find_header(table, defaults=()) -> tuple[int, dict]:
    best = (0, -1, {})
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for col, cell in enumerate(row):
            key = _ALIASES.get(fold(_cell_text(cell)))
            if key and key not in mapping:
                mapping[key] = col
        if len(mapping) > best[0]:
            best = (len(mapping), index, mapping)
    _, index, mapping = best
    missing = tuple(k for k in REQUIRED_COLUMNS if k not in mapping and k not in defaults)
    if missing:
        raise NotAGuestList("columns", missing)
    return index, mapping


# ---- values ------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$")


def _date_value(text: str) -> str:
    """DD/MM/YYYY (as Vietnamese people write it) or ISO -> ISO; anything else is passed on as typed."""
    match = _DMY.match(text)
    if match and match.group(4) is None:
        d, m, y = (int(x) for x in match.group(1, 2, 3))
        try:
            return date(y, m, d).isoformat()
        except ValueError:
            return text
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00$", text) else text


def _datetime_value(text: str) -> str:
    match = _DMY.match(text)
    if match and match.group(4) is not None:
        d, m, y, hh, mm = (int(x) for x in match.group(1, 2, 3, 4, 5))
        ss = int(match.group(6) or 0)
        try:
            return datetime(y, m, d, hh, mm, ss).isoformat()
        except ValueError:
            return text
    return text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text


def _word(table: dict, text: str) -> str:
    return table.get(fold(text), text)


def _id_text(value, text: str) -> str:
    # Excel turns 001090012345 into the number 1090012345: put back the leading zeros it dropped.
    if isinstance(value, (int, float)) and text.isdigit() and 10 <= len(text) < 12:
        return text.zfill(12)
    return text


def _guest(values: dict) -> dict:
    g: dict = {}
    for key in ("full_name", "phone", "permanent_address"):
        if values.get(key):
            g[key] = values[key]
    if values.get("date_of_birth"):
        g["date_of_birth"] = _date_value(values["date_of_birth"])
    if values.get("sex"):
        g["sex"] = _word(SEX_WORDS, values["sex"])
    nationality = values.get("nationality", "")
    if nationality:
        g["nationality"] = _word(NATIONALITY_WORDS, nationality).upper()
    if g.get("nationality") == VIETNAM:
        for key in ("id_number", "passport_number"):
            if values.get(key):
                g[key] = values[key]
        return g
    if values.get("id_number"):
        g["id_number"] = values["id_number"]  # the rules say a foreigner has none
    if values.get("passport_number"):
        g["document"] = {"type": "passport", "number": values["passport_number"]}
    if values.get("visa_kind") or values.get("visa_number") or values.get("visa_valid_until"):
        visa = {"kind": _word(VISA_WORDS, values.get("visa_kind", ""))} if values.get("visa_kind") else {}
        if values.get("visa_number"):
            visa["number"] = values["visa_number"]
        if values.get("visa_valid_until"):
            visa["valid_until"] = _date_value(values["visa_valid_until"])
        g["visa"] = visa
    for key in ("entry_port", "purpose"):
        if values.get(key):
            g[key] = values[key]
    if values.get("entry_date"):
        g["entry_date"] = _date_value(values["entry_date"])
    return g


def _stay_fields(values: dict) -> dict:
    s: dict = {}
    if values.get("room"):
        s["room"] = values["room"]
    if values.get("reason"):
        s["reason"] = _word(REASON_WORDS, values["reason"])
    if values.get("arrived_at"):
        s["arrived_at"] = _datetime_value(values["arrived_at"])
    if values.get("expected_departure"):
        s["expected_departure"] = _datetime_value(values["expected_departure"])
    return s


def row_ref(values: dict) -> str:
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return "ROW-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


# ---- preview -----------------------------------------------------------------------------------

def read_guest_list(data: bytes, filename: str, lang: str, *, differs_text: str, now=None,
                    facility=None, defaults: dict | None = None) -> Preview:
    """Reads and checks a file. Raises NotAGuestList. Nothing is stored.

    `defaults` (a dormitory's term roster, docs/DORMITORIES.md): values, as a cell would hold them, of
    stay columns (arrived_at, expected_departure, reason) for rows that leave them empty; a column
    with a default is not required in the file. They are part of the row's values (and so of a
    ref-less row's hash: the same student in another term is another stay)."""
    now = now or utcnow()
    defaults = {k: v for k, v in (defaults or {}).items() if k in STAY_KEYS and v}
    table = _read_table(data, filename)
    header_index, mapping = _find_header(table, defaults)
    columns = [key for key, _, _ in COLUMNS if key in mapping or key in defaults]
    rows: list[Row] = []
    for offset, raw in enumerate(table[header_index + 1:], start=header_index + 2):
        values = {}
        for key, col in mapping.items():
            cell = raw[col] if col < len(raw) else None
            text = _cell_text(cell)
            if key in ("id_number", "passport_number"):
                text = _id_text(cell, text)
            if text:
                values[key] = text
        if values:
            for key, value in defaults.items():
                values.setdefault(key, value)
            rows.append(Row(line=offset, values=values))
    if not rows:
        raise NotAGuestList("empty")

    groups: dict[str, list[Row]] = {}
    for row in rows:
        ref = row.values.get("booking_ref") or row_ref(row.values)
        groups.setdefault(ref, []).append(row)

    stays = []
    for ref, group in groups.items():
        index = len(stays)
        first = group[0]
        payload = {"external_ref": ref, **_stay_fields(first.values), "guests": []}
        for row in group:
            row.stay = index
            payload["guests"].append(_guest(row.values))
            for key in STAY_KEYS:
                if row is not first and row.values.get(key) and row.values.get(key) != first.values.get(key):
                    row.errors.setdefault(key, []).append(differs_text)
        try:
            prepare_stay(json.loads(json.dumps(payload)), now, facility)
        except InvalidInput as exc:
            _attach(exc.issues, group, lang)
        stays.append({"payload": payload, "lines": [r.line for r in group],
                      "valid": not any(r.errors for r in group)})
    return Preview(columns=columns, rows=rows, stays=stays)


def _attach(issues, group: list[Row], lang: str) -> None:
    for issue in issues:
        text = message(issue.code, lang, **dict(issue.params))
        match = re.match(r"^guests\[(\d+)\](?:\.(.+))?$", issue.field)
        if match and int(match.group(1)) < len(group):
            row = group[int(match.group(1))]
            rest = match.group(2) or ""
            column = ISSUE_COLUMNS.get(rest, rest.split(".")[0])
        else:
            row = group[0]
            column = {"external_ref": "booking_ref"}.get(issue.field, issue.field.split(".")[0].split("[")[0])
        if column not in HEADERS:
            column = ""
        if text not in row.errors.setdefault(column, []):
            row.errors[column].append(text)


# ---- template ----------------------------------------------------------------------------------

INSTRUCTIONS = (
    ("Mỗi dòng là một người. Các dòng có cùng «Mã đặt phòng» là một lần lưu trú (một gia đình, một đoàn).",),
    ("Không có mã đặt phòng: mỗi dòng là một lần lưu trú riêng.",),
    ("Tải lại cùng một tệp không tạo thêm thông báo nào.",),
    ("Ngày: DD/MM/YYYY hoặc YYYY-MM-DD. Ngày giờ đến: DD/MM/YYYY HH:MM (giờ Việt Nam).",),
    ("Giới tính: Nam hoặc Nữ. Quốc tịch: VNM (Việt Nam) hoặc mã 3 chữ cái (USA, KOR, CHN, …).",),
    ("Lý do lưu trú: Du lịch, Công tác, Thăm thân, Khám chữa bệnh, Chăm sóc người bệnh, Học tập, Làm việc, Khác.",),
    ("Công dân Việt Nam: Số định danh cá nhân 12 số (trẻ em dưới 14 tuổi đi cùng người lớn có thể để trống).",),
    ("Người nước ngoài: Số hộ chiếu, Loại thị thực (Thị thực, Thị thực điện tử, Miễn thị thực, Thẻ tạm trú, "
     "Thẻ thường trú, Thẻ ABTC), Thị thực có giá trị đến, Ngày nhập cảnh.",),
)


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách khách"
    sheet.append([vi for _, vi, _ in COLUMNS])
    for col, (key, vi, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(vi) + 4)
        if key in TEXT_COLUMNS:
            # Text cells keep the leading zeros of ID numbers and phone numbers.
            for row in range(2, 502):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Hướng dẫn")
    for line in INSTRUCTIONS:
        help_sheet.append(list(line))
    help_sheet.column_dimensions["A"].width = 120
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([vi for _, vi, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
