"""Permission matrix rows for planning (see tests/permission_rows.py).

Commissioners read their RCC's planning pages (the other RCC's are a 404); NCC analysts read
every RCC's and England's. Simulated years likewise: a commissioner's RCC's runs; NCC analysts
every run, England's included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from apps.planning.permissions import VIEW_EARLY_WARNING, VIEW_NATIONAL_PLANNING, VIEW_PLANNING
from apps.reporting.choices import ReportKind
from apps.reporting.services import report_run_build_now
from tests.permission_rows import Row, no_kwargs

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World


def _national(user: User) -> bool:
    return VIEW_NATIONAL_PLANNING.allows(user)


def built(world: World) -> None:
    """Once per world: a planning snapshot for each RCC and England (the real build)."""
    if getattr(world, "_planning", False):
        return
    for scope in (world.rcc, world.other_rcc, None):
        report_run_build_now(kind=ReportKind.PLANNING, rcc=scope)
    world._planning = True  # type: ignore[attr-defined]


def rcc_section(world: World, user: User) -> dict[str, Any]:
    built(world)
    return {"pk": world.rcc.pk, "section": "forecast"}


def hidden_rcc_section(world: World, user: User) -> dict[str, Any] | None:
    return None if _national(user) else {"pk": world.other_rcc.pk, "section": "forecast"}


def national_section(world: World, user: User) -> dict[str, Any]:
    built(world)
    return {"section": "sufficiency"}


def _simulation(rcc: Any, *, done: bool = True) -> Any:
    """A simulated year of `rcc`'s children (None: England), done with results."""
    from apps.planning.models import SimulationRun
    from apps.planning.simulation import POLICIES, simulate_year
    from tests.planning.simulation_support import IFA, child, home, simulation_input

    data = simulation_input([home(1, IFA, "M14")], [child("a")])
    return SimulationRun.objects.create(
        policy="all",
        seed=1,
        rcc=rcc,
        status="done" if done else "running",
        finished_at=timezone.now() if done else None,
        inputs=data.describe(),
        results=simulate_year(data, POLICIES, seed=1) if done else {},
    )


def simulation(world: World, user: User) -> dict[str, Any]:
    return {"pk": _simulation(None if _national(user) else world.rcc).pk}


def hidden_simulation(world: World, user: User) -> dict[str, Any] | None:
    return None if _national(user) else {"pk": _simulation(world.other_rcc).pk}


def simulation_request(world: World, user: User) -> dict[str, Any]:
    """A new run for each caller (the same request again returns the run already queued)."""
    return {"policy": "needs-first", "seed": user.pk, "rcc": world.rcc.pk}


ROWS: list[Row] = [
    Row("planning:index", VIEW_PLANNING.roles, kwargs=no_kwargs),
    Row("planning:rcc_section", VIEW_PLANNING.roles, kwargs=rcc_section, hidden=hidden_rcc_section),
    Row("planning:national_section", VIEW_NATIONAL_PLANNING.roles, kwargs=national_section),
    Row(
        "api:planning-rcc-section",
        VIEW_PLANNING.roles,
        kwargs=rcc_section,
        hidden=hidden_rcc_section,
    ),
    Row("api:planning-national-section", VIEW_NATIONAL_PLANNING.roles, kwargs=national_section),
]

# The stability early-warning list (web and API): the social workers and IROs of an LA, each
# seeing only their own LA's children (tests/planning/test_early_warning.py).
ROWS += [
    Row("planning:early_warning", VIEW_EARLY_WARNING.roles, kwargs=no_kwargs),
    Row("api:early-warning", VIEW_EARLY_WARNING.roles, kwargs=no_kwargs),
]

# Simulated years (web and API).
ROWS += [
    Row("planning:simulations", VIEW_PLANNING.roles),
    Row("planning:simulation_create", VIEW_PLANNING.roles),
    Row(
        "planning:simulation_create",
        VIEW_PLANNING.roles,
        method="post",
        data=simulation_request,
        ok=302,
    ),
    Row(
        "planning:simulation_detail",
        VIEW_PLANNING.roles,
        kwargs=simulation,
        hidden=hidden_simulation,
    ),
    Row(
        "planning:simulation_progress",
        VIEW_PLANNING.roles,
        kwargs=simulation,
        hidden=hidden_simulation,
    ),
    Row(
        "planning:simulation_export",
        VIEW_PLANNING.roles,
        kwargs=simulation,
        hidden=hidden_simulation,
    ),
    Row("api:simulation-run-list", VIEW_PLANNING.roles),
    Row(
        "api:simulation-run-list",
        VIEW_PLANNING.roles,
        method="post",
        data=simulation_request,
        ok=201,
    ),
    Row(
        "api:simulation-run-detail",
        VIEW_PLANNING.roles,
        kwargs=simulation,
        hidden=hidden_simulation,
    ),
]
