# Navigation entries for the register are registered here (see apps/core/navigation.py).
from apps.core.navigation import NavItem, register

from .permissions import MANAGE_REGISTER
from .search_views import SEARCH_VACANCIES

register(
    NavItem(
        "Your register",
        "providers:household_list",
        MANAGE_REGISTER,
        "Keep your households and vacancies current: upload one file, use the forms or the API, "
        "and confirm everything is current in one click.",
    ),
)

# The vacancy search (apps/providers/search_views.py).

register(
    NavItem(
        "Search vacancies",
        "register_search:search",
        SEARCH_VACANCIES,
        "Open places with every kind of fostering provider at once, nearest to the child first.",
    ),
)
