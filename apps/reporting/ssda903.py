"""The RCC's placements as SSDA903-shaped episode rows, for the DfE (DOMAIN.md "Standard codes").

One row per placement that ran at any time in the collection year (1 April to 31 March):

- CHILD: a pseudonym (keyed hash of the child's LA and record), never the case-system id;
- DECOM / DEC: start and end, DD/MM/YYYY; DEC blank while the placement runs;
- RNE: "S" for the child's first placement on the platform, else "P" (a change of placement);
- LS: the child's legal status; CIN: blank (the category of need is not recorded here);
- PLACE / PLACE_PROVIDER: the SSDA903 placement type and provider codes;
- REC / REASON_PLACE_CHANGE: a placement that ended with a reason is an episode that ceased
  with a new one beginning ("X1"), the reason being the SSDA903 reason for the change;
- HOME_POST / PL_POST: postcode districts (the child's home, the household's);
- URN: the provider's Ofsted URN from the IPA (or the provider's record).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Min, Q

from apps.core.exports import safe_cell
from apps.referrals.models import Placement

COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)


def child_pseudonym(la_id: int, child_id: int) -> str:
    """Stable for the same child, not reversible without the service's secret key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"ssda903:{la_id}:{child_id}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:12].upper()


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def episode_rows(
    *, rcc_id: int, year_start: dt.date, year_end: dt.date, la_id: int | None = None
) -> Iterator[dict[str, str]]:
    qs = Placement.objects.filter(rcc_id=rcc_id, start_date__lte=year_end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=year_start)
    )
    if la_id is not None:
        qs = qs.filter(la_id=la_id)
    rows = qs.order_by("child_id", "start_date", "pk").values_list(
        "child_id",
        "la_id",
        "child__legal_status",
        "start_date",
        "end_date",
        "reason_ended",
        "placement_type",
        "placement_provider",
        "child__home_postcode_district_id",
        "household__postcode_district_id",
        "agreement__provider_urn",
        "provider__organisation__ofsted_urn",
    )
    earliest = dict(
        Placement.objects.filter(child_id__in=qs.values("child_id"))
        .values("child_id")
        .annotate(first=Min("start_date"))
        .values_list("child_id", "first")
    )
    for (
        child_id,
        la,
        legal_status,
        start,
        end,
        reason,
        place,
        provider,
        home,
        district,
        ipa_urn,
        urn,
    ) in rows:
        ended = end is not None and bool(reason)
        yield {
            "CHILD": child_pseudonym(la, child_id),
            "DECOM": _date(start),
            "RNE": "S" if earliest.get(child_id) == start else "P",
            "LS": legal_status or "",
            "CIN": "",
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "DEC": _date(end),
            "REC": "X1" if ended else "",
            "REASON_PLACE_CHANGE": reason if ended else "",
            "HOME_POST": home or "",
            "PL_POST": district or "",
            "URN": ipa_urn or urn or "",
        }


def episodes_csv(rows: Iterator[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()
