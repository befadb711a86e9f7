"""Every route of the site against every kind of caller (rows in tests/*/permission_rows.py).

- `test_every_route_has_a_row`: a new route without a row (or a PUBLIC entry) fails here.
- `test_route`: for each row, anonymous → login / 401; other roles → 403; an object outside
  the caller's scope → 404; the right roles → the row's `ok` status.
- `test_route_with_memberships_elsewhere`: for each row with an object, callers holding several
  memberships (docs/adr/0006): the row's role in their own organisation plus every role the row
  does not allow in the organisations that own the hidden object (of every kind) → still 404 on
  that object, and still the row's `ok` on their own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.roles import Role
from tests.permission_rows import TESTS_DIR, Row, all_rows, public_routes

# Routes never in the matrix: Django's admin has its own permission system (staff only).
EXCLUDED_NAMESPACES = ("admin:",)

# An app's routes join the coverage check once the app has tests/<app>/permission_rows.py; until
# then (while the app is being built) they are only reported, as a warning. The app is the one
# whose module defines the route's view (apps.<app>....).


def _walk(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, str | None]]:
    """(namespaced name, route, app of the view) for every URL pattern, through includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield name, route, _app_of(pattern.callback)


def _app_of(callback: Any) -> str | None:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    parts = view.__module__.split(".")
    return parts[1] if parts[0] == "apps" and len(parts) > 1 else None


def site_routes() -> dict[str, tuple[str, str | None]]:
    """{name: (route, app)} for every route but the admin's."""
    routes: dict[str, tuple[str, str | None]] = {}
    for name, route, app in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or name.startswith(EXCLUDED_NAMESPACES):
            continue
        routes.setdefault(name, (route, app))
    return routes


def _pending(app: str | None) -> bool:
    return app is not None and not (TESTS_DIR / app / "permission_rows.py").exists()


def test_every_route_has_a_row():
    routes = site_routes()
    covered = {row.name for row in all_rows()} | set(public_routes())
    unnamed = [route for name, (route, _app) in routes.items() if not name]
    uncovered = {
        name: (route, app) for name, (route, app) in routes.items() if name and name not in covered
    }
    missing = sorted(
        f"{name} ({route})" for name, (route, app) in uncovered.items() if not _pending(app)
    )
    pending = sorted(f"{name} ({app})" for name, (route, app) in uncovered.items() if _pending(app))
    if pending:
        warnings.warn(
            "Not yet in the permission matrix (their app has no tests/<app>/permission_rows.py): "
            + ", ".join(pending),
            stacklevel=1,
        )
    stale = sorted(covered - set(routes))
    assert not unnamed, f"Give these routes a name so the matrix can list them: {unnamed}"
    assert not missing, (
        "These routes have no row in the permission matrix. Add a Row to "
        "tests/<app>/permission_rows.py (or a PUBLIC entry with the reason):\n  "
        + "\n  ".join(missing)
    )
    assert not stale, f"Rows or PUBLIC entries name routes that no longer exist: {stale}"


def test_rows_are_not_listed_as_public_too():
    both = {row.name for row in all_rows()} & set(public_routes())
    assert not both, f"A route is either public or has rows, not both: {sorted(both)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("healthz", {}),
        ("accounts:login", {}),
        ("accounts:password_reset", {}),
        ("accounts:password_reset_done", {}),
        ("accounts:password_reset_confirm", {"uidb64": "MQ", "token": "not-a-token"}),
        ("api:schema", {}),
        ("api:docs", {}),
    ],
)
def test_public_routes_answer_anonymous_callers(client, name, kwargs):
    assert name in public_routes()
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, response.status_code)


def _call(
    row: Row, world: Any, user: Any, kwargs: dict[str, Any], *, anonymous: bool = False
) -> Any:
    """Request the row's URL as `user` (or anonymously, with the URL and data built for `user`)."""
    client = Client()
    if not anonymous:
        client.force_login(user)
    url = reverse(row.name, kwargs=kwargs)
    data = row.data(world, user) if row.data else None
    headers = {"HTTP_ACCEPT": "application/json"} if row.is_api else {}
    return getattr(client, row.method)(url, data=data, **headers)


def _describe(row: Row, who: str, response: Any) -> str:
    return f"{row.id} as {who}: got {response.status_code}"


def _check_anonymous(row: Row, world: Any) -> None:
    representative = next(iter(world.users.values()))
    response = _call(row, world, representative, row.kwargs(world, representative), anonymous=True)
    if row.is_api:
        assert response.status_code == 401, _describe(row, "anonymous", response)
        assert response.json()["detail"], "a 401 names its reason"
    else:
        assert response.status_code == 302, _describe(row, "anonymous", response)
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), response[
            "Location"
        ]


@pytest.mark.django_db
@pytest.mark.parametrize("row", all_rows(), ids=lambda row: row.id)
def test_route(row: Row, world):
    _check_anonymous(row, world)

    allowed = {
        role: user for role, user in world.users.items() if row.roles is None or role in row.roles
    }
    assert allowed, f"{row.id}: no role in the world fixture may use it"

    for role, user in world.users.items():
        if role in allowed:
            continue
        response = _call(row, world, user, row.kwargs(world, user))
        assert response.status_code == 403, _describe(row, role, response)
        if row.is_api:
            assert response.json()["detail"]

    if row.hidden is not None:
        hidden_checks = 0
        for role, user in allowed.items():
            kwargs = row.hidden(world, user)
            if kwargs is None:  # this user may see everything
                continue
            response = _call(row, world, user, kwargs)
            assert response.status_code == 404, _describe(
                row, f"{role} (other organisation)", response
            )
            hidden_checks += 1
        assert hidden_checks, f"{row.id}: `hidden` found no object outside anyone's scope"

    for role, user in allowed.items():
        response = _call(row, world, user, row.kwargs(world, user))
        assert response.status_code == row.ok, _describe(row, role, response)


# --- Several memberships: a permission comes from one of them (issue 11 item 3, ADR 0006) -----

# Where, on the other side of the world (the other RCC, its LA, hub and fostering service, the
# other IFA, the NCC), a caller may also hold each role: the organisations owning the objects
# that rows name as `hidden`.
ELSEWHERE: dict[str, tuple[str, ...]] = {
    Role.SOCIAL_WORKER: ("other_la",),
    Role.IRO: ("other_la",),
    Role.PLACEMENT_OFFICER: ("other_hub",),
    Role.COMMISSIONER: ("other_rcc",),
    Role.SCRUTINEER: ("other_rcc",),
    Role.PROVIDER_REFERRALS: ("other_ifa", "other_la_service"),
    Role.PROVIDER_DATA: ("other_ifa", "other_la_service"),
    Role.NCC_ANALYST: ("ncc",),
    Role.ADMINISTRATOR: ("other_rcc", "other_la", "other_la_service", "other_ifa"),
}


def test_every_role_has_a_place_elsewhere():
    assert set(ELSEWHERE) == set(Role.values)


def _with_memberships_elsewhere(world: Any, role: str, roles: frozenset[str]) -> Any:
    """A new person holding `role` where the world's one does, and every role not in `roles`
    in the other side's organisations."""
    from tests.factories import MembershipFactory, user_with_role

    home = world.users[role].memberships.select_related("organisation").get().organisation
    user = user_with_role(role, home)
    for other_role, places in ELSEWHERE.items():
        if other_role in roles:
            continue
        for place in places:
            MembershipFactory(user=user, organisation=getattr(world, place), role=other_role)
    return user


MULTI_ROWS = [row for row in all_rows() if row.hidden is not None and row.roles is not None]


@pytest.mark.django_db
@pytest.mark.parametrize("row", MULTI_ROWS, ids=lambda row: row.id)
def test_route_with_memberships_elsewhere(row: Row, world):
    """Every allowed role for the 404 (the leak); the first for the `ok` (not over-narrowed)."""
    assert row.roles is not None
    for i, role in enumerate(sorted(row.roles & set(world.users))):
        user = _with_memberships_elsewhere(world, role, row.roles)
        kwargs = row.hidden(world, user)  # type: ignore[misc]
        if kwargs is not None:
            response = _call(row, world, user, kwargs)
            assert response.status_code == 404, _describe(
                row, f"{role} here + other roles in the object's organisations", response
            )
        if i == 0:
            response = _call(row, world, user, row.kwargs(world, user))
            assert response.status_code == row.ok, _describe(
                row, f"{role} + other roles elsewhere", response
            )
