"""The daily proof as a PDF (fpdf2), in Vietnamese, in a Unicode font (DejaVu Sans by default)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from ..facility import vocab
from ..timeutil import fmt_date, fmt_time
from .daily import DailyProof

FONT = "DejaVu"
# Column widths in mm (landscape A4: 277 mm between the margins).
WIDTHS = (9, 48, 22, 20, 24, 24, 24, 27, 41, 24, 14)


class FontMissing(RuntimeError):
    """The configured Unicode font file is not there (install fonts-dejavu-core: `make run` does)."""


def _font_paths() -> tuple[Path, Path]:
    regular = Path(current_app.config.get("PROOF_FONT") or "")
    bold = Path(current_app.config.get("PROOF_FONT_BOLD") or "") or regular
    if not regular.is_file():
        raise FontMissing(f"the proof font {regular} is missing: install fonts-dejavu-core "
                          "(apt-get install fonts-dejavu-core) or set ACCOMMNOTIFY_PROOF_FONT")
    return regular, bold if bold.is_file() else regular


def render(proof: DailyProof, key_id: str) -> bytes:
    """The unsigned PDF of `proof` (signing.ProofSigner.sign appends the signature)."""
    regular, bold = _font_paths()
    with force_locale("vi"):
        return _render(proof, key_id, regular, bold)


def _render(proof: DailyProof, key_id: str, regular: Path, bold: Path) -> bytes:
    facility, day = proof.facility, fmt_date(proof.day)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(proof.generated_at)
    pdf.set_title(_("Daily proof of notifications %(day)s", day=day))
    pdf.set_author(facility.name)
    pdf.set_creator("Thông báo lưu trú")
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=12)
    footer = _("Facility %(code)s · %(day)s · signed with Ed25519, key %(key)s", code=facility.code, day=day,
               key=key_id)
    pdf.footer = lambda: _footer(pdf, footer)
    pdf.add_page()

    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, _("Daily proof of notifications %(day)s", day=day), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in (f"{facility.name} ({facility.code})",
                 _("Address: %(address)s · ward %(ward)s, province %(province)s", address=facility.address or "—",
                   ward=facility.ward_code, province=facility.province_code),
                 _("Notifications recorded from 00:00 to 24:00 of %(day)s (Vietnam time). Generated %(when)s.",
                   day=day, when=fmt_time(proof.generated_at)),
                 _("ID numbers are masked to their last 4 characters.")):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    totals = proof.totals
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 5, _("Totals: %(n)s notifications · %(accepted)s accepted · %(open)s not yet accepted · "
                           "%(rejected)s rejected · %(withdrawn)s withdrawn · %(late)s late", n=totals["notifications"],
                           accepted=totals["accepted"], open=totals["open"], rejected=totals["rejected"],
                           withdrawn=totals["withdrawn"], late=totals["late"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    headings = ("#", _("Full name"), _("ID / passport number"), _("Event"), _("Recorded at"), _("Deadline"),
                _("Delivered at"), _("Receiver"), _("Receipt"), _("Status"), _("Late"))
    events = {k: str(v) for k, v in vocab.EVENTS.items()}
    statuses = {k: str(v) for k, v in vocab.STATUSES.items()}
    yes, no = _("Yes"), _("No")
    table = _Table(pdf, headings)
    for i, r in enumerate(proof.rows, 1):
        table.row((str(i), r.full_name, r.number or "—", events.get(r.event, r.event), _when(r.created_at),
                   _when(r.deadline_at), _when(r.delivered_at) or "—", r.receiver, r.receipt or "—",
                   statuses.get(r.status, r.status), yes if r.late else no))
    if not proof.rows:
        pdf.ln(2)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, _("No notification was recorded on this day."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 4, _("This file is signed: `flask --app wsgi proof verify FILE` with the service's public key "
                           "(key %(key)s) says whether any byte was changed.", key=key_id),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _when(value) -> str:
    return fmt_time(value).replace(" ", "\n", 1)


class _Table:
    """A ruled table drawn line by line (fpdf2's own table measures every cell several times: ten
    times slower for a day of hundreds of notifications). Cells wrap at spaces, long words are cut;
    a row never splits over two pages; the headings repeat on each page."""

    SIZE = 7.5
    LINE = 3.6
    PAD = 1.0

    def __init__(self, pdf: FPDF, headings):
        self.pdf, self.headings = pdf, headings
        self._widths: dict[str, float] = {}
        self._heading()

    def _width(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            width = self._widths[text] = self.pdf.get_string_width(text)
        return width

    def _wrap(self, text: str, room: float) -> list[str]:
        lines = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self._width(candidate) <= room:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self._width(word) > room and len(word) > 1:  # a word wider than the column
                    cut = len(word) - 1
                    while cut > 1 and self._width(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def _heading(self) -> None:
        self.pdf.set_font(FONT, "B", self.SIZE)
        self._draw(self.headings, fill=True)
        self.pdf.set_font(FONT, "", self.SIZE)

    def row(self, cells) -> None:
        self._draw(cells)

    def _draw(self, cells, fill: bool = False) -> None:
        pdf = self.pdf
        wrapped = [self._wrap(text, width - 2 * self.PAD) for text, width in zip(cells, WIDTHS)]
        height = max(len(lines) for lines in wrapped) * self.LINE + 2 * self.PAD
        if pdf.get_y() + height > pdf.h - pdf.b_margin and not fill:
            pdf.add_page()
            self._heading()
        x, y = pdf.l_margin, pdf.get_y()
        if fill:
            pdf.set_fill_color(230, 230, 230)
            pdf.rect(x, y, sum(WIDTHS), height, style="F")
        for lines, width in zip(wrapped, WIDTHS):
            pdf.rect(x, y, width, height)
            for n, line in enumerate(lines):
                pdf.text(x + self.PAD, y + self.PAD + (n + 0.8) * self.LINE, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)


def _footer(pdf: FPDF, text: str) -> None:
    pdf.set_y(-10)
    pdf.set_font(FONT, "", 7)
    pdf.cell(0, 5, f"{text} · {pdf.page_no()}/{{nb}}", align="C")
