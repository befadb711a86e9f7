"""The rules a household must meet, checked before anything is written.

`household_validate` takes one household as plain Python values (the shape the API takes as
JSON, and the shape the importer and the web form build) and returns either a
`CleanHousehold` ready to write or every `Problem` found, each naming the field at fault by
a path such as ``age_max``, ``carers.0.sex`` or ``vacancies.1.hold_reason``. The web form,
the API and the file upload all go through it (via the services), so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import PostcodeDistrict

from .choices import (
    CARE_TYPE_CODES,
    END_REASONS_FOR_STATUS,
    ENDED_HOUSEHOLD_STATUSES,
    LANGUAGES,
    AgeBand,
    ApprovalEndReason,
    Ethnicity,
    HouseholdStatus,
    Religion,
    Sex,
    VacancyStatus,
    care_types_to_mask,
)

AGE_LIMIT = 25
MAX_PLACES = 20
MAX_BEDROOMS = 20
MAX_CARERS = 4
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
FULL_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*[0-9][A-Z]{2}$")
LIVE_HOUSEHOLD_STATUSES = (HouseholdStatus.ACTIVE, HouseholdStatus.ON_HOLD)
LIVE_VACANCY_STATUSES = (VacancyStatus.OPEN, VacancyStatus.ON_HOLD)

HOUSEHOLD_FIELDS = (
    "status",
    "postcode_district_id",
    "latitude",
    "longitude",
    "la_id",
    "age_min",
    "age_max",
    "places",
    "max_sibling_group",
    "care_types",
    "bedrooms",
    "pets",
    "adaptations",
    "other_children_ages",
    "preferences",
    "approved_on",
    "approval_ended_on",
    "approval_end_reason",
)
CARER_FIELDS = ("age_band", "sex", "ethnicity", "religion", "languages")
VACANCY_FIELDS = ("available_from", "status", "hold_reason")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a field path), what, and how to fix it."""

    path: str
    message: str
    hint: str = ""


@dataclass
class CleanHousehold:
    reference: str
    fields: dict[str, Any]
    carers: list[dict[str, Any]]
    skills: dict[int, tuple[NeedDomain, NeedLevel]]  # domain id -> (domain, level)
    vacancies: list[dict[str, Any]] = field(default_factory=list)


class RegisterLookups:
    """Reference data a batch of households is checked against, each loaded once."""

    def __init__(self) -> None:
        self.domains = {d.code: d for d in NeedDomain.objects.active()}
        self.levels = {lv.rank: lv for lv in NeedLevel.objects.all()}
        self._districts: dict[str, PostcodeDistrict | None] = {}

    def load_districts(self, codes: Iterable[str]) -> None:
        wanted = {normalise_district(c) for c in codes if isinstance(c, str)}
        wanted = {c for c in wanted if c and c not in self._districts}
        if not wanted:
            return
        found = {d.code: d for d in PostcodeDistrict.objects.filter(code__in=wanted)}
        for code in wanted:
            self._districts[code] = found.get(code)

    def district(self, code: str) -> PostcodeDistrict | None:
        self.load_districts([code])
        return self._districts.get(code)


def normalise_district(value: str) -> str:
    return " ".join(value.split()).upper()


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(path, message, hint))

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        max_length: int,
        required: bool = False,
    ) -> str:
        value = data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(path, f"{key} must be text.")
            return ""
        value = value.strip()
        if required and not value:
            self.add(path, f"{key} is required.", "Fill it in.")
        elif len(value) > max_length:
            self.add(
                path,
                f"{key} is {len(value)} characters long; the most allowed is {max_length}.",
                "Shorten it.",
            )
        return value

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        lo: int,
        hi: int,
        default: int | None = None,
    ) -> int | None:
        value = data.get(key)
        if value is None or value == "":
            if default is None:
                self.add(path, f"{key} is required.", f"Give a whole number from {lo} to {hi}.")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(
                path,
                f"{key} must be a whole number, not {value!r}.",
                f"Give a whole number from {lo} to {hi}.",
            )
            return None
        if not lo <= value <= hi:
            self.add(
                path,
                f"{key} is {value}; it must be from {lo} to {hi}.",
                f"Give a whole number from {lo} to {hi}.",
            )
            return None
        return value

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: Iterable[str],
        default: str | None = None,
        upper: bool = False,
    ) -> str | None:
        allowed = list(choices)
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.add(path, f"{key} is required.", "Use one of: " + ", ".join(allowed) + ".")
            return default
        if not isinstance(value, str):
            self.add(
                path,
                f"{key} must be one of the codes, not {value!r}.",
                "Use one of: " + ", ".join(allowed) + ".",
            )
            return None
        code = value.strip().upper() if upper else value.strip().lower()
        if code not in allowed:
            self.add(
                path,
                f"{key} {value.strip()!r} is not a known code.",
                "Use one of: " + ", ".join(allowed) + ".",
            )
            return None
        return code

    def date(self, data: Mapping[str, Any], key: str, path: str) -> dt.date | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(path, f"{key} {value!r} is not a date.", "Write the date as YYYY-MM-DD.")
        return None

    def code_list(
        self, data: Mapping[str, Any], key: str, path: str, *, choices: Iterable[str]
    ) -> list[str] | None:
        allowed = list(choices)
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.add(path, f"{key} must be a list of codes.")
            return None
        codes = [v.strip().lower() for v in value if v.strip()]
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            self.add(
                path,
                f"{key}: {', '.join(repr(c) for c in unknown)} "
                + ("is not a known code." if len(unknown) == 1 else "are not known codes."),
                "Use codes from: " + ", ".join(allowed) + ".",
            )
            return None
        return list(dict.fromkeys(codes))


def household_validate(
    *, data: Mapping[str, Any], lookups: RegisterLookups
) -> tuple[CleanHousehold | None, list[Problem]]:
    """Check one household; return it cleaned, or None and every problem found."""
    c = _Checker()
    reference = c.text(data, "reference", "reference", max_length=40, required=True)
    if reference and not REFERENCE_RE.match(reference):
        c.add(
            "reference",
            f"reference {reference!r} has characters that are not allowed.",
            "Use letters, digits, spaces, dots, hyphens and underscores (write / as -).",
        )
    status = c.choice(
        data, "status", "status", choices=HouseholdStatus.values, default=HouseholdStatus.ACTIVE
    )

    district = None
    raw_district = data.get("postcode_district")
    if not isinstance(raw_district, str) or not raw_district.strip():
        c.add(
            "postcode_district",
            "postcode_district is required.",
            "Give the postcode district, e.g. M14.",
        )
    else:
        code = normalise_district(raw_district)
        full = FULL_POSTCODE_RE.match(code)
        if full:
            c.add(
                "postcode_district",
                f"{raw_district.strip()!r} is a full postcode; only the district is kept.",
                f"Give the part before the space: {full.group(1)}.",
            )
        else:
            district = lookups.district(code)
            if district is None:
                c.add(
                    "postcode_district",
                    f"Postcode district {code!r} is not known.",
                    "Check it against the first half of the household's postcode, e.g. M14.",
                )

    age_min = c.integer(data, "age_min", "age_min", lo=0, hi=AGE_LIMIT)
    age_max = c.integer(data, "age_max", "age_max", lo=0, hi=AGE_LIMIT)
    if age_min is not None and age_max is not None and age_min > age_max:
        c.add(
            "age_max",
            f"The age range is reversed: age_min {age_min} is older than age_max {age_max}.",
            "Put the youngest approved age in age_min and the oldest in age_max.",
        )
    places = c.integer(data, "places", "places", lo=1, hi=MAX_PLACES)
    siblings = c.integer(
        data, "max_sibling_group", "max_sibling_group", lo=1, hi=MAX_PLACES, default=1
    )
    if places is not None and siblings is not None and siblings > places:
        c.add(
            "max_sibling_group",
            f"max_sibling_group {siblings} is more than the {places} approved place(s).",
            "A sibling group cannot be larger than the number of places.",
        )
    care_types = c.code_list(data, "care_types", "care_types", choices=CARE_TYPE_CODES)
    if care_types == []:
        c.add(
            "care_types",
            "care_types is required: give at least one type of care.",
            "Use codes from: " + ", ".join(CARE_TYPE_CODES) + ".",
        )
    bedrooms = c.integer(data, "bedrooms", "bedrooms", lo=0, hi=MAX_BEDROOMS, default=1)
    pets = c.text(data, "pets", "pets", max_length=200)
    adaptations = c.text(data, "adaptations", "adaptations", max_length=300)
    preferences = c.text(data, "preferences", "preferences", max_length=2000)
    other_ages = _ages(c, data.get("other_children_ages"))

    approved_on, ended_on, end_reason = _approval(c, data, status)
    carers = _carers(c, data.get("carers"))
    skills = _skills(c, data.get("skills"), lookups)
    vacancies = _vacancies(c, data.get("vacancies"), places)

    if c.problems or district is None:
        return None, c.problems
    fields = {
        "status": status,
        "postcode_district_id": district.code,
        "latitude": district.latitude,
        "longitude": district.longitude,
        "la_id": district.la_id,
        "age_min": age_min,
        "age_max": age_max,
        "places": places,
        "max_sibling_group": siblings,
        "care_types": care_types_to_mask(care_types or []),
        "bedrooms": bedrooms,
        "pets": pets,
        "adaptations": adaptations,
        "other_children_ages": other_ages,
        "preferences": preferences,
        # None when not given: the service keeps the stored date (today for a new household).
        "approved_on": approved_on,
        "approval_ended_on": ended_on,
        "approval_end_reason": end_reason,
    }
    return CleanHousehold(reference, fields, carers, skills, vacancies), []


def _approval(
    c: _Checker, data: Mapping[str, Any], status: str | None
) -> tuple[dt.date | None, dt.date | None, str]:
    """The household's approval history: approved on, and when and why the approval ended
    (required once the carers resigned or were deregistered, blank while they are approved)."""
    today = timezone.localdate()
    approved_on = c.date(data, "approved_on", "approved_on")
    ended_on = c.date(data, "approval_ended_on", "approval_ended_on")
    reason = c.choice(
        data,
        "approval_end_reason",
        "approval_end_reason",
        choices=ApprovalEndReason.values,
        default="",
        upper=True,
    )
    for key, day in (("approved_on", approved_on), ("approval_ended_on", ended_on)):
        if day is not None and day > today:
            c.add(key, f"{key} {day:%d/%m/%Y} is in the future.", "Give a date up to today.")
    if approved_on and ended_on and ended_on < approved_on:
        c.add(
            "approval_ended_on",
            f"approval_ended_on {ended_on:%d/%m/%Y} is before approved_on {approved_on:%d/%m/%Y}.",
            "Check both dates: an approval cannot end before it began.",
        )
    if status in ENDED_HOUSEHOLD_STATUSES:
        allowed = END_REASONS_FOR_STATUS[status]
        if ended_on is None and "approval_ended_on" not in {p.path for p in c.problems}:
            c.add(
                "approval_ended_on",
                f"approval_ended_on is required: the household's status is {status}.",
                "Give the day the carers resigned or were deregistered.",
            )
        if reason is None:
            pass  # not a known code: already reported
        elif not reason:
            c.add(
                "approval_end_reason",
                f"approval_end_reason is required: say why the carers {status}.",
                "Use one of: " + ", ".join(allowed) + ".",
            )
        elif reason not in allowed:
            c.add(
                "approval_end_reason",
                f"approval_end_reason {reason!r} is not a reason for {status} carers.",
                "Use one of: " + ", ".join(allowed) + ".",
            )
    elif status is not None:
        for key, value in (("approval_ended_on", ended_on), ("approval_end_reason", reason)):
            if value:
                c.add(
                    key,
                    f"{key} is given but the household's status is {status}.",
                    "Leave it blank while the household is approved, or set status to resigned "
                    "or deregistered.",
                )
    return approved_on, ended_on, reason or ""


def _ages(c: _Checker, value: Any) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        c.add(
            "other_children_ages",
            "other_children_ages must be a list of whole numbers.",
            "For example: 4;9",
        )
        return []
    wrong = [v for v in value if not 0 <= v <= AGE_LIMIT]
    if wrong:
        c.add(
            "other_children_ages",
            f"other_children_ages: {', '.join(map(str, wrong))} "
            f"is not an age from 0 to {AGE_LIMIT}.",
            "List each other child's age in years, e.g. 4;9",
        )
    return sorted(value)


def _carers(c: _Checker, value: Any) -> list[dict[str, Any]]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        c.add("carers", "carers must be a list.")
        return []
    if not value:
        c.add(
            "carers", "Give at least one carer.", "Fill in carer_1's age band, sex and ethnicity."
        )
    if len(value) > MAX_CARERS:
        c.add("carers", f"A household has at most {MAX_CARERS} carers; {len(value)} were given.")
    out = []
    for i, carer in enumerate(value):
        p = f"carers.{i}."
        if not isinstance(carer, Mapping):
            c.add(f"carers.{i}", "Each carer must be an object.")
            continue
        out.append(
            {
                "age_band": c.choice(carer, "age_band", p + "age_band", choices=AgeBand.values),
                "sex": c.choice(carer, "sex", p + "sex", choices=Sex.values, upper=True),
                "ethnicity": c.choice(
                    carer, "ethnicity", p + "ethnicity", choices=Ethnicity.values, upper=True
                ),
                "religion": c.choice(
                    carer,
                    "religion",
                    p + "religion",
                    choices=Religion.values,
                    default=Religion.NOT_STATED,
                ),
                "languages": c.code_list(carer, "languages", p + "languages", choices=LANGUAGES)
                or [],
            }
        )
    return out


def _skills(
    c: _Checker, value: Any, lookups: RegisterLookups
) -> dict[int, tuple[NeedDomain, NeedLevel]]:
    if value is None:
        return {}
    if not isinstance(value, list | tuple):
        c.add("skills", "skills must be a list of {domain, level}.")
        return {}
    out: dict[int, tuple[NeedDomain, NeedLevel]] = {}
    levels = ", ".join(f"{rank} ({lv.name})" for rank, lv in sorted(lookups.levels.items()))
    for i, skill in enumerate(value):
        p = f"skills.{i}."
        if not isinstance(skill, Mapping):
            c.add(f"skills.{i}", "Each skill must be an object with domain and level.")
            continue
        code = skill.get("domain")
        domain = lookups.domains.get(code.strip()) if isinstance(code, str) else None
        if domain is None:
            c.add(
                p + "domain",
                f"Need domain {code!r} is not in the needs taxonomy.",
                "Use one of: " + ", ".join(lookups.domains) + ".",
            )
        elif domain.pk in out:
            c.add(p + "domain", f"Need domain {code!r} is given twice.", "Give each domain once.")
        rank = skill.get("level")
        level = (
            lookups.levels.get(rank)
            if isinstance(rank, int) and not isinstance(rank, bool)
            else None
        )
        if level is None:
            c.add(
                p + "level",
                f"Level {rank!r} is not a level of need.",
                f"Use a level rank: {levels}.",
            )
        if domain is not None and level is not None:
            out[domain.pk] = (domain, level)
    return out


def _vacancies(c: _Checker, value: Any, places: int | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        c.add("vacancies", "vacancies must be a list.")
        return []
    out = []
    seen: dict[str, int] = {}
    latest = timezone.localdate() + dt.timedelta(days=2 * 366)
    for i, vacancy in enumerate(value):
        p = f"vacancies.{i}."
        if not isinstance(vacancy, Mapping):
            c.add(f"vacancies.{i}", "Each vacancy must be an object.")
            continue
        reference = c.text(vacancy, "reference", p + "reference", max_length=40, required=True)
        if reference in seen:
            c.add(
                p + "reference",
                f"Vacancy reference {reference!r} is used twice in this household "
                f"(vacancy {seen[reference] + 1} and {i + 1}).",
                "Give each place its own reference.",
            )
        elif reference:
            seen[reference] = i
        available = vacancy.get("available_from")
        if isinstance(available, dt.datetime):
            available = available.date()
        if available in (None, ""):
            c.add(
                p + "available_from",
                "available_from is required.",
                "Give the date the place is free, e.g. 2026-05-01.",
            )
        elif not isinstance(available, dt.date):
            c.add(
                p + "available_from",
                f"available_from {available!r} is not a date.",
                "Write dates as YYYY-MM-DD or DD/MM/YYYY.",
            )
        elif not dt.date(2000, 1, 1) <= available <= latest:
            c.add(
                p + "available_from",
                f"available_from {available:%d/%m/%Y} is not a plausible date.",
                "Give a date from the past or within the next two years.",
            )
        status = c.choice(
            vacancy,
            "status",
            p + "status",
            choices=VacancyStatus.values,
            default=VacancyStatus.OPEN,
        )
        reason = c.text(vacancy, "hold_reason", p + "hold_reason", max_length=200)
        if status == VacancyStatus.ON_HOLD and not reason:
            c.add(
                p + "hold_reason",
                "A vacancy on hold needs a reason.",
                "Say why the place is on hold, e.g. 'carer on leave until 1 May'.",
            )
        out.append(
            {
                "reference": reference,
                "available_from": available,
                "status": status,
                "hold_reason": reason if status == VacancyStatus.ON_HOLD else "",
            }
        )
    live = sum(1 for v in out if v["status"] in LIVE_VACANCY_STATUSES)
    if places is not None and live > places:
        c.add(
            "vacancies",
            f"{live} vacancies are open or on hold "
            f"but the household has {places} approved place(s).",
            "Mark places that are taken as booked or filled, or remove them.",
        )
    return out
