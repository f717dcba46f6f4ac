"""The operator's official portal template (``tblt_vn_import.xlsx``): load it, check it, read its lists.

The portal changes its template from time to time, so the file is input, never rebuilt from
memory (``docs/VN_PORTAL``). :func:`load_template` checks what the writer relies on — the four
sheets, the row-2 headers of the data sheet, the sizes of the value lists — and returns a
:class:`Template` holding the file's bytes and the exact ``code - label`` strings of its lists,
or raises :class:`TemplateMismatch` whose ``problems`` say what differs.

Lists are found by their content, not by position: the column of ``DANH_MUC`` that holds
``M - …`` and ``F - …`` is the sexes, the one with a ``VNM - …`` entry the nationalities, and so
on (:data:`LIST_ANCHORS`). Empty cells inside a list are skipped (the official nationality list
has a few).

The KBTT workbook (the XLSX variant for foreigners) is checked the same way by
:func:`load_kbtt_template`: sheet ``KBTT`` with its row-2 headers and a ``Lookup`` sheet holding
the sex and nationality lists.
"""
from __future__ import annotations

import hashlib
from collections import Counter
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CITIZEN_SHEET", "LIST_SHEET", "PROVINCE_SHEET", "WARD_SHEET", "CITIZEN_HEADERS", "KBTT_HEADERS",
           "EXPECTED_SIZES", "Template", "TemplateMismatch", "load_template", "load_kbtt_template",
           "split_code", "normalize_header"]

CITIZEN_SHEET = "DS_KHACH_VIET_NAM_LUU_TRU"
LIST_SHEET = "DANH_MUC"
PROVINCE_SHEET = "TINH_THANH"
WARD_SHEET = "PHUONG_XA"
KBTT_SHEET = "KBTT"
KBTT_LOOKUP_SHEET = "Lookup"

#: Row 2 of the data sheet, columns A..S, as the official template has them.
CITIZEN_HEADERS = ("STT", "HỌ TÊN (*)", "NGÀY SINH (*)", "GIỚI TÍNH (*)", "QUỐC TỊCH (*)", "LOẠI GIẤY TỜ (*)",
                   "TÊN GIẤY TỜ", "SỐ GIẤY TỜ (*)", "SỐ ĐIỆN THOẠI", "NƠI CƯ TRÚ HIỆN NAY", "TỈNH/ THÀNH PHỐ",
                   "PHƯỜNG/ XÃ/ ĐẶC KHU", "ĐỊA CHỈ CHI TIẾT", "NGÀY ĐẾN (*)", "NGÀY ĐI DỰ KIẾN (*)",
                   "SỐ PHÒNG/ KHOA", "LÝ DO CƯ TRÚ (*)", "NHẬP LÝ DO", "GHI CHÚ")
#: Row 2 of the KBTT sheet.
KBTT_HEADERS = ("STT", "HỌ TÊN", "NGÀY SINH", "NGÀY SINH ĐÚNG ĐẾN", "GIỚI TÍNH", "MÃ QUỐC TỊCH", "SỐ HỘ CHIẾU",
                "SỐ PHÒNG", "NGÀY ĐẾN", "NGÀY ĐI DỰ KIẾN", "NGÀY TRẢ PHÒNG")

#: (min, max) number of non-empty entries per list. A template outside these is a different
#: template: the writer pauses rather than guess.
EXPECTED_SIZES = {"document_kind": (9, 9), "residence": (3, 3), "reason": (20, 20), "sex": (2, 2),
                  "nationality": (190, 260), "province": (34, 34)}
KBTT_SIZES = {"sex": (2, 2), "nationality": (190, 260)}

_CODE_LABEL = re.compile(r"^\s*([^\s-][^-]*?)\s+-\s+(.+?)\s*$", re.S)


def split_code(value: str) -> tuple[str, str] | None:
    """``"19 - Lao động"`` → ``("19", "Lao động")``; None when it is not a ``code - label`` string."""
    m = _CODE_LABEL.match(value) if isinstance(value, str) else None
    return (m.group(1), m.group(2)) if m else None


def normalize_header(value) -> str:
    """A header cell for comparison: NFC, inner white space collapsed (line breaks inside cells)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()


def _label(entry: str) -> str:
    return unicodedata.normalize("NFC", split_code(entry)[1]).casefold()


# How each list is recognised among the columns of DANH_MUC: a predicate over its (code, label) pairs.
LIST_ANCHORS = {
    "sex": lambda pairs: {"M", "F"} <= {c for c, _ in pairs} and len(pairs) <= 5,
    "nationality": lambda pairs: any(c == "VNM" for c, _ in pairs) and len(pairs) > 20,
    "document_kind": lambda pairs: any("cccd" in lab.casefold() for _, lab in pairs),
    "residence": lambda pairs: any("thường trú" in unicodedata.normalize("NFC", lab).casefold() for _, lab in pairs),
    "reason": lambda pairs: any("du lịch" in unicodedata.normalize("NFC", lab).casefold() for _, lab in pairs),
}


class TemplateMismatch(Exception):
    """The file is not the template this writer knows; ``problems`` lists what differs."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"portal template {path}: " + "; ".join(problems))


@dataclass
class Template:
    path: str
    data: bytes                       # the file as the operator supplied it
    sha256: str
    lists: dict[str, list[str]]       # list name -> exact "code - label" strings, in template order
    mtime_ns: int = 0
    size: int = 0
    kind: str = "citizens"            # or "kbtt"
    by_code: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self):
        self.by_code = {name: {split_code(v)[0]: v for v in values} for name, values in self.lists.items()}

    def sizes(self) -> dict[str, int]:
        return {name: len(values) for name, values in self.lists.items()}

    def find_label(self, list_name: str, words: str) -> str | None:
        """The entry of ``list_name`` whose label contains ``words`` (case-insensitive), if exactly one."""
        words = unicodedata.normalize("NFC", words).casefold()
        hits = [v for v in self.lists.get(list_name, ()) if words in _label(v)]
        return hits[0] if len(hits) == 1 else None


def _read(path: str) -> tuple[bytes, int, int]:
    p = Path(path)
    try:
        st = p.stat()
        return p.read_bytes(), st.st_mtime_ns, st.st_size
    except FileNotFoundError:
        raise TemplateMismatch(path, ["the file does not exist (the operator supplies the official template)"])
    except OSError as exc:
        raise TemplateMismatch(path, [f"the file cannot be read ({type(exc).__name__})"])


def _open(path: str, data: bytes):
    import openpyxl
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateMismatch(path, ["not an XLSX workbook (not a zip file)"])
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not the template"
        raise TemplateMismatch(path, [f"not a readable XLSX workbook ({type(exc).__name__})"])


def _check_headers(ws, expected, problems, sheet_name):
    row2 = next(ws.iter_rows(min_row=2, max_row=2, max_col=len(expected) + 1, values_only=True), ())
    got = [normalize_header(v) for v in row2] + [""] * (len(expected) + 1)
    for i, want in enumerate(expected):
        if got[i] != normalize_header(want):
            problems.append(f"sheet {sheet_name} row 2 column {chr(65 + i)}: expected header {want!r}, "
                            f"found {got[i]!r}")
    if got[len(expected)]:
        problems.append(f"sheet {sheet_name} row 2 column {chr(65 + len(expected))}: unexpected extra header "
                        f"{got[len(expected)]!r}")


def _columns(ws) -> list[list[str]]:
    """Each column of ``ws`` as its non-empty ``code - label`` strings (exact cell text), top to bottom."""
    cols: dict[int, list[str]] = {}
    for row in ws.iter_rows(values_only=True):
        for i, v in enumerate(row):
            if isinstance(v, str) and split_code(v):
                cols.setdefault(i, []).append(v)
    return [cols[i] for i in sorted(cols)]


def _find_lists(columns, anchors, problems, sheet_name) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for name, anchor in anchors.items():
        hits = [c for c in columns if anchor([split_code(v) for v in c])]
        if not hits:
            problems.append(f"sheet {sheet_name}: no {name} list found")
        elif len(hits) > 1:
            problems.append(f"sheet {sheet_name}: {len(hits)} columns look like the {name} list")
        else:
            lists[name] = hits[0]
    return lists


def _check_sizes(lists, sizes, problems):
    for name, (lo, hi) in sizes.items():
        if name not in lists:
            continue
        n = len(lists[name])
        if not lo <= n <= hi:
            want = str(lo) if lo == hi else f"{lo}-{hi}"
            problems.append(f"list {name}: expected {want} entries, found {n}")
        counts = Counter(split_code(v)[0] for v in lists[name])
        dup = sorted(code for code, n in counts.items() if n > 1)
        if dup:
            problems.append(f"list {name}: duplicate codes {', '.join(dup[:5])}")


def load_template(path: str) -> Template:
    """Read and check the citizens template; :class:`TemplateMismatch` says what differs."""
    path = str(path)
    data, mtime, size = _read(path)
    wb = _open(path, data)
    try:
        problems: list[str] = []
        names = wb.sheetnames
        for sheet in (CITIZEN_SHEET, LIST_SHEET, PROVINCE_SHEET, WARD_SHEET):
            if sheet not in names:
                problems.append(f"sheet {sheet} is missing (sheets: {', '.join(names)})")
        lists: dict[str, list[str]] = {}
        if CITIZEN_SHEET in names:
            _check_headers(wb[CITIZEN_SHEET], CITIZEN_HEADERS, problems, CITIZEN_SHEET)
        if LIST_SHEET in names:
            lists = _find_lists(_columns(wb[LIST_SHEET]), LIST_ANCHORS, problems, LIST_SHEET)
        if PROVINCE_SHEET in names:
            provinces = [v for col in _columns(wb[PROVINCE_SHEET]) for v in col]
            lists["province"] = provinces
        if WARD_SHEET in names:
            wards = [v for col in _columns(wb[WARD_SHEET])[:1] for v in col]
            if not wards:
                problems.append(f"sheet {WARD_SHEET}: no ward entries")
        if not any(n.startswith("PX_") for n in _defined_names(wb)):
            problems.append("no PX_<province> defined names (the ward drop-downs)")
        _check_sizes(lists, EXPECTED_SIZES, problems)
    finally:
        wb.close()
    if problems:
        raise TemplateMismatch(path, problems)
    return Template(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), lists=lists,
                    mtime_ns=mtime, size=size, kind="citizens")


def load_kbtt_template(path: str) -> Template:
    """Read and check the KBTT workbook (foreigners as XLSX)."""
    path = str(path)
    data, mtime, size = _read(path)
    wb = _open(path, data)
    try:
        problems: list[str] = []
        names = wb.sheetnames
        for sheet in (KBTT_SHEET, KBTT_LOOKUP_SHEET):
            if sheet not in names:
                problems.append(f"sheet {sheet} is missing (sheets: {', '.join(names)})")
        lists: dict[str, list[str]] = {}
        if KBTT_SHEET in names:
            _check_headers(wb[KBTT_SHEET], KBTT_HEADERS, problems, KBTT_SHEET)
        if KBTT_LOOKUP_SHEET in names:
            anchors = {k: LIST_ANCHORS[k] for k in ("sex", "nationality")}
            lists = _find_lists(_columns(wb[KBTT_LOOKUP_SHEET]), anchors, problems, KBTT_LOOKUP_SHEET)
        _check_sizes(lists, KBTT_SIZES, problems)
    finally:
        wb.close()
    if problems:
        raise TemplateMismatch(path, problems)
    return Template(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), lists=lists,
                    mtime_ns=mtime, size=size, kind="kbtt")


def _defined_names(wb) -> list[str]:
    dn = wb.defined_names
    try:
        return list(dn.keys())
    except AttributeError:  # older openpyxl
        return [d.name for d in dn.definedName]
