"""The register's pages, under /register/ (the vacancy search is under /register/search/)."""

from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/new/", views.HouseholdFormView.as_view(), name="household_create"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdFormView.as_view(), name="household_edit"),
    path(
        "households/<int:pk>/vacancies/<int:vacancy_pk>/status/",
        views.VacancyStatusView.as_view(),
        name="vacancy_status",
    ),
    path("confirm/", views.ConfirmAllView.as_view(), name="confirm_all"),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("uploads/", views.UploadListView.as_view(), name="upload_list"),
    path("uploads/<int:pk>/", views.UploadDetailView.as_view(), name="upload_detail"),
    path("uploads/<int:pk>/original/", views.UploadOriginalView.as_view(), name="upload_original"),
    path("template/", views.RegisterTemplateView.as_view(), name="template"),
    path(
        "template/<str:fmt>/",
        views.RegisterTemplateDownloadView.as_view(),
        name="template_download",
    ),
]
