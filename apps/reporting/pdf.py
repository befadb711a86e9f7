"""A printable PDF of a report snapshot (ReportLab, pure Python): the headline figures and
every table, with the period, scope and build time on each page."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from .build.measures import HEADLINE_LABELS
from .models import ReportSnapshot
from .selectors import ordered_tables
from .templatetags.reporting_tags import cell_text

TEAL = colors.HexColor("#106165")


def snapshot_pdf(snapshot: ReportSnapshot) -> bytes:
    buffer = io.BytesIO()
    title = f"{snapshot.get_kind_display()}: {snapshot.scope_label}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        author=settings.SERVICE_NAME,
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    head = styles["BodyText"].clone("head", fontSize=7.5, leading=9, textColor=colors.white)
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(
            escape(
                f"{snapshot.period_label}. Built "
                f"{timezone.localtime(snapshot.built_at):%-d %B %Y at %H:%M}."
            ),
            styles["BodyText"],
        ),
    ]
    if snapshot.is_empty:
        story.append(
            Paragraph(
                "There was no referral or placement activity in this period.", styles["BodyText"]
            )
        )
    figures = [
        [
            Paragraph(escape(label), small),
            Paragraph(escape(cell_text(snapshot.summary.get(key), kind)), small),
        ]
        for key, label, kind in HEADLINE_LABELS
    ]
    story += [Spacer(1, 4 * mm), _table(figures, None, [90 * mm, 40 * mm])]
    for table in ordered_tables(snapshot):
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph(escape(f"{table['section']}: {table['title']}"), styles["Heading3"]))
        if table.get("note"):
            story.append(Paragraph(escape(table["note"]), small))
        header = [Paragraph(escape(c["label"]), head) for c in table["columns"]]
        rows = [
            [
                Paragraph(escape(cell_text(v, c["type"])), small)
                for v, c in zip(row, table["columns"], strict=True)
            ]
            for row in table["rows"]
        ] or [[Paragraph("No rows for this period.", small)] + [""] * (len(header) - 1)]
        width = (doc.width) / max(1, len(header))
        story.append(_table([header, *rows], 1, [width] * len(header)))
    doc.build(story, onFirstPage=_footer(title), onLaterPages=_footer(title))
    return buffer.getvalue()


def _table(rows: list[list[Any]], header_rows: int | None, widths: list[float]) -> LongTable:
    table = LongTable(rows, colWidths=widths, repeatRows=header_rows or 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), TEAL))
    table.setStyle(TableStyle(style))
    return table


def _footer(title: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(12 * mm, 8 * mm, f"{settings.SERVICE_NAME}: {title}")
        canvas.drawRightString(doc.pagesize[0] - 12 * mm, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw
