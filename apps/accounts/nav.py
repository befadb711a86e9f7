from apps.core.navigation import NavItem, register

from .permissions import MANAGE_PEOPLE

register(
    NavItem(
        "People",
        "accounts:people",
        MANAGE_PEOPLE,
        "Give people roles in the organisations you administer, and remove them.",
    ),
)
