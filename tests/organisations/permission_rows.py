"""Permission matrix rows for organisations, web and API (see tests/permission_rows.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apps.organisations.kinds import OrganisationKind
from tests.permission_rows import Row, own_organisation

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World


def _own(world: World, user: User) -> dict[str, Any]:
    return {"pk": own_organisation(user).pk}


def _other_rccs_service(world: World, user: User) -> dict[str, Any] | None:
    """An LA fostering service in the other RCC: outside everyone's scope but the NCC's.

    Written from the rule, not from `visible_to`, so a scope that leaks still fails here."""
    if (
        user.is_superuser
        or user.memberships.filter(organisation__kind=OrganisationKind.NCC).exists()
    ):
        return None
    return {"pk": world.other_la_service.pk}


ROWS = [
    Row("organisations:list"),
    Row("organisations:detail", kwargs=_own, hidden=_other_rccs_service),
    Row("api:organisation-list"),
    Row("api:organisation-detail", kwargs=_own, hidden=_other_rccs_service),
]
