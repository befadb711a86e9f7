"""The individual placement agreement (IPA) as a PDF (ReportLab, pure Python): what the
placement page shows, on A4, for the same reader (postcodes only for the child's LA and hub)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .choices import SupportKind
from .models import Placement
from .querysets import sees_full_postcodes
from .services.placements import placement_view

BORDER = colors.HexColor("#b1b4b6")


def _money(value: Any) -> str:
    return "" if value in (None, "") else f"£{Decimal(str(value)):,.2f}"


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _support_line(line: dict[str, Any]) -> str:
    try:
        kind = str(SupportKind(line.get("kind", "")).label)
    except ValueError:
        kind = str(line.get("kind", ""))
    note = f" ({line['note']})" if line.get("note") else ""
    return f"{kind}: {_money(line.get('weekly_cost'))}{note}"


def placement_rows(placement: Placement, *, full_postcodes: bool) -> list[tuple[str, str]]:
    """The placement's summary, label and value, as the page shows it."""
    rows = [
        ("Child", placement.child.local_identifier),
        ("Local authority", placement.la.name),
        ("Regional care cooperative", placement.rcc.name),
        ("Referral", str(placement.referral_id)),
        ("Provider", placement.provider.name),
        (
            "Household",
            f"{placement.household.display_name} ({placement.household.postcode_district_id})",
        ),
        ("Placement type", f"{placement.get_placement_type_display()}"),
        ("Placement provider", f"{placement.get_placement_provider_display()}"),
        ("Start date", _day(placement.start_date)),
        ("Status", placement.status_label),
        ("Provider's Ofsted URN", placement.provider_urn or "Not recorded"),
    ]
    if full_postcodes:
        rows += [
            ("Child's home postcode at the start", placement.home_postcode or "Not recorded"),
            ("Carers' postcode", placement.placement_postcode or "Not recorded"),
        ]
    distance = placement.distance_from_home_miles
    rows.append(
        (
            "Distance from home",
            f"{distance} miles"
            if distance is not None
            else "Not known (no home postcode district)",
        )
    )
    if placement.end_date:
        rows += [
            ("End date", _day(placement.end_date)),
            ("Reason ended", placement.get_reason_ended_display()),
        ]
    booked_by = placement.booked_by.get_full_name() or placement.booked_by.email
    rows.append(("Booked by", f"{booked_by}, {_day(timezone.localtime(placement.created_at))}"))
    return rows


def agreement_rows(placement: Placement) -> list[tuple[str, str]]:
    ipa = getattr(placement, "agreement", None)
    if ipa is None:
        return [("Agreement", "No IPA was recorded with this placement.")]
    support = [_support_line(line) for line in ipa.support_package or []]
    actual = _money(ipa.weekly_cost)
    if ipa.weekly_cost != ipa.agreed_weekly_cost:
        actual += " (changed since the IPA was agreed)"
    return [
        ("Agreed weekly fee", _money(ipa.agreed_weekly_fee)),
        ("Support package", "\n".join(support) or "None"),
        ("Agreed weekly cost", _money(ipa.agreed_weekly_cost)),
        ("Actual weekly cost", actual),
        ("Provider's Ofsted URN", ipa.provider_urn or "–"),
        ("Siblings placed apart", "Yes" if ipa.siblings_split else "No"),
        ("Agreed on", _day(timezone.localtime(ipa.created_at))),
    ]


def ipa_pdf(placement: Placement, *, full_postcodes: bool, scrutinies: Any = ()) -> bytes:
    """The IPA of `placement` as PDF bytes. `scrutinies`: the referral's scrutiny decisions."""
    buffer = io.BytesIO()
    title = f"Individual placement agreement: {placement.child.local_identifier}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=settings.SERVICE_NAME,
        subject=f"Placement {placement.pk}, referral {placement.referral_id}",
    )
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    key = body.clone("key", fontName="Helvetica-Bold")
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(
            escape(
                f"{placement.la.name} · {placement.provider.name} · "
                f"Placement {placement.pk}, referral {placement.referral_id}"
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph("Placement", styles["Heading2"]),
        _summary(placement_rows(placement, full_postcodes=full_postcodes), key, body, doc.width),
        Spacer(1, 4 * mm),
        Paragraph("Individual placement agreement", styles["Heading2"]),
        _summary(agreement_rows(placement), key, body, doc.width),
        Spacer(1, 4 * mm),
        Paragraph("Scrutiny", styles["Heading2"]),
    ]
    decisions = [
        (
            f"{s.get_decision_display()}, {_day(timezone.localtime(s.decided_at))}"
            + (" (after the start)" if s.after_placement else ""),
            s.reasons,
        )
        for s in scrutinies
    ]
    if decisions:
        story.append(_summary(decisions, key, body, doc.width))
    else:
        story.append(Paragraph("Not scrutinised yet.", body))
    footer = (
        f"{settings.SERVICE_NAME}: {title}. Printed {_day(timezone.localtime())}, "
        f"{timezone.localtime():%H:%M}. "
        "Official-Sensitive: it identifies a looked-after child."
    )
    doc.build(story, onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return buffer.getvalue()


def ipa_download(placement: Placement, *, reader: Any, channel: str) -> tuple[bytes, str]:
    """The IPA as a PDF and its file name, for a reader who may see the placement (the caller
    scoped it); the read is logged like every read of the child's record."""
    placement_view(placement=placement, by=reader, channel=channel)
    content = ipa_pdf(
        placement,
        full_postcodes=sees_full_postcodes(
            reader, la_id=placement.la_id, rcc_ids={placement.rcc_id}
        ),
        scrutinies=placement.referral.scrutinies.order_by("decided_at"),
    )
    return content, f"ipa-{placement.child.local_identifier}-placement-{placement.pk}.pdf"


def _summary(rows: list[tuple[str, str]], key: Any, body: Any, width: float) -> Table:
    cells = [
        [
            Paragraph(escape(label), key),
            Paragraph(escape(value).replace("\n", "<br/>"), body),
        ]
        for label, value in rows
    ]
    table = Table(cells, colWidths=[width * 0.38, width * 0.62])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, BORDER),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _footer(text: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 10 * mm, text)
        canvas.drawRightString(doc.pagesize[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw
