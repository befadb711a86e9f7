"""Navigation entries for reporting (see apps/core/navigation.py)."""

from apps.core.navigation import NavItem, register

from .permissions import MANAGE_BULLETINS, SSDA903_RETURN, VIEW_NATIONAL, VIEW_REPORTS

register(
    NavItem(
        "Reports",
        "reporting:index",
        VIEW_REPORTS,
        "Your RCC's reports and dashboards: demand, supply, placements, money and quality.",
    ),
    NavItem(
        "National dashboard",
        "reporting:national",
        VIEW_NATIONAL,
        "Every RCC side by side, sufficiency by region and need, unmet needs, fees and trends.",
        in_header=False,
    ),
    NavItem(
        "Bulletins",
        "reporting:bulletin_list",
        MANAGE_BULLETINS,
        "Write and publish statistical bulletins for the public site.",
        in_header=False,
    ),
    NavItem(
        "SSDA903 return",
        "reporting:ssda903",
        SSDA903_RETURN,
        "Each LA's return of looked-after children for the DfE (your LA's, or each LA of your "
        "RCC for the hub): Header and Episodes files.",
        in_header=False,
    ),
)
