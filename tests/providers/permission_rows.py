"""Permission matrix rows for the register, web and API (see tests/permission_rows.py)."""

from __future__ import annotations

from apps.providers.search_views import SEARCH_VACANCIES
from tests.permission_rows import Row

ROWS = [
    # The vacancy search: hub, RCC, NCC and provider staff (providers see only their own
    # households: tests/providers/test_search_permissions.py); social workers, IROs and
    # scrutineers get 403.
    Row("register_search:search", roles=SEARCH_VACANCIES.roles),
    Row("api:register-search", roles=SEARCH_VACANCIES.roles),
]


# --- Keeping the register current (apps/providers/views.py, apps/providers/api/views.py) ---
# Reading: provider staff (their own provider's records; another provider's → 404) and hub,
# RCC and NCC staff (every provider's, read-only). Changing: provider staff only; the RCC
# administrator holds the administrator role but works for no provider → 403. The PUT of
# /api/v1/households/{reference}/ is covered by tests/providers/test_api_upsert.py.

from typing import TYPE_CHECKING, Any  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402

from apps.accounts.roles import Role  # noqa: E402
from apps.providers.models import RegisterUpload  # noqa: E402
from apps.providers.permissions import VIEW_REGISTER  # noqa: E402
from apps.providers.querysets import register_scope  # noqa: E402
from tests.providers.factories import HouseholdFactory, ProviderFactory, VacancyFactory  # noqa: E402

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World

REGISTER_READERS = VIEW_REGISTER.roles
REGISTER_WRITERS = frozenset({Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA})


def _providers(world: World) -> dict[str, Any]:
    ProviderFactory(organisation=world.ifa)
    ProviderFactory(organisation=world.other_ifa)
    return {}


def _household(world: World, org: Any) -> Any:
    _providers(world)
    return HouseholdFactory(provider=ProviderFactory(organisation=org))


def _own_household(world: World, user: User) -> dict[str, Any]:
    return {"pk": _household(world, world.ifa).pk}


def _others_household(world: World, user: User) -> dict[str, Any] | None:
    return None if register_scope(user) is None else {"pk": _household(world, world.other_ifa).pk}


def _own_vacancy(world: World, user: User) -> dict[str, Any]:
    vacancy = VacancyFactory(household=_household(world, world.ifa))
    return {"pk": vacancy.household_id, "vacancy_pk": vacancy.pk}


def _others_vacancy(world: World, user: User) -> dict[str, Any] | None:
    if register_scope(user) is None:
        return None
    vacancy = VacancyFactory(household=_household(world, world.other_ifa))
    return {"pk": vacancy.household_id, "vacancy_pk": vacancy.pk}


def _own_reference(world: World, user: User) -> dict[str, Any]:
    return {"reference": _household(world, world.ifa).reference}


def _others_reference(world: World, user: User) -> dict[str, Any] | None:
    if register_scope(user) is None:
        return None
    return {"reference": _household(world, world.other_ifa).reference}


def _upload(world: World, org: Any) -> RegisterUpload:
    _providers(world)
    upload = RegisterUpload(
        provider=ProviderFactory(organisation=org),
        uploaded_by=world.users[Role.PROVIDER_DATA],
        original_name="register.csv",
        sha256="0" * 64,
        size=9,
        outcome=RegisterUpload.Outcome.REJECTED,
    )
    upload.original.save("register.csv", ContentFile(b"reference"), save=False)
    upload.save()
    return upload


def _own_upload(world: World, user: User) -> dict[str, Any]:
    return {"pk": _upload(world, world.ifa).pk}


def _others_upload(world: World, user: User) -> dict[str, Any] | None:
    return None if register_scope(user) is None else {"pk": _upload(world, world.other_ifa).pk}


def _with_providers(world: World, user: User) -> dict[str, Any]:
    return _providers(world)


ROWS += [
    Row("providers:household_list", roles=REGISTER_READERS, kwargs=_with_providers),
    Row(
        "providers:household_detail",
        roles=REGISTER_READERS,
        kwargs=_own_household,
        hidden=_others_household,
    ),
    Row("providers:household_create", roles=REGISTER_WRITERS, kwargs=_with_providers),
    Row(
        "providers:household_edit",
        roles=REGISTER_WRITERS,
        kwargs=_own_household,
        hidden=_others_household,
    ),
    Row(
        "providers:vacancy_status",
        roles=REGISTER_WRITERS,
        kwargs=_own_vacancy,
        hidden=_others_vacancy,
    ),
    Row(
        "providers:confirm_all",
        roles=REGISTER_WRITERS,
        kwargs=_with_providers,
        method="post",
        ok=302,
    ),
    Row("providers:upload", roles=REGISTER_WRITERS, kwargs=_with_providers),
    Row("providers:upload_list", roles=REGISTER_READERS, kwargs=_with_providers),
    Row(
        "providers:upload_detail", roles=REGISTER_READERS, kwargs=_own_upload, hidden=_others_upload
    ),
    Row(
        "providers:upload_original",
        roles=REGISTER_READERS,
        kwargs=_own_upload,
        hidden=_others_upload,
    ),
    Row("providers:template"),
    Row("providers:template_download", kwargs=lambda world, user: {"fmt": "csv"}),
    Row("api:household-list", roles=REGISTER_READERS, kwargs=_with_providers),
    Row(
        "api:household-detail",
        roles=REGISTER_READERS,
        kwargs=_own_reference,
        hidden=_others_reference,
    ),
    Row("api:register-upload-list", roles=REGISTER_READERS, kwargs=_with_providers),
    Row(
        "api:register-upload-detail",
        roles=REGISTER_READERS,
        kwargs=_own_upload,
        hidden=_others_upload,
    ),
    Row("api:register-confirm", roles=REGISTER_WRITERS, kwargs=_with_providers, method="post"),
]
