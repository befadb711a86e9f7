# Navigation entries for commissioning (see apps/core/navigation.py), and the home-page panel.
from apps.core.navigation import NavItem, register

from . import panels  # noqa: F401  (registers the commissioner's home panel)
from .permissions import COMPARE_FEES, VIEW_COMMISSIONING_HOME, VIEW_SPECIALIST_SERVICES

register(
    NavItem(
        "Commissioning",
        "contracts:index",
        VIEW_COMMISSIONING_HOME,
        "Frameworks and DPS, lots, enrolments, price schedules, soft blocks, disputes, budgets "
        "and the dates to plan for.",
    ),
    NavItem(
        "Compare fees",
        "contracts:fees",
        COMPARE_FEES,
        "Weekly fees by lot across providers and RCCs, beside LA in-house full costs.",
        in_header=False,
    ),
    NavItem(
        "National specialist services",
        "contracts:specialist_services",
        VIEW_SPECIALIST_SERVICES,
        "Services for rare needs commissioned by the NCC, and how to access them.",
        in_header=False,
    ),
)
