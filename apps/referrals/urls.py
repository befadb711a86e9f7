from django.urls import path

from .views import care_history, care_import, choosing, hub, la, placements, provider, scrutiny

app_name = "referrals"

urlpatterns: list = []

# LA side: children, needs, referrals, co-design reviews; the shared referral page.
urlpatterns += [
    path("children/", la.ChildListView.as_view(), name="child_list"),
    path("children/new/", la.ChildCreateView.as_view(), name="child_create"),
    path("children/needs/", la.CohortNeedsView.as_view(), name="cohort_needs"),
    path("children/imports/", care_import.CareImportListView.as_view(), name="care_import_list"),
    path("children/imports/new/", care_import.CareImportView.as_view(), name="care_import"),
    path(
        "children/imports/<int:pk>/",
        care_import.CareImportDetailView.as_view(),
        name="care_import_detail",
    ),
    path(
        "children/imports/<int:pk>/<slug:which>/",
        care_import.CareImportOriginalView.as_view(),
        name="care_import_original",
    ),
    path("children/<int:pk>/", la.ChildDetailView.as_view(), name="child_detail"),
    path("children/<int:pk>/edit/", la.ChildEditView.as_view(), name="child_edit"),
    path(
        "children/<int:pk>/needs/new/",
        la.NeedsAssessmentCreateView.as_view(),
        name="needs_assessment_create",
    ),
    path("children/<int:pk>/refer/", la.ReferralCreateView.as_view(), name="referral_create"),
    path(
        "children/<int:pk>/history/new/",
        care_history.CareEpisodeCreateView.as_view(),
        name="care_episode_create",
    ),
    path(
        "children/<int:pk>/history/<int:episode_pk>/",
        care_history.CareEpisodeEditView.as_view(),
        name="care_episode_edit",
    ),
    path(
        "children/<int:pk>/history/<int:episode_pk>/delete/",
        care_history.CareEpisodeDeleteView.as_view(),
        name="care_episode_delete",
    ),
    path("", la.ReferralListView.as_view(), name="referral_list"),
    path("<int:pk>/", la.ReferralDetailView.as_view(), name="referral_detail"),
    path("<int:pk>/edit/<slug:section>/", la.ReferralEditView.as_view(), name="referral_edit"),
    path("<int:pk>/send/", la.ReferralSendView.as_view(), name="referral_send"),
    path("<int:pk>/withdraw/", la.ReferralWithdrawView.as_view(), name="referral_withdraw"),
    path("<int:pk>/reviewers/invite/", la.ReviewInviteView.as_view(), name="review_invite"),
    path("<int:pk>/carer-review/skip/", la.CarerReviewSkipView.as_view(), name="carer_review_skip"),
    path("reviews/", la.ReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", la.ReviewDetailView.as_view(), name="review_detail"),
]

# Hub: work queue, search and targeted sending, batch matching; the RCC's matching weights.
urlpatterns += [
    path("hub/", hub.HubQueueView.as_view(), name="hub_queue"),
    path("<int:pk>/search/", hub.HubSearchView.as_view(), name="hub_search"),
    path("<int:pk>/targets/send/", hub.HubTargetsSendView.as_view(), name="hub_targets_send"),
    path("<int:pk>/search/selection/", hub.HubSelectionView.as_view(), name="hub_selection"),
    path(
        "<int:pk>/looking-in-house-first/",
        hub.HubInHouseFirstView.as_view(),
        name="hub_in_house_first",
    ),
    path("rccs/<int:pk>/batch-matching/", hub.BatchMatchingView.as_view(), name="hub_batch"),
    path("matching-weights/", hub.MatchingWeightsHomeView.as_view(), name="matching_weights_home"),
    path(
        "rccs/<int:pk>/matching-weights/",
        hub.MatchingWeightsView.as_view(),
        name="matching_weights",
    ),
]

# Provider: referrals sent to you (minimised, every read logged), offer or decline. Choosing,
# scrutiny, placements and the IPA (helper OP).
urlpatterns += [
    path("sent-to-you/", provider.ProviderTargetListView.as_view(), name="provider_targets"),
    path(
        "sent-to-you/<int:pk>/", provider.ProviderTargetDetailView.as_view(), name="provider_target"
    ),
    path(
        "sent-to-you/<int:pk>/offer/", provider.ProviderOfferView.as_view(), name="provider_offer"
    ),
    path(
        "sent-to-you/<int:pk>/decline/",
        provider.ProviderDeclineView.as_view(),
        name="provider_decline",
    ),
    path("<int:pk>/options/", choosing.OptionsView.as_view(), name="options"),
    path(
        "<int:pk>/options/<int:offer_pk>/",
        choosing.OptionUpdateView.as_view(),
        name="option_update",
    ),
    path("<int:pk>/propose/", choosing.ProposeView.as_view(), name="propose"),
    path("scrutiny/", scrutiny.ScrutinyQueueView.as_view(), name="scrutiny_queue"),
    path("<int:pk>/scrutiny/", scrutiny.ScrutinyDecideView.as_view(), name="scrutiny_decide"),
    path("<int:pk>/placement/", placements.PlacementAgreeView.as_view(), name="placement_agree"),
    path("placements/", placements.PlacementListView.as_view(), name="placement_list"),
    path("placements/<int:pk>/", placements.PlacementDetailView.as_view(), name="placement_detail"),
    path(
        "placements/<int:pk>/agreement.pdf",
        placements.PlacementIpaPdfView.as_view(),
        name="placement_ipa_pdf",
    ),
    path("placements/<int:pk>/end/", placements.PlacementEndView.as_view(), name="placement_end"),
]
