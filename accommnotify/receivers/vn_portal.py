"""``vn_portal`` adapter: the files the Ministry's declaration portal imports, one facility per file.

```toml
[receivers.portal]
adapter = "vn_portal"
template = "config/portal/tblt_vn_import.xlsx"  # the official template, supplied by the operator
directory = "var/portal"
foreigners = "xml"                              # or "xlsx" (the KBTT variant, needs foreigners_template)
# foreigners_template = "config/portal/kbtt.xlsx"
# default_document_kind = "cccd"                # column F when a citizen's card kind is unknown
```

* Citizens → a copy of the template with data from row 5 (rows 1–4 and everything else as the
  operator's file has them, see :mod:`.portal_xlsx`); foreigners → ``KHAI_BAO_TAM_TRU`` XML (or
  the KBTT workbook, data from row 4). Never two facilities in one file.
* List columns hold the template's exact ``code - label`` strings (:mod:`.portal_mapping`).
  Dates and document numbers are text cells.
* The template is checked when the receiver is built and again whenever the file changes on
  disk. One that does not match **pauses** the receiver: ``paused`` says what differs, the
  dispatcher skips it (its notifications wait, no attempt is spent), every ``send`` answers
  retry with the alert, and ``/readyz`` and ``/metrics`` show it.
* Each file is published whole or not at all (temp file, fsync, hard link, never overwriting).
  Its notifications come back ``awaiting_upload``; the file itself travels in
  ``Delivery.files`` and the dispatcher records it (``portal_files``) with the outcomes.
* An amendment is listed again with a note in GHI CHÚ (the portal has no update). A departure
  or a cancellation writes no row: it is accepted with receipt ``portal:no-row`` (staff are told
  to remove a cancelled guest on the portal if they uploaded them).
* A row the portal would refuse is not written: missing expected departure or document number →
  ``rejected`` (the facility corrects it with an amendment); a value the template does not list
  → retry, with the start-up alert naming it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ..ids import new_id
from .base import RETRY, Batch, Delivery, Outcome, Receiver, VN_OFFSET, WrittenFile, bounded
from .file import publish_file
from .portal_mapping import REASON_WORDS_VI, Resolved, resolve
from .portal_template import (CITIZEN_SHEET, KBTT_SHEET, Template, TemplateMismatch, load_kbtt_template,
                              load_template)
from .portal_xlsx import fill_template

__all__ = ["VnPortalReceiver", "CONTENT_TYPES", "REQUIRED_FIELDS", "AMENDMENT_NOTE", "NO_ROW_RECEIPT"]

log = logging.getLogger(__name__)

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "xml": "application/xml"}
AMENDMENT_NOTE = "Khai báo lại: sửa thông tin đã khai báo trước (thay cho bản ghi cũ)"
OTHER_REASON_TEXT = "Mục đích khác"
NO_ROW_RECEIPT = "portal:no-row"
#: What the portal needs that the product otherwise leaves optional, per category (issue 9 §3).
REQUIRED_FIELDS = {"residence": ("expected_departure", "document_number"), "foreigner": ()}
_KIND_SLUG = {"citizens": "khach-viet-nam", "foreigners": "nguoi-nuoc-ngoai"}
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _RowProblem(Exception):
    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def _local(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(VN_OFFSET)


def _dmy(value: str | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        if "T" in value:
            value = _local(value).date()
        else:
            value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def _x(value: Any) -> str:
    return "" if value is None else escape(_ILLEGAL_XML.sub("", str(value)))


class VnPortalReceiver(Receiver):
    adapter = "vn_portal"
    required_fields = REQUIRED_FIELDS

    def __init__(self, name: str, *, template: str | None = None, directory: str | None = None,
                 foreigners: str = "xml", foreigners_template: str | None = None,
                 default_document_kind: str = "cccd", max_batch: int = 500, **options: Any):
        problems = self._init_base(name, max_batch, options)
        for key, value in (("template", template), ("directory", directory)):
            if value is None:
                problems.append(f"missing required option {key!r}")
            elif not isinstance(value, str) or not value.strip():
                problems.append(f"{key} must be a non-empty string, got {value!r}")
        if foreigners not in ("xml", "xlsx"):
            problems.append(f"foreigners must be \"xml\" or \"xlsx\", got {foreigners!r}")
        elif foreigners == "xlsx" and not (isinstance(foreigners_template, str) and foreigners_template.strip()):
            problems.append("foreigners = \"xlsx\" needs foreigners_template (the KBTT workbook)")
        if default_document_kind not in ("cccd", "can_cuoc"):
            problems.append(f"default_document_kind must be \"cccd\" or \"can_cuoc\", got {default_document_kind!r}")
        self.raise_problems(problems)
        self.template_path = str(Path(template).expanduser().absolute())  # type: ignore[arg-type]
        self.directory = Path(directory).expanduser().absolute()  # type: ignore[arg-type]
        self.foreigners = foreigners
        self.kbtt_path = (str(Path(foreigners_template).expanduser().absolute())
                          if foreigners == "xlsx" else None)
        self.default_document_kind = default_document_kind
        self.template: Template | None = None
        self.kbtt: Template | None = None
        self.mapping = Resolved()
        self.kbtt_mapping = Resolved()
        self.paused: str | None = None   # what differs, while the template does not match
        self._stamp = None
        self.reload(force=True)

    def __repr__(self) -> str:
        return f"<VnPortalReceiver {self.name!r} directory={str(self.directory)!r}>"

    # -- the template --------------------------------------------------------------------------------
    def _file_stamp(self):
        out = []
        for path in filter(None, (self.template_path, self.kbtt_path)):
            try:
                st = os.stat(path)
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def reload(self, force: bool = False) -> None:
        """Load and check the template(s) when they changed on disk (or ``force``)."""
        stamp = self._file_stamp()
        if not force and stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            template = load_template(self.template_path)
            kbtt = load_kbtt_template(self.kbtt_path) if self.kbtt_path else None
        except TemplateMismatch as exc:
            if self.paused != str(exc):
                log.error("receiver %s paused: %s", self.name, exc)
            self.paused = str(exc)
            return
        self.template, self.kbtt = template, kbtt
        self.mapping = resolve(template)
        self.kbtt_mapping = resolve(kbtt, ("sex", "nationality")) if kbtt else Resolved()
        if self.paused:
            log.warning("receiver %s: template %s matches again; resumed", self.name, self.template_path)
        self.paused = None
        if self.alert:
            log.warning("receiver %s: %s", self.name, self.alert)

    @property
    def alert(self) -> str | None:
        """Operator-facing: the pause reason, or the values the template does not list."""
        if self.paused:
            return "paused: " + self.paused
        parts = [a for a in (self.mapping.alert(), self.kbtt_mapping.alert()) if a]
        return " | ".join(parts) or None

    # -- rows ---------------------------------------------------------------------------------------
    def _value(self, mapping: Resolved, list_name: str, value: str | None) -> str:
        text = mapping.values.get(list_name, {}).get(value)
        if text is None:
            raise _RowProblem(Outcome.retry())  # named by the start-up alert; waits for a template
        return text

    def _citizen_row(self, n: dict, stt: int) -> list:
        stay, person = n["stay"], n["person"]
        if not stay.get("expected_departure"):
            raise _RowProblem(Outcome.rejected(
                "expected_departure.required_by_receiver",
                "The portal needs an expected departure date (NGÀY ĐI DỰ KIẾN); add it with an amendment."))
        passport = (person.get("document") or {}).get("number")  # a citizen abroad: passport instead of ID
        kind = person.get("document_kind")
        if kind is None:  # typed by hand, not scanned: the operator's default card for an ID number
            kind = self.default_document_kind if person.get("id_number") else "passport"
        number = passport if kind == "passport" else (person.get("id_number") or passport)
        if not number:
            raise _RowProblem(Outcome.rejected(
                "id_number.required_by_receiver",
                "The portal needs a document number (SỐ GIẤY TỜ) for every guest; add it with an amendment."))
        document_name = person.get("document_name") if kind == "other" else None
        reason = stay.get("reason")
        other = self.mapping.values["reason"].get("other")
        reason_text = self.mapping.values["reason"].get(reason) or other
        if reason_text is None:
            raise _RowProblem(Outcome.retry())
        reason_note = None
        if reason_text == other:  # "other", or a reason the template does not list: said in words
            reason_note = stay.get("reason_note") or REASON_WORDS_VI.get(reason) or OTHER_REASON_TEXT
        return [
            stt,
            person["full_name"],
            _dmy(person["date_of_birth"]),
            self._value(self.mapping, "sex", person["sex"]),
            self._value(self.mapping, "nationality", person["nationality"]),
            self._value(self.mapping, "document_kind", kind),
            document_name,
            number,
            None,  # SỐ ĐIỆN THOẠI
            None,  # NƠI CƯ TRÚ HIỆN NAY
            None,  # TỈNH/ THÀNH PHỐ: the Ministry's own codes; left empty rather than guessed
            None,  # PHƯỜNG/ XÃ
            None,  # ĐỊA CHỈ CHI TIẾT
            _dmy(stay["arrived_at"]),
            _dmy(stay["expected_departure"]),
            stay.get("room"),
            reason_text,
            reason_note,
            AMENDMENT_NOTE if n["event"] == "amendment" else None,
        ]

    def _foreigner_fields(self, n: dict) -> dict:
        stay, person = n["stay"], n["person"]
        document = person.get("document") or {}
        departure = stay.get("departed_at") or stay.get("expected_departure")
        return {"ho_ten": person["full_name"], "ngay_sinh": _dmy(person["date_of_birth"]),
                "ngay_sinh_dung_den": "D", "gioi_tinh": {"male": "M", "female": "F"}.get(person["sex"]),
                "ma_quoc_tich": person["nationality"], "so_ho_chieu": document.get("number"),
                "so_phong": stay.get("room"), "ngay_den": _dmy(stay["arrived_at"]),
                "ngay_di_du_kien": _dmy(stay.get("expected_departure")), "ngay_tra_phong": _dmy(departure)}

    def _kbtt_row(self, n: dict, stt: int) -> list:
        f = self._foreigner_fields(n)
        person = n["person"]
        return [stt, f["ho_ten"], f["ngay_sinh"], f["ngay_sinh_dung_den"],
                self._value(self.kbtt_mapping, "sex", person["sex"]),
                self._value(self.kbtt_mapping, "nationality", person["nationality"]),
                f["so_ho_chieu"], f["so_phong"], f["ngay_den"], f["ngay_di_du_kien"], f["ngay_tra_phong"]]

    def _foreigner_xml(self, n: dict, stt: int) -> str:
        f = self._foreigner_fields(n)
        if not f["so_ho_chieu"]:
            raise _RowProblem(Outcome.rejected(
                "document.required_by_receiver", "The portal needs the passport number; add it with an amendment."))
        inner = "".join(f"    <{k}>{_x(v)}</{k}>\n" for k, v in f.items())
        return f"  <THONG_TIN_KHACH>\n    <so_thu_tu>{stt}</so_thu_tu>\n{inner}  </THONG_TIN_KHACH>\n"

    # -- files --------------------------------------------------------------------------------------
    def _render(self, kind: str, items: list[dict]):
        """(bytes, format, [(notification, stt)], {id: problem outcome}) for one facility's group."""
        problems: dict[str, Outcome] = {}
        written: list[tuple[dict, int]] = []
        parts: list = []
        for n in items:
            stt = len(written) + 1
            try:
                if kind == "citizens":
                    parts.append(self._citizen_row(n, stt))
                elif self.foreigners == "xml":
                    parts.append(self._foreigner_xml(n, stt))
                else:
                    parts.append(self._kbtt_row(n, stt))
            except _RowProblem as problem:
                problems[n["id"]] = problem.outcome
                continue
            written.append((n, stt))
        if not written:
            return None, None, written, problems
        if kind == "citizens":
            data = fill_template(self.template.data, CITIZEN_SHEET, parts, first_row=5, style_row=4)
            return data, "xlsx", written, problems
        if self.foreigners == "xml":
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<KHAI_BAO_TAM_TRU>\n' + "".join(parts)
                    + "</KHAI_BAO_TAM_TRU>\n")
            return body.encode("utf-8"), "xml", written, problems
        data = fill_template(self.kbtt.data, KBTT_SHEET, parts, first_row=4, style_row=3)
        return data, "xlsx", written, problems

    def send(self, batch: Batch) -> Delivery:
        self.reload()
        if self.paused:
            return Delivery.all(batch, RETRY, error_class="PortalTemplateMismatch",
                                excerpt=self.paused, alert=self.alert)
        outcomes: dict[str, Outcome] = {}
        groups: "OrderedDict[tuple[str, str], list[dict]]" = OrderedDict()
        for n in batch.notifications:
            if n["event"] in ("departure", "cancellation"):
                outcomes[n["id"]] = Outcome.accepted(NO_ROW_RECEIPT)
                continue
            kind = "citizens" if n["category"] == "residence" else "foreigners"
            groups.setdefault((n["facility"]["code"], kind), []).append(n)
        files: list[WrittenFile] = []
        errors: list[str] = []
        for (facility_code, kind), items in groups.items():
            data, fmt, written, problems = self._render(kind, items)
            outcomes.update(problems)
            if data is None:
                continue
            file_id = new_id("pf")
            stamp = batch.sent_at.astimezone(VN_OFFSET).strftime("%Y%m%d-%H%M")
            filename = f"{facility_code}_{_KIND_SLUG[kind]}_{stamp}_{file_id}.{fmt}"
            folder = self.directory / facility_code
            try:
                folder.mkdir(parents=True, exist_ok=True)
                publish_file(folder, filename, data)
            except OSError as exc:
                log.warning("receiver %s batch %s: cannot write a %s file of %s: %s", self.name, batch.id,
                            kind, facility_code, type(exc).__name__)
                errors.append(type(exc).__name__)
                for n, _ in written:
                    outcomes[n["id"]] = Outcome.retry()
                continue
            deadlines = [n["deadline_at"] for n, _ in written if n.get("deadline_at")]
            files.append(WrittenFile(
                id=file_id, facility_code=facility_code, kind=kind, format=fmt, filename=filename,
                path=str(folder / filename), sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                rows=[(n["id"], stt) for n, stt in written],
                earliest_deadline=min(deadlines, key=lambda d: _local(d)) if deadlines else None))
            for n, _ in written:
                outcomes[n["id"]] = Outcome.awaiting_upload()
        log.info("receiver %s batch %s: %d file(s) written, %d row(s)", self.name, batch.id, len(files),
                 sum(f.row_count for f in files))
        waiting = sum(1 for o in outcomes.values() if o.status == RETRY)
        return Delivery(
            outcomes=outcomes, files=files,
            error_class=errors[0] if errors else None,
            excerpt=bounded("; ".join(f"{f.filename}: {f.row_count} row(s)" for f in files) or "no file written"),
            alert=self.alert if waiting and not errors else None)

