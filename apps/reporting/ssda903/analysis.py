"""The RCC-wide analysis file: every episode of the RCC's LAs' children in a collection year,
as in the LAs' own returns but with CHILD a keyed pseudonym (never the LA's identifier or the
case-system id) and postcodes cut to their district, for the RCC's commissioners and the NCC."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings

from apps.organisations.models import Organisation
from apps.referrals.models import Child
from apps.referrals.ssda903 import EPISODE_COLUMNS

from .files import _csv, return_build


def child_pseudonym(la_id: int, identifier: str) -> str:
    """Stable for the same child, not reversible without the service's secret key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"ssda903:{la_id}:{identifier}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:12].upper()


def _district(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


def rcc_analysis_csv(*, rcc: Organisation, year: int, today: dt.date) -> str:
    las = Organisation.objects.filter(rcc_memberships__rcc=rcc).distinct().order_by("name")
    children = Child.objects.filter(referrals__rcc=rcc).distinct()
    rows = []
    for la in las:
        built = return_build(la=la, year=year, children=children, today=today)
        for row in built.episodes:
            rows.append(
                {
                    **row,
                    "CHILD": child_pseudonym(la.pk, row["CHILD"]),
                    "HOME_POST": _district(row["HOME_POST"]),
                    "PL_POST": _district(row["PL_POST"]),
                }
            )
    return _csv(EPISODE_COLUMNS, rows)
