"""The API's common behaviour: JSON errors, pagination, the schema and the offline docs."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions

from apps.accounts.roles import Role
from apps.core.api.exceptions import json_exception_handler
from apps.core.errors import DomainError
from tests.factories import IfaFactory

# --- error shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            DomainError("The vacancy is already booked.", field="vacancy"),
            400,
            {
                "detail": "The request has errors; see the fields named.",
                "errors": {"vacancy": ["The vacancy is already booked."]},
            },
        ),
        (DomainError("Nothing to do."), 400, {"detail": "Nothing to do.", "errors": {}}),
        (
            DomainError("Two fields are wrong.", errors={"a": ["bad"], "b": ["worse"]}),
            400,
            {"detail": "Two fields are wrong.", "errors": {"a": ["bad"], "b": ["worse"]}},
        ),
        (
            exceptions.ValidationError({"name": ["This field is required."]}),
            400,
            {
                "detail": "The request has errors; see the fields named.",
                "errors": {"name": ["This field is required."]},
            },
        ),
        (
            exceptions.ValidationError(["Whole request is wrong."]),
            400,
            {"detail": "Whole request is wrong.", "errors": {}},
        ),
        (Http404(), 404, {"detail": "Not found.", "errors": {}}),
        (PermissionDenied("Not your role."), 403, {"detail": "Not your role.", "errors": {}}),
        (
            exceptions.NotAuthenticated(),
            401,
            {"detail": "Authentication credentials were not provided.", "errors": {}},
        ),
    ],
)
def test_every_api_error_is_json_with_detail_and_errors(exc, status, body):
    response = json_exception_handler(exc, {})
    assert response is not None
    assert response.status_code == status
    assert response.data == body


def test_unhandled_exceptions_are_left_to_django():
    assert json_exception_handler(ValueError("boom"), {}) is None


@pytest.mark.django_db
def test_a_bad_filter_value_is_a_400_naming_the_field(client, world):
    client.force_login(world.users[Role.NCC_ANALYST])
    response = client.get(reverse("api:organisation-list"), {"kind": "castle", "sort": "colour"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    assert set(body["errors"]) == {"kind", "sort"}
    assert "castle" in body["errors"]["kind"][0]


@pytest.mark.django_db
def test_read_only_endpoints_refuse_writes_with_405_json(client, world):
    client.force_login(world.users[Role.NCC_ANALYST])
    response = client.post(
        reverse("api:organisation-list"), {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json()["detail"]


# --- pagination, filters and sorting ---------------------------------------------------------


@pytest.mark.django_db
def test_lists_are_paginated_filtered_and_sorted(client, world):
    client.force_login(world.users[Role.NCC_ANALYST])
    for n in range(5):
        IfaFactory(name=f"Zeta agency {n}")
    url = reverse("api:organisation-list")
    first = client.get(url, {"page_size": 2, "kind": "ifa", "sort": "-name"}).json()
    assert first["count"] == 7
    assert [o["name"] for o in first["results"]] == ["Zeta agency 4", "Zeta agency 3"]
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [o["name"] for o in second["results"]] == ["Zeta agency 2", "Zeta agency 1"]
    searched = client.get(url, {"q": "zeta agency 3"}).json()
    assert [o["name"] for o in searched["results"]] == ["Zeta agency 3"]


@pytest.mark.django_db
def test_page_size_is_capped(client, world):
    client.force_login(world.users[Role.NCC_ANALYST])
    response = client.get(reverse("api:organisation-list"), {"page_size": 100000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == response.json()["count"] <= 500


# --- schema and docs --------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_api(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organisations/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_swagger_ui_is_served_offline_without_inline_script(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)\b[^>]*(?:src|href)=["']([^"']+)""", html)
    assert sources, "the page loads Swagger UI's assets"
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), (
        "inline <script> breaks the CSP"
    )
    script = next(src for src in sources if "script" in src and "static" not in src)
    init = client.get(script)
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()


def test_filter_choices_are_set_per_request_even_after_the_schema_built_the_fields():
    import django_filters

    from apps.core.filters import set_choices
    from apps.organisations.models import Organisation

    class KindFilter(django_filters.FilterSet):
        kind = django_filters.ChoiceFilter(choices=[])

        class Meta:
            model = Organisation
            fields: list[str] = []

        def __init__(self, *args, choices=(), **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            set_choices(self, "kind", choices)

    # What the OpenAPI generator does: build the class's form fields once.
    assert list(KindFilter.base_filters["kind"].field.choices) == [("", "---------")]
    first = KindFilter({"kind": "rcc"}, choices=[("rcc", "RCC")], queryset=Organisation.objects)
    second = KindFilter({"kind": "ncc"}, choices=[("ncc", "NCC")], queryset=Organisation.objects)
    assert first.is_valid() and second.is_valid(), (first.errors, second.errors)
    assert not KindFilter({"kind": "ncc"}, choices=[("rcc", "RCC")]).is_valid()
