"""Write rows into a copy of an XLSX template without touching anything else in it.

The workbook is edited as the zip of XML parts it is: every part is copied byte for byte (its
compressed bytes as they are, so a file costs no recompression of the large list sheets) except
the data sheet (its ``<sheetData>`` gets the new rows after the template's last kept row, and
``<dimension>`` is widened) and the shared-string table (new strings are appended). So the
title, headers, hints and example rows, the other sheets, defined names, data validation (also
Excel's extension-list validations, which openpyxl would drop), styles and column widths stay
exactly as the operator's file has them.

Every value is written as a string cell (``t="s"``): dates ``dd/MM/yyyy`` and document numbers
with their leading zeros are text, as the portal expects. A cell takes the style of the
template's cell in the same column of ``style_row`` (the ``[EXAMPLE]`` row), whose text format
(``@``) the template sets.
"""
from __future__ import annotations

import copy
import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

__all__ = ["fill_template", "column_letter"]

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _attr(tag: str, name: str) -> str | None:
    m = re.search(r'\s' + name + r'="([^"]*)"', tag)
    return m.group(1) if m else None


def _sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str:
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    rid = None
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", workbook):
        if _attr(tag, "name") == escape(sheet_name, {'"': "&quot;"}):
            rid = _attr(tag, r"r:id") or _attr(tag, r"\w+:id")
            break
    if rid is None:
        raise KeyError(f"sheet {sheet_name!r} not in workbook")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels):
        if _attr(tag, "Id") == rid:
            target = _attr(tag, "Target")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise KeyError(f"relationship {rid} of sheet {sheet_name!r} not found")


def _clean(value: str) -> str:
    return escape(_ILLEGAL_XML.sub("", value))


def _rewrite_sheet(xml: str, rows: list[list[str | None]], first_row: int, style_row: int,
                   string_index) -> str:
    m = re.search(r"<((?:\w+:)?)sheetData(\s[^>]*)?(/>|>)", xml)
    if m is None:
        raise ValueError("the data sheet has no sheetData")
    prefix = m.group(1)
    if m.group(3) == "/>":
        body, start, end = "", m.start(), m.end()
        open_tag = f"<{prefix}sheetData>"
    else:
        close = xml.index(f"</{prefix}sheetData>", m.end())
        body, start, end = xml[m.end():close], m.start(), close + len(f"</{prefix}sheetData>")
        open_tag = xml[m.start():m.end()]
    row_re = re.compile(r"<" + re.escape(prefix) + r"row\b[^>]*?(?:/>|>.*?</" + re.escape(prefix) + r"row>)", re.S)
    kept, styles = [], {}
    for row_xml in row_re.findall(body):
        r = int(_attr(row_xml[: row_xml.index(">") + 1], "r") or 0)
        if r == style_row:
            for cell in re.findall(r"<" + re.escape(prefix) + r"c\b[^>]*>", row_xml):
                ref, s = _attr(cell, "r"), _attr(cell, "s")
                if ref and s is not None:
                    styles[re.match(r"[A-Z]+", ref).group(0)] = s
        if r < first_row:
            kept.append(row_xml)
        # rows at or after first_row in the template (empty formatted rows) give way to ours
    out = []
    for i, values in enumerate(rows):
        r = first_row + i
        cells = []
        for j, value in enumerate(values):
            if value is None or value == "":
                continue
            col = column_letter(j)
            s = styles.get(col)
            style = f' s="{s}"' if s is not None else ""
            if isinstance(value, int) and not isinstance(value, bool):  # STT: a number
                cells.append(f'<{prefix}c r="{col}{r}"{style}><{prefix}v>{value}</{prefix}v></{prefix}c>')
                continue
            cells.append(f'<{prefix}c r="{col}{r}"{style} t="s"><{prefix}v>{string_index(value)}</{prefix}v></{prefix}c>')
        out.append(f'<{prefix}row r="{r}">' + "".join(cells) + f"</{prefix}row>")
    new_body = "".join(kept) + "".join(out)
    close_tag = f"</{prefix}sheetData>"
    xml = xml[:start] + open_tag + new_body + close_tag + xml[end:]
    last_row = first_row + len(rows) - 1 if rows else first_row - 1
    width = max((len(v) for v in rows), default=1)

    def widen(dm):
        ref = dm.group(2)
        last_col = ref.split(":")[-1]
        col = re.match(r"[A-Z]+", last_col).group(0) if re.match(r"[A-Z]+", last_col) else "A"
        if len(column_letter(width - 1)) > len(col) or (len(column_letter(width - 1)) == len(col)
                                                          and column_letter(width - 1) > col):
            col = column_letter(width - 1)
        m_row = re.search(r"\d+$", last_col)
        row = max(int(m_row.group(0)) if m_row else 1, last_row)
        first = ref.split(":")[0]
        return f'{dm.group(1)}{first}:{col}{row}"'

    return re.sub(r'(<(?:\w+:)?dimension\s+ref=")([^"]*)"', widen, xml, count=1)


class _SharedStrings:
    def __init__(self, xml: str | None):
        self.xml = xml
        self.new: list[str] = []
        self.index: dict[str, int] = {}
        self.base = 0
        if xml is not None:
            m = re.search(r"<(?:\w+:)?sst\b[^>]*>", xml)
            self.prefix = re.match(r"<((?:\w+:)?)sst", m.group(0)).group(1) if m else ""
            self.base = len(re.findall(r"<(?:\w+:)?si\b", xml))

    def __call__(self, value: str) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = self.base + len(self.new)
            self.new.append(value)
        return i

    def render(self, uses: int) -> str:
        p = getattr(self, "prefix", "")
        items = "".join(f'<{p}si><{p}t xml:space="preserve">{_clean(v)}</{p}t></{p}si>' for v in self.new)
        xml = self.xml
        if xml is None:
            return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    f'count="{uses}" uniqueCount="{len(self.new)}">{items}</sst>')
        if re.search(r"<(?:\w+:)?sst\b[^>]*/>", xml):
            xml = re.sub(r"<((?:\w+:)?)sst\b([^>]*)/>", r"<\1sst\2></\1sst>", xml, count=1)
        close = xml.rindex(f"</{p}sst>")
        xml = xml[:close] + items + xml[close:]

        def bump(m, add):
            return f'{m.group(1)}"{int(m.group(2)) + add}"'

        head_end = xml.index(">", xml.index("sst")) + 1
        head = xml[:head_end]
        head = re.sub(r'(\scount=)"(\d+)"', lambda m: bump(m, uses), head, count=1)
        head = re.sub(r'(\suniqueCount=)"(\d+)"', lambda m: bump(m, len(self.new)), head, count=1)
        return head + xml[head_end:]


def _add_shared_strings_part(parts: dict[str, bytes]) -> None:
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rid = "rIdAccommnotifySst"
    rel = (f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'sharedStrings" Target="sharedStrings.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    ct = parts["[Content_Types].xml"].decode("utf-8")
    over = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/>')
    parts["[Content_Types].xml"] = ct.replace("</Types>", over + "</Types>").encode()


@dataclass
class _Parsed:
    infos: list
    sheet: str
    sst_name: str | None
    sheet_xml: str
    sst_xml: str | None
    rels: bytes
    content_types: bytes


@lru_cache(maxsize=4)
def _parse(template: bytes, sheet_name: str) -> _Parsed:
    """The template's members, read once per template (bytes objects cache their hash)."""
    src = zipfile.ZipFile(io.BytesIO(template))
    sheet = _sheet_part(src, sheet_name)
    rels = src.read("xl/_rels/workbook.xml.rels")
    sst_name = None
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels.decode("utf-8")):
        if (_attr(tag, "Type") or "").endswith("/sharedStrings"):
            target = _attr(tag, "Target")
            sst_name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    names = {i.filename for i in src.infolist()}
    if sst_name not in names:
        sst_name = None
    return _Parsed(infos=src.infolist(), sheet=sheet, sst_name=sst_name,
                   sheet_xml=src.read(sheet).decode("utf-8"),
                   sst_xml=src.read(sst_name).decode("utf-8") if sst_name else None,
                   rels=rels, content_types=src.read("[Content_Types].xml"))


def _copy_raw(dst: zipfile.ZipFile, template: bytes, info: zipfile.ZipInfo) -> None:
    """Append a member of ``template`` to ``dst`` as it is, compressed bytes and all (no recompression)."""
    offset = info.header_offset
    name_len, extra_len = struct.unpack("<HH", template[offset + 26:offset + 30])
    start = offset + 30 + name_len + extra_len
    data = template[start:start + info.compress_size]
    new = copy.copy(info)
    new.flag_bits &= ~0x08  # sizes and CRC go in the local header (no data descriptor)
    new.header_offset = dst.fp.tell()
    dst.fp.write(new.FileHeader())
    dst.fp.write(data)
    dst.filelist.append(new)
    dst.NameToInfo[new.filename] = new
    dst.start_dir = dst.fp.tell()
    dst._didModify = True


def fill_template(template: bytes, sheet_name: str, rows: list[list[str | int | None]], *, first_row: int,
                  style_row: int) -> bytes:
    """A copy of ``template`` with ``rows`` (strings, ints or None, column A first) from ``first_row`` on."""
    parsed = _parse(template, sheet_name)
    sst = _SharedStrings(parsed.sst_xml)
    sheet_xml = _rewrite_sheet(parsed.sheet_xml, rows, first_row, style_row, sst).encode("utf-8")
    uses = sum(1 for r in rows for v in r if isinstance(v, str) and v != "")
    changed = {parsed.sheet: sheet_xml}
    sst_name = parsed.sst_name
    if sst_name:
        changed[sst_name] = sst.render(uses).encode("utf-8")
    else:
        sst_name = "xl/sharedStrings.xml"
        extra = {"xl/_rels/workbook.xml.rels": parsed.rels, "[Content_Types].xml": parsed.content_types}
        _add_shared_strings_part(extra)
        changed.update(extra)
        changed[sst_name] = sst.render(uses).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in parsed.infos:
            if info.filename in changed:
                fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                fresh.external_attr = info.external_attr
                dst.writestr(fresh, changed.pop(info.filename), compress_type=zipfile.ZIP_DEFLATED)
            else:
                _copy_raw(dst, template, info)
        for name, data in changed.items():  # a shared-strings part the template did not have
            dst.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
