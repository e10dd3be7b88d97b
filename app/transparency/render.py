"""A report's CSV and PDF, rendered from its stored JSON document (so all formats hold the
same figures). The PDF carries the report's date as its creation date: same input, same file."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime

from flask_babel import gettext as _

from app.core.money import format_cents
from app.core.setup import status_label

CSV_TABLES = ("campaigns", "selection", "municipalities", "sponsors", "applications")
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


def _rows(doc: dict, table: str) -> tuple[list[str], list[list]]:
    if table == "campaigns":
        head = [
            "id",
            "title",
            "municipality",
            "status",
            "goal_cents",
            "raised_cents",
            "matched_cents",
            "backers",
            "refunded_cents",
        ]
        return head, [[c.get(k) for k in head] for c in doc.get("campaigns", [])]
    if table == "selection":
        head = [
            "rank",
            "application_id",
            "title",
            "municipality",
            "raw_score",
            "calibrated_score",
            "totals_count",
            "disputed",
            "outcome",
            "reason",
        ]
        return head, [[r.get(k) for k in head] for r in doc.get("selection", [])]
    if table == "municipalities":
        head = ["municipality", "campaigns", "raised_cents", "matched_cents"]
        return head, [[r.get(k) for k in head] for r in doc.get("by_municipality", [])]
    if table == "sponsors":
        head = ["sponsor", "committed_cents", "matched_cents", "released_cents", "available_cents"]
        return head, [[r.get(k) for k in head] for r in doc.get("sponsors", [])]
    section = doc.get("applications") or {}
    rows = [["status", k, v] for k, v in section.get("by_status", {}).items()]
    rows += [["municipality", k, v] for k, v in section.get("by_municipality", {}).items()]
    rows += [["applicant_type", k, v] for k, v in section.get("by_applicant_type", {}).items()]
    return ["dimension", "value", "count"], rows


def to_csv(doc: dict, table: str = "campaigns") -> str:
    """One table of the report as CSV (comma, UTF-8, header row; amounts in cents)."""
    head, rows = _rows(doc, table if table in CSV_TABLES else "campaigns")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return out.getvalue()


def _cell(value):
    text = str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _font(pdf) -> str:
    for folder in _FONT_DIRS:
        regular, bold = os.path.join(folder, "DejaVuSans.ttf"), os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular) and os.path.exists(bold):
            pdf.add_font("DejaVu", "", regular)
            pdf.add_font("DejaVu", "B", bold)
            return "DejaVu"
    return "Helvetica"


def to_pdf(doc: dict) -> bytes:
    """The report as PDF: headline figures, the ledger it was computed from, bar charts of
    raised and matched per project and per municipality, and the tables."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    generated = doc.get("generated_at") or "1970-01-01T00:00:00.000000Z"
    pdf.set_creation_date(datetime.strptime(generated, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC))
    font = _font(pdf)
    latin = font == "Helvetica"

    def txt(value) -> str:
        s = str(value if value is not None else "")
        return s.encode("latin-1", "replace").decode("latin-1") if latin else s

    def euro(cents) -> str:
        s = format_cents(int(cents or 0))
        return s.replace("€", "EUR") if latin else s

    pdf.set_title(txt(doc.get("title")))
    pdf.add_page()
    pdf.set_font(font, "B", 16)
    pdf.multi_cell(0, 8, txt(doc.get("title")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    pdf.multi_cell(
        0,
        5,
        txt(_("Versie %(v)s, gemaakt op %(d)s", v=doc.get("version"), d=generated)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    ledger = doc.get("ledger") or {}
    pdf.multi_cell(
        0,
        5,
        txt(
            _(
                "Grootboek tot record %(seq)s (%(count)s records), hash %(hash)s",
                seq=ledger.get("seq"),
                count=ledger.get("count"),
                hash=ledger.get("hash"),
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    summary = doc.get("summary") or {}
    pdf.ln(2)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, txt(_("Samenvatting")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    for label, value in (
        (_("Campagnes"), summary.get("campaigns", 0)),
        (_("Geslaagd"), f"{summary.get('succeeded', 0)} / {summary.get('closed', 0)}"),
        (_("Opgehaald"), euro(summary.get("raised_cents"))),
        (_("Verdubbeld"), euro(summary.get("matched_cents"))),
        (_("Terugbetaald"), euro(summary.get("refunded_cents"))),
    ):
        pdf.cell(60, 5, txt(label))
        pdf.cell(0, 5, txt(value), new_x="LMARGIN", new_y="NEXT")
    campaigns = doc.get("campaigns") or []
    _bar_chart(
        pdf,
        font,
        txt,
        euro,
        _("Opgehaald en verdubbeld per project"),
        [(c["title"], c["raised_cents"], c["matched_cents"]) for c in campaigns],
    )
    _bar_chart(
        pdf,
        font,
        txt,
        euro,
        _("Opgehaald en verdubbeld per gemeente"),
        [(m["municipality"], m["raised_cents"], m["matched_cents"]) for m in doc.get("by_municipality", [])],
    )
    _table(
        pdf,
        font,
        txt,
        _("Campagnes"),
        [_("Project"), _("Doel"), _("Opgehaald"), _("Verdubbeld"), _("Steuners")],
        [
            [
                c["title"],
                euro(c["goal_cents"]),
                euro(c["raised_cents"]),
                euro(c["matched_cents"]),
                c.get("backers", 0),
            ]
            for c in campaigns
        ],
    )
    if doc.get("selection"):
        _table(
            pdf,
            font,
            txt,
            _("Selectie"),
            [_("Rang"), _("Project"), _("Score"), _("Uitkomst"), _("Reden")],
            [
                [r["rank"], r.get("title"), _score(r), _label(r.get("outcome")), _label(r.get("reason"))]
                for r in doc["selection"]
            ],
        )
    if doc.get("sponsors"):
        _table(
            pdf,
            font,
            txt,
            _("Sponsors"),
            [_("Sponsor"), _("Toegezegd"), _("Verdubbeld"), _("Vrijgegeven"), _("Beschikbaar")],
            [
                [
                    s.get("sponsor"),
                    euro(s.get("committed_cents")),
                    euro(s.get("matched_cents")),
                    euro(s.get("released_cents")),
                    euro(s.get("available_cents")),
                ]
                for s in doc["sponsors"]
            ],
        )
    return bytes(pdf.output())


def _label(code) -> str:
    """The translated label of a stable code (a free-text reason comes back as it is)."""
    return str(status_label(code)) if code else ""


def _score(row: dict) -> str:
    value = row.get("calibrated_score") if row.get("calibrated_score") is not None else row.get("raw_score")
    return "" if value is None else f"{value:.2f}"


def _bar_chart(pdf, font, txt, euro, title, rows) -> None:
    if not rows:
        return
    pdf.ln(3)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, txt(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 8)
    scale = max([r + m for _t, r, m in rows] + [1])
    span = 95
    for label, raised, matched in rows:
        if pdf.get_y() > 270:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(10, y)
        pdf.cell(55, 4, txt(str(label)[:34]))
        for i, (value, colour) in enumerate(((raised, (11, 93, 59)), (matched, (10, 74, 143)))):
            w = max(0.2, span * value / scale)
            pdf.set_fill_color(*colour)
            pdf.rect(66, y + i * 4, w, 3.4, style="F")
            pdf.set_xy(67 + w, y + i * 4 - 0.3)
            pdf.cell(30, 4, txt(euro(value)))
        pdf.set_y(y + 9)


def _table(pdf, font, txt, title, head, rows) -> None:
    pdf.ln(3)
    if pdf.get_y() > 250:
        pdf.add_page()
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, txt(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 8)
    with pdf.table(first_row_as_headings=True, text_align="LEFT") as table:
        table.row([txt(h) for h in head])
        for row in rows:
            table.row([txt(v) for v in row])
