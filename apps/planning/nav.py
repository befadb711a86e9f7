"""Navigation entries for planning (see apps/core/navigation.py)."""

from apps.core.navigation import NavItem, register

from .permissions import VIEW_PLANNING

register(
    NavItem(
        "Planning",
        "planning:index",
        VIEW_PLANNING,
        "Demand forecasts, sufficiency gaps, sourcing and stability measures, and a simulated "
        "year of matching under each sourcing policy.",
    ),
)
