"""Who may take which kind of action in the referral journey (403 otherwise).

What each person may see is the models' `visible_to(user)` (404 otherwise). Each helper adds
its own rules below under its own heading. Rules marked `child_data` show a child's record,
referral or placement: their roles need two-factor sign-in.
"""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.core.permissions import SIGNED_IN, Rule

# --- Children, needs and referrals (LA side) --------------------------------------------------
LA_ROLES = frozenset({Role.SOCIAL_WORKER, Role.IRO})
HUB_ROLES = frozenset({Role.PLACEMENT_OFFICER, Role.COMMISSIONER, Role.SCRUTINEER})

# Social workers and IROs of the child's LA read children, needs and referrals (IROs read only).
VIEW_CHILDREN = Rule("children.view", LA_ROLES, child_data=True)
# Social workers record children and needs assessments and write referrals.
EDIT_CHILDREN = Rule("children.edit", frozenset({Role.SOCIAL_WORKER}), child_data=True)
VIEW_LA_REFERRALS = Rule("referrals.view_la", LA_ROLES, child_data=True)
EDIT_REFERRALS = Rule("referrals.edit", frozenset({Role.SOCIAL_WORKER}), child_data=True)
# The shared referral page: the LA's staff and the staff of the RCC whose hub searches.
VIEW_REFERRAL = Rule("referrals.view", LA_ROLES | HUB_ROLES, child_data=True)
# Anyone may be asked to review a referral (co-design): the review itself is the scope.
REVIEW_REFERRAL = SIGNED_IN

# --- Offers, choosing, scrutiny and placements (helper OP) ------------------------------------
# Provider referrals officers (IFAs and LA fostering services) read referrals sent to them
# (minimised) and answer them with an offer or a decline.
RESPOND_TO_REFERRALS = Rule(
    "referrals.respond", frozenset({Role.PROVIDER_REFERRALS}), child_data=True
)
# The options side by side: the child's social worker chooses; the hub and the scrutineer read.
VIEW_OPTIONS = Rule(
    "referrals.view_options",
    frozenset({Role.SOCIAL_WORKER, Role.PLACEMENT_OFFICER, Role.SCRUTINEER}),
    child_data=True,
)
CHOOSE_OPTION = Rule("referrals.choose", frozenset({Role.SOCIAL_WORKER}), child_data=True)
SCRUTINISE = Rule("referrals.scrutinise", frozenset({Role.SCRUTINEER}), child_data=True)
AGREE_PLACEMENT = Rule("placements.agree", frozenset({Role.PLACEMENT_OFFICER}), child_data=True)
VIEW_PLACEMENTS = Rule(
    "placements.view",
    frozenset(
        {
            Role.SOCIAL_WORKER,
            Role.IRO,
            Role.PLACEMENT_OFFICER,
            Role.COMMISSIONER,
            Role.SCRUTINEER,
            Role.PROVIDER_REFERRALS,
        }
    ),
    child_data=True,
)
END_PLACEMENT = Rule(
    "placements.end", frozenset({Role.SOCIAL_WORKER, Role.PLACEMENT_OFFICER}), child_data=True
)

# --- Search, targeted distribution and batch matching (helper MA) -----------------------------
# Placement officers of the RCC's hub search the register for a referral, send it to the
# providers of the households they choose, and read the batch-matching suggestion.
HUB_SEARCH = Rule("referrals.hub_search", frozenset({Role.PLACEMENT_OFFICER}), child_data=True)
# The RCC's commissioners set the weights of the match score.
EDIT_MATCHING_WEIGHTS = Rule("referrals.matching_weights", frozenset({Role.COMMISSIONER}))
