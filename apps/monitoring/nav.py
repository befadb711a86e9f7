# Navigation entries for monitoring (see apps/core/navigation.py).
from apps.core.navigation import NavItem, register

from .permissions import GIVE_FEEDBACK, VIEW_RETURNS, VIEW_SCORECARDS

register(
    NavItem(
        "Monitoring returns",
        "monitoring:return_list",
        VIEW_RETURNS,
        "The national quarterly return: pre-filled with what the platform holds, submitted by "
        "form, file or API, queried and accepted by the RCC.",
    ),
    NavItem(
        "Scorecards",
        "monitoring:scorecard_list",
        VIEW_SCORECARDS,
        "Providers' stability, responsiveness, feedback, Ofsted grade, fees and return timeliness, "
        "per RCC and nationally, with trends.",
    ),
    NavItem(
        "Placement feedback",
        "monitoring:feedback_placements",
        GIVE_FEEDBACK,
        "Tell us how each placement is going at the child's review. Providers see only anonymised "
        "totals.",
    ),
)

from . import work  # noqa: E402, F401
