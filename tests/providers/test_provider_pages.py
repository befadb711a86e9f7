"""The register's pages for provider staff (and read-only for hub, RCC and NCC staff)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import Household, RegisterConfirmation, Vacancy
from tests.factories import user_with_role
from tests.providers.factories import CarerFactory, HouseholdFactory, VacancyFactory
from tests.providers.register_helpers import make_register, register_counts

LIST = reverse("providers:household_list")
CREATE = reverse("providers:household_create")


@pytest.fixture
def reg(world):
    return make_register(world)


def login(client, user):
    client.force_login(user)
    return client


def form_data(reference="NEW-1", **overrides):
    data = {
        "reference": reference,
        "status": "active",
        "postcode_district": "OL11",
        "age_min": "0",
        "age_max": "17",
        "places": "2",
        "max_sibling_group": "1",
        "care_types": ["short_term", "emergency"],
        "bedrooms": "2",
        "pets": "",
        "other_children_ages": "4; 9",
        "preferences": "",
        "skill_behaviour": "2",
        "carer-TOTAL_FORMS": "2",
        "carer-INITIAL_FORMS": "2",
        "carer-0-age_band": "45-54",
        "carer-0-sex": "F",
        "carer-0-ethnicity": "WBRI",
        "carer-0-religion": "christian",
        "carer-0-languages": ["en", "pl"],
        "carer-1-religion": "not_stated",
        "vacancy-TOTAL_FORMS": "2",
        "vacancy-INITIAL_FORMS": "0",
        "vacancy-0-reference": f"{reference}-A",
        "vacancy-0-available_from": "2026-12-01",
        "vacancy-0-status": "open",
        "vacancy-1-status": "open",
    }
    data.update(overrides)
    return data


# --- The list ----------------------------------------------------------------------------


def test_list_shows_only_own_households_with_stale_badge(client, reg):
    HouseholdFactory(provider=reg.provider, reference="MINE-1")
    HouseholdFactory(
        provider=reg.provider,
        reference="MINE-OLD",
        last_confirmed_at=timezone.now() - dt.timedelta(days=20),
    )
    HouseholdFactory(provider=reg.other, reference="THEIRS-1")
    response = login(client, reg.staff).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your households" in body
    assert "MINE-1" in body and "MINE-OLD" in body
    assert "THEIRS-1" not in body
    assert "Not confirmed for 20 days" in body
    assert "Confirm everything is current" in body


def test_list_filters_sort_and_export(client, reg):
    HouseholdFactory(provider=reg.provider, reference="A-1", places=1, max_sibling_group=1)
    HouseholdFactory(provider=reg.provider, reference="B-2", places=3, status="on_hold")
    HouseholdFactory(
        provider=reg.provider,
        reference="C-3",
        last_confirmed_at=timezone.now() - dt.timedelta(days=15),
    )
    HouseholdFactory(provider=reg.other, reference="A-9")
    client = login(client, reg.staff)

    def refs(**params):
        return [h.reference for h in client.get(LIST, params).context["object_list"]]

    assert refs() == ["A-1", "B-2", "C-3"]
    assert refs(stale="yes") == ["C-3"]
    assert refs(stale="no") == ["A-1", "B-2"]
    assert refs(status="on_hold") == ["B-2"]
    assert refs(q="b-") == ["B-2"]
    assert refs(sort="-places") == ["B-2", "C-3", "A-1"]

    response = client.get(LIST, {"export": "csv", "stale": "no"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The export is the register file (see test_register_round_trip), filtered as the list.
    assert [r["reference"] for r in rows] == ["A-1", "B-2"]
    assert rows[0]["care_types"] == "short_term;long_term;emergency"


def test_list_query_count_is_constant(client, reg):
    client = login(client, reg.staff)
    household = HouseholdFactory(provider=reg.provider)
    VacancyFactory(household=household)
    client.get(LIST)  # warm caches (content types, sessions)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(15):
        VacancyFactory(household=HouseholdFactory(provider=reg.provider))
    assert count() == few


def test_hub_reads_every_household_but_cannot_change_any(client, reg):
    theirs = HouseholdFactory(provider=reg.other, reference="THEIRS-1")
    client = login(client, reg.hub)
    body = client.get(LIST).content.decode()
    assert "THEIRS-1" in body and "Confirm everything is current" not in body
    detail = client.get(reverse("providers:household_detail", args=[theirs.pk]))
    assert detail.status_code == 200
    assert "Change this household" not in detail.content.decode()
    assert client.get(reverse("providers:household_edit", args=[theirs.pk])).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(reverse("providers:confirm_all")).status_code == 403


def test_rcc_administrator_without_a_provider_cannot_change_the_register(client, reg):
    admin = reg.world.users[Role.ADMINISTRATOR]
    household = HouseholdFactory(provider=reg.provider)
    client = login(client, admin)
    assert client.get(reverse("providers:household_detail", args=[household.pk])).status_code == 200
    assert client.get(reverse("providers:household_edit", args=[household.pk])).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_other_providers_household_is_not_found(client, reg):
    theirs = HouseholdFactory(provider=reg.other)
    vacancy = VacancyFactory(household=theirs)
    client = login(client, reg.staff)
    assert client.get(reverse("providers:household_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("providers:household_edit", args=[theirs.pk])).status_code == 404
    url = reverse("providers:vacancy_status", args=[theirs.pk, vacancy.pk])
    assert client.post(url, {"status": "filled"}).status_code == 404
    assert Vacancy.objects.get(pk=vacancy.pk).status == "open"


def test_social_worker_may_not_read_the_register(client, reg):
    assert login(client, reg.world.users[Role.SOCIAL_WORKER]).get(LIST).status_code == 403


# --- The form ----------------------------------------------------------------------------


def test_create_household_through_the_form(client, reg):
    client = login(client, reg.staff)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data())
    household = Household.objects.get(reference="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:household_detail", args=[household.pk])
    assert household.provider == reg.provider
    assert household.other_children_ages == [4, 9]
    assert household.care_type_codes == ["short_term", "emergency"]
    assert [(c.sex, c.languages) for c in household.carers.all()] == [("F", ["en", "pl"])]
    assert [(s.domain.code, s.level.rank) for s in household.skills.all()] == [("behaviour", 2)]
    assert [v.reference for v in household.vacancies.all()] == ["NEW-1-A"]
    detail = client.get(response["Location"]).content.decode()
    assert "Household NEW-1 added." in detail


def test_form_errors_keep_what_was_typed_and_write_nothing(client, reg):
    client = login(client, reg.staff)
    before = register_counts()
    response = client.post(
        CREATE,
        form_data(
            postcode_district="ZZ9",
            age_min="12",
            age_max="4",
            **{"vacancy-0-status": "on_hold", "pets": "A parrot called Bob"},
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Postcode district &#x27;ZZ9&#x27; is not known." in body
    assert "The age range is reversed" in body
    assert "A vacancy on hold needs a reason." in body
    assert (
        'value="ZZ9"' in body
        and 'value="A parrot called Bob"' in body
        and 'value="NEW-1-A"' in body
    )
    assert 'href="#id_postcode_district"' in body and 'href="#id_vacancy-0-hold_reason"' in body
    assert register_counts() == before


def test_create_refuses_an_existing_reference(client, reg):
    HouseholdFactory(provider=reg.provider, reference="NEW-1", pets="Cat")
    response = login(client, reg.staff).post(CREATE, form_data())
    assert response.status_code == 200
    assert "You already have a household with the reference" in response.content.decode()
    assert Household.objects.get(reference="NEW-1").pets == "Cat"


def test_edit_household_changes_and_removes_a_vacancy(client, reg):
    household = HouseholdFactory(provider=reg.provider, reference="H-1")
    CarerFactory(household=household)
    keep = VacancyFactory(household=household, reference="KEEP")
    drop = VacancyFactory(household=household, reference="DROP")
    client = login(client, reg.staff)
    url = reverse("providers:household_edit", args=[household.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="KEEP"' in page.content.decode()
    data = form_data(
        "H-1",
        pets="Two cats",
        **{
            "vacancy-TOTAL_FORMS": "4",
            "vacancy-INITIAL_FORMS": "2",
            "vacancy-0-reference": "KEEP",
            "vacancy-0-available_from": keep.available_from.isoformat(),
            "vacancy-0-status": "open",
            "vacancy-1-reference": "DROP",
            "vacancy-1-available_from": drop.available_from.isoformat(),
            "vacancy-1-status": "open",
            "vacancy-1-DELETE": "on",
            "vacancy-2-status": "open",
            "vacancy-3-status": "open",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["error_list"]
    household.refresh_from_db()
    assert household.pets == "Two cats"
    assert [v.reference for v in household.vacancies.all()] == ["KEEP"]
    assert Vacancy.objects.get(pk=keep.pk)  # kept, same row


def test_vacancy_status_page(client, reg):
    household = HouseholdFactory(provider=reg.provider)
    vacancy = VacancyFactory(household=household)
    client = login(client, reg.staff)
    url = reverse("providers:vacancy_status", args=[household.pk, vacancy.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "on_hold", "hold_reason": ""})
    assert response.status_code == 200
    assert "A vacancy on hold needs a reason." in response.content.decode()
    response = client.post(url, {"status": "on_hold", "hold_reason": "Carer on leave"})
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.hold_reason) == ("on_hold", "Carer on leave")


# --- Confirm everything ------------------------------------------------------------------


def test_confirm_everything_is_current(client, reg):
    old = timezone.now() - dt.timedelta(days=30)
    households = [HouseholdFactory(provider=reg.provider, last_confirmed_at=old) for _ in range(3)]
    VacancyFactory(household=households[0], last_confirmed_at=old)
    theirs = HouseholdFactory(provider=reg.other, last_confirmed_at=old)
    client = login(client, reg.staff)
    response = client.post(reverse("providers:confirm_all"), follow=True)
    assert "3 households and 1 vacancy confirmed as current." in response.content.decode()
    assert not Household.objects.filter(provider=reg.provider).stale().exists()
    assert Household.objects.get(pk=theirs.pk).is_stale
    assert RegisterConfirmation.objects.get().confirmed_by == reg.staff
    assert client.get(reverse("providers:confirm_all")).status_code == 405


def test_staff_of_two_providers_choose_which_to_confirm(client, reg):
    both = user_with_role(Role.PROVIDER_DATA, reg.world.ifa)
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, organisation=reg.world.other_ifa, role=Role.PROVIDER_DATA)
    old = timezone.now() - dt.timedelta(days=30)
    HouseholdFactory(provider=reg.provider, last_confirmed_at=old)
    theirs = HouseholdFactory(provider=reg.other, last_confirmed_at=old)
    client = login(client, both)
    response = client.post(reverse("providers:confirm_all"), follow=True)
    assert "several providers" in response.content.decode()
    client.post(reverse("providers:confirm_all"), {"provider": reg.other.pk})
    assert not Household.objects.get(pk=theirs.pk).is_stale
    assert Household.objects.filter(provider=reg.provider).get().is_stale


# --- The template ------------------------------------------------------------------------


def test_template_page_and_downloads(client, reg):
    client = login(client, reg.world.users[Role.SOCIAL_WORKER])
    page = client.get(reverse("providers:template"))
    assert page.status_code == 200
    body = page.content.decode()
    for name in (
        "reference",
        "carer_N_ethnicity (N = 1 to 2)",
        "skill_identity-culture",
        "vacancy_N_hold_reason",
    ):
        assert name in body
    csv_response = client.get(reverse("providers:template_download", args=["csv"]))
    assert csv_response["Content-Disposition"] == 'attachment; filename="register-template.csv"'
    assert csv_response.content.decode("utf-8-sig").startswith("reference,status,postcode_district")
    xlsx = client.get(reverse("providers:template_download", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    example = client.get(reverse("providers:template_download", args=["example"]))
    assert "EXAMPLE-1" in example.content.decode("utf-8-sig")
    assert client.get(reverse("providers:template_download", args=["pdf"])).status_code == 404
