"""Helpers for the register's write-side tests: a provider per IFA of the `world`, the default
needs taxonomy, a few postcode districts, valid household data and register files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.needs.services import taxonomy_load
from apps.organisations.models import PostcodeDistrict
from apps.providers import importer
from apps.providers.models import (
    Carer,
    Household,
    HouseholdSkill,
    Provider,
    RegisterUpload,
    Vacancy,
)
from apps.providers.services import register_columns
from tests.conftest import World
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.providers.factories import ProviderFactory

TAXONOMY = Path(settings.BASE_DIR) / "data" / "taxonomy" / "needs_default.json"


@dataclass
class RegisterWorld:
    world: World
    provider: Provider  # world.ifa's
    other: Provider  # world.other_ifa's
    staff: User  # provider_referrals at world.ifa
    other_staff: User  # provider_referrals at world.other_ifa
    hub: User  # placement officer (reads everything)
    district: PostcodeDistrict
    other_district: PostcodeDistrict


def make_register(world: World) -> RegisterWorld:
    taxonomy_load(path=TAXONOMY)
    district = PostcodeDistrictFactory(code="OL11", latitude=53.6, longitude=-2.17, la=world.la)
    other_district = PostcodeDistrictFactory(
        code="M14", latitude=53.45, longitude=-2.22, la=world.other_la
    )
    return RegisterWorld(
        world=world,
        provider=ProviderFactory(organisation=world.ifa),
        other=ProviderFactory(organisation=world.other_ifa),
        staff=world.users[Role.PROVIDER_REFERRALS],
        other_staff=user_with_role(Role.PROVIDER_REFERRALS, world.other_ifa),
        hub=world.users[Role.PLACEMENT_OFFICER],
        district=district,
        other_district=other_district,
    )


def household_data(reference: str = "HH-1", **overrides: Any) -> dict[str, Any]:
    """A valid household as the services and the API take it."""
    data: dict[str, Any] = {
        "reference": reference,
        "status": "active",
        "postcode_district": "OL11",
        "age_min": 0,
        "age_max": 17,
        "places": 2,
        "max_sibling_group": 2,
        "care_types": ["short_term", "long_term"],
        "bedrooms": 2,
        "pets": "One dog",
        "other_children_ages": [9],
        "preferences": "",
        "carers": [
            {
                "age_band": "45-54",
                "sex": "F",
                "ethnicity": "WBRI",
                "religion": "christian",
                "languages": ["en"],
            },
            {
                "age_band": "45-54",
                "sex": "M",
                "ethnicity": "WBRI",
                "religion": "none",
                "languages": ["en", "pl"],
            },
        ],
        "skills": [{"domain": "behaviour", "level": 2}, {"domain": "education", "level": 1}],
        "vacancies": [
            {"reference": f"{reference}-A", "available_from": dt.date(2026, 6, 1), "status": "open"}
        ],
    }
    data.update(overrides)
    return data


def row(reference: str = "HH-1", **overrides: str) -> dict[str, str]:
    """A valid row of the register file (column name -> cell text)."""
    values = {
        "reference": reference,
        "status": "active",
        "postcode_district": "OL11",
        "age_min": "0",
        "age_max": "17",
        "places": "2",
        "max_sibling_group": "2",
        "care_types": "short_term;long_term",
        "bedrooms": "2",
        "pets": "",
        "other_children_ages": "9",
        "carer_1_age_band": "45-54",
        "carer_1_sex": "F",
        "carer_1_ethnicity": "WBRI",
        "carer_1_religion": "christian",
        "carer_1_languages": "en",
        "skill_behaviour": "2",
        "vacancy_1_reference": f"{reference}-A",
        "vacancy_1_available_from": "2026-06-01",
        "vacancy_1_status": "open",
    }
    values.update(overrides)
    return values


def header() -> list[str]:
    return [c.name for c in register_columns()]


def csv_file(
    rows: list[dict[str, str]], *, columns: list[str] | None = None, name: str = "register.csv"
) -> SimpleUploadedFile:
    columns = columns or header()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(c, "") for c in columns])
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[dict[str, Any]], *, name: str = "register.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    columns = header()
    wb = Workbook()
    ws = wb.active
    ws.title = importer.SHEET_NAME
    ws.append(columns)
    for values in rows:
        ws.append([values.get(c) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(
        name,
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def register_counts() -> dict[str, int]:
    """Rows of every register table (to show that nothing was written)."""
    return {
        "households": Household.objects.count(),
        "carers": Carer.objects.count(),
        "skills": HouseholdSkill.objects.count(),
        "vacancies": Vacancy.objects.count(),
    }


def upload_count() -> int:
    return RegisterUpload.objects.count()
