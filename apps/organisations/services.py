"""Writes to organisations: the reference load and RCC membership."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from apps.core.errors import DomainError

from .kinds import OrganisationKind, Region
from .models import Organisation

LA_COLUMNS = (
    "dfe_la_code",
    "gss_code",
    "name",
    "region",
    "la_type",
    "latitude",
    "longitude",
    "population_2020",
    "combined_authority",
)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _read_la_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LA_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DomainError(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    errors = []
    regions = set(Region.values)
    for number, row in enumerate(rows, start=2):
        if not (row["dfe_la_code"].isdigit() and len(row["dfe_la_code"]) == 3):
            errors.append(f"row {number}: dfe_la_code {row['dfe_la_code']!r} is not three digits")
        if row["region"] not in regions:
            errors.append(f"row {number}: region {row['region']!r} is not an English region")
        try:
            float(row["latitude"])
            float(row["longitude"])
        except ValueError:
            errors.append(f"row {number}: latitude/longitude are not numbers")
    if errors:
        raise DomainError(f"{path.name}: " + "; ".join(errors[:20]))
    return rows


@transaction.atomic
def local_authorities_load(*, path: Path) -> LoadResult:
    """Create or update the LAs from the reference CSV, keyed by DfE LA code. Safe to re-run."""
    rows = _read_la_rows(path)
    existing = {o.dfe_la_code: o for o in Organisation.objects.local_authorities()}
    result = LoadResult()
    for row in rows:
        values = {
            "name": row["name"],
            "gss_code": row["gss_code"],
            "region": row["region"],
            "la_type": row["la_type"],
            "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
            "population": int(row["population_2020"]) if row["population_2020"] else None,
            "combined_authority": row["combined_authority"],
        }
        org = existing.get(row["dfe_la_code"])
        if org is None:
            Organisation.objects.create(
                kind=OrganisationKind.LOCAL_AUTHORITY, dfe_la_code=row["dfe_la_code"], **values
            )
            result.created += 1
            continue
        changed = [k for k, v in values.items() if getattr(org, k) != v]
        if changed:
            for key in changed:
                setattr(org, key, values[key])
            org.save(update_fields=[*changed, "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def _district_points(path: Path) -> dict[str, tuple[float, float]]:
    """Read district centres from either shape the loader accepts:

    - this project's file: postcode_district, latitude, longitude (one row a district);
    - the ONS postcode directory: pcds (or pcd), lat, long (one row a full postcode),
      averaged to the district.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or [])
        if {"postcode_district", "latitude", "longitude"} <= fields:
            key, lat, lng = "postcode_district", "latitude", "longitude"
        elif {"lat", "long"} <= fields and fields & {"pcds", "pcd"}:
            key, lat, lng = ("pcds" if "pcds" in fields else "pcd"), "lat", "long"
        else:
            raise DomainError(
                f"{path.name}: expected columns postcode_district, latitude, longitude "
                "(or the ONS postcode directory's pcds, lat, long)"
            )
        sums: dict[str, list[float]] = {}
        for number, row in enumerate(reader, start=2):
            raw = row[key].strip().upper()
            district = (
                raw.split()[0] if " " in raw else (raw if key == "postcode_district" else raw[:-3])
            )
            try:
                y, x = float(row[lat]), float(row[lng])
            except ValueError as err:
                raise DomainError(
                    f"{path.name}: row {number}: latitude/longitude are not numbers"
                ) from err
            if not district or not (49 <= y <= 61 and -9 <= x <= 3):
                continue  # ONS rows without a grid reference carry 99.999999 and are skipped
            acc = sums.setdefault(district, [0.0, 0.0, 0])
            acc[0] += y
            acc[1] += x
            acc[2] += 1
    return {d: (s[0] / s[2], s[1] / s[2]) for d, s in sums.items()}


# Districts further than this from every English LA centre are taken to be outside England.
NEAREST_LA_LIMIT_MILES = 35.0
# Postcode areas wholly outside England (Scotland, Wales, Northern Ireland, Crown dependencies).
NON_ENGLISH_AREAS = frozenset(
    "AB DD DG EH FK G HS IV KA KW KY ML PA PH ZE CF LD LL NP SA BT GY JE IM".split()  # noqa: SIM905
)


def postcode_area(district: str) -> str:
    return (
        "".join(ch for ch in district if ch.isalpha())[:2]
        if district[1:2].isalpha()
        else district[:1]
    )


@transaction.atomic
def postcode_districts_load(*, path: Path) -> LoadResult:
    """Create or update postcode districts and the LA whose centre is nearest. Safe to re-run."""
    from .geo import nearest_points
    from .models import PostcodeDistrict

    points = _district_points(path)
    las = list(Organisation.objects.local_authorities().exclude(latitude=None))
    codes = list(points)
    nearest = nearest_points(
        [points[c] for c in codes],
        [(la.latitude, la.longitude) for la in las],  # type: ignore[misc]
    )
    existing = {d.code: d for d in PostcodeDistrict.objects.all()}
    result = LoadResult()
    to_create, to_update = [], []
    for code, (index, miles) in zip(codes, nearest, strict=True):
        lat, lng = points[code]
        english = postcode_area(code) not in NON_ENGLISH_AREAS
        la_id = las[index].pk if english and miles <= NEAREST_LA_LIMIT_MILES else None
        current = existing.get(code)
        if current is None:
            to_create.append(PostcodeDistrict(code=code, latitude=lat, longitude=lng, la_id=la_id))
        elif (round(current.latitude, 5), round(current.longitude, 5), current.la_id) != (
            round(lat, 5),
            round(lng, 5),
            la_id,
        ):
            current.latitude, current.longitude, current.la_id = lat, lng, la_id
            to_update.append(current)
        else:
            result.unchanged += 1
    PostcodeDistrict.objects.bulk_create(to_create, batch_size=1000)
    PostcodeDistrict.objects.bulk_update(
        to_update, ["latitude", "longitude", "la"], batch_size=1000
    )
    result.created, result.updated = len(to_create), len(to_update)
    return result


POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str | None:
    """ "m14 5ab" → "M14 5AB"; None when it is not shaped like a UK postcode."""
    match = POSTCODE_RE.match((value or "").strip().upper().replace("  ", " "))
    return f"{match.group(1)} {match.group(2)}" if match else None


@transaction.atomic
def postcodes_load(*, path: Path) -> LoadResult:
    """Create or update full postcodes with their grid points. Accepts the shipped sample
    (postcode, district, easting, northing) or the ONS Postcode Directory (pcds, oseast1m,
    osnrth1m). Postcodes whose district is unknown are skipped. Safe to re-run."""
    from .models import Postcode, PostcodeDistrict

    districts = set(PostcodeDistrict.objects.values_list("code", flat=True))
    existing = {p.code: p for p in Postcode.objects.all()}
    result = LoadResult()
    to_create, to_update = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or [])
        if {"postcode", "easting", "northing"} <= fields:
            code_col, east_col, north_col = "postcode", "easting", "northing"
        elif {"pcds", "oseast1m", "osnrth1m"} <= fields:
            code_col, east_col, north_col = "pcds", "oseast1m", "osnrth1m"
        else:
            raise DomainError(
                f"{path.name}: expected columns postcode, easting, northing "
                "(or the ONS directory's pcds, oseast1m, osnrth1m)."
            )
        for row in reader:
            code = normalise_postcode(row.get(code_col) or "")
            east, north = (row.get(east_col) or "").strip(), (row.get(north_col) or "").strip()
            if code is None or not east or not north:
                continue
            district = code.split(" ")[0]
            if district not in districts:
                continue
            easting, northing = int(float(east)), int(float(north))
            current = existing.get(code)
            if current is None:
                to_create.append(
                    Postcode(code=code, district_id=district, easting=easting, northing=northing)
                )
                existing[code] = to_create[-1]
            elif (current.easting, current.northing) != (easting, northing):
                current.easting, current.northing = easting, northing
                to_update.append(current)
            else:
                result.unchanged += 1
    Postcode.objects.bulk_create(to_create, batch_size=2000)
    Postcode.objects.bulk_update(to_update, ["easting", "northing"], batch_size=2000)
    result.created, result.updated = len(to_create), len(to_update)
    return result


#: Ofsted's unique reference numbers: social care ("SC" and six digits) or six or seven digits.
OFSTED_URN_RE = re.compile(r"^(SC\d{6}|\d{6,7})$")


def normalise_ofsted_urn(value: str) -> str | None:
    """ "sc 123456" → "SC123456"; "" for blank; None when it is not shaped like an Ofsted URN."""
    urn = (value or "").strip().upper().replace(" ", "")
    if not urn:
        return ""
    return urn if OFSTED_URN_RE.match(urn) else None
