from django.urls import path

from .views import feedback, format, returns, scorecards

app_name = "monitoring"

urlpatterns = [
    # The national return: the format, the returns and their three ways in, the review.
    path("format/", format.FormatView.as_view(), name="format"),
    path(
        "format/<str:version>/<str:name>",
        format.FormatDownloadView.as_view(),
        name="format_download",
    ),
    path("returns/", returns.ReturnListView.as_view(), name="return_list"),
    path("returns/<int:pk>/", returns.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/<int:pk>/form/", returns.ReturnFormView.as_view(), name="return_form"),
    path("returns/<int:pk>/upload/", returns.ReturnUploadView.as_view(), name="return_upload"),
    path(
        "returns/<int:pk>/prefilled.<str:fmt>",
        returns.ReturnPrefilledView.as_view(),
        name="return_prefilled",
    ),
    path("returns/<int:pk>/query/", returns.ReturnQueryView.as_view(), name="return_query"),
    path("returns/<int:pk>/accept/", returns.ReturnAcceptView.as_view(), name="return_accept"),
    path("queries/<int:pk>/reply/", returns.QueryReplyView.as_view(), name="query_reply"),
    path("submissions/<int:pk>/", returns.SubmissionDetailView.as_view(), name="submission_detail"),
    path(
        "submissions/<int:pk>/original/",
        returns.SubmissionOriginalView.as_view(),
        name="submission_original",
    ),
    # Scorecards, per RCC and nationally; meetings that discussed them.
    path("scorecards/", scorecards.ScorecardListView.as_view(), name="scorecard_list"),
    path("scorecards/<int:pk>/", scorecards.ScorecardDetailView.as_view(), name="scorecard_detail"),
    path(
        "scorecards/<int:pk>/meetings/",
        scorecards.ScorecardMeetingLinkView.as_view(),
        name="scorecard_meeting_link",
    ),
    # Placement feedback by social workers and IROs.
    path("feedback/", feedback.FeedbackListView.as_view(), name="feedback_list"),
    path(
        "feedback/placements/",
        feedback.FeedbackPlacementListView.as_view(),
        name="feedback_placements",
    ),
    path(
        "feedback/placements/<int:pk>/",
        feedback.FeedbackCreateView.as_view(),
        name="feedback_create",
    ),
    path("feedback/<int:pk>/", feedback.FeedbackDetailView.as_view(), name="feedback_detail"),
]
