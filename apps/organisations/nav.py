from apps.core.navigation import NavItem, register

from .permissions import VIEW_ORGANISATIONS

register(
    NavItem(
        "Organisations",
        "organisations:list",
        VIEW_ORGANISATIONS,
        "Local authorities, RCCs, hubs and fostering providers you work with.",
    ),
)
