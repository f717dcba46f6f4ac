"""A portal template with the official structure, built in code (no real template is shipped, and
no real person's data is in it): the four sheets, title / headers / hints / ``[EXAMPLE]`` rows,
``DANH_MUC`` lists of the official sizes with representative entries, ``TINH_THANH``,
``PHUONG_XA`` with ``MATT``, ``PX_<code>`` defined names, data validation and text formats."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pycountry
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from accommnotify.receivers.portal_template import CITIZEN_HEADERS, KBTT_HEADERS

TITLE = "DANH SÁCH KHÁCH VIỆT NAM LƯU TRÚ"
HINTS = ["", "Nhập họ tên", "dd/MM/yyyy", "Chọn", "Chọn", "Chọn", "", "Nhập số", "", "Chọn", "Chọn", "Chọn", "",
         "dd/MM/yyyy", "dd/MM/yyyy", "", "Chọn", "", ""]
EXAMPLE = ["[EXAMPLE]", "NGUYEN VAN MAU", "01/01/1990", "M - Nam", "VNM - Viet Nam", "1 - Thẻ CCCD", "",
           "000000000000", "", "1 - Thường trú", "101 - TP. Hà Nội", "101900565 - Xã Gia Lâm", "Số 1",
           "01/01/2026", "02/01/2026", "101", "1 - Du lịch", "", ""]
DOCUMENTS = ["1 - Thẻ CCCD", "2 - CMND 9 số", "3 - CMND 12 số", "4 - Hộ chiếu", "5 - Giấy khai sinh",
             "6 - Giấy chứng minh CAND", "7 - Giấy chứng minh QĐND", "8 - Thẻ Căn Cước", "9 - Giấy tờ khác"]
RESIDENCES = ["1 - Thường trú", "2 - Tạm trú", "3 - Nơi ở hiện tại"]
REASONS = ["1 - Du lịch", "2 - Công tác", "3 - Học tập", "4 - Thăm viếng", "5 - Chữa bệnh",
           "6 - Chăm sóc người bệnh"] + [f"{i} - Lý do mẫu {i}" for i in range(7, 19)] + [
    "19 - Lao động", "20 - Mục đích khác"]
SEXES = ["M - Nam", "F - Nữ"]


def nationalities(count: int = 205) -> list[str]:
    out = ["VNM - Viet Nam"]
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        if c.alpha_3 != "VNM" and len(out) < count:
            out.append(f"{c.alpha_3} - {c.name}")
    return out


def build_template(path: Path | None = None, *, headers=CITIZEN_HEADERS, reasons=REASONS, sexes=SEXES,
                   drop_sheet: str | None = None, nationality_count: int = 205, ward_count: int = 2) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DS_KHACH_VIET_NAM_LUU_TRU"
    ws["A1"] = TITLE
    for i, h in enumerate(headers, start=1):
        ws.cell(row=2, column=i, value=h)
    for i, h in enumerate(HINTS, start=1):
        if h:
            ws.cell(row=3, column=i, value=h)
    for i, v in enumerate(EXAMPLE, start=1):
        c = ws.cell(row=4, column=i, value=v or None)
        c.number_format = "@"
        if not v:  # keep the text format on empty example cells too
            c.value = None
    for col in "ABCDEFGHIJKLMNOPQRS":
        ws[f"{col}4"].number_format = "@"
    ws.column_dimensions["B"].width = 30
    dm = wb.create_sheet("DANH_MUC")
    nats = nationalities(nationality_count)
    nats.insert(100, None)  # the official list has a few empty cells inside it
    lists = [("LOẠI GIẤY TỜ", DOCUMENTS), ("NƠI CƯ TRÚ", RESIDENCES), ("LÝ DO", reasons), ("GIỚI TÍNH", sexes),
             ("QUỐC TỊCH", nats)]
    for col, (header, values) in enumerate(lists, start=1):
        dm.cell(row=1, column=col, value=header)
        for row, v in enumerate(values, start=2):
            dm.cell(row=row, column=col, value=v)
    tt = wb.create_sheet("TINH_THANH")
    tt["A1"] = "TỈNH/ THÀNH PHỐ"
    provinces = ["101 - TP. Hà Nội", "403 - Nghệ An"] + [f"{200 + i} - Tỉnh mẫu {i}" for i in range(32)]
    for row, v in enumerate(provinces, start=2):
        tt.cell(row=row, column=1, value=v)
    px = wb.create_sheet("PHUONG_XA")
    px["A1"], px["B1"] = "PHƯỜNG/ XÃ", "MATT"
    wards = [("101900565 - Xã Gia Lâm", "101"), ("403000001 - Phường Mẫu", "403")]
    wards += [(f"{200 + i % 32}{i:06d} - Phường mẫu {i}", str(200 + i % 32)) for i in range(ward_count - 2)]
    for row, (v, matt) in enumerate(wards, start=2):
        px.cell(row=row, column=1, value=v)
        px.cell(row=row, column=2, value=matt)
    wb.defined_names["PX_101"] = DefinedName("PX_101", attr_text="PHUONG_XA!$A$2:$A$2")
    wb.defined_names["PX_403"] = DefinedName("PX_403", attr_text="PHUONG_XA!$A$3:$A$3")
    wb.defined_names["DM_GIOI_TINH"] = DefinedName("DM_GIOI_TINH", attr_text="DANH_MUC!$D$2:$D$3")
    dv = DataValidation(type="list", formula1="DM_GIOI_TINH", allow_blank=True)
    dv.add("D5:D1000")
    ws.add_data_validation(dv)
    if drop_sheet:
        del wb[drop_sheet]
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def build_kbtt(path: Path | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KBTT"
    ws["A1"] = "KHAI BÁO TẠM TRÚ NGƯỜI NƯỚC NGOÀI"
    for i, h in enumerate(KBTT_HEADERS, start=1):
        ws.cell(row=2, column=i, value=h)
        ws.cell(row=3, column=i).number_format = "@"
    ws["A3"], ws["B3"] = "[EXAMPLE]", "SMITH JOHN"
    lk = wb.create_sheet("Lookup")
    for row, v in enumerate(SEXES, start=1):
        lk.cell(row=row, column=1, value=v)
    for row, v in enumerate(nationalities(), start=1):
        lk.cell(row=row, column=2, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def portal_receivers_toml(tmp_path, *, template, directory, foreigners="xml", max_batch=500, extra="") -> str:
    path = tmp_path / "receivers-portal.toml"
    path.write_text(f"""
[receivers.portal]
adapter = "vn_portal"
template = "{template}"
directory = "{directory}"
foreigners = "{foreigners}"
max_batch = {max_batch}
{extra}

[[routes]]
category = "residence"
receiver = "portal"

[[routes]]
category = "foreigner"
receiver = "portal"
""", encoding="utf-8")
    return str(path)


def with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel saves it: the sheets' text in a shared-string table (openpyxl writes
    inline strings), so the writer's appending to an existing table is exercised too."""
    import re
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    strings: list[str] = []
    index: dict[str, int] = {}
    uses = 0

    def shared(m):
        nonlocal uses
        text = m.group(3)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        uses += 1
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{index[text]}</v></c>'

    parts = {}
    for info in src.infolist():
        body = src.read(info.filename)
        if info.filename.startswith("xl/worksheets/sheet"):
            body = re.sub(r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared,
                          body.decode("utf-8")).encode("utf-8")
        parts[info.filename] = body
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (
        uses, len(strings)) + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    parts["xl/sharedStrings.xml"] = sst.encode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml" Id="rIdSst" /></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
    return out.getvalue()
