from django.urls import path
from rest_framework.routers import SimpleRouter

from . import hub

router = SimpleRouter()

# LA side: children and needs, referrals, co-design reviews (apps/referrals/api/la.py).
from .la import ChildViewSet, ReferralViewSet, ReviewRequestViewSet  # noqa: E402

router.register("children", ChildViewSet, basename="child")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("referral-reviews", ReviewRequestViewSet, basename="review-request")

# An LA's SSDA903 Header and Episodes imported as care history (api/care_import.py).
from .care_import import CareImportViewSet  # noqa: E402

router.register("care-imports", CareImportViewSet, basename="care-import")

# Provider answers, choosing, scrutiny and placements (helper OP: api/provider.py, api/journey.py).
from .journey import OfferViewSet, PlacementViewSet  # noqa: E402
from .provider import ProviderTargetViewSet  # noqa: E402

router.register("provider/targets", ProviderTargetViewSet, basename="provider-target")
router.register("offers", OfferViewSet, basename="offer")
router.register("placements", PlacementViewSet, basename="placement")

urlpatterns = router.urls

# Hub: work queue, options with every factor's contribution, sending to chosen households,
# looking in-house first, batch matching; the RCC's matching weights.
urlpatterns += [
    path("hub/queue/", hub.HubQueueAPIView.as_view(), name="hub-queue"),
    path(
        "referrals/<int:pk>/options/", hub.ReferralOptionsAPIView.as_view(), name="referral-options"
    ),
    path(
        "referrals/<int:pk>/targets/", hub.ReferralTargetsAPIView.as_view(), name="referral-targets"
    ),
    path(
        "referrals/<int:pk>/looking-in-house-first/",
        hub.ReferralInHouseFirstAPIView.as_view(),
        name="referral-in-house-first",
    ),
    path(
        "rccs/<int:pk>/batch-matching/",
        hub.BatchMatchingAPIView.as_view(),
        name="rcc-batch-matching",
    ),
    path(
        "rccs/<int:pk>/matching-weights/",
        hub.MatchingWeightsAPIView.as_view(),
        name="rcc-matching-weights",
    ),
]

# Choosing and scrutiny of one referral; the scrutineer's queue (helper OP).
from . import journey  # noqa: E402

urlpatterns += [
    path("referrals/<int:pk>/choice/", journey.ChoiceAPIView.as_view(), name="referral-choice"),
    path("referrals/<int:pk>/propose/", journey.ProposeAPIView.as_view(), name="referral-propose"),
    path(
        "referrals/<int:pk>/scrutiny/",
        journey.ScrutinyDecideAPIView.as_view(),
        name="referral-scrutiny",
    ),
    path("scrutiny/queue/", journey.ScrutinyQueueAPIView.as_view(), name="scrutiny-queue"),
]

# The child's care history: timeline and figures; earlier placements recorded by hand.
from . import care_history  # noqa: E402

urlpatterns += [
    path(
        "children/<int:pk>/care-history/",
        care_history.ChildCareHistoryAPIView.as_view(),
        name="child-care-history",
    ),
    path(
        "children/<int:pk>/care-history/<int:episode_pk>/",
        care_history.CareEpisodeAPIView.as_view(),
        name="child-care-episode",
    ),
]
