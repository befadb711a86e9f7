"""Who may read and change commissioning records (403 otherwise). What each may see is the
models' `visible_to(user)` (404 otherwise); which records a commissioner may change is checked
in the services (their own RCC's, or the NCC's for NCC staff)."""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.core.permissions import SIGNED_IN, Rule

PROVIDER_STAFF = frozenset({Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA})
COMMISSIONING = frozenset({Role.COMMISSIONER, Role.NCC_ANALYST})
# Hub staff and scrutineers read their RCC's contracts (the fee that applies, the lots).
RCC_READERS = COMMISSIONING | frozenset({Role.PLACEMENT_OFFICER, Role.SCRUTINEER})

VIEW_TERMS = SIGNED_IN
MANAGE_TERMS = Rule("contracts.terms.manage", frozenset({Role.NCC_ANALYST}))

VIEW_FRAMEWORKS = Rule("contracts.frameworks.view", RCC_READERS | PROVIDER_STAFF)
MANAGE_FRAMEWORKS = Rule("contracts.frameworks.manage", frozenset({Role.COMMISSIONER}))
# Commissioners enrol any provider; a provider's staff apply for their own.
APPLY_TO_LOT = Rule("contracts.enrolment.apply", frozenset({Role.COMMISSIONER}) | PROVIDER_STAFF)

VIEW_PRICES = Rule("contracts.prices.view", RCC_READERS | PROVIDER_STAFF)
MANAGE_PRICES = MANAGE_FRAMEWORKS
COMPARE_FEES = Rule("contracts.fees.compare", COMMISSIONING)

VIEW_SOFT_BLOCKS = Rule("contracts.softblocks.view", RCC_READERS | PROVIDER_STAFF)
MANAGE_SOFT_BLOCKS = MANAGE_FRAMEWORKS

VIEW_CONTRACT_MANAGEMENT = Rule("contracts.management.view", COMMISSIONING | PROVIDER_STAFF)
MANAGE_CONTRACT_MANAGEMENT = MANAGE_FRAMEWORKS
MANAGE_ACCOUNT_MANAGERS = Rule("contracts.accountmanagers.manage", COMMISSIONING)

VIEW_ALERTS = Rule("contracts.alerts.view", COMMISSIONING)
DISMISS_ALERTS = MANAGE_FRAMEWORKS

VIEW_BUDGETS = Rule("contracts.budgets.view", COMMISSIONING | frozenset({Role.ADMINISTRATOR}))
MANAGE_BUDGETS = MANAGE_FRAMEWORKS

VIEW_IN_HOUSE_COSTS = Rule("contracts.inhousecosts.view", COMMISSIONING | PROVIDER_STAFF)
MANAGE_IN_HOUSE_COSTS = Rule(
    "contracts.inhousecosts.manage", frozenset({Role.COMMISSIONER, Role.PROVIDER_DATA})
)

VIEW_SPECIALIST_SERVICES = SIGNED_IN
MANAGE_SPECIALIST_SERVICES = Rule("contracts.specialist.manage", frozenset({Role.NCC_ANALYST}))

VIEW_COMMISSIONING_HOME = Rule("contracts.home", RCC_READERS | PROVIDER_STAFF)
