"""The web form (the third way in), the lists' query counts, and the feedback rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.monitoring.forms import PLACEMENT_COLUMNS
from apps.monitoring.quarters import Quarter
from apps.monitoring.services import placement_feedback_give
from tests.monitoring.factories import due_return, placement

pytestmark = pytest.mark.django_db


def form_data(page_context) -> dict[str, str]:
    """What the browser would send back for the form as shown."""
    form = page_context["form"]
    data = {f"fig-{item}": value for item, value in form.figures.items()}
    data["carer-count"] = str(len(form.carers))
    data["pl-count"] = str(len(form.placements))
    for row in form.placements:
        data.update({f"pl-{row.index}-{c}": row.values[c] for c in PLACEMENT_COLUMNS})
    return data


def test_the_web_form_is_prefilled_and_goes_through_the_one_validator(world, client):
    ours = placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    ret = due_return(world.ifa)
    client.force_login(world.users[Role.PROVIDER_DATA])
    url = reverse("monitoring:return_form", args=[ret.pk])
    page = client.get(url)
    data = form_data(page.context)
    assert any(v == f"PL-{ours.pk}" for v in data.values())

    # Figures left blank and a row with an unknown LA: errors beside the fields, and a summary.
    blank = len(page.context["form"].placements) - 1
    data.update(
        {
            f"pl-{blank}-child_ref": "IFA-0042",
            f"pl-{blank}-la_code": "999",
            f"pl-{blank}-placement_type": "U6",
            f"pl-{blank}-start_date": "2025-10-05",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was accepted" in html
    assert "The value of allegations is missing." in html
    assert (
        f'href="#pl-{blank}-la_code"' in html
        and "la_code &#x27;999&#x27; is not the DfE code" in html
    )
    ret.refresh_from_db()
    assert ret.current_version is None and ret.submissions.get().channel == "web"

    # Corrected, with the extra row removed: accepted.
    data.update(
        {
            "fig-allegations": "0",
            "fig-complaints": "2",
            "fig-notifications": "0",
            "fig-carers_trained": "1",
            "fig-training_hours": "6",
            "fig-supervision_visits": "4",
            "fig-respite_nights": "0",
            "fig-ofsted_date": "2024-02-01",
            f"pl-{blank}-remove": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.current_version.number == 1 and ret.current_version.placement_count == 1


@pytest.mark.parametrize("role", [Role.NCC_ANALYST, Role.COMMISSIONER, Role.PROVIDER_DATA])
def test_return_list_query_count_does_not_grow(world, client, django_assert_num_queries, role):
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    client.force_login(world.users[role])
    url = reverse("monitoring:return_list")
    due_return(world.ifa, Quarter(2025, 1))
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    assert baseline <= 14, baseline
    for q in Quarter(2025, 1).back(5):
        due_return(world.ifa, q)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 5


def test_feedback_rules(world):
    sw = world.users[Role.SOCIAL_WORKER]
    ours = placement(
        world.la_service,
        world.la,
        start=dt.date(2025, 6, 2),
        end=dt.date(2025, 9, 30),
        reason="PLACE",
    )
    theirs = placement(world.other_la_service, world.other_la, start=dt.date(2025, 6, 2))
    good = {
        "author_role": "social_worker",
        "review_date": dt.date(2025, 9, 1),
        "childs_progress": 4,
        "carer_support": 4,
        "communication": 4,
    }
    cases = [
        ({"placement": theirs}, "author_role", "your own LA"),
        ({"author_role": "iro"}, "author_role", "your own LA"),
        ({"review_date": timezone.localdate() + dt.timedelta(days=1)}, "review_date", "future"),
        ({"review_date": dt.date(2025, 5, 1)}, "review_date", "before the placement started"),
        ({"review_date": dt.date(2025, 12, 1)}, "review_date", "within four weeks"),
        ({"concerns": True}, "concerns_detail", "what the concerns are"),
        ({"communication": 7}, "communication", r"1 \(very poor\) to 5"),
    ]
    for change, field, text in cases:
        kwargs = {"placement": ours, **good, **change}
        with pytest.raises(DomainError, match=text) as err:
            placement_feedback_give(by=sw, **kwargs)
        assert err.value.field == field
    placement_feedback_give(placement=ours, by=sw, **good)
    with pytest.raises(DomainError, match="already given feedback"):
        placement_feedback_give(placement=ours, by=sw, **good)
