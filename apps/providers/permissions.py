"""Who may read and who may change the register.

Rules answer "may this user take this kind of action at all?" (403 otherwise); what they may
see is `visible_to(user)` on each model (404 otherwise). Changing a household needs both a
provider role and membership of *that* provider: an RCC administrator holds the
administrator role but works for no provider, so `manageable_providers` is empty for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.accounts.roles import Role
from apps.core.permissions import Rule
from apps.organisations.kinds import OrganisationKind

from .models import Provider

if TYPE_CHECKING:
    from apps.accounts.models import User

PROVIDER_ROLES = frozenset({Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA, Role.ADMINISTRATOR})

# Provider staff keep their own register current.
MANAGE_REGISTER = Rule("register.manage", PROVIDER_ROLES)
# Provider staff, and hub, RCC and NCC staff (read-only), read households and uploads.
VIEW_REGISTER = Rule(
    "register.view",
    PROVIDER_ROLES
    | frozenset({Role.PLACEMENT_OFFICER, Role.COMMISSIONER, Role.SCRUTINEER, Role.NCC_ANALYST}),
)


def user_of(request: Any) -> User:
    """The signed-in user of a request (the views' rules have already refused anonymous ones)."""
    return cast("User", request.user)


def manageable_providers(user: User) -> list[Provider]:
    """The providers whose register this user may change (all of them for a superuser)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_manageable_providers", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    qs = Provider.objects.select_related("organisation")
    if not user.is_superuser:
        qs = qs.filter(
            organisation__memberships__user=user,
            organisation__memberships__role__in=PROVIDER_ROLES,
            organisation__kind__in=(OrganisationKind.IFA, OrganisationKind.LA_SERVICE),
        ).distinct()
    providers = list(qs.order_by("organisation__name"))
    user._manageable_providers = providers  # type: ignore[attr-defined]
    return providers


def can_manage(user: User, provider_id: int) -> bool:
    return any(p.pk == provider_id for p in manageable_providers(user))


def require_manage(user: User, provider_id: int) -> None:
    if not can_manage(user, provider_id):
        raise PermissionDenied("You can change only your own provider's register.")


def provider_for(user: User, provider_id: str | int | None) -> Provider:
    """The provider a change is for: the user's only one, or the one they name.

    Raises PermissionDenied when the user manages none, Http404 when they name a provider
    they do not work for (its register is outside their scope) and ValueError when they
    manage several and named none.
    """
    providers = manageable_providers(user)
    if provider_id not in (None, ""):
        try:
            wanted = int(provider_id)  # type: ignore[arg-type]
        except (TypeError, ValueError) as err:
            raise ValueError("provider must be a provider id (a whole number).") from err
        for provider in providers:
            if provider.pk == wanted:
                return provider
        if not providers:
            raise PermissionDenied("You do not work for a fostering provider.")
        raise Http404("No such provider among yours.")
    if not providers:
        raise PermissionDenied("You do not work for a fostering provider.")
    if len(providers) > 1:
        raise ValueError("You work for several providers: say which one (provider=<id>).")
    return providers[0]
