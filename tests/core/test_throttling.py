"""Throttling (issue 11, item 7): anonymous, per-user and scoped (uploads, tokens, search)
rates on the API, and the same scoped limits on the web pages that upload and search.

config/settings/test.py sets rates no other test reaches; these tests set low ones and start
and end with an empty cache (the counts live in Django's default cache)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIClient, force_authenticate
from rest_framework.views import APIView

from apps.accounts.roles import Role
from tests.providers.register_helpers import csv_file, make_register, row

LOW = {
    "anon": "2/min",
    "user": "1000/min",
    "uploads": "2/min",
    "tokens": "2/min",
    "search": "2/min",
}

API_SEARCH = reverse("api:register-search")
API_UPLOADS = reverse("api:register-upload-list")
WEB_SEARCH = reverse("register_search:search")
WEB_UPLOAD = reverse("providers:upload")


@pytest.fixture
def rates(settings):  # type: ignore[no-untyped-def]
    def set_rates(**overrides: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**LOW, **overrides},
        }

    cache.clear()
    set_rates()
    yield set_rates
    cache.clear()


@pytest.fixture
def reg(world):  # type: ignore[no-untyped-def]
    return make_register(world)


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_caller_over_the_anon_rate_gets_429_with_retry_after(rates, db) -> None:
    client = APIClient()
    docs = reverse("api:docs")
    assert [client.get(docs).status_code for _ in range(2)] == [200, 200]
    over = client.get(docs)
    assert over.status_code == 429
    assert 0 < int(over["Retry-After"]) <= 60


def test_a_user_over_the_user_rate_gets_429(rates, world) -> None:
    rates(user="3/min")
    client = api(world.users[Role.COMMISSIONER])
    me = reverse("api:me")
    assert [client.get(me).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(me).status_code == 429
    # Each user has a count of their own.
    assert api(world.users[Role.SCRUTINEER]).get(me).status_code == 200


def test_api_search_is_limited_by_the_search_scope(rates, reg) -> None:
    client = api(reg.hub)
    assert [client.get(API_SEARCH).status_code for _ in range(2)] == [200, 200]
    over = client.get(API_SEARCH)
    assert over.status_code == 429 and "Retry-After" in over
    # Other API calls of the same user are not in the search scope.
    assert client.get(reverse("api:me")).status_code == 200


def test_api_uploads_are_limited_by_the_uploads_scope_but_listing_them_is_not(rates, reg) -> None:
    client = api(reg.staff)
    for _ in range(2):
        response = client.post(API_UPLOADS, {"file": csv_file([row()])}, format="multipart")
        assert response.status_code in (201, 400)
    over = client.post(API_UPLOADS, {"file": csv_file([row()])}, format="multipart")
    assert over.status_code == 429
    assert [client.get(API_UPLOADS).status_code for _ in range(3)] == [200, 200, 200]
    # The search scope is counted apart from the uploads scope.
    assert api(reg.hub).get(API_SEARCH).status_code == 200


def test_web_search_page_is_limited_and_shares_the_count_with_the_api(rates, client, reg) -> None:
    client.force_login(reg.hub)
    assert client.get(WEB_SEARCH).status_code == 200
    assert api(reg.hub).get(API_SEARCH).status_code == 200
    over = client.get(WEB_SEARCH)
    assert over.status_code == 429
    assert 0 < int(over["Retry-After"]) <= 60
    assert "Too many requests" in over.content.decode()


def test_web_upload_counts_uploads_not_the_page_with_the_form(rates, client, reg) -> None:
    client.force_login(reg.staff)
    assert [client.get(WEB_UPLOAD).status_code for _ in range(3)] == [200, 200, 200]
    assert client.post(WEB_UPLOAD, {"file": csv_file([row()])}).status_code == 302
    assert api(reg.staff).post(
        API_UPLOADS, {"file": csv_file([row("HH-2")])}, format="multipart"
    ).status_code in (201, 400)
    over = client.post(WEB_UPLOAD, {"file": csv_file([row("HH-3")])})
    assert over.status_code == 429 and "Retry-After" in over
    # Searching is another scope.
    client.force_login(reg.hub)
    assert client.get(WEB_SEARCH).status_code == 200


def test_web_throttle_leaves_anonymous_callers_to_the_sign_in_page(rates, client, db) -> None:
    for _ in range(4):
        response = client.get(WEB_SEARCH)
        assert response.status_code == 302 and "login" in response["Location"]


class TokenMint(APIView):
    """Stands in for the token-minting views (apps/accounts): only the scope is under test."""

    throttle_scope = "tokens"

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return Response({"ok": True})


def test_tokens_scope_has_a_rate_of_its_own(rates, reg) -> None:
    factory = RequestFactory()
    view = TokenMint.as_view()

    def mint() -> int:
        request = factory.post("/tokens/")
        force_authenticate(request, user=reg.staff)
        return view(request).status_code

    assert [mint() for _ in range(3)] == [200, 200, 429]
    # Minting tokens does not use up the user's uploads or searches.
    assert api(reg.hub).get(API_SEARCH).status_code == 200
    response = api(reg.staff).post(API_UPLOADS, {"file": csv_file([row()])}, format="multipart")
    assert response.status_code in (201, 400)


def test_return_submissions_web_and_api_count_as_uploads(rates, client, world) -> None:
    from tests.monitoring.factories import complete_records, csv_file
    from tests.monitoring.permission_rows import monitoring_of

    ret = monitoring_of(world).ret
    officer = world.users[Role.PROVIDER_DATA]
    web = reverse("monitoring:return_upload", args=[ret.pk])
    submit = reverse("api:monitoring-return-submit", args=[ret.pk])
    client.force_login(officer)
    assert client.get(web).status_code == 302  # the page itself is not an upload
    assert client.post(web, {"file": csv_file(complete_records(ret))}).status_code != 429
    records = {"records": complete_records(ret)}
    assert api(officer).post(submit, records, format="json").status_code != 429
    assert api(officer).post(submit, records, format="json").status_code == 429
    assert client.post(web, {"file": csv_file(complete_records(ret))}).status_code == 429
    # Reading the return through the API is not an upload.
    assert (
        api(officer).get(reverse("api:monitoring-return-detail", args=[ret.pk])).status_code == 200
    )


def test_one_branch_of_a_web_view_can_count_in_the_tokens_scope(rates, reg) -> None:
    """How the "new token" action of the account page is limited (apps.accounts attaches it):
    the same count as the API's token minting."""
    from apps.core.throttling import throttle_response

    factory = RequestFactory()
    api_request = factory.post("/tokens/")
    force_authenticate(api_request, user=reg.staff)
    assert TokenMint.as_view()(api_request).status_code == 200

    def new_token() -> Any:
        request = factory.post("/accounts/profile/", {"action": "new-token"})
        request.user = reg.staff
        return throttle_response(request, "tokens")

    assert new_token() is None
    limited = new_token()
    assert limited is not None and limited.status_code == 429
    assert int(limited["Retry-After"]) > 0


def test_the_account_page_mints_tokens_within_the_tokens_rate(rates, world) -> None:
    """The profile page's "new token" action counts in the tokens scope; revoking does not."""
    from django.test import Client

    from apps.accounts.models import ApiToken

    user = world.users[Role.SOCIAL_WORKER]
    client = Client()
    client.force_login(user)
    url = reverse("accounts:profile")
    for n in range(2):
        assert client.post(url, {"action": "new-token", "name": f"t{n}"}).status_code == 200
    limited = client.post(url, {"action": "new-token", "name": "t3"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert ApiToken.objects.filter(user=user).count() == 2
