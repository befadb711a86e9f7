from django.urls import path

from .views import frameworks, home, management, money, national, prices

app_name = "contracts"

urlpatterns = [
    path("", home.CommissioningIndexView.as_view(), name="index"),
    # National terms
    path("terms/", national.TermsListView.as_view(), name="terms"),
    path("terms/new/", national.TermsCreateView.as_view(), name="terms_create"),
    path("terms/<int:pk>/", national.TermsDetailView.as_view(), name="terms_version"),
    # Frameworks, DPS, lots, enrolments
    path("frameworks/", frameworks.FrameworkListView.as_view(), name="frameworks"),
    path("frameworks/new/", frameworks.FrameworkCreateView.as_view(), name="framework_create"),
    path("frameworks/<int:pk>/", frameworks.FrameworkDetailView.as_view(), name="framework"),
    path("frameworks/<int:pk>/lots/new/", frameworks.LotCreateView.as_view(), name="lot_create"),
    path(
        "frameworks/<int:pk>/extend/",
        frameworks.FrameworkExtendView.as_view(),
        name="framework_extend",
    ),
    path(
        "frameworks/<int:pk>/terms/",
        frameworks.FrameworkTermsView.as_view(),
        name="framework_terms",
    ),
    path("lots/<int:pk>/enrol/", frameworks.LotEnrolView.as_view(), name="lot_enrol"),
    path("enrolments/", frameworks.EnrolmentListView.as_view(), name="enrolments"),
    path(
        "enrolments/<int:pk>/status/",
        frameworks.EnrolmentStatusView.as_view(),
        name="enrolment_status",
    ),
    # Prices
    path("prices/", prices.PriceScheduleListView.as_view(), name="prices"),
    path("prices/new/", prices.PriceScheduleCreateView.as_view(), name="price_create"),
    path("prices/<int:pk>/", prices.PriceScheduleDetailView.as_view(), name="price"),
    path("prices/<int:pk>/end/", prices.PriceScheduleEndView.as_view(), name="price_end"),
    path("fees/", prices.FeeComparisonView.as_view(), name="fees"),
    path("fees/above-schedule/", prices.AboveScheduleListView.as_view(), name="above_schedule"),
    # Soft blocks
    path("soft-blocks/", prices.SoftBlockListView.as_view(), name="soft_blocks"),
    path("soft-blocks/new/", prices.SoftBlockCreateView.as_view(), name="soft_block_create"),
    path("soft-blocks/<int:pk>/", prices.SoftBlockDetailView.as_view(), name="soft_block"),
    path(
        "soft-blocks/<int:pk>/terms/",
        frameworks.SoftBlockTermsView.as_view(),
        name="soft_block_terms",
    ),
    # Contract management
    path("disputes/", management.DisputeListView.as_view(), name="disputes"),
    path("disputes/new/", management.DisputeCreateView.as_view(), name="dispute_create"),
    path("disputes/<int:pk>/", management.DisputeDetailView.as_view(), name="dispute"),
    path("disputes/<int:pk>/steps/", management.DisputeStepView.as_view(), name="dispute_step"),
    path("disputes/<int:pk>/close/", management.DisputeCloseView.as_view(), name="dispute_close"),
    path("meetings/", management.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", management.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", management.MeetingDetailView.as_view(), name="meeting"),
    path(
        "meetings/<int:pk>/action-done/",
        management.MeetingActionDoneView.as_view(),
        name="meeting_action_done",
    ),
    path("account-managers/", management.AccountManagerListView.as_view(), name="account_managers"),
    path(
        "account-managers/new/",
        management.AccountManagerCreateView.as_view(),
        name="account_manager_create",
    ),
    path("alerts/", management.AlertListView.as_view(), name="alerts"),
    path("alerts/<int:pk>/dismiss/", management.AlertDismissView.as_view(), name="alert_dismiss"),
    # Money
    path("budgets/", money.BudgetListView.as_view(), name="budgets"),
    path("budgets/new/", money.BudgetCreateView.as_view(), name="budget_create"),
    path("budgets/<int:pk>/", money.BudgetDetailView.as_view(), name="budget"),
    path("in-house-costs/", money.InHouseCostListView.as_view(), name="in_house_costs"),
    path("in-house-costs/new/", money.InHouseCostCreateView.as_view(), name="in_house_cost_create"),
    # National specialist services
    path(
        "specialist-services/",
        national.SpecialistServiceListView.as_view(),
        name="specialist_services",
    ),
    path(
        "specialist-services/new/",
        national.SpecialistServiceCreateView.as_view(),
        name="specialist_service_create",
    ),
    path(
        "specialist-services/<int:pk>/",
        national.SpecialistServiceDetailView.as_view(),
        name="specialist_service",
    ),
    path(
        "specialist-services/<int:pk>/edit/",
        national.SpecialistServiceEditView.as_view(),
        name="specialist_service_edit",
    ),
]
