"""The register's write services: upsert one household, confirm all, a vacancy's status."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from apps.core.errors import DomainError
from apps.providers.choices import CareType
from apps.providers.models import Household, RegisterConfirmation, Vacancy
from apps.providers.services import household_upsert, register_confirm_all, vacancy_set_status
from tests.providers.factories import HouseholdFactory, VacancyFactory
from tests.providers.register_helpers import household_data, make_register, register_counts


@pytest.fixture
def reg(world):
    return make_register(world)


def test_upsert_creates_household_with_its_rows(reg):
    household, changed = household_upsert(
        provider=reg.provider, by=reg.staff, data=household_data()
    )
    assert changed
    household.refresh_from_db()
    assert household.provider == reg.provider
    assert household.postcode_district_id == "OL11"
    assert (household.latitude, household.longitude) == (53.6, -2.17)
    assert household.la == reg.world.la
    assert household.care_types == int(CareType.SHORT_TERM | CareType.LONG_TERM)
    assert household.other_children_ages == [9]
    assert [c.sex for c in household.carers.order_by("id")] == ["F", "M"]
    assert household.carers.order_by("id").last().languages == ["en", "pl"]
    assert {(s.domain.code, s.level.rank) for s in household.skills.all()} == {
        ("behaviour", 2),
        ("education", 1),
    }
    vacancy = household.vacancies.get()
    assert (vacancy.reference, vacancy.available_from, vacancy.status) == (
        "HH-1-A",
        dt.date(2026, 6, 1),
        "open",
    )


def test_identical_upsert_changes_nothing_but_confirms(reg):
    household, _ = household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    old = timezone.now() - dt.timedelta(days=20)
    Household.objects.filter(pk=household.pk).update(last_confirmed_at=old)
    Vacancy.objects.filter(household=household).update(last_confirmed_at=old)
    entries = LogEntry.objects.count()
    updated_at = Household.objects.get(pk=household.pk).updated_at

    again, changed = household_upsert(provider=reg.provider, by=reg.staff, data=household_data())

    assert not changed
    assert again.pk == household.pk
    assert LogEntry.objects.count() == entries, "no audit noise for identical values"
    fresh = Household.objects.get(pk=household.pk)
    assert fresh.updated_at == updated_at
    assert fresh.last_confirmed_at > old + dt.timedelta(days=19)
    assert not fresh.is_stale
    assert not Vacancy.objects.get(household=household).is_stale


def test_upsert_replaces_carers_skills_and_vacancies_as_given(reg):
    household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    data = household_data(
        age_max=12,
        carers=[{"age_band": "55-64", "sex": "F", "ethnicity": "WBRI"}],
        skills=[{"domain": "behaviour", "level": 3}],
        vacancies=[
            {
                "reference": "HH-1-A",
                "available_from": dt.date(2026, 7, 1),
                "status": "on_hold",
                "hold_reason": "Leave",
            },
            {"reference": "HH-1-B", "available_from": dt.date(2026, 8, 1)},
        ],
    )
    household, changed = household_upsert(provider=reg.provider, by=reg.staff, data=data)
    assert changed
    household.refresh_from_db()
    assert household.age_max == 12
    assert [(c.age_band, c.religion, c.languages) for c in household.carers.all()] == [
        ("55-64", "not_stated", [])
    ]
    assert [(s.domain.code, s.level.rank) for s in household.skills.all()] == [("behaviour", 3)]
    vacancies = {v.reference: v for v in household.vacancies.all()}
    assert set(vacancies) == {"HH-1-A", "HH-1-B"}
    assert vacancies["HH-1-A"].status == "on_hold" and vacancies["HH-1-A"].hold_reason == "Leave"
    assert vacancies["HH-1-B"].status == "open"


def test_changing_one_field_audits_only_that_row_with_the_actor(reg):
    household, _ = household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    before = LogEntry.objects.count()
    household_upsert(provider=reg.provider, by=reg.staff, data=household_data(pets="Two cats"))
    entries = list(LogEntry.objects.order_by("pk")[before:])
    assert len(entries) == 1
    assert entries[0].object_pk == str(household.pk)
    assert entries[0].actor == reg.staff
    assert set(entries[0].changes_dict) <= {"pets", "updated_at"}


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"postcode_district": "ZZ99"}, "postcode_district", "not known"),
        ({"postcode_district": "OL11 2AB"}, "postcode_district", "full postcode"),
        ({"age_min": 12, "age_max": 5}, "age_max", "reversed"),
        ({"age_max": 26}, "age_max", "from 0 to 25"),
        ({"age_min": -1}, "age_min", "from 0 to 25"),
        ({"places": 0}, "places", "from 1"),
        ({"places": -2}, "places", "from 1"),
        (
            {"places": 1, "max_sibling_group": 2, "vacancies": []},
            "max_sibling_group",
            "more than the 1",
        ),
        ({"care_types": ["short_term", "holiday"]}, "care_types", "'holiday' is not a known code"),
        ({"care_types": []}, "care_types", "at least one"),
        (
            {"skills": [{"domain": "astrology", "level": 2}]},
            "skills.0.domain",
            "not in the needs taxonomy",
        ),
        ({"skills": [{"domain": "behaviour", "level": 9}]}, "skills.0.level", "not a level"),
        ({"carers": []}, "carers", "at least one carer"),
        (
            {"carers": [{"age_band": "45-54", "sex": "X", "ethnicity": "WBRI"}]},
            "carers.0.sex",
            "not a known code",
        ),
        (
            {
                "vacancies": [
                    {"reference": "A", "available_from": dt.date(2026, 6, 1), "status": "on_hold"}
                ]
            },
            "vacancies.0.hold_reason",
            "needs a reason",
        ),
        (
            {
                "vacancies": [
                    {"reference": "A", "available_from": dt.date(2026, 6, 1)},
                    {"reference": "A", "available_from": dt.date(2026, 7, 1)},
                ]
            },
            "vacancies.1.reference",
            "used twice",
        ),
        (
            {"vacancies": [{"reference": "A", "available_from": "soon"}]},
            "vacancies.0.available_from",
            "not a date",
        ),
        ({"reference": "HH/1"}, "reference", "not allowed"),
        (
            {
                "places": 1,
                "max_sibling_group": 1,
                "vacancies": [
                    {"reference": "A", "available_from": dt.date(2026, 6, 1)},
                    {"reference": "B", "available_from": dt.date(2026, 6, 1)},
                ],
            },
            "vacancies",
            "1 approved place",
        ),
    ],
)
def test_upsert_rejects_bad_values_and_writes_nothing(reg, overrides, path, words):
    before = register_counts()
    with pytest.raises(DomainError) as caught:
        household_upsert(provider=reg.provider, by=reg.staff, data=household_data(**overrides))
    assert path in caught.value.errors, caught.value.errors
    assert any(words in message for message in caught.value.errors[path]), caught.value.errors[path]
    assert register_counts() == before


def test_upsert_reports_every_problem_at_once(reg):
    with pytest.raises(DomainError) as caught:
        household_upsert(
            provider=reg.provider,
            by=reg.staff,
            data=household_data(postcode_district="ZZ99", age_min=10, age_max=2, places=-1),
        )
    assert {"postcode_district", "age_max", "places"} <= set(caught.value.errors)


def test_must_be_new_refuses_a_known_reference(reg):
    household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    with pytest.raises(DomainError) as caught:
        household_upsert(
            provider=reg.provider, by=reg.staff, data=household_data(pets="x"), must_be_new=True
        )
    assert caught.value.field == "reference"
    assert Household.objects.get(reference="HH-1").pets == "One dog"


def test_references_are_per_provider(reg):
    mine, _ = household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    theirs, _ = household_upsert(
        provider=reg.other, by=reg.other_staff, data=household_data(pets="Cat")
    )
    assert mine.pk != theirs.pk
    assert Household.objects.get(pk=mine.pk).pets == "One dog"


def test_confirm_all_confirms_live_households_and_live_vacancies(reg):
    old = timezone.now() - dt.timedelta(days=30)
    active = HouseholdFactory(provider=reg.provider, last_confirmed_at=old)
    resigned = HouseholdFactory(provider=reg.provider, status="resigned", last_confirmed_at=old)
    other = HouseholdFactory(provider=reg.other, last_confirmed_at=old)
    open_v = VacancyFactory(household=active, status="open", last_confirmed_at=old)
    filled_v = VacancyFactory(household=active, status="filled", last_confirmed_at=old)

    done = register_confirm_all(provider=reg.provider, by=reg.staff)

    assert (done.households, done.vacancies) == (1, 1)
    assert RegisterConfirmation.objects.get().confirmed_by == reg.staff
    for obj, stale in (
        (active, False),
        (resigned, True),
        (other, True),
        (open_v, False),
        (filled_v, True),
    ):
        obj.refresh_from_db()
        assert obj.is_stale is stale, obj


def test_vacancy_set_status(reg):
    household = HouseholdFactory(provider=reg.provider, places=2)
    vacancy = VacancyFactory(
        household=household, last_confirmed_at=timezone.now() - dt.timedelta(days=30)
    )
    with pytest.raises(DomainError) as caught:
        vacancy_set_status(vacancy=vacancy, by=reg.staff, status="on_hold")
    assert caught.value.field == "hold_reason"

    vacancy = vacancy_set_status(
        vacancy=vacancy, by=reg.staff, status="on_hold", hold_reason="Carer unwell"
    )
    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.hold_reason, vacancy.is_stale) == (
        "on_hold",
        "Carer unwell",
        False,
    )
    entry = LogEntry.objects.get_for_object(vacancy).latest("pk")
    assert entry.actor == reg.staff

    vacancy = vacancy_set_status(
        vacancy=vacancy, by=reg.staff, status="booked", hold_reason="ignored"
    )
    assert (vacancy.status, vacancy.hold_reason) == ("booked", "")


def test_vacancy_cannot_reopen_beyond_places(reg):
    household = HouseholdFactory(provider=reg.provider, places=1, max_sibling_group=1)
    VacancyFactory(household=household, status="open")
    filled = VacancyFactory(household=household, status="filled")
    with pytest.raises(DomainError):
        vacancy_set_status(vacancy=filled, by=reg.staff, status="open")
    filled.refresh_from_db()
    assert filled.status == "filled"
